"""Fixtures of the device-path tests: the IBM service double and a config that uses it."""

from __future__ import annotations

import pytest

from qwalk_circuits.execution.config import load_config

from . import service_double


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The service double, installed at the network boundary (its state in a folder)."""
    return service_double.install(tmp_path / "server", monkeypatch)


@pytest.fixture
def config(tmp_path):
    """A hardware config of kind 'ibm' on the double."""
    return load_config(str(service_double.ibm_config(tmp_path)))
