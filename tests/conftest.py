"""Shared fixtures: an isolated session and result store, and random walk ingredients.

The whole session runs with HOME, XDG_*, MPLCONFIGDIR, QWALK_STORE and
QWALK_HARDWARE_CONFIGS in a temporary folder, set in ``pytest_configure`` (before any
fixture, module-scoped ones included, and inherited by every subprocess); at the end the
user's real qwalk folders are checked to be unchanged (``tests/isolation.py``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tests import isolation

_SESSION = isolation.SESSIONS


def pytest_configure(config: pytest.Config) -> None:
    """Isolate the session, after recording the real qwalk folders as they are now."""
    _SESSION.append(isolation.start(Path(tempfile.mkdtemp(prefix="qwalk-tests-"))))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session when anything under the user's real qwalk folders changed."""
    changed = _SESSION[0].changed() if _SESSION else []
    if not changed:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write("\n")
    lines = ["the tests changed the user's real qwalk files (they must write only under "
             f"{_SESSION[0].session_dir}):", *(f"  {path}" for path in changed),
             "(or a qwalk command run by hand during the tests did: then rerun)"]
    for line in lines:
        if reporter is not None:
            reporter.write_line(line, red=True)
        else:
            print(line)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION:
        state = _SESSION.pop()
        isolation.restore(state.old_env)
        shutil.rmtree(state.session_dir, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    """Every test writes runs to its own store file, never the user's, and sees an empty
    user config folder (a developer's own hardware configs must not change the tests)."""
    path = tmp_path / "runs.sqlite"
    monkeypatch.setenv("QWALK_STORE", str(path))
    monkeypatch.setenv("QWALK_HARDWARE_CONFIGS", str(tmp_path / "user_hardware_configs"))
    return path


def random_unitary(rng: np.random.Generator, size: int) -> np.ndarray:
    """Haar-random unitary (QR of a complex Gaussian matrix, phases fixed)."""
    z = (rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def random_state(rng: np.random.Generator, size: int) -> np.ndarray:
    v = rng.normal(size=size) + 1j * rng.normal(size=size)
    return v / np.linalg.norm(v)
