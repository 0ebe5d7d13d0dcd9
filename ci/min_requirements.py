"""Print the declared minimum versions as exact pins, one per line, for `make test-min`.

Reads ``[project] dependencies`` and the ``test`` extra from pyproject.toml and
turns every floor ``NAME>=X`` into ``NAME==X`` (markers and upper bounds are
dropped: the point is to install each floor exactly). A requirement without a
floor is an error: every declared dependency must say how old it may be.
Runs on the standard library only (Python >= 3.11), before any venv exists.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
EXTRAS = ("test",)
REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)(;.*)?$")


def floors(pyproject: Path = PYPROJECT) -> dict[str, str]:
    """{distribution name: floor version} for the dependencies and the test extra."""
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in EXTRAS:
        requirements += project["optional-dependencies"][extra]
    out: dict[str, str] = {}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if match is None:
            raise SystemExit(f"cannot parse requirement {requirement!r}")
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        floor = re.search(r">=\s*([0-9][^,\s]*)", match.group(3))
        if floor is None:
            raise SystemExit(f"requirement {requirement!r} has no floor (NAME>=VERSION)")
        if out.get(name, floor.group(1)) != floor.group(1):
            raise SystemExit(f"{name}: two different floors declared ({out[name]}, "
                             f"{floor.group(1)})")
        out[name] = floor.group(1)
    return out


def main() -> int:
    for name, version in sorted(floors().items()):
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
