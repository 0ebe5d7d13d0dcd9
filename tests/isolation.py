"""The test session's isolation from the user's own files: every place qwalk (or matplotlib,
qiskit, Jupyter, pip) would read or write under HOME points into one temporary folder,
and the user's real qwalk folders are checked to be unchanged at the end.

Used by ``conftest.py`` (``pytest_configure`` / ``pytest_sessionfinish``), so it applies
before any fixture, module-scoped ones included.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: the variables pointed into the session folder (relative path inside it)
ISOLATED = {"HOME": "home", "XDG_DATA_HOME": "home/.local/share",
            "XDG_CONFIG_HOME": "home/.config", "XDG_CACHE_HOME": "home/.cache",
            "XDG_STATE_HOME": "home/.local/state", "MPLCONFIGDIR": "home/.config/matplotlib",
            "QWALK_STORE": "home/.local/share/qwalk/session-runs.sqlite",
            "QWALK_HARDWARE_CONFIGS": "home/.config/qwalk/hardware_configs"}
#: set in the environment once the session is isolated: the session folder
SESSION_ENV = "QWALK_TEST_SESSION_DIR"
Snapshot = dict[str, object]


def real_qwalk_paths(env: dict[str, str] | os._Environ[str]) -> list[Path]:
    """The user's real qwalk locations, from the environment as the session found it: the
    data and config folders (XDG or ~/.local/share, ~/.config) and any QWALK_STORE /
    QWALK_HARDWARE_CONFIGS the user had set."""
    home = Path(env.get("HOME") or Path.home())
    data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    paths = [data / "qwalk", config / "qwalk"]
    paths += [Path(env[k]) for k in ("QWALK_STORE", "QWALK_HARDWARE_CONFIGS") if env.get(k)]
    return paths


def snapshot(paths: list[Path]) -> Snapshot:
    """What is at each path: missing, or every file and folder below it with its size and
    modification time (a write, a new file or a removed one changes it)."""
    out: Snapshot = {}
    for path in paths:
        if not path.exists():
            out[str(path)] = None
            continue
        entries = [path, *sorted(path.rglob("*"))] if path.is_dir() else [path]
        for entry in entries:
            try:
                stat = entry.lstat()
            except FileNotFoundError:  # removed while listed (a journal another qwalk
                continue               # process outside the tests was writing)
            out[str(entry)] = (stat.st_size, stat.st_mtime_ns)
    return out


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """The paths that differ between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def isolate(session_dir: Path) -> dict[str, str | None]:
    """Point every variable of :data:`ISOLATED` into ``session_dir``; returns the old values."""
    old = {name: os.environ.get(name) for name in [*ISOLATED, SESSION_ENV]}
    for name, relative in ISOLATED.items():
        target = session_dir / relative
        (target.parent if name.startswith("QWALK_STORE") else target).mkdir(
            parents=True, exist_ok=True)
        os.environ[name] = str(target)
    os.environ[SESSION_ENV] = str(session_dir)
    return old


def restore(old: dict[str, str | None]) -> None:
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@dataclass
class Isolated:
    """An isolated session: its folder, the environment it replaced, and the user's real
    qwalk folders as they were when it started."""

    session_dir: Path
    old_env: dict[str, str | None]
    real: list[Path]
    before: Snapshot = field(repr=False)

    def changed(self) -> list[str]:
        """The real qwalk paths that changed since the session started."""
        return changes(self.before, snapshot(self.real))


def start(session_dir: Path) -> Isolated:
    """Record the real qwalk folders (from the environment as found), then isolate."""
    real = real_qwalk_paths(os.environ)
    before = snapshot(real)
    return Isolated(session_dir, isolate(session_dir), real, before)


#: the isolated session of this pytest process, once configured (conftest.py appends it)
SESSIONS: list[Isolated] = []
