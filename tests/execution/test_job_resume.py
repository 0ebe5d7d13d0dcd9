"""Taking over and resuming a submission, and opening its Batch: a stored lease the store
cannot keep is refused, an older qwalk's owner-less run is taken only once it has been
left for a lease period, a Batch that fails to open is retried with the caller's
sleep (a refusal said in one line); a resume asks the caller's service (or opens the run's
account), names the chunk lookup that keeps failing, and records every job under a
chunk's tag however many the service lists."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import ResultStore, jobs, service
from qwalk_circuits.execution.config import load_config
from qwalk_circuits.execution.device_submission import (
    resume_submission,
    submit_experiment,
    take_over,
)
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.experiments import get_experiment

from . import service_double


def owner_less_run(store, config, status="submitting"):
    """A submission as an older qwalk left it: no owner, no lease."""
    ledger = Ledger(store)
    ledger.create("r1", "coined-walk", {}, config.summary(), config.backend.device, 100, 1,
                  [{"job": 0}])
    ledger.set_status("r1", status)


def test_a_resume_refuses_a_stored_lease_the_store_cannot_keep(server, tmp_path,
                                                               monkeypatch):
    """The run's stored [jobs] lease_s is checked against the lock timeout of the store
    the resume opened (8 s: a lease of 10 s is too short), before anything is sent."""
    monkeypatch.setenv("QWALK_STORE_TIMEOUT_S", "8")
    store = ResultStore(tmp_path / "s.sqlite")
    monkeypatch.setenv("QWALK_STORE_TIMEOUT_S", "1")  # the store keeps the 8 s it opened with
    config = load_config(str(service_double.ibm_config(tmp_path, lease_s=10)))
    owner_less_run(store, config, "interrupted")
    with pytest.raises(QwalkError) as caught:
        resume_submission("r1", store)
    assert str(caught.value) == (
        "[jobs] lease_s = 10 s is too short for the 8 s a renewal may wait for a locked "
        "result store (QWALK_STORE_TIMEOUT_S): give lease_s >= 12 s, or lower "
        "QWALK_STORE_TIMEOUT_S")
    assert Ledger(store).submission("r1")["status"] == "interrupted"
    assert server.job_ids() == []


def test_an_owner_less_run_is_taken_over_only_once_left_for_a_lease_period(config,
                                                                           tmp_path):
    """An older qwalk's run, 'submitting' with no owner: while it changed within the
    lease period its submitter may be alive (refused, naming no owner); left longer, it
    is taken over."""
    store = ResultStore(tmp_path / "s.sqlite")
    owner_less_run(store, config)
    me = Ledger(store, "here:1:me")
    with pytest.raises(QwalkError) as caught:
        take_over("r1", me, 60.0, False)
    assert str(caught.value) == (
        "run r1 is still being submitted by a live process (?:?; its lease runs until ? UTC "
        "and is renewed while it works): wait for it, or stop it; a stopped or killed "
        "submitter's run can be resumed once its lease lapses ([jobs] lease_s = 60 s), "
        "which --force waits for")
    assert me.submission("r1")["owner"] is None
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE submissions SET updated_at = '2020-01-01T00:00:00+00:00'")
    take_over("r1", me, 60.0, False)
    sub = me.submission("r1")
    assert (sub["status"], sub["owner"]) == ("submitting", "here:1:me")


class Batch:
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_a_batch_that_fails_to_open_is_retried_after_the_callers_sleep(config, tmp_path,
                                                                       monkeypatch):
    """A transient failure opening the run's Batch is retried after the backoff, slept
    with the caller's sleep (a test's, a sweep's that must not block)."""
    batch, opened = Batch(), []

    def flaky_open(backend):
        opened.append(backend)
        if len(opened) == 1:
            raise ConnectionError("simulated network failure (batch)")
        return batch

    monkeypatch.setattr(jobs, "open_batch", flaky_open)
    waits: list[float] = []
    ledger = Ledger(ResultStore(tmp_path / "s.sqlite"))
    jobs.submit_ibm("r1", ledger, "the-backend", [], config, 200, 5, {}, [], waits.append)
    assert opened == ["the-backend", "the-backend"] and waits == [0.01]
    assert batch.closed == 1


def test_a_batch_the_service_refuses_to_open_says_so_in_one_line(config, tmp_path,
                                                                 monkeypatch):
    class IBMNotAuthorizedError(Exception):  # the runtime's class, by name
        pass

    def refuse(backend):
        raise IBMNotAuthorizedError("no access to the-backend")

    monkeypatch.setattr(jobs, "open_batch", refuse)
    ledger = Ledger(ResultStore(tmp_path / "s.sqlite"))
    with pytest.raises(QwalkError) as caught:
        jobs.submit_ibm("r1", ledger, "the-backend", [], config, 200, 5, {}, [],
                        lambda s: None)
    assert str(caught.value) == (
        "opening a batch refused: IBMNotAuthorizedError: no access to the-backend")


def interrupted(server, config, tmp_path) -> tuple[ResultStore, str]:
    """A two-chunk run whose chunk 0 the service accepted, its id never recorded (the
    submitter died meanwhile): (store, run id)."""
    store = ResultStore(tmp_path / "s.sqlite")
    walk = get_experiment("coined-walk").from_settings({"position_qubits": 2, "steps": 2})
    server.set_mode(crash_after=0)
    with pytest.raises(KeyboardInterrupt):
        submit_experiment(walk, config, 200, 5, store)
    server.set_mode()
    return store, Ledger(store).runs()[0]["run_id"]


def no_new_connection(**kwargs: Any) -> None:
    raise AssertionError("the resume opened its own service")


def test_a_resume_asks_the_callers_service_and_names_the_lookup_that_keeps_failing(
        server, config, tmp_path, monkeypatch):
    """The chunk's tag lookup of the caller's service (never a new one) fails every time:
    the resume stops in one line naming that lookup and its tries, nothing sent again."""
    store, run_id = interrupted(server, config, tmp_path)

    class Unlisting(service_double.Service):
        def jobs(self, job_tags: list[str] | None = None, limit: int | None = 10) -> Any:
            raise ConnectionError("dropped")

    monkeypatch.setattr(service, "_factory", no_new_connection)
    with pytest.raises(QwalkError) as caught:
        resume_submission(run_id, store, Unlisting(server))
    attempts = config.jobs.max_retries + 1
    assert str(caught.value).startswith(
        f"looking up the run's jobs failed {attempts} times: ConnectionError: dropped")
    assert len(server.job_ids()) == 1 and Ledger(store).jobs(run_id) == []


def test_a_resume_given_a_service_asks_only_it(server, config, tmp_path, monkeypatch):
    """The caller's service (the account it opened) finds the chunk's job, the device and
    takes the upload: no other connection is opened."""
    store, run_id = interrupted(server, config, tmp_path)
    monkeypatch.setattr(service, "_factory", no_new_connection)
    assert resume_submission(run_id, store, service_double.Service(server)) == 1
    assert [j["idx"] for j in Ledger(store).jobs(run_id)] == [0, 1]


def test_a_resume_without_a_service_opens_the_account_of_the_runs_config(server, tmp_path,
                                                                         monkeypatch):
    path = service_double.ibm_config(tmp_path)
    path.write_text(path.read_text() + '[ibm]\ninstance = "team-instance"\n')
    store, run_id = interrupted(server, load_config(str(path)), tmp_path)
    opened: list[dict[str, Any]] = []

    def recording(**kwargs: Any) -> service_double.Service:
        opened.append(kwargs)
        return service_double.Service(server, **kwargs)

    monkeypatch.setattr(service, "_factory", recording)
    assert resume_submission(run_id, store) == 1  # chunk 0 adopted, chunk 1 sent
    assert opened == [{"instance": "team-instance"}]


def test_a_resume_records_every_job_under_a_chunks_tag_beyond_one_page(server, config,
                                                                       tmp_path):
    """The service lists 10 jobs a call unless asked for all (QiskitRuntimeService.jobs'
    limit): a chunk whose tag holds 11 (its upload and 10 copies landed late) has every
    one in the ledger after a resume, one adopted, the others duplicates."""
    store, run_id = interrupted(server, config, tmp_path)
    (first,) = server.job_ids()
    for k in range(10):
        server.save(f"{first}_{k}", server.load(first))
    assert resume_submission(run_id, store) == 1
    held = server.job_ids()
    assert len(held) == 12 and set(held) <= Ledger(store).job_ids(run_id)
    chunk0 = [j for j in Ledger(store).jobs(run_id, strays=True) if j["idx"] == 0]
    assert sorted(j["role"] == "duplicate" for j in chunk0) == [False] + [True] * 10
