"""Shared fixtures: an isolated result store and random walk ingredients."""

from __future__ import annotations

import numpy as np
import pytest


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
