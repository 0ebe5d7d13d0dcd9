"""Cancelling a run, as the ledger records it: a fake device's local jobs (strays too)
marked cancelled without a service, and a real device's jobs cancelled through the
caller's service and sleep, each recorded CANCELLED, a job found by the run's tag
recorded as 'unrecorded'."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.config import load_config
from qwalk_circuits.execution.device_submission import submit_experiment
from qwalk_circuits.execution.jobs import cancel
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.experiments import get_experiment

from . import service_double


def walk():
    return get_experiment("coined-walk").from_settings({"position_qubits": 2, "steps": 2})


def statuses(store, run_id):
    """Every job of the run in the ledger, strays included: id -> (role, status)."""
    return {j["job_id"]: (j["role"], j["status"])
            for j in Ledger(store).jobs(run_id, strays=True)}


def test_cancelling_a_fake_device_run_marks_its_unfinished_jobs_and_strays_cancelled(
        tmp_path):
    """A fake device's jobs ran in the submitting process (no service to ask): cancel
    marks every unfinished one CANCELLED in the ledger, a stray too, and leaves a finished
    one as it ended; it returns how many it cancelled."""
    store = ResultStore(tmp_path / "s.sqlite")
    ledger = Ledger(store)
    ledger.create("r1", "coined-walk", {}, {}, "fake_fez", 100, 1,
                  [{"job": 0}, {"job": 1}])
    ledger.add_job("r1", "local_0", 0, "circuits", [0], "RUNNING")
    ledger.add_job("r1", "local_1", 1, "circuits", [1], "DONE")
    assert Ledger(store, "elsewhere:1:old").add_job("r1", "local_late", 0, "circuits", [0],
                                                    "RUNNING") == "unowned"
    assert cancel("r1", ledger, load_config("fake_fez")) == 2
    assert statuses(store, "r1") == {"local_0": ("circuits", "CANCELLED"),
                                     "local_1": ("circuits", "DONE"),
                                     "local_late": ("unowned", "CANCELLED")}
    assert ledger.submission("r1")["status"] == "cancelled"


class FlakyLookups:
    """The double's service, whose ``job`` and ``jobs`` lookups each fail once first (a
    dropped connection): what a caller's service may do."""

    def __init__(self, server: service_double.Server) -> None:
        self.inner = service_double.Service(server)
        self.failed: set[str] = set()
        self.looked_up: list[str] = []

    def _once(self, what: str) -> None:
        if what not in self.failed:
            self.failed.add(what)
            raise ConnectionError(f"simulated network failure ({what})")

    def job(self, job_id: str) -> Any:
        self.looked_up.append(job_id)
        self._once("job")
        return self.inner.job(job_id)

    def jobs(self, **kwargs: Any) -> Any:
        self._once("jobs")
        return self.inner.jobs(**kwargs)


def test_cancel_uses_the_callers_service_and_sleep_and_records_each_cancelled_job(
        server, config, tmp_path):
    """Two queued jobs and a third the service holds under the run's tag that the ledger
    never heard of: all three cancelled on the service and CANCELLED in the ledger (the
    third recorded as 'unrecorded', of no chunk).  Every lookup goes to the
    caller's service, and each transient failure (the run's job list, a job, a status)
    is retried after the caller's sleep (a job the tag lookup returned is used as it is)."""
    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(hold=True)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    first, second = (j["job_id"] for j in Ledger(store).jobs(run_id))
    # a job under the run's tag alone (no chunk tag): found by the run's tag, chunk -1
    server.save("job_late", {**server.load(first), "tags": [run_id]})
    server.set_mode(hold=True, flaky=1)  # the first status call fails once
    waits: list[float] = []
    lookups = FlakyLookups(server)
    assert cancel(run_id, Ledger(store), config, lookups, waits.append) == 3
    assert waits == [0.01] * 3
    # the recorded jobs looked up by id (the first twice: its lookup failed once), the
    # one found under the run's tag not looked up again
    assert lookups.looked_up == [first, first, second]
    assert server.statuses() == ["CANCELLED"] * 3
    assert statuses(store, run_id) == {first: ("circuits+calibration", "CANCELLED"),
                                       second: ("circuits+calibration", "CANCELLED"),
                                       "job_late": ("unrecorded", "CANCELLED")}
    late = {j["job_id"]: j for j in Ledger(store).jobs(run_id)}["job_late"]
    assert (late["idx"], late["circuits"]) == (-1, [])


def test_cancel_without_a_service_opens_the_account_of_the_runs_config(server, tmp_path,
                                                                        monkeypatch):
    """No service given: cancel opens one for the config's [ibm] account (its instance),
    not the default account."""
    from qwalk_circuits.execution import service

    path = service_double.ibm_config(tmp_path)
    path.write_text(path.read_text() + '[ibm]\ninstance = "team-instance"\n')
    config = load_config(str(path))
    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(hold=True)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    opened: list[dict[str, Any]] = []

    def recording(**kwargs: Any) -> service_double.Service:
        opened.append(kwargs)
        return service_double.Service(server, **kwargs)

    monkeypatch.setattr(service, "_factory", recording)
    assert cancel(run_id, Ledger(store), config) == 2
    assert opened == [{"instance": "team-instance"}]


def test_a_job_that_finishes_before_the_cancel_reaches_it_reports_how_it_ended(config):
    """The service refuses to cancel a job that reached a final state meanwhile (HTTP
    409): stop_job asks again (retrying a dropped answer after the caller's sleep) and
    returns that state (DONE: paid for), not CANCELLED."""
    from types import SimpleNamespace

    from qwalk_circuits.execution.jobs import stop_job

    answers: Iterator[str | Exception] = iter(["RUNNING", ConnectionError("dropped"), "DONE"])

    def status() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def refuse() -> None:
        raise RuntimeError("job is in a final state (409)")

    waits: list[float] = []
    remote = SimpleNamespace(status=status, cancel=refuse)
    assert stop_job(remote, config, waits.append) == "DONE"
    assert waits == [0.01]


def test_a_run_job_list_the_service_never_returns_says_which_lookup_failed(config, tmp_path):
    """The run's tag lookup (for jobs the ledger never heard of) keeps failing: cancel
    stops in one line naming that lookup and how often it was tried, its jobs untouched."""
    ledger = Ledger(ResultStore(tmp_path / "s.sqlite"))
    ledger.create("r1", "coined-walk", {}, {}, "ibm_manila", 100, 1, [{"job": 0}])
    ledger.add_job("r1", "job_0", 0, "circuits", [0], "QUEUED")

    def no_list(**kwargs: Any) -> list[Any]:
        raise ConnectionError("dropped")

    service = type("Unlisting", (), {"jobs": staticmethod(no_list)})()
    with pytest.raises(QwalkError) as caught:
        cancel("r1", ledger, config, service, lambda s: None)
    attempts = config.jobs.max_retries + 1
    assert str(caught.value).startswith(
        f"looking up the run's jobs failed {attempts} times: ConnectionError: dropped")
    assert statuses(ledger.store, "r1") == {"job_0": ("circuits", "QUEUED")}
