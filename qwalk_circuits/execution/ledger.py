"""The job ledger: submissions and their jobs in the result store, written before any wait.

A submission row holds everything needed to finish the run in a fresh
process (experiment, params, config, shots, seed, per-circuit metadata, the
compacted ISA circuits as QPY); a job row is written the moment the service
returns its id.  Finishing a run inserts it into ``runs`` and marks the
submission done in one transaction, so fetching twice is harmless.

Ownership: the process submitting a run's jobs (a submitter, or a resume) holds the
run's ``owner`` token and a lease (``lease_until``) that it renews while it works.  It
claims the run atomically, checks the lease atomically before every upload and in every
job record, and gives it back when it stops; a run is taken over only once its lease
lapsed, and a cancel takes the lease away.  A job sent by a process that had lost the
lease, or a second job for a chunk that has one, is recorded as a stray (role
``unowned`` or ``duplicate``), never as one of the run's jobs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from ..core.errors import QwalkError
from .store import ResultStore

OPEN = ("submitting", "interrupted", "submitted")
FINAL_JOB = ("DONE", "ERROR", "CANCELLED")
#: roles of jobs the run does not use: sent after the lease was lost, or a second job of
#: a chunk that has one (each is cancelled on sight; never merged into the results)
STRAY = ("unowned", "duplicate")
#: run statuses whose jobs are final or paid: nothing is submitted or cancelled any more
FINISHED = ("done",)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def stamp(moment: datetime) -> str:
    """A fixed-width ISO UTC time (microseconds always written), so that SQL compares
    lease times as strings in time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


class LeaseLost(QwalkError):
    """This process no longer owns the run: another process took it over, or it was
    cancelled.  It must stop submitting at once."""


class Ledger:
    """Submissions and jobs of one result store.  With an ``owner`` token, its job
    records and lease checks are those of the process holding that token."""

    def __init__(self, store: ResultStore, owner: str | None = None) -> None:
        self.store = store
        self.owner = owner

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, its lock taken before the first read (reads and writes
        in it are atomic together)."""
        with self.store._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            yield db

    def create(self, run_id: str, experiment: str, params: dict[str, Any],
               config: dict[str, Any], device: str, shots: int, seed: int | None,
               circuits: list[dict[str, Any]], lease_s: float | None = None) -> None:
        """Record a submission (status ``submitting``) before any job is sent; with
        ``lease_s``, owned by this ledger's owner for that long."""
        now = datetime.now(UTC)
        until = None if lease_s is None else stamp(now + timedelta(seconds=lease_s))
        with self.store._connect() as db:
            db.execute("INSERT INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (run_id, now.isoformat(), now.isoformat(), "submitting", experiment,
                        json.dumps(params), json.dumps(config), device, shots, seed,
                        json.dumps(circuits), None, self.owner if until else None, until))

    def add_job(self, run_id: str, job_id: str, idx: int, role: str, indices: list[int],
                status: str = "QUEUED") -> str:
        """Record a job id the moment the service has returned it.  Returns ``recorded``;
        ``known`` when the job was recorded before as the run's (adopted by its tag), or
        ``known-stray`` as a stray; ``duplicate`` when its chunk ``idx`` has another job,
        and ``unowned`` when this ledger's owner no longer holds the run (both recorded
        with that role: the caller cancels them)."""
        now = _now()
        with self._write() as db:
            known = db.execute("SELECT role FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
            if known:
                return "known-stray" if known[0] in STRAY else "known"
            row = db.execute("SELECT status, owner FROM submissions WHERE run_id = ?",
                             (run_id,)).fetchone()
            owned = self.owner is None or (row is not None and row[0] == "submitting"
                                           and row[1] == self.owner)
            taken = db.execute(
                f"SELECT 1 FROM jobs WHERE run_id = ? AND idx = ? AND idx >= 0 AND role NOT IN "
                f"({','.join('?' * len(STRAY))})", (run_id, idx, *STRAY)).fetchone()
            verdict = "recorded" if owned and not taken else "unowned" if not owned \
                else "duplicate"
            db.execute("INSERT INTO jobs (job_id, run_id, idx, role, circuits, status, "
                       "submitted_at, updated_at, error, result) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (job_id, run_id, idx, role if verdict == "recorded" else verdict,
                        json.dumps(indices), status, now, now, None, None))
            db.execute("UPDATE submissions SET updated_at = ? WHERE run_id = ?", (now, run_id))
        return verdict

    def claim(self, run_id: str, lease_s: float, dead_owner: str | None = None,
              legacy_updated_at: str | None = None) -> bool:
        """Take over the run for this ledger's owner, atomically, if it is free: it is
        ``interrupted``, or ``submitting`` with a lapsed lease (or owned by
        ``dead_owner``, a process known to be dead; or, with no owner at all, as an older
        qwalk left it, unchanged since ``legacy_updated_at``).  False: it is not free."""
        now = datetime.now(UTC)
        with self.store._connect() as db:
            cursor = db.execute(
                "UPDATE submissions SET status = 'submitting', error = NULL, updated_at = ?, "
                "owner = ?, lease_until = ? WHERE run_id = ? AND (status = 'interrupted' OR "
                "(status = 'submitting' AND (lease_until < ? OR owner = ? OR "
                "(owner IS NULL AND updated_at = ?))))",
                (now.isoformat(), self.owner, stamp(now + timedelta(seconds=lease_s)), run_id,
                 stamp(now), dead_owner, legacy_updated_at))
            return cursor.rowcount == 1

    def renew(self, run_id: str, lease_s: float) -> bool:
        """Extend this ledger's owner's lease, atomically, if it still holds the run
        (even past its end, when nobody took it over): False when it does not."""
        with self.store._connect() as db:
            cursor = db.execute(
                "UPDATE submissions SET lease_until = ? WHERE run_id = ? AND owner = ? "
                "AND status = 'submitting'",
                (stamp(datetime.now(UTC) + timedelta(seconds=lease_s)), run_id, self.owner))
            return cursor.rowcount == 1

    def check_lease(self, run_id: str, lease_s: float) -> None:
        """Before an upload: renew this ledger's owner's lease, atomically, or raise
        LeaseLost when it no longer holds the run (no owner: nothing to check)."""
        if self.owner is not None and not self.renew(run_id, lease_s):
            raise self.lost(run_id)

    def lost(self, run_id: str) -> LeaseLost:
        """The error of a process that no longer owns ``run_id`` (who took it)."""
        sub = self.submission(run_id)
        if sub["status"] == "cancelled":
            return LeaseLost(f"run {run_id} was cancelled; this process stopped submitting "
                             "its jobs")
        if sub["status"] == "failed":
            return LeaseLost(f"run {run_id} failed while this process submitted it "
                             f"({sub['error']}): 'qwalk jobs status {run_id}'")
        return LeaseLost(f"another process took over {run_id} (this one had stopped renewing "
                         f"its lease); it completes the submission: 'qwalk jobs status "
                         f"{run_id}' shows where it stands")

    def release(self, run_id: str, status: str, error: str | None = None) -> bool:
        """This ledger's owner ends its submission with ``status`` and gives up the lease,
        atomically, if it still holds the run (False: it had lost it; nothing changed).
        ``error`` is added to the notes made while it held the run (they are kept)."""
        with self.store._connect() as db:
            cursor = db.execute(
                "UPDATE submissions SET status = ?, error = CASE WHEN ? IS NULL THEN error "
                "ELSE COALESCE(error || '; ', '') || ? END, updated_at = ?, owner = NULL, "
                "lease_until = NULL WHERE run_id = ? AND owner IS ? AND status = 'submitting'",
                (status, error, error, _now(), run_id, self.owner))
            return cursor.rowcount == 1

    def take_for_cancel(self, run_id: str) -> str:
        """Mark the run cancelled and take its lease away, atomically (its submitter or
        resumer stops at its next check), unless it is finished.  Returns the status it
        had."""
        with self._write() as db:
            row = db.execute("SELECT status FROM submissions WHERE run_id = ?",
                             (run_id,)).fetchone()
            if row is None:
                raise QwalkError(f"no submitted run '{run_id}' in {self.store.path}; see "
                                 "'qwalk jobs list'")
            if row[0] not in FINISHED:
                db.execute("UPDATE submissions SET status = ?, owner = NULL, lease_until = NULL, "
                           "updated_at = ? WHERE run_id = ?",
                           ("failed" if row[0] == "failed" else "cancelled", _now(), run_id))
        return str(row[0])

    def set_status(self, run_id: str, status: str, error: str | None = None) -> None:
        with self.store._connect() as db:
            db.execute("UPDATE submissions SET status = ?, error = ?, updated_at = ? "
                       "WHERE run_id = ?", (status, error, _now(), run_id))

    def note(self, run_id: str, text: str) -> None:
        """Add ``text`` to the submission's error column (shown by 'qwalk jobs status'),
        its status unchanged."""
        with self.store._connect() as db:
            db.execute("UPDATE submissions SET error = COALESCE(error || '; ', '') || ? "
                       "WHERE run_id = ?", (text, run_id))

    def stray_stopped(self, run_id: str, job_id: str, idx: int, status: str) -> None:
        """Record the final status a stray reached when it was stopped; one that was not
        cancelled (it ran, or failed) is noted in the submission, once: it was paid for."""
        with self.store._connect() as db:
            before = db.execute("SELECT status FROM jobs WHERE job_id = ?",
                                (job_id,)).fetchone()
        text = (f"job {job_id} of chunk {idx} ran although it was a stray (it ended {status}"
                + ("): paid for twice" if status == "DONE" else ")"))
        self.update_job(job_id, status, error=None if status == "CANCELLED" else text)
        if status != "CANCELLED" and (before is None or before[0] not in FINAL_JOB):
            self.note(run_id, text)

    def job_ids(self, run_id: str) -> set[str]:
        """Every job id the ledger holds for the run, its strays included."""
        return {j["job_id"] for j in self.jobs(run_id, strays=True)}

    def reopen(self, run_id: str, error: str) -> bool:
        """Mark a 'submitted' run whose jobs do not cover its circuits 'interrupted'
        (resumable), atomically, unless its status changed meanwhile."""
        with self.store._connect() as db:
            return db.execute("UPDATE submissions SET status = 'interrupted', error = ?, "
                              "updated_at = ? WHERE run_id = ? AND status = 'submitted'",
                              (error, _now(), run_id)).rowcount == 1

    def update_job(self, job_id: str, status: str, error: str | None = None,
                   result: Any = None, usage_s: float | None = None) -> None:
        """A job's new status (and its counts once fetched, and the QPU seconds billed for
        it where the service reports them; a stored result is never lost)."""
        with self.store._connect() as db:
            db.execute("UPDATE jobs SET status = ?, error = COALESCE(?, error), "
                       "result = COALESCE(result, ?), usage_s = COALESCE(?, usage_s), "
                       "updated_at = ? WHERE job_id = ?",
                       (status, error, None if result is None else json.dumps(result),
                        usage_s, _now(), job_id))

    def has_submission(self, run_id: str) -> bool:
        """Whether ``run_id`` went through the ledger (a device run)."""
        with self.store._connect() as db:
            return db.execute("SELECT 1 FROM submissions WHERE run_id = ?",
                              (run_id,)).fetchone() is not None

    def submission(self, run_id: str) -> dict[str, Any]:
        with self.store._connect() as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM submissions WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise QwalkError(f"no submitted run '{run_id}' in {self.store.path}; see "
                             "'qwalk jobs list'")
        out = dict(row)
        for key in ("params", "config", "circuits"):
            out[key] = json.loads(out[key])
        return out

    def jobs(self, run_id: str, strays: bool = False) -> list[dict[str, Any]]:
        """The run's jobs by chunk; with ``strays``, also the jobs it does not use
        (:data:`STRAY`)."""
        with self.store._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "SELECT * FROM jobs WHERE run_id = ? AND (? OR role NOT IN "
                f"({','.join('?' * len(STRAY))})) ORDER BY idx, submitted_at",
                (run_id, strays, *STRAY)).fetchall()
        out = []
        for row in rows:
            job = dict(row)
            job["circuits"] = json.loads(job["circuits"])
            job["result"] = None if job["result"] is None else json.loads(job["result"])
            out.append(job)
        return out

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.store._connect() as db:
            rows = db.execute(
                "SELECT s.run_id, s.created_at, s.status, s.experiment, s.device, s.shots, "
                "COUNT(j.job_id), SUM(j.status = 'DONE') FROM submissions s LEFT JOIN jobs j "
                "ON j.run_id = s.run_id AND j.role NOT IN ('unowned', 'duplicate') "
                "GROUP BY s.run_id ORDER BY s.created_at DESC LIMIT ?",
                (limit,)).fetchall()
        return [{"run_id": r[0], "created_at": r[1], "status": r[2], "experiment": r[3],
                 "device": r[4], "shots": r[5], "jobs": r[6], "jobs_done": r[7] or 0}
                for r in rows]

    def finish(self, run_id: str, summary: dict[str, Any], backend: dict[str, Any],
               circuits: list[dict[str, Any]]) -> bool:
        """Store the finished run and mark the submission done, atomically.

        Returns False (and changes nothing) when the run was already finished.
        """
        sub = self.submission(run_id)
        try:
            with self.store._connect() as db:
                ResultStore.insert_run(db, run_id, sub["experiment"], sub["params"], backend,
                                       sub["shots"], sub["seed"], summary, circuits)
                db.execute("UPDATE submissions SET status = 'done', updated_at = ? "
                           "WHERE run_id = ?", (_now(), run_id))
        except sqlite3.IntegrityError:
            return False
        return True
