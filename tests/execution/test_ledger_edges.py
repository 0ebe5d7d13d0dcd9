"""Edges of the ledger and job code that mutation testing found unguarded: a circuit's
metadata JSON cannot hold, a poll given its own service, a failed job with no reason,
the retry cap, the duplicate sweep's moment, a chunk's lookup after a failed upload, a
refusal after a recorded job, and the errors that say what to do next."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from qiskit import QuantumCircuit

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import ResultStore, jobs
from qwalk_circuits.execution.config import load_config
from qwalk_circuits.execution.device_submission import (
    job_capacity,
    resume_submission,
    submit_experiment,
)
from qwalk_circuits.execution.devices import compact
from qwalk_circuits.execution.jobs import poll, submit_chunk, with_retries
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.execution.qpy_text import from_qpy_text
from qwalk_circuits.execution.submission_build import _info
from qwalk_circuits.experiments import get_experiment

from . import service_double

SETTINGS = {"position_qubits": 2, "steps": 2}


def walk():
    return get_experiment("coined-walk").from_settings(SETTINGS)


def edited_config(tmp_path, old, new):
    """The double's config with one line replaced."""
    path = service_double.ibm_config(tmp_path)
    path.write_text(path.read_text().replace(old, new))
    return load_config(str(path))


def test_metadata_json_cannot_hold_is_stored_as_text():
    """Experiments put numpy integers and arrays into a circuit's metadata: the ledger
    row stores them as text instead of the submission failing on json.dumps."""
    circuit = QuantumCircuit(1, 1, name="c0",
                             metadata={"step": np.int64(3), "angles": np.array([0.5, 1.5])})
    circuit.measure(0, 0)
    info = _info(circuit, circuit, compact(circuit))
    assert info["metadata"] == {"step": "3", "angles": "[0.5 1.5]"}
    # the stored QPY (what a resume sends again) loads, the same metadata as text
    assert from_qpy_text(info["qpy"]).metadata == info["metadata"]


def test_too_small_jobs_for_the_calibration_say_what_to_change(tmp_path):
    config = edited_config(tmp_path, "max_circuits_per_job = 4", "max_circuits_per_job = 2")
    with pytest.raises(QwalkError) as info:
        job_capacity(config, 200)
    message = str(info.value)
    for words in ("raise the limits", "lower the shots", "readout_mitigation = false"):
        assert words in message


def test_a_refusal_after_a_recorded_job_leaves_the_run_resumable(server, config, tmp_path,
                                                                  monkeypatch):
    """The first chunk's job is on the service (billable) when the second chunk is
    refused: the run stays 'interrupted', so 'jobs cancel' or a resume can reach that job
    (only a refusal before any job was recorded makes the run 'failed')."""

    class IBMInputValueError(Exception):  # the runtime's class, by name
        pass

    upload = service_double.Service._run
    calls = []

    def refuse_the_second(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise IBMInputValueError("circuit too deep")
        return upload(self, *args, **kwargs)

    monkeypatch.setattr(service_double.Service, "_run", refuse_the_second)
    store = ResultStore(tmp_path / "s.sqlite")
    with pytest.raises(jobs.SubmissionRefused, match="circuit too deep"):
        submit_experiment(walk(), config, 200, 5, store)
    (row,) = Ledger(store).runs()
    assert row["status"] == "interrupted" and row["jobs"] == 1
    assert "circuit too deep" in Ledger(store).submission(row["run_id"])["error"]


def test_resuming_a_fake_device_run_names_the_device_and_says_submit_again(tmp_path):
    config = load_config("fake_fez")
    store = ResultStore(tmp_path / "s.sqlite")
    ledger = Ledger(store)
    ledger.create("r1", "coined-walk", {}, config.summary(), "fake_fez", 100, 1, [{"job": 0}])
    ledger.set_status("r1", "interrupted")
    with pytest.raises(QwalkError) as info:
        resume_submission("r1", store)
    assert "fake device fake_fez" in str(info.value) and "submit it again" in str(info.value)


def test_a_stored_config_that_no_longer_validates_is_named_as_the_stored_one(tmp_path):
    """The user's config file is not at fault: the error says it is the stored config."""
    summary = load_config("ibm_fez").summary()
    summary["jobs"]["lease_s"] = -1.0
    store = ResultStore(tmp_path / "s.sqlite")
    ledger = Ledger(store)
    ledger.create("r1", "coined-walk", {}, summary, "ibm_fez", 100, 1, [{"job": 0}])
    ledger.set_status("r1", "interrupted")
    with pytest.raises(QwalkError, match=r"stored config: 'jobs\.lease_s'"):
        resume_submission("r1", store)


def test_an_ensemble_keeping_a_fractional_parameter_is_refused_before_the_ledger(tmp_path):
    """A template whose RZZ angle stays a parameter after transpiling could be bound
    outside the device's angle range: refused, nothing recorded, and told what to use."""
    from qiskit.circuit import Parameter

    theta = Parameter("theta")
    template = QuantumCircuit(2, 2, name="t0")
    template.rzz(theta, 0, 1)
    template.measure([0, 1], [0, 1])
    experiment = SimpleNamespace(check_size=lambda config: None, is_ensemble=True,
                                 templates=lambda compiler: [template])
    target = SimpleNamespace(backend=SimpleNamespace(num_qubits=2),
                             compiler=SimpleNamespace(transpile=lambda c: c))
    store = ResultStore(tmp_path / "s.sqlite")
    with pytest.raises(QwalkError) as caught:
        submit_experiment(experiment, load_config("ibm_fez_fractional"), 100, 1, store,
                          target=target)
    assert str(caught.value) == (
        "a fractional gate (RZZ/RX) kept a parameter, whose bound values could leave the "
        "device's angle range; use a config without fractional gates for this ensemble")
    assert Ledger(store).runs() == []


def test_a_resume_that_cannot_reach_the_device_says_so_and_stays_resumable(server, config,
                                                                          tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(crash_after=1)  # chunk 0 recorded, chunk 1 never sent
    with pytest.raises(KeyboardInterrupt):
        submit_experiment(get_experiment("coined-walk").from_settings(
            {**SETTINGS, "steps": 4}), config, 200, 5, store)
    (row,) = Ledger(store).runs()
    server.set_mode(flaky=100)  # the device lookup keeps failing
    with pytest.raises(QwalkError) as info:
        resume_submission(row["run_id"], store)
    assert "looking up the device" in str(info.value)
    assert "qwalk jobs fetch" in str(info.value)
    assert Ledger(store).submission(row["run_id"])["status"] == "interrupted"
    assert len(server.job_ids()) == 2  # nothing sent blindly


def held_run(server, config, tmp_path):
    """A submitted run whose 2 jobs are queued on the double: (store, run id)."""
    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(hold=True)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    server.set_mode()
    return store, run_id


def cregs_of(store, run_id):
    return [i["creg"] for i in Ledger(store).submission(run_id)["circuits"]]


def test_poll_uses_the_service_it_is_given(server, config, tmp_path, monkeypatch):
    """The caller's service (the account it opened) is the one asked, never a new one."""
    store, run_id = held_run(server, config, tmp_path)

    def no_new_connection(config):
        raise AssertionError("poll opened its own service")

    monkeypatch.setattr(jobs, "runtime_service", no_new_connection)
    given = service_double.Service(server)
    tally = poll(run_id, Ledger(store), config, cregs_of(store, run_id), given,
                 sleep=lambda s: None)
    assert tally == {"RUNNING": 2}


def test_a_failed_job_without_a_reason_is_recorded_as_failed(server, config, tmp_path):
    """A job object with no ``error_message`` (older runtimes): ERROR with 'failed'."""
    store, run_id = held_run(server, config, tmp_path)
    silent = SimpleNamespace(job=lambda job_id: SimpleNamespace(status=lambda: "ERROR"),
                             jobs=None)
    tally = poll(run_id, Ledger(store), config, cregs_of(store, run_id), silent,
                 sleep=lambda s: None)
    assert tally == {"ERROR": 2}
    assert [j["error"] for j in Ledger(store).jobs(run_id)] == ["failed", "failed"]


def test_a_second_job_of_a_chunk_is_swept_only_once_every_job_has_its_result(server, config,
                                                                            tmp_path):
    """A job under chunk 0's tag that the ledger lacks (an upload that landed late) is
    left alone while the run's jobs still run (it could be a resume's, not yet
    recorded), and recorded as a duplicate and cancelled once every job has its result."""
    store, run_id = held_run(server, config, tmp_path)
    ledger = Ledger(store)
    first = ledger.jobs(run_id)[0]["job_id"]
    server.save("job_late", server.load(first))  # the same chunk's circuits and tags
    cregs = cregs_of(store, run_id)
    assert poll(run_id, ledger, config, cregs) == {"RUNNING": 2}
    assert "job_late" not in ledger.job_ids(run_id)
    assert poll(run_id, ledger, config, cregs) == {"DONE": 2}
    (late,) = [j for j in ledger.jobs(run_id, strays=True) if j["job_id"] == "job_late"]
    assert (late["idx"], late["role"], late["status"]) == (0, "duplicate", "CANCELLED")
    assert server.load("job_late")["status"] == "CANCELLED"
    assert "a second job of a chunk was found" in ledger.submission(run_id)["error"]


def test_a_failed_upload_adopts_only_its_own_chunks_job(server, config):
    """After an upload failed, the lookup is by the chunk's tag: another run's job (or
    another chunk's) that the ledger does not know is never taken for this chunk's."""
    server.save("job_other", {"status": "QUEUED", "items": [], "tags": ["r0", "r0:0"]})
    sent = []

    def upload():
        sent.append(1)
        if len(sent) == 1:
            raise ConnectionError("simulated: the upload never reached the service")
        return "the new job"

    job = submit_chunk(upload, service_double.Service(server), "r1:0", config,
                       sleep=lambda s: None)
    assert job == "the new job" and len(sent) == 2


def test_a_retry_never_waits_more_than_a_minute(tmp_path):
    config = edited_config(tmp_path, "retry_backoff_s = 0.01", "retry_backoff_s = 45")
    waits: list[float] = []

    def failing():
        raise ConnectionError("down")

    with pytest.raises(QwalkError, match="failed 4 times"):
        with_retries(failing, config, sleep=waits.append)
    assert waits == [45.0, 60.0, 60.0]
    waits.clear()
    with pytest.raises(QwalkError, match="failed 4 times"):
        submit_chunk(failing, SimpleNamespace(jobs=lambda **kw: []), "r1:0", config,
                     sleep=waits.append)
    assert waits == [45.0, 60.0, 60.0]


def test_a_lease_longer_than_a_day_is_refused_in_one_line_before_anything_is_sent(
        server, tmp_path):
    """(1e20 s overflowed the lease's end time: a traceback after the circuits had been
    transpiled.)"""
    path = service_double.ibm_config(tmp_path, lease_s=1e20)
    store = ResultStore(tmp_path / "s.sqlite")
    with pytest.raises(QwalkError, match=r"lease_s = 1e\+20 s is too long: give at most 86400"):
        submit_experiment(walk(), load_config(str(path)), 200, 5, store)
    assert Ledger(store).runs() == [] and server.job_ids() == []


def dead_pid():
    """A pid of this host that no longer exists."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_owner_token_names_the_boot_and_pid_namespace_where_this_system_tells():
    """host:pid alone wrongly calls a live submitter dead in a container that shares
    this host name (its pids are another namespace's), or after a pid was reused."""
    import os
    import socket

    from qwalk_circuits.execution.lease import new_owner, owner_is_dead, process_identity

    here = process_identity(os.getpid())
    if here is None:
        pytest.skip("this system has no /proc boot id and pid namespace")
    host, ours = socket.gethostname(), new_owner()
    assert ours.startswith(f"{host}:{os.getpid()}:") and ours.endswith(":" + here)
    assert not owner_is_dead(ours)
    boot, namespace, start = here.split(".")
    gone = dead_pid()
    assert owner_is_dead(f"{host}:{gone}:x:{boot}.{namespace}.{start}")
    assert not owner_is_dead(f"{host}:{gone}:x:{boot}.1{namespace}.{start}")  # a container
    assert not owner_is_dead(f"{host}:{gone}:x:0{boot[1:]}.{namespace}.{start}")  # another boot
    # this pid, but a process that started earlier: the token's process died, its pid reused
    assert owner_is_dead(f"{host}:{os.getpid()}:x:{boot}.{namespace}.{int(start) - 1}")
    # tokens stored before the identity: host and pid, as before
    assert owner_is_dead(f"{host}:{gone}:x") and not owner_is_dead(f"{host}:{os.getpid()}:x")
    assert not owner_is_dead(f"elsewhere:{gone}:x") and not owner_is_dead(None)


def test_a_lease_a_locked_store_could_outlast_is_refused_before_anything_is_sent(
        server, tmp_path, monkeypatch):
    """A renewal waits up to the store's lock timeout; one that starts a third of the
    lease after the last must land inside the lease, or a live submitter loses its run."""
    monkeypatch.setenv("QWALK_STORE_TIMEOUT_S", "10")
    store = ResultStore(tmp_path / "s.sqlite")
    config = load_config(str(service_double.ibm_config(tmp_path, lease_s=14)))
    with pytest.raises(QwalkError, match=r"lease_s >= 15 s, or lower QWALK_STORE_TIMEOUT_S"):
        submit_experiment(walk(), config, 200, 5, store)
    assert Ledger(store).runs() == [] and server.job_ids() == []
    config = load_config(str(service_double.ibm_config(tmp_path, lease_s=15)))
    assert submit_experiment(walk(), config, 200, 5, store)  # the bound itself is enough


def test_the_batch_is_closed_once_the_jobs_are_sent(server, config, tmp_path, monkeypatch):
    """An open Batch keeps accepting jobs on the account until it times out: closed
    after the last upload."""
    closed = []

    def recording_batch(backend):
        batch = service_double.open_batch(backend)
        close = batch.close
        batch.close = lambda: (closed.append(1), close())[1]
        return batch

    monkeypatch.setattr(jobs, "open_batch", recording_batch)
    submit_experiment(walk(), config, 200, 5, ResultStore(tmp_path / "s.sqlite"))
    assert closed == [1] and len(server.job_ids()) == 2


def test_the_sweep_retries_a_transient_error_with_the_callers_sleep(server, config, tmp_path):
    """(The sleep a poll is given reaches every retry, the sweep's too: a test's or a
    caller's that must not block.)"""
    from qwalk_circuits.execution.jobs import sweep_duplicates

    store, run_id = held_run(server, config, tmp_path)
    first = Ledger(store).jobs(run_id)[0]["job_id"]
    server.save("job_late", server.load(first))
    server.set_mode(flaky=1)  # the sweep's first status call fails once
    waits: list[float] = []
    found = sweep_duplicates(run_id, Ledger(store), config, service_double.Service(server),
                             waits.append)
    assert found == ["job_late"] and waits == [0.01]
    assert server.load("job_late")["status"] == "CANCELLED"


def test_a_job_under_the_run_tag_without_a_chunk_tag_is_cancelled_as_chunk_minus_one(
        server, config, tmp_path):
    """A job tagged with the run but no ``RUN_ID:i`` (sent by hand, or by a tool that
    dropped the chunk tag) belongs to no chunk: cancel still finds and cancels it."""
    from qwalk_circuits.execution.jobs import cancel

    store, run_id = held_run(server, config, tmp_path)
    first = Ledger(store).jobs(run_id)[0]["job_id"]
    server.save("job_untagged", {**server.load(first), "tags": [run_id]})
    server.set_mode(hold=True)
    assert cancel(run_id, Ledger(store), config) == 3
    (found,) = [j for j in Ledger(store).jobs(run_id, strays=True)
                if j["job_id"] == "job_untagged"]
    assert (found["idx"], found["circuits"], found["status"]) == (-1, [], "CANCELLED")
    assert server.load("job_untagged")["status"] == "CANCELLED"


def test_a_renewal_extends_the_lease_so_no_other_process_can_claim_the_run(tmp_path):
    from datetime import UTC, datetime

    store = ResultStore(tmp_path / "s.sqlite")
    owner = Ledger(store, "h:1:owner")
    owner.create("r1", "coined-walk", {}, {}, "ibm_manila", 100, 1, [{"job": 0}], 0.01)
    assert owner.renew("r1", 60)
    until = datetime.fromisoformat(owner.submission("r1")["lease_until"])
    assert 59 < (until - datetime.now(UTC)).total_seconds() <= 60
    assert not Ledger(store, "h:2:other").claim("r1", 60)


def test_the_process_identity_is_this_boot_this_pid_namespace_and_the_pids_start():
    """Read off /proc where it exists (Linux): the boot id's first 12 hex digits, the pid
    namespace's inode and field 22 of /proc/PID/stat (the start in clock ticks)."""
    import os
    import re
    from pathlib import Path

    from qwalk_circuits.execution.lease import process_identity

    pid = os.getpid()
    boot_id, stat = Path("/proc/sys/kernel/random/boot_id"), Path(f"/proc/{pid}/stat")
    if not (boot_id.exists() and stat.exists() and os.path.lexists("/proc/self/ns/pid")):
        pytest.skip("this system has no /proc boot id and pid namespace")
    here = process_identity(pid)
    assert here is not None
    boot, namespace, start = here.split(".")
    assert boot == boot_id.read_text().strip().replace("-", "")[:12] and len(boot) == 12
    link = re.fullmatch(r"pid:\[(\d+)\]", os.readlink("/proc/self/ns/pid"))
    assert link is not None and namespace == link.group(1)
    fields = stat.read_text().rsplit(")", 1)[1].split()  # from field 3, the state
    assert start == fields[22 - 3]
    later = child_identity()
    assert later is None or (later.rsplit(".", 1)[0] == here.rsplit(".", 1)[0]
                             and int(later.rsplit(".", 1)[1]) >= int(start))


def child_identity():
    """The identity of a child process, read while it lives (None if it ended first)."""
    import subprocess
    import sys

    from qwalk_circuits.execution.lease import process_identity

    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        return process_identity(child.pid)
    finally:
        child.communicate(b"")


def test_a_listed_job_that_cannot_tell_its_tags_is_recorded_as_chunk_minus_one(tmp_path,
                                                                               config):
    """A job object with no ``tags()`` (an older client's, or a job whose tags the
    service does not return) still reaches the ledger, as no chunk's: cancel can stop it."""
    from qwalk_circuits.execution.jobs import unrecorded_jobs

    store = ResultStore(tmp_path / "s.sqlite")
    ledger = Ledger(store)
    ledger.create("r1", "coined-walk", {}, {}, "ibm_manila", 100, 1, [{"job": 0}])
    tagged = SimpleNamespace(job_id=lambda: "j0", tags=lambda: ["r1", "r1:0"])
    untagged = SimpleNamespace(job_id=lambda: "j9", tags=None)
    service = SimpleNamespace(jobs=lambda **kw: [tagged, untagged,
                                                 SimpleNamespace(job_id=lambda: "j8")])
    found = unrecorded_jobs("r1", ledger, config, service, lambda s: None, "unrecorded",
                            {0: [0]})
    assert [job_id for job_id, _ in found] == ["j0", "j9", "j8"]
    rows = {j["job_id"]: (j["idx"], j["circuits"]) for j in ledger.jobs("r1", strays=True)}
    assert rows == {"j0": (0, [0]), "j9": (-1, []), "j8": (-1, [])}


@pytest.mark.parametrize(("lease_s", "expected"), [
    (1e20, "[jobs] lease_s = 1e+20 s is too long: give at most 86400 s (a day); a killed "
     "submitter's run waits that long before another host may resume it"),
    (10, "[jobs] lease_s = 10 s is too short for the 8 s a renewal may wait for a locked "
     "result store (QWALK_STORE_TIMEOUT_S): give lease_s >= 12 s, or lower "
     "QWALK_STORE_TIMEOUT_S")])
def test_a_lease_the_store_cannot_keep_says_which_bound_and_what_to_give(tmp_path, monkeypatch,
                                                                        lease_s, expected):
    from qwalk_circuits.execution.device_submission import check_lease_period

    monkeypatch.setenv("QWALK_STORE_TIMEOUT_S", "8")
    config = load_config(str(service_double.ibm_config(tmp_path, lease_s=lease_s)))
    for store in (None, ResultStore(tmp_path / "s.sqlite")):  # a dry run opens no store
        with pytest.raises(QwalkError) as caught:
            check_lease_period(config, store)
        assert str(caught.value) == expected
    check_lease_period(load_config(str(service_double.ibm_config(tmp_path, lease_s=12))), None)


def interrupted_record(store, config, status="interrupted", circuits=({"job": 0},)):
    ledger = Ledger(store)
    ledger.create("r1", "coined-walk", {}, config.summary(), config.backend.device, 100, 1,
                  list(circuits))
    ledger.set_status("r1", status)


@pytest.mark.parametrize(("name", "status", "circuits", "expected"), [
    ("fake_fez", "interrupted", [{"job": 0}],
     "run r1 ran on the fake device fake_fez, whose local jobs ended with the process that "
     "submitted them: submit it again"),
    ("ibm", "submitted", [{"job": 0}],
     "run r1 is 'submitted': there is no interrupted submission to resume ('qwalk jobs fetch "
     "r1' without --resume)"),
    ("ibm", "interrupted", [{"label": "c0"}],
     "run r1 was submitted by an older qwalk that did not record its job plan, so it cannot "
     "adopt its jobs: find them with QiskitRuntimeService().jobs(job_tags=['r1']), cancel or "
     "keep them, then 'qwalk submit' the experiment again")])
def test_a_run_that_cannot_be_resumed_says_why_and_what_to_do_instead(server, tmp_path, name,
                                                                     status, circuits, expected):
    config = load_config(str(service_double.ibm_config(tmp_path)) if name == "ibm" else name)
    store = ResultStore(tmp_path / "s.sqlite")
    interrupted_record(store, config, status, circuits)
    with pytest.raises(QwalkError) as caught:
        resume_submission("r1", store)
    assert str(caught.value) == expected
    assert server.job_ids() == []


def test_a_resume_refused_by_a_live_owner_names_it_its_lease_and_the_way_out(server, tmp_path):
    config = load_config(str(service_double.ibm_config(tmp_path, lease_s=60)))
    store = ResultStore(tmp_path / "s.sqlite")
    interrupted_record(store, config)
    assert Ledger(store, "elsewhere:42:live").claim("r1", 60)
    until = Ledger(store).submission("r1")["lease_until"][:19]
    with pytest.raises(QwalkError) as caught:
        resume_submission("r1", store)
    assert str(caught.value) == (
        f"run r1 is still being submitted by a live process (elsewhere:42; its lease runs until "
        f"{until} UTC and is renewed while it works): wait for it, or stop it; a stopped or "
        "killed submitter's run can be resumed once its lease lapses ([jobs] lease_s = 60 s), "
        "which --force waits for")


def test_a_resume_by_an_account_that_cannot_see_the_runs_jobs_says_which_to_use(server,
                                                                                tmp_path):
    config = load_config(str(service_double.ibm_config(tmp_path)))
    store = ResultStore(tmp_path / "s.sqlite")
    interrupted_record(store, config, circuits=[{"job": 0, "role": "circuits"},
                                                {"job": 1, "role": "circuits"}])
    Ledger(store).add_job("r1", "job_elsewhere", 0, "circuits", [0])
    with pytest.raises(QwalkError) as caught:
        resume_submission("r1", store)
    assert str(caught.value) == (
        "run r1: the service does not list its job job_elsewhere under the tag r1:0; resume "
        "with the account and instance that submitted it (the config's [ibm] section)")
    assert server.job_ids() == []


def test_a_failed_upload_says_whether_the_job_may_exist_and_what_to_run(config):
    """After a failed upload the service is asked for the chunk's job: when it cannot say,
    the error names the resume that adopts the job if it was accepted; when every try
    failed, how often and why; a refusal is the service's own reason."""
    class IBMInputValueError(Exception):  # the runtime's class, by name
        pass

    def down():
        raise ConnectionError("down")

    def unreachable(**kw):
        raise ConnectionError("still down")

    with pytest.raises(QwalkError) as caught:
        submit_chunk(down, SimpleNamespace(jobs=unreachable), "r1:0", config,
                     sleep=lambda s: None)
    assert str(caught.value) == (
        "submitting job r1:0 failed (ConnectionError) and the service cannot say whether it "
        "was accepted; when it answers again, 'qwalk jobs fetch r1 --resume' adopts it if it "
        "was, and submits the rest")
    with pytest.raises(QwalkError) as caught:
        submit_chunk(down, SimpleNamespace(jobs=lambda **kw: []), "r1:0", config,
                     sleep=lambda s: None)
    assert str(caught.value) == "submitting job r1:0 failed 4 times: ConnectionError: down"

    def refused():
        raise IBMInputValueError("too many shots")

    with pytest.raises(QwalkError) as caught:
        submit_chunk(refused, SimpleNamespace(jobs=lambda **kw: []), "r1:0", config)
    assert str(caught.value) == (
        "the service refused job r1:0: IBMInputValueError: too many shots")


def test_cancel_of_a_done_run_and_a_poll_of_dead_local_jobs_say_what_to_do(tmp_path, config):
    store = ResultStore(tmp_path / "s.sqlite")
    ledger = Ledger(store)
    ledger.create("r1", "coined-walk", {}, {}, "ibm_manila", 100, 1, [{"job": 0}])
    ledger.set_status("r1", "done")
    with pytest.raises(QwalkError) as caught:
        jobs.cancel("r1", ledger, config)
    assert str(caught.value) == ("run r1 is finished ('done'): there is nothing to cancel, "
                                 "and it stays done; its results: 'qwalk jobs fetch r1'")
    ledger.create("r2", "coined-walk", {}, {}, "fake_fez", 100, 1, [{"job": 0}])
    ledger.add_job("r2", "local_0", 0, "circuits", [0])
    with pytest.raises(QwalkError) as caught:
        poll("r2", ledger, load_config("fake_fez"), ["c"])
    assert str(caught.value) == ("run r2: its local fake-device jobs ended with the process "
                                 "that submitted them; submit it again")


def test_job_limits_that_cannot_hold_the_shots_or_the_calibration_say_what_to_change(tmp_path):
    config = edited_config(tmp_path, "max_circuits_per_job = 4", "max_circuits_per_job = 2")
    with pytest.raises(QwalkError) as caught:
        job_capacity(config, 200)
    assert str(caught.value) == (
        "a job holds at most 2 circuits of 200 shots (max_circuits_per_job, max_shots_per_job), "
        "and readout mitigation puts 2 calibration circuits in every job beside the circuits "
        "they correct: raise the limits, lower the shots, or set readout_mitigation = false")
    limit = config.jobs.max_shots_per_job
    with pytest.raises(QwalkError) as caught:
        job_capacity(config, limit + 1)
    assert str(caught.value) == (f"{limit + 1} shots exceed max_shots_per_job = {limit}; "
                                 "lower the shots")
