"""Polling a run: a job that already ended without counts (failed on the device, or
cancelled) is never asked about again, so a run whose jobs all ended is reported as it
stands, on a fake device (whose local jobs died with their process) and on a service."""

from __future__ import annotations

from typing import Any

from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.config import load_config
from qwalk_circuits.execution.jobs import poll
from qwalk_circuits.execution.ledger import Ledger


def ended_run(tmp_path, device: str) -> Ledger:
    """Run r1's three jobs, each ended: one DONE with its counts, one ERROR, one CANCELLED."""
    ledger = Ledger(ResultStore(tmp_path / "s.sqlite"))
    ledger.create("r1", "coined-walk", {}, {}, device, 100, 1,
                  [{"job": 0}, {"job": 1}, {"job": 2}])
    for idx, status in enumerate(("DONE", "ERROR", "CANCELLED")):
        ledger.add_job("r1", f"job_{idx}", idx, "circuits", [idx], "RUNNING")
        ledger.update_job(f"job_{idx}", status, error="failed" if status == "ERROR" else None,
                          result=[{"0": 100}] if status == "DONE" else None)
    return ledger


def test_a_fake_device_run_whose_jobs_all_ended_is_reported_not_refused(tmp_path):
    ledger = ended_run(tmp_path, "fake_fez")
    tally = poll("r1", ledger, load_config("fake_fez"), ["c0", "c1", "c2"])
    assert tally == {"DONE": 1, "ERROR": 1, "CANCELLED": 1}


def test_a_failed_or_cancelled_job_is_not_looked_up_again(tmp_path, config):
    ledger = ended_run(tmp_path, "ibm_manila")
    asked: list[Any] = []

    class Service:
        def job(self, job_id: str) -> None:
            asked.append(job_id)
            raise AssertionError(f"poll asked for {job_id}, which had ended")

    tally = poll("r1", ledger, config, ["c0", "c1", "c2"], Service(), sleep=lambda s: None)
    assert tally == {"DONE": 1, "ERROR": 1, "CANCELLED": 1} and asked == []
    assert [j["error"] for j in ledger.jobs("r1")] == [None, "failed", None]
