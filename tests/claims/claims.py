"""Tools for claim tests: a number printed in README.md, BENCHMARKS.md or a notebook's text is
reproduced by rerunning the command the document states, within the error it states.

A claim test does two things, so that the document and the test cannot drift apart:

1. :func:`quoted` asserts the document still contains the claim's exact text (edit the
   number and the test fails until the test is updated with it);
2. it reruns the stated command (:func:`qwalk_json` for a ``qwalk ... --json`` command, or
   the Python the document shows) and checks the number within the stated error.

Claim tests live in ``tests/claims/test_<area>_claims.py``; long ones are marked ``slow``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from pathlib import Path
from typing import Any

from qwalk_circuits.cli import main

ROOT = Path(__file__).resolve().parents[2]


def document_text(name: str) -> str:
    """The text of ``name`` (README.md, BENCHMARKS.md, docs/..., or a notebook, whose
    markdown and code cells are joined), with runs of whitespace as one space, so a claim
    may be quoted across a line break."""
    path = ROOT / name
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        text = "\n".join("".join(cell["source"]) for cell in cells)
    else:
        text = path.read_text()
    return re.sub(r"\s+", " ", text)


def quoted(name: str, text: str) -> None:
    """Assert that document ``name`` states ``text`` (whitespace-insensitive)."""
    wanted = re.sub(r"\s+", " ", text.strip())
    assert wanted in document_text(name), (
        f"{name} no longer says {wanted!r}: update the claim test with the document")


def qwalk_json(command: str) -> dict[str, Any]:
    """Run ``qwalk ARGS`` in-process with ``--json`` added (``command`` as the document
    writes it, with or without the leading ``qwalk``) and return the printed summary."""
    args = shlex.split(command)
    if args and args[0] == "qwalk":
        args = args[1:]
    if "--json" not in args:
        args.append("--json")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(args)
    assert status in (0, None), f"qwalk {' '.join(args)} exited {status}"
    return json.loads(out.getvalue())


def within(value: float, claimed: float, error: float, sigmas: float = 1.0) -> bool:
    """Whether ``value`` reproduces ``claimed`` within ``sigmas`` times its stated error."""
    return abs(value - claimed) <= sigmas * error
