"""The job ledger against a double of the IBM service: submit, poll, fail, retry, cancel,
and a process killed between submission and result."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.device_analysis import finish_run
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.config import load_config
from qwalk_circuits.execution.device_submission import submit_experiment
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run

from . import service_double

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"position_qubits": 2, "steps": 2}


def walk():
    return get_experiment("coined-walk").from_settings(SETTINGS)


def finish(run_id, store, rounds=10):
    for _ in range(rounds):
        summary = finish_run(run_id, store)
        if summary is not None:
            return summary
    raise AssertionError("run did not finish")


def test_submit_returns_at_once_and_the_ledger_holds_the_jobs(server, config, tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    run_id = submit_experiment(walk(), config, 200, 5, store)
    ledger = Ledger(store)
    sub = ledger.submission(run_id)
    assert sub["status"] == "submitted" and sub["experiment"] == "coined-walk"
    assert sub["params"]["position_qubits"] == 2 and sub["shots"] == 200
    jobs = ledger.jobs(run_id)
    # 3 walk circuits in jobs of 4, each job with its 2 calibration circuits: 2 jobs,
    # all still queued
    assert [j["role"] for j in jobs] == ["circuits+calibration"] * 2
    assert [len(j["circuits"]) for j in jobs] == [4, 3]
    assert all(j["status"] == "QUEUED" and j["result"] is None for j in jobs)
    assert sorted(j["job_id"] for j in jobs) == server.job_ids()
    assert finish_run(run_id, store) is None  # QUEUED -> RUNNING
    summary = finish(run_id, store)
    # the double's device is ideal: the raw distance is shot noise only
    assert max(summary["comparison"]["hardware"]["tvd"]) < 0.2
    assert summary["jobs"] == [j["job_id"] for j in jobs]
    assert finish_run(run_id, store) == summary  # idempotent
    assert len(store.list_runs()) == 1 and len(server.job_ids()) == 2


def test_a_job_failed_on_the_device_is_recorded_with_its_reason(server, config, tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(fail="qubit 7 calibration drift (code 1517)")
    run_id = submit_experiment(walk(), config, 200, 5, store)
    with pytest.raises(QwalkError, match="code 1517"):
        finish(run_id, store)
    ledger = Ledger(store)
    assert ledger.submission(run_id)["status"] == "failed"
    assert all(j["status"] == "ERROR" and "1517" in j["error"] for j in ledger.jobs(run_id))
    assert store.list_runs() == []


def test_transient_errors_are_retried(server, config, tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(flaky=2)  # every kind of call fails twice, then works
    run_id = submit_experiment(walk(), config, 200, 5, store)
    assert finish(run_id, store)["run_id"] == run_id


def test_too_many_failures_leave_the_run_resumable(server, config, tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    run_id = submit_experiment(walk(), config, 200, 5, store)
    server.set_mode(flaky=100)
    with pytest.raises(QwalkError, match="qwalk jobs fetch"):
        finish_run(run_id, store)
    server.set_mode()
    for path in server.root.glob("flaky_*"):
        path.unlink()
    assert finish(run_id, store)["run_id"] == run_id


def test_waiting_times_out_and_the_jobs_stay_in_the_ledger(server, tmp_path):
    path = service_double.ibm_config(tmp_path)
    path.write_text(path.read_text().replace("max_retries = 3", "max_retries = 3\ntimeout_s = 0.2"))
    config = load_config(str(path))
    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(hold=True)
    with pytest.raises(QwalkError, match="still waiting") as info:
        run(walk(), config, 200, 5, store, progress=False)
    run_id = str(info.value).split()[1]
    server.set_mode()
    assert finish(run_id, store)["run_id"] == run_id


def test_cancel(server, config, tmp_path):
    from qwalk_circuits.execution.jobs import cancel

    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(hold=True)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    ledger = Ledger(store)
    assert cancel(run_id, ledger, config) == 2
    assert {server.load(j)["status"] for j in server.job_ids()} == {"CANCELLED"}
    assert ledger.submission(run_id)["status"] == "cancelled"
    with pytest.raises(QwalkError, match="CANCELLED"):
        finish_run(run_id, store)


def test_cancel_skips_jobs_that_already_finished(server, config, tmp_path):
    from qwalk_circuits.execution.jobs import cancel

    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(hold=True)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    first = server.job_ids()[0]
    state = server.load(first)
    state["status"] = "DONE"
    server.save(first, state)  # finished before the cancel reached it: the service says 409
    assert cancel(run_id, Ledger(store), config) == len(server.job_ids()) - 1
    statuses = {j: server.load(j)["status"] for j in server.job_ids()}
    assert statuses.pop(first) == "DONE"
    assert set(statuses.values()) == {"CANCELLED"}


def test_a_lost_submission_reply_adopts_the_job_instead_of_paying_twice(server, config,
                                                                       tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(lose_replies=True)  # the first job is created, its reply lost
    run_id = submit_experiment(walk(), config, 200, 5, store)
    recorded = [j["job_id"] for j in Ledger(store).jobs(run_id)]
    assert sorted(recorded) == server.job_ids()  # every server job is in the ledger, once
    server.set_mode()
    assert finish(run_id, store)["run_id"] == run_id


CHILD = """
import sys
from tests.execution import service_double
service_double.install(sys.argv[1])
from qwalk_circuits.cli import main
sys.exit(main(["--store", sys.argv[2], "run", "coined-walk", "--backend", sys.argv[3],
               "--set", "position_qubits=2", "--set", "steps=2"]))
"""


def test_a_process_killed_while_waiting_is_recovered_not_duplicated(tmp_path):
    server = service_double.Server(tmp_path / "server")
    server.set_mode(hold=True)  # the device queue is long: the child waits
    store_path = tmp_path / "s.sqlite"
    config = service_double.ibm_config(tmp_path)
    service_double.kill_child_once_submitted(
        CHILD, [str(server.root), str(store_path), str(config)], store_path,
        tmp_path / "child.err", timeout=60)
    store = ResultStore(store_path)
    ledger = Ledger(store)
    (row,) = ledger.runs()
    assert row["status"] == "submitted" and row["jobs"] == 2
    server.set_mode()  # the device runs the jobs while nobody watches
    service_double.install(server.root)
    try:
        summary = finish(row["run_id"], store)
    finally:
        from qwalk_circuits.execution import service
        service.set_service_factory(None)
    assert summary["run_id"] == row["run_id"]
    assert len(store.list_runs()) == 1 and len(server.job_ids()) == 2  # nothing resubmitted
    assert os.path.getsize(store_path) > 0


def test_ctrl_c_while_waiting_says_how_to_resume(server, config, tmp_path, monkeypatch):
    from qwalk_circuits import pipeline

    def interrupt(seconds):
        raise KeyboardInterrupt

    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(hold=True)
    monkeypatch.setattr(pipeline.time, "sleep", interrupt)
    with pytest.raises(QwalkError, match="qwalk jobs fetch") as info:
        run(walk(), config, 200, 5, store, progress=False)
    run_id = str(info.value).split()[2]
    monkeypatch.undo()
    service_double.install(server.root, monkeypatch)
    server.set_mode()
    assert finish(run_id, store)["run_id"] == run_id


def test_an_interrupted_submission_is_reported_not_analysed(server, config, tmp_path,
                                                            monkeypatch):
    from qwalk_circuits.execution import jobs as jobs_module

    store = ResultStore(tmp_path / "s.sqlite")
    calls = []
    real = jobs_module.Ledger.add_job

    def crash_after_first(self, *args, **kwargs):
        real(self, *args, **kwargs)
        calls.append(1)
        raise KeyboardInterrupt  # the process dies after recording the first job

    monkeypatch.setattr(jobs_module.Ledger, "add_job", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        submit_experiment(walk(), config, 200, 5, store)
    monkeypatch.setattr(jobs_module.Ledger, "add_job", real)
    (row,) = Ledger(store).runs()
    assert row["jobs"] == 1
    with pytest.raises(QwalkError, match="--resume"):
        finish_run(row["run_id"], store)


@pytest.mark.parametrize("crash_after", [0, 1])
def test_an_interrupted_submission_is_resumed_without_paying_twice(server, config, tmp_path,
                                                                   crash_after, monkeypatch):
    """The process dies while the service accepts job ``crash_after`` (its id never reaches
    the ledger): resuming adopts that job by its tag and submits only the ones after it."""
    from qwalk_circuits.execution.device_submission import resume_submission

    store = ResultStore(tmp_path / "s.sqlite")
    experiment = get_experiment("coined-walk").from_settings({**SETTINGS, "steps": 4})
    server.set_mode(crash_after=crash_after)
    with pytest.raises(KeyboardInterrupt):
        submit_experiment(experiment, config, 200, 5, store)
    (row,) = Ledger(store).runs()
    run_id = row["run_id"]
    # 5 circuits, 2 + 2 calibrations per job: 3 jobs, of which crash_after were recorded
    assert row["status"] == "interrupted" and row["jobs"] == crash_after
    assert len(server.job_ids()) == crash_after + 1
    with pytest.raises(QwalkError, match="--resume"):
        finish_run(run_id, store)
    server.set_mode()
    assert resume_submission(run_id, store) == 3 - crash_after - 1
    assert len(server.job_ids()) == 3  # every job once: none paid twice
    jobs = Ledger(store).jobs(run_id)
    assert [j["idx"] for j in jobs] == [0, 1, 2]
    assert sorted(j["job_id"] for j in jobs) == server.job_ids()
    summary = finish(run_id, store)
    assert max(summary["comparison"]["hardware"]["tvd"]) < 0.2
    with pytest.raises(QwalkError, match="no interrupted submission"):
        resume_submission(run_id, store)
    # the resubmitted jobs (rebuilt from the ledger) upload what a clean submission does
    resubmitted = server.programs[crash_after + 1:]
    clean = service_double.install(tmp_path / "clean", monkeypatch)
    submit_experiment(experiment, config, 200, 5, ResultStore(tmp_path / "clean.sqlite"))
    for again, first in zip(resubmitted, clean.programs[crash_after + 1:], strict=True):
        assert [uploaded(item) for item in again.items] == [
            uploaded(item) for item in first.items]


def uploaded(item):
    """What a device runs of an uploaded item: gates, qubits, clbits, phase, arguments."""
    circuit = item.circuit
    gates = [(i.operation.name, [circuit.find_bit(q).index for q in i.qubits],
              [circuit.find_bit(c).index for c in i.clbits], [str(p) for p in i.operation.params])
             for i in circuit.data if i.operation.name not in ("barrier", "delay")]
    arguments = None if item.circuit_arguments is None else item.circuit_arguments.tolist()
    return gates, str(circuit.global_phase), arguments


def interrupted_run(server, config, store, crash_after):
    """A run whose submitter died while the service accepted job ``crash_after``."""
    server.set_mode(crash_after=crash_after)
    with pytest.raises(KeyboardInterrupt):
        submit_experiment(get_experiment("coined-walk").from_settings({**SETTINGS, "steps": 4}),
                          config, 200, 5, store)
    server.set_mode()
    (row,) = Ledger(store).runs()
    return row["run_id"]


def test_a_run_owned_by_a_live_lease_is_not_resumed(server, tmp_path, monkeypatch):
    """A valid lease is never broken, not with force (which waits one lease period for it
    to lapse); once it lapses, the run is resumed."""
    from qwalk_circuits.execution.device_submission import resume_submission

    monkeypatch.setenv("QWALK_STORE_TIMEOUT_S", "0.15")  # (a lease of 0.3 s admits no more)
    config = load_config(str(service_double.ibm_config(tmp_path, lease_s=0.3)))
    store = ResultStore(tmp_path / "s.sqlite")
    run_id = interrupted_run(server, config, store, 1)
    other = Ledger(store, "elsewhere:1:live")  # a submitter on another host
    assert other.claim(run_id, 60)
    with pytest.raises(QwalkError, match=r"still being submitted by a live process.*--force"):
        resume_submission(run_id, store)
    with pytest.raises(QwalkError, match="still being submitted"):
        resume_submission(run_id, store, force=True)
    assert len(server.job_ids()) == 2
    assert other.renew(run_id, 0.01)  # it stops renewing: the lease lapses
    time.sleep(0.05)
    assert resume_submission(run_id, store) == 1
    assert len(server.job_ids()) == 3
    with pytest.raises(QwalkError, match=f"another process took over {run_id}"):
        other.check_lease(run_id, 60)  # the old owner stops at its next check


def test_a_dead_submitter_on_this_host_is_resumed_at_once(server, config, tmp_path):
    from qwalk_circuits.execution.device_submission import resume_submission
    from qwalk_circuits.execution.lease import new_owner

    store = ResultStore(tmp_path / "s.sqlite")
    run_id = interrupted_run(server, config, store, 1)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a pid of this host that no longer exists
    dead = new_owner().split(":")[0] + f":{child.pid}:gone"  # (a token without identity)
    assert Ledger(store, dead).claim(run_id, 600)  # its lease has 10 minutes left
    assert resume_submission(run_id, store) == 1
    assert len(server.job_ids()) == 3


def test_two_resumes_cannot_both_take_the_run(server, config, tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    run_id = interrupted_run(server, config, store, 0)
    first, second = Ledger(store, "h:1:first"), Ledger(store, "h:2:second")
    assert first.claim(run_id, 60)
    assert not second.claim(run_id, 60)  # the first one's lease is valid
    assert first.renew(run_id, 60) and not second.renew(run_id, 60)


def test_a_resume_refuses_an_account_that_cannot_see_the_run(server, config, tmp_path):
    from qwalk_circuits.execution.device_submission import resume_submission

    store = ResultStore(tmp_path / "s.sqlite")
    run_id = interrupted_run(server, config, store, 1)
    recorded = Ledger(store).jobs(run_id)[0]["job_id"]
    state = server.load(recorded)
    state["tags"] = []  # this "account" lists none of the run's jobs
    server.save(recorded, state)
    with pytest.raises(QwalkError, match="account and instance that submitted it"):
        resume_submission(run_id, store)
    assert len(server.job_ids()) == 2  # nothing submitted blindly


def test_cancelling_an_interrupted_run_cancels_the_job_it_never_recorded(server, config,
                                                                          tmp_path):
    from qwalk_circuits.execution.jobs import cancel

    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(hold=True)
    run_id = interrupted_run(server, config, store, 0)
    (orphan,) = server.job_ids()  # accepted by the service, unknown to the ledger
    server.set_mode(hold=True)
    assert cancel(run_id, Ledger(store), config) == 1
    assert server.load(orphan)["status"] == "CANCELLED"
    assert [(j["job_id"], j["idx"], j["status"]) for j in Ledger(store).jobs(run_id)] == [
        (orphan, 0, "CANCELLED")]


def test_a_refused_payload_leaves_the_run_failed_not_resumable(server, config, tmp_path,
                                                               monkeypatch):
    from qwalk_circuits.execution.jobs import SubmissionRefused

    class IBMInputValueError(Exception):  # the runtime's class, by name
        pass

    def refuse(self, **kwargs):
        raise IBMInputValueError("circuit too deep")

    monkeypatch.setattr(service_double.Service, "_run", refuse)
    store = ResultStore(tmp_path / "s.sqlite")
    with pytest.raises(SubmissionRefused, match="circuit too deep"):
        submit_experiment(walk(), config, 200, 5, store)
    (row,) = Ledger(store).runs()
    assert row["status"] == "failed"


def test_permanent_service_errors_are_not_retried(config):
    from qwalk_circuits.execution.jobs import with_retries

    class RuntimeJobNotFound(Exception):  # the runtime's class, by name
        pass

    calls = []

    def lookup():
        calls.append(1)
        raise RuntimeJobNotFound("job abc not found")

    with pytest.raises(QwalkError) as caught:
        with_retries(lookup, config, sleep=lambda s: None)
    assert calls == [1]
    # what was asked, that it was refused, and the service's own class and reason
    assert str(caught.value) == ("the IBM Quantum service refused: RuntimeJobNotFound: job "
                                 "abc not found")
    with pytest.raises(QwalkError) as caught:
        with_retries(lookup, config, sleep=lambda s: None, what="reading job abc")
    assert str(caught.value).startswith("reading job abc refused: RuntimeJobNotFound: ")


def test_a_service_that_keeps_failing_says_how_often_why_and_what_to_do(config):
    from qwalk_circuits.execution.jobs import with_retries

    def down():
        raise ConnectionError("no route to host")

    with pytest.raises(QwalkError) as caught:
        with_retries(down, config, sleep=lambda s: None, what="looking up the device")
    assert str(caught.value) == (
        "looking up the device failed 4 times: ConnectionError: no route to host; the run is "
        "in the ledger: retry with 'qwalk jobs fetch'")


def test_the_qpu_time_the_service_bills_is_recorded_per_job(server, config, tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    run_id = submit_experiment(walk(), config, 200, 5, store)
    while finish_run(run_id, store) is None:
        pass
    jobs = Ledger(store).jobs(run_id)
    items = [len(j["circuits"]) for j in jobs]
    assert [j["usage_s"] for j in jobs] == [service_double.USAGE_PER_ITEM_S * n for n in items]
    status = subprocess.run([sys.executable, "-m", "qwalk_circuits.cli", "--store",
                             str(tmp_path / "s.sqlite"), "jobs", "status", run_id],
                            capture_output=True, text=True, check=True).stdout
    assert f"QPU {service_double.USAGE_PER_ITEM_S * items[0]:.1f} s" in status


def test_a_usage_the_service_cannot_report_loses_no_result(server, config, tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(usage_fails=True)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    while finish_run(run_id, store) is None:
        pass
    jobs = Ledger(store).jobs(run_id)
    assert all(j["usage_s"] is None and j["result"] is not None for j in jobs)


def test_a_resume_that_cannot_reach_the_device_says_so_and_stays_resumable(server, config,
                                                                          tmp_path):
    """The chunks left to send need the device: when the service cannot give it, the
    error says which step failed, nothing is sent, and the run can be resumed again."""
    from qwalk_circuits.execution.device_submission import resume_submission

    store = ResultStore(tmp_path / "s.sqlite")
    run_id = interrupted_run(server, config, store, 1)
    server.set_mode(flaky=100)  # every device lookup fails
    with pytest.raises(QwalkError) as caught:
        resume_submission(run_id, store)
    assert str(caught.value).startswith("looking up the device failed 4 times: ConnectionError")
    assert len(server.job_ids()) == 2
    assert Ledger(store).submission(run_id)["status"] == "interrupted"
    server.set_mode()
    assert resume_submission(run_id, store) == 1 and len(server.job_ids()) == 3
