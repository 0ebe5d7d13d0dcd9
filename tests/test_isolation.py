"""The session never touches the user's own files: HOME, XDG_*, the store and the config
folder point into the session's temporary folder for every test, fixture and subprocess,
and the check run at the end of the session notices a write to the real qwalk folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import isolation

ROOT = Path(__file__).resolve().parents[1]


def session_dir() -> Path:
    assert isolation.SESSIONS, "conftest.py did not isolate the session"
    return isolation.SESSIONS[0].session_dir


def test_every_home_based_location_is_in_the_session_folder(tmp_path):
    inside = session_dir()
    per_test = ("QWALK_STORE", "QWALK_HARDWARE_CONFIGS")  # conftest.isolated_store's
    for name in isolation.ISOLATED:
        where = tmp_path if name in per_test else inside
        assert Path(os.environ[name]).is_relative_to(where), name
    assert Path.home().is_relative_to(inside)


def test_the_default_store_and_configs_are_in_the_session_folder(monkeypatch):
    from qwalk_circuits.execution.config import user_config_dir
    from qwalk_circuits.execution.store import default_store_path

    monkeypatch.delenv("QWALK_STORE")
    monkeypatch.delenv("QWALK_HARDWARE_CONFIGS")
    assert default_store_path().is_relative_to(session_dir())
    assert user_config_dir().is_relative_to(session_dir())


def test_a_subprocess_inherits_the_isolation(monkeypatch):
    monkeypatch.delenv("QWALK_STORE")
    code = ("from qwalk_circuits.execution.store import default_store_path; "
            "import matplotlib; print(default_store_path()); print(matplotlib.get_configdir())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    assert all(Path(p).is_relative_to(session_dir()) for p in out), out


def test_the_real_folders_were_recorded_before_the_isolation():
    state = isolation.SESSIONS[0]
    assert state.real and not any(p.is_relative_to(session_dir()) for p in state.real)
    assert state.old_env["HOME"] is None or not Path(state.old_env["HOME"]).is_relative_to(
        session_dir())


def test_the_end_of_session_check_sees_a_write(tmp_path):
    home = tmp_path / "home"
    env = {"HOME": str(home)}
    paths = isolation.real_qwalk_paths(env)
    assert paths == [home / ".local/share/qwalk", home / ".config/qwalk"]
    before = isolation.snapshot(paths)
    assert isolation.changes(before, isolation.snapshot(paths)) == []
    store = home / ".local/share/qwalk/runs.sqlite"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"x")
    assert str(store) in isolation.changes(before, isolation.snapshot(paths))
    written = isolation.snapshot(paths)
    os.utime(store, ns=(1, 1))  # rewritten in place, same size
    assert isolation.changes(written, isolation.snapshot(paths)) == [str(store)]
    assert isolation.real_qwalk_paths({**env, "QWALK_STORE": "/x/s.sqlite"})[-1] == Path(
        "/x/s.sqlite")
