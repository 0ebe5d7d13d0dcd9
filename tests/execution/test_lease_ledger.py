"""The ledger's ownership rules, one at a time: a lease is taken, renewed and checked
atomically; a job recorded without the lease, or a second job of a chunk, is a stray,
cancelled and never merged; cancel takes the lease and keeps a finished run finished."""

from __future__ import annotations

import time

import pytest

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.device_analysis import finish_run
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.device_submission import submit_experiment
from qwalk_circuits.execution.jobs import cancel
from qwalk_circuits.execution.ledger import LeaseLost, Ledger
from qwalk_circuits.experiments import get_experiment

from . import service_double

SETTINGS = {"position_qubits": 2, "steps": 2}


@pytest.fixture
def store(tmp_path):
    return ResultStore(tmp_path / "s.sqlite")


def owned_run(store, owner="here:1:a", lease_s=60.0):
    ledger = Ledger(store, owner)
    ledger.create("r1", "coined-walk", {}, {}, "ibm_manila", 100, 1,
                  [{"job": 0}, {"job": 1}], lease_s)
    return ledger


def test_a_lease_is_taken_only_when_it_lapsed(store):
    owner = owned_run(store, lease_s=0.2)
    other = Ledger(store, "here:2:b")
    assert not other.claim("r1", 60)  # valid: refused
    assert owner.renew("r1", 0.01)
    time.sleep(0.05)
    assert other.claim("r1", 60)  # lapsed: taken
    assert not owner.renew("r1", 60)  # the old owner cannot renew it back
    with pytest.raises(LeaseLost, match="another process took over r1"):
        owner.check_lease("r1", 60)
    other.check_lease("r1", 60)
    assert not owner.release("r1", "submitted")  # nor end the new owner's submission
    assert Ledger(store).submission("r1")["status"] == "submitting"


def test_a_job_recorded_without_the_lease_is_a_stray(store):
    owner = owned_run(store, lease_s=0.01)
    time.sleep(0.05)
    taker = Ledger(store, "here:2:b")
    assert taker.claim("r1", 60)
    assert owner.add_job("r1", "late", 0, "circuits", [0]) == "unowned"
    assert taker.add_job("r1", "mine", 0, "circuits", [0]) == "recorded"
    assert [j["job_id"] for j in Ledger(store).jobs("r1")] == ["mine"]
    roles = {j["job_id"]: j["role"] for j in Ledger(store).jobs("r1", strays=True)}
    assert roles == {"late": "unowned", "mine": "circuits"}
    assert Ledger(store).runs()[0]["jobs"] == 1


def test_a_second_job_of_a_chunk_is_a_duplicate(store):
    owner = owned_run(store)
    assert owner.add_job("r1", "first", 0, "circuits", [0]) == "recorded"
    assert owner.add_job("r1", "first", 0, "circuits", [0]) == "known"  # adopted again
    assert owner.add_job("r1", "second", 0, "circuits", [0]) == "duplicate"
    assert owner.add_job("r1", "second", 0, "circuits", [0]) == "known-stray"
    assert [j["job_id"] for j in owner.jobs("r1")] == ["first"]


def test_cancel_takes_the_lease_away(store, config):
    owner = owned_run(store)
    assert cancel("r1", Ledger(store), config, service=service_double.Service(
        service_double.Server(store.path.parent / "server"))) == 0
    with pytest.raises(LeaseLost, match="run r1 was cancelled"):
        owner.check_lease("r1", 60)
    assert owner.add_job("r1", "late", 1, "circuits", [1]) == "unowned"
    assert not owner.release("r1", "submitted")
    sub = Ledger(store).submission("r1")
    assert (sub["status"], sub["owner"], sub["lease_until"]) == ("cancelled", None, None)


def walk():
    return get_experiment("coined-walk").from_settings(SETTINGS)


def test_a_late_second_job_of_a_chunk_is_cancelled_at_fetch_not_merged(server, config,
                                                                       store):
    """Its sender died after its stalled upload landed, when a resume had sent the chunk
    again: the fetch finds it under the chunk's tag, cancels it, says so, and the run's
    results come from one job per chunk."""
    server.set_mode(hold=True)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    first = sorted(server.job_ids())[0]
    server.save("job_late", {**server.load(first), "status": "QUEUED"})  # same chunk tag
    server.set_mode()
    summary = None
    for _ in range(10):
        summary = finish_run(run_id, store)
        if summary is not None:
            break
    assert summary is not None
    assert "job_late" not in summary["jobs"] and len(summary["jobs"]) == 2
    assert server.load("job_late")["status"] == "CANCELLED"
    sub = Ledger(store).submission(run_id)
    assert sub["status"] == "done" and "job_late (CANCELLED)" in sub["error"]
    (stray,) = [j for j in Ledger(store).jobs(run_id, strays=True) if j["role"] == "duplicate"]
    assert stray["job_id"] == "job_late"


def test_cancel_of_a_failed_run_cancels_its_queued_jobs_and_keeps_it_failed(server, config,
                                                                            store):
    server.set_mode(hold=True)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    Ledger(store).set_status(run_id, "failed", "job x: ERROR")  # one job failed
    assert cancel(run_id, Ledger(store), config) == 2
    assert server.statuses() == ["CANCELLED", "CANCELLED"]
    assert Ledger(store).submission(run_id)["status"] == "failed"


def test_cancel_again_is_harmless_and_sweeps_the_tag_again(server, config, store):
    server.set_mode(hold=True)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    assert cancel(run_id, Ledger(store), config) == 2
    first = sorted(server.job_ids())[0]
    server.save("job_late", {**server.load(first), "status": "QUEUED"})  # landed late
    assert cancel(run_id, Ledger(store), config) == 1
    assert set(server.statuses()) == {"CANCELLED"}
    assert Ledger(store).submission(run_id)["status"] == "cancelled"


def test_cancel_of_a_done_run_changes_nothing(server, config, store):
    run_id = submit_experiment(walk(), config, 200, 5, store)
    for _ in range(10):
        if finish_run(run_id, store) is not None:
            break
    with pytest.raises(QwalkError, match=r"finished \('done'\).*stays done"):
        cancel(run_id, Ledger(store), config)
    assert Ledger(store).submission(run_id)["status"] == "done"
    assert server.statuses() == ["DONE", "DONE"]


def test_a_resume_sends_again_a_chunk_whose_only_job_is_a_stray(server, config, store):
    """A process that had lost the lease sent chunk 0 and recorded it as a stray (it is
    cancelled): a resume does not adopt it, and sends chunk 0 again."""
    from qwalk_circuits.execution.device_submission import resume_submission

    server.set_mode(crash_after=0)  # job 0 accepted, its id never recorded
    with pytest.raises(KeyboardInterrupt):
        submit_experiment(walk(), config, 200, 5, store)
    server.set_mode()
    (row,) = Ledger(store).runs()
    run_id = row["run_id"]
    (late,) = server.job_ids()
    assert Ledger(store, "elsewhere:1:old").add_job(run_id, late, 0, "circuits", []) == "unowned"
    server.save(late, {**server.load(late), "status": "CANCELLED"})
    assert resume_submission(run_id, store) == 2
    assert [j["idx"] for j in Ledger(store).jobs(run_id)] == [0, 1]
    assert late not in [j["job_id"] for j in Ledger(store).jobs(run_id)]


def stray_of_chunk_0(server, config, store):
    """An interrupted run whose one job (chunk 0's) was recorded as a stray by a process
    that had lost the lease; the service shows it cancelled."""
    server.set_mode(crash_after=0)  # job 0 accepted, its id never recorded
    with pytest.raises(KeyboardInterrupt):
        submit_experiment(walk(), config, 200, 5, store)
    server.set_mode()
    run_id = Ledger(store).runs()[0]["run_id"]
    (late,) = server.job_ids()
    assert Ledger(store, "elsewhere:1:old").add_job(run_id, late, 0, "circuits", []) == "unowned"
    server.save(late, {**server.load(late), "status": "CANCELLED"})
    return run_id, late


def test_a_failed_upload_in_a_resume_does_not_adopt_the_chunks_stray(server, config, store):
    """The resume's upload of chunk 0 fails once (no job created): the retry's lookup
    under the chunk's tag finds only the stray, which it must not adopt: the chunk is
    sent again, and the run finishes with a job per chunk."""
    from qwalk_circuits.execution.device_submission import resume_submission

    run_id, late = stray_of_chunk_0(server, config, store)
    server.set_mode(flaky=1)  # every kind of call fails once (the upload of chunk 0 too)
    assert resume_submission(run_id, store) == 2
    server.set_mode()
    jobs = Ledger(store).jobs(run_id)
    assert [j["idx"] for j in jobs] == [0, 1] and late not in [j["job_id"] for j in jobs]
    assert len(server.job_ids()) == 3
    summary = None
    for _ in range(10):
        summary = finish_run(run_id, store)
        if summary is not None:
            break
    assert summary is not None and late not in summary["jobs"]


def test_a_job_sent_for_a_chunk_but_recorded_as_a_stray_is_sent_again(server, config, store,
                                                                      monkeypatch):
    """Another process (an old owner, woken up) recorded the job this one sent as a stray
    and cancelled it before this one recorded it: the chunk is sent again, not left
    without a job."""
    from qwalk_circuits.execution import jobs as jobs_module

    real, taken = jobs_module.Ledger.add_job, []

    def stolen_first(self, run_id, job_id, idx, *args, **kwargs):
        if not taken:  # the old owner records the first job before its sender does
            taken.append(job_id)
            assert real(Ledger(self.store, "elsewhere:1:old"), run_id, job_id, idx, "circuits",
                        []) == "unowned"
        return real(self, run_id, job_id, idx, *args, **kwargs)

    monkeypatch.setattr(jobs_module.Ledger, "add_job", stolen_first)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    jobs = Ledger(store).jobs(run_id)
    assert [j["idx"] for j in jobs] == [0, 1] and taken[0] not in [j["job_id"] for j in jobs]
    assert server.load(taken[0])["status"] == "CANCELLED"


def test_a_stray_that_ran_is_noted_as_paid_for_twice(server, config, store):
    """A stray found by a resume had already run (DONE): cancelling it is too late, and
    the submission says so."""
    from qwalk_circuits.execution.device_submission import resume_submission

    run_id, late = stray_of_chunk_0(server, config, store)
    server.save(late, {**server.load(late), "status": "DONE"})
    assert resume_submission(run_id, store) == 2
    error = Ledger(store).submission(run_id)["error"] or ""
    assert f"job {late} of chunk 0 ran although it was a stray" in error
    assert "paid for twice" in error
    assert error.count(late) == 1  # noted once


def test_a_run_whose_jobs_do_not_cover_its_circuits_is_never_analysed(server, config, store):
    """Whatever its status ('submitted' here), a run missing a chunk's job is refused in
    one line, and made resumable; the resume then adopts or sends the chunk's job."""
    from qwalk_circuits.execution.device_submission import resume_submission

    run_id = submit_experiment(walk(), config, 200, 5, store)
    with store._connect() as db:  # chunk 1's job lost from the ledger (the old bug)
        db.execute("DELETE FROM jobs WHERE run_id = ? AND idx = 1", (run_id,))
    with pytest.raises(QwalkError, match=r"\(4 of 7 circuits\).*--resume") as info:
        finish_run(run_id, store)
    assert "\n" not in str(info.value)
    assert Ledger(store).submission(run_id)["status"] == "interrupted"
    assert resume_submission(run_id, store) == 0  # chunk 1's job adopted by its tag
    summary = None
    for _ in range(10):
        summary = finish_run(run_id, store)
        if summary is not None:
            break
    assert summary is not None and len(summary["jobs"]) == 2


def test_fetching_a_cancelled_run_keeps_it_cancelled(server, config, store):
    server.set_mode(hold=True)
    run_id = submit_experiment(walk(), config, 200, 5, store)
    assert cancel(run_id, Ledger(store), config) == 2
    with pytest.raises(QwalkError, match=rf"run {run_id} was cancelled.*CANCELLED"):
        finish_run(run_id, store)
    assert Ledger(store).submission(run_id)["status"] == "cancelled"


def test_a_done_job_found_by_cancel_is_the_chunks_with_its_circuits(server, config, store):
    """Cancel finds by its tag a job whose id never reached the ledger, already DONE: it
    is recorded as its chunk's job, circuits and all, so a fetch never analyses a chunk
    without counts (here: chunk 1 was never sent, so the fetch refuses the run)."""
    server.set_mode(crash_after=0)
    with pytest.raises(KeyboardInterrupt):
        submit_experiment(walk(), config, 200, 5, store)
    server.set_mode()
    run_id = Ledger(store).runs()[0]["run_id"]
    (orphan,) = server.job_ids()
    server.save(orphan, {**server.load(orphan), "status": "DONE"})
    assert cancel(run_id, Ledger(store), config) == 0
    (job,) = Ledger(store).jobs(run_id)
    assert (job["job_id"], job["idx"], job["circuits"]) == (orphan, 0, [0, 1, 3, 4])
    assert Ledger(store).runs()[0]["jobs"] == 1
    with pytest.raises(QwalkError, match=r"'cancelled'.*\(4 of 7 circuits\)"):
        finish_run(run_id, store)
    assert Ledger(store).submission(run_id)["status"] == "cancelled"


def test_a_retried_upload_adopts_only_a_job_the_ledger_does_not_know(config):
    """After a failed upload the lookup under the chunk's tag lists every job there; one
    the ledger knows (a stray, another process's job) is not adopted: the upload is tried
    again, and only an unknown job is adopted."""
    from types import SimpleNamespace

    from qwalk_circuits.execution.jobs import submit_chunk

    def job(name):
        return SimpleNamespace(job_id=lambda: name)

    listed = [job("stray")]
    uploads = []

    def upload():
        uploads.append(1)
        if len(uploads) == 1:
            raise ConnectionError("reset")
        return job("sent")

    service = SimpleNamespace(jobs=lambda job_tags, limit: list(listed))
    assert submit_chunk(upload, service, "r1:0", config, lambda s: None,
                        known=lambda: {"stray"}).job_id() == "sent"
    assert len(uploads) == 2
    listed.append(job("landed"))  # an upload whose reply was lost: adopted, not resent
    uploads.clear()
    assert submit_chunk(upload, service, "r1:0", config, lambda s: None,
                        known=lambda: {"stray"}).job_id() == "landed"
    assert len(uploads) == 1


def test_a_process_that_lost_its_run_is_told_why_and_where_to_look(store):
    """The LeaseLost error names what happened to the run: cancelled, failed (with the
    failure's reason and the command that shows the run), or taken over."""
    owner = owned_run(store)
    Ledger(store).take_for_cancel("r1")
    with pytest.raises(LeaseLost) as caught:
        owner.check_lease("r1", 60)
    assert str(caught.value) == "run r1 was cancelled; this process stopped submitting its jobs"
    store.path.unlink()
    owner = owned_run(ResultStore(store.path))
    Ledger(owner.store).set_status("r1", "failed", "the service refused job r1:0")
    with pytest.raises(LeaseLost) as caught:
        owner.check_lease("r1", 60)
    assert str(caught.value) == ("run r1 failed while this process submitted it (the service "
                                 "refused job r1:0): 'qwalk jobs status r1'")


def test_a_stopped_stray_keeps_its_final_status_and_a_paid_one_is_noted_once(store):
    owner = owned_run(store)
    assert owner.add_job("r1", "first", 0, "circuits", [0]) == "recorded"
    assert owner.add_job("r1", "ran", 0, "circuits", [0]) == "duplicate"
    assert owner.add_job("r1", "stopped", 0, "circuits", [0]) == "duplicate"
    assert owner.job_ids("r1") == {"first", "ran", "stopped"}  # the strays too
    for _ in range(2):  # a second sweep finds it again: noted once
        owner.stray_stopped("r1", "ran", 0, "DONE")
    owner.stray_stopped("r1", "stopped", 0, "CANCELLED")
    jobs = {j["job_id"]: j for j in owner.jobs("r1", strays=True)}
    text = "job ran of chunk 0 ran although it was a stray (it ended DONE): paid for twice"
    assert (jobs["ran"]["status"], jobs["ran"]["error"]) == ("DONE", text)
    assert (jobs["stopped"]["status"], jobs["stopped"]["error"]) == ("CANCELLED", None)
    assert jobs["first"]["status"] == "QUEUED"
    assert owner.submission("r1")["error"] == text


def test_a_lease_keeper_renews_its_own_runs_lease_while_the_block_runs(store):
    """A submitter waiting inside the keeper's block (a stalled upload) keeps its run past
    the lease; another run of the same owner, which the keeper does not hold, lapses."""
    from qwalk_circuits.execution.lease import LeaseKeeper

    owner = owned_run(store, lease_s=1.0)
    owner.create("r2", "coined-walk", {}, {}, "ibm_manila", 100, 1, [{"job": 0}], 1.0)
    other = Ledger(store, "here:2:b")
    with LeaseKeeper(owner, "r1", 1.0):
        time.sleep(1.5)  # renewed every 1/3 s: r1's lease never lapsed
        assert not other.claim("r1", 60)
        assert other.claim("r2", 60)
    assert Ledger(store).submission("r1")["owner"] == "here:1:a"


def test_a_taken_over_run_and_an_unknown_run_say_where_to_look(store):
    owner = owned_run(store, lease_s=0.01)
    time.sleep(0.05)
    assert Ledger(store, "here:2:b").claim("r1", 60)
    with pytest.raises(LeaseLost) as caught:
        owner.check_lease("r1", 60)
    assert str(caught.value) == (
        "another process took over r1 (this one had stopped renewing its lease); it completes "
        "the submission: 'qwalk jobs status r1' shows where it stands")
    unknown = f"no submitted run 'nope' in {store.path}; see 'qwalk jobs list'"
    for call in (Ledger(store).submission, Ledger(store).take_for_cancel):
        with pytest.raises(QwalkError) as caught:
            call("nope")
        assert str(caught.value) == unknown
