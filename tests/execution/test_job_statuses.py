"""Job statuses as the service spells them, read into the ledger's few names."""

from __future__ import annotations

import enum

import pytest

from qwalk_circuits.execution.jobs import status_name


class RuntimeStatus(enum.Enum):  # the local testing mode's jobs report an enum
    DONE = "done"
    RUNNING = "running"


@pytest.mark.parametrize("given, name", [
    ("COMPLETED", "DONE"), ("DONE", "DONE"), ("completed", "DONE"),
    ("FAILED", "ERROR"), ("ERROR", "ERROR"),
    ("INITIALIZING", "QUEUED"), ("VALIDATING", "QUEUED"), ("QUEUED", "QUEUED"),
    ("RUNNING", "RUNNING"), ("CANCELLED", "CANCELLED"),
    (RuntimeStatus.DONE, "DONE"), (RuntimeStatus.RUNNING, "RUNNING")])
def test_status_names(given, name):
    assert status_name(given) == name
