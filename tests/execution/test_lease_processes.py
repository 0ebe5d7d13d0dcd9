"""No device job paid for twice, with real processes: a submitter stopped (SIGSTOP) or
killed (SIGKILL) at each crash point, a stalled upload, a resume beside a live owner, a
cancel during a resume.  Each test counts the jobs the service double received (its
server folder holds every upload, from every process) against the run's chunks.

The child processes run the CLI against the double (``CLI``); the test process itself
is the "other process" that resumes or cancels, unless a third one is needed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from qwalk_circuits.cli import main
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.device_submission import resume_submission
from qwalk_circuits.execution.ledger import Ledger

from . import service_double

ROOT = Path(__file__).resolve().parents[2]
#: 5 circuits, 2 + 2 readout calibrations per job of at most 4: three chunks
WALK = ["--set", "position_qubits=2", "--set", "steps=4"]
CHUNKS = 3
STALL_S = 15.0
#: the lease of a live owner in the tests that need it renewed under load
LIVE_LEASE_S = 3.0
CLI = """
import sys
from tests.execution import service_double
service_double.install(sys.argv[1])
from qwalk_circuits.cli import main
sys.exit(main(["--store", sys.argv[2], *sys.argv[3:]]))
"""


class Child:
    """``qwalk --store STORE ARGV...`` in a child process, against the double's server."""

    def __init__(self, server: service_double.Server, store: Path, *argv: str) -> None:
        self.err = store.parent / f"child-{time.monotonic_ns()}.err"
        with self.err.open("wb") as stream:
            self.process = subprocess.Popen(
                [sys.executable, "-c", CLI, str(server.root), str(store), *argv], cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=stream)

    @property
    def pid(self) -> int:
        return self.process.pid

    def signal(self, sig: int) -> None:
        os.kill(self.process.pid, sig)

    def result(self, timeout: float = 240) -> tuple[int, str]:
        """Its exit status and stderr, once it ended."""
        rc = self.process.wait(timeout)
        return rc, self.err.read_text()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.signal(signal.SIGKILL)
        self.process.wait()


#: a deadline only bounds how long a failing test waits: a child that imports Qiskit and
#: transpiles on a loaded 2-core machine took over 60 s (a mutation run's clean tests)
def wait_for(condition: Callable[[], bool], child: Child | None = None,
             timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if child is not None and child.process.poll() is not None:
            raise AssertionError(f"the child ended first: {child.err.read_text()}")
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def gated(server: service_double.Server, child: Child) -> bool:
    """Whether ``child``'s upload is stalled at the server's gate."""
    path = server.root / "gated"
    return path.exists() and path.read_text() == str(child.pid)


def the_run(store: Path) -> str:
    (row,) = Ledger(ResultStore(store)).runs()
    return str(row["run_id"])


def one_live_job_per_chunk(server: service_double.Server, store: Path, run_id: str
                           ) -> Counter[str]:
    """Asserts that each chunk has exactly one job on the service that is not cancelled
    (and that it is the ledger's job of that chunk); returns every job's status."""
    live = Counter(tag for job_id in server.job_ids() for tag in server.load(job_id)["tags"]
                   if tag != run_id and server.load(job_id)["status"] != "CANCELLED")
    assert live == Counter(f"{run_id}:{k}" for k in range(CHUNKS))
    jobs = Ledger(ResultStore(store)).jobs(run_id)
    assert [j["idx"] for j in jobs] == list(range(CHUNKS))
    assert all(server.load(j["job_id"])["status"] != "CANCELLED" for j in jobs)
    return Counter(server.statuses())


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The double, installed in this process too (it resumes or cancels)."""
    return service_double.install(tmp_path / "server", monkeypatch)


@pytest.fixture
def store(tmp_path):
    return tmp_path / "s.sqlite"


def short_lease(tmp_path, monkeypatch, lease_s):
    """The double's config with a lease of ``lease_s``, and a store lock timeout (for this
    process and its children) that a lease so short admits: half of it."""
    monkeypatch.setenv("QWALK_STORE_TIMEOUT_S", f"{lease_s / 2:g}")
    return service_double.ibm_config(tmp_path, lease_s=lease_s)


def submitter(server, store, config, gate, **mode):
    """A child submitting the walk, stalled at the server's gate ``gate``."""
    server.set_mode(gate=gate, **mode)
    child = Child(server, store, "submit", "coined-walk", "--backend", str(config), *WALK)
    wait_for(lambda: gated(server, child), child)
    return child


@pytest.mark.parametrize("lands", [False, True], ids=["upload-lost", "upload-lands-late"])
def test_a_stopped_submitter_is_taken_over_and_stops_when_continued(server, store, tmp_path,
                                                                    monkeypatch, lands):
    """(a) SIGSTOP mid-submission (its second upload in flight), the lease lapses, a
    resume completes the run; SIGCONT: the submitter stops with one line.  The upload it
    had in flight either never reaches the service or lands after the resume looked its
    chunk up: then it is recorded as a stray and cancelled, never a second live job."""
    # (1.5 s: its store lock timeout, 0.75 s, outlasts a loaded machine's slow commits)
    config = short_lease(tmp_path, monkeypatch, 1.5)
    child = submitter(server, store, config, gate=1)
    try:
        child.signal(signal.SIGSTOP)
        run_id = the_run(store)
        server.set_mode(**({} if lands else {"drop_gated": True}))
        time.sleep(1.6)  # the stopped submitter renews nothing: its lease lapses
        assert resume_submission(run_id, ResultStore(store)) == CHUNKS - 1
        child.signal(signal.SIGCONT)
        rc, err = child.result()
    finally:
        child.kill()
    assert rc == 2 and err.startswith(f"qwalk: error: another process took over {run_id} ")
    assert err.count("\n") == 1
    statuses = one_live_job_per_chunk(server, store, run_id)
    assert server.uploaded() == CHUNKS + lands
    assert statuses["CANCELLED"] == lands
    strays = [j for j in Ledger(ResultStore(store)).jobs(run_id, strays=True)
              if j["role"] == "unowned"]
    assert [j["status"] for j in strays] == ["CANCELLED"] * lands


@pytest.mark.parametrize("gate, when, sent_now", [
    (0, "before", CHUNKS),       # killed before its first upload reached the service
    (0, "after", CHUNKS - 1),    # its first job accepted, the id never recorded
    (1, "before", CHUNKS - 1),   # between chunks: job 0 recorded, job 1 not sent
], ids=["before-first-upload", "after-upload-before-record", "between-chunks"])
def test_a_killed_submitter_is_resumed_at_once_without_paying_twice(server, store, tmp_path,
                                                                    gate, when, sent_now):
    """(b) kill -9 at each crash point; its lease (60 s) has not lapsed, but its pid is
    dead on this host: a resume takes over at once and gives one job per chunk."""
    config = service_double.ibm_config(tmp_path, lease_s=60)
    child = submitter(server, store, config, gate=gate, gate_when=when)
    child.kill()
    server.set_mode()
    run_id = the_run(store)
    assert Ledger(ResultStore(store)).submission(run_id)["status"] == "submitting"
    assert resume_submission(run_id, ResultStore(store)) == sent_now
    one_live_job_per_chunk(server, store, run_id)
    assert server.uploaded() == CHUNKS


def test_a_stalled_upload_keeps_its_lease(server, store, tmp_path, monkeypatch):
    """(c) An upload stalls for longer than the lease: its process is alive and renews
    the lease, so a resume from another process is refused; nothing is sent twice."""
    # a lease of LIVE_LEASE_S: renewed every second, so a loaded machine's hiccups do not
    # let it lapse under a live owner
    config = short_lease(tmp_path, monkeypatch, LIVE_LEASE_S)
    # (the stall ends at the release; at the latest after STALL_S, when a broken guard
    # lets the resume in, so that it fails instead of waiting at the gate for good)
    child = submitter(server, store, config, gate=1, stall_s=STALL_S)
    try:
        run_id = the_run(store)
        time.sleep(2 * LIVE_LEASE_S)  # two lease periods into the stall
        with pytest.raises(QwalkError, match="still being submitted by a live process"):
            resume_submission(run_id, ResultStore(store))
        (server.root / "release").write_text("")
        rc, err = child.result()
    finally:
        child.kill()
    assert rc == 0, err
    one_live_job_per_chunk(server, store, run_id)
    assert server.uploaded() == CHUNKS


def test_resume_force_beside_a_live_owner_is_refused(server, store, tmp_path, capsys,
                                                     monkeypatch):
    """(f) ``jobs fetch --resume --force`` waits 1.5 lease periods for the live owner's
    lease to lapse; it is renewed, so the resume is refused and sends nothing."""
    config = short_lease(tmp_path, monkeypatch, LIVE_LEASE_S)
    # (the stall ends at the release; at the latest after STALL_S, when a broken guard
    # lets the resume in, so that it fails instead of waiting at the gate for good)
    child = submitter(server, store, config, gate=1, stall_s=STALL_S)
    try:
        run_id = the_run(store)
        assert main(["--store", str(store), "jobs", "fetch", run_id, "--resume",
                     "--force"]) == 2
        assert "still being submitted by a live process" in capsys.readouterr().err
        assert server.uploaded() == 1
        (server.root / "release").write_text("")
        rc, err = child.result()
    finally:
        child.kill()
    assert rc == 0, err
    one_live_job_per_chunk(server, store, run_id)
    assert server.uploaded() == CHUNKS


def test_cancel_during_a_resume_wins(server, store, tmp_path, capsys):
    """(d) A resume (a second child) stalls in an upload while ``jobs cancel`` runs: the
    cancel takes the lease and cancels every job; the stalled upload then lands, and the
    resumer cancels it and stops.  Nothing is left queued or running."""
    config = service_double.ibm_config(tmp_path, lease_s=60)
    submitter(server, store, config, gate=1).kill()  # job 0 recorded, then killed
    run_id = the_run(store)
    server.set_mode(gate=2)  # the resume sends chunk 1, stalls in sending chunk 2
    resumer = Child(server, store, "jobs", "fetch", run_id, "--resume")
    try:
        wait_for(lambda: gated(server, resumer), resumer)
        assert main(["--store", str(store), "jobs", "cancel", run_id]) == 0
        assert "cancelled 2 job(s)" in capsys.readouterr().out
        server.set_mode()  # the stalled upload lands
        rc, err = resumer.result()
    finally:
        resumer.kill()
    assert rc == 2 and f"run {run_id} was cancelled" in err and err.count("\n") == 1
    assert server.uploaded() == CHUNKS
    assert server.statuses() == ["CANCELLED"] * CHUNKS
    assert Ledger(ResultStore(store)).submission(run_id)["status"] == "cancelled"


def test_cancel_of_a_done_run_keeps_it_done(server, store, tmp_path, capsys):
    """(e) ``jobs cancel`` on a finished run says so and changes nothing."""
    config = service_double.ibm_config(tmp_path)
    assert main(["--store", str(store), "submit", "coined-walk", "--backend", str(config),
                 *WALK]) == 0
    run_id = capsys.readouterr().out.strip()
    while main(["--store", str(store), "jobs", "fetch", run_id]) == 0 and (
            "not finished" in capsys.readouterr().out):
        pass
    assert Ledger(ResultStore(store)).submission(run_id)["status"] == "done"
    assert main(["--store", str(store), "jobs", "cancel", run_id]) == 2
    err = capsys.readouterr().err
    assert "is finished ('done')" in err and err.count("\n") == 1
    assert Ledger(ResultStore(store)).submission(run_id)["status"] == "done"
    assert server.statuses() == ["DONE"] * CHUNKS


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.5, 1.0, 1.5, 2.0, 2.5])
def test_resume_and_cancel_racing_leave_nothing_queued(server, store, tmp_path, delay):
    """(d, slow) A resume and a cancel in two processes, started ``delay`` s apart, no
    gate: whichever order their steps take, after both end no job is queued or running,
    and no chunk has two jobs."""
    config = service_double.ibm_config(tmp_path, lease_s=60)
    submitter(server, store, config, gate=1).kill()
    run_id = the_run(store)
    server.set_mode(hold=True, stall_s=0.5)  # each upload takes 0.5 s: the steps interleave
    resumer = Child(server, store, "jobs", "fetch", run_id, "--resume")
    time.sleep(delay)
    canceller = Child(server, store, "jobs", "cancel", run_id)
    try:
        (rc_resume, err_resume), (rc_cancel, err_cancel) = resumer.result(), canceller.result()
    finally:
        resumer.kill()
        canceller.kill()
    assert rc_cancel == 0, err_cancel
    assert rc_resume in (0, 2), err_resume
    assert set(server.statuses()) == {"CANCELLED"}, (err_resume, err_cancel)
    assert server.uploaded() <= CHUNKS + 1  # at most one upload in flight at the cancel
