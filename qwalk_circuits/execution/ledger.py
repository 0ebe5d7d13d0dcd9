"""The job ledger: submissions and their jobs in the result store, written before any wait.

A submission row holds everything needed to finish the run in a fresh
process (experiment, params, config, shots, seed, per-circuit metadata, the
compacted ISA circuits as QPY); a job row is written the moment the service
returns its id.  Finishing a run inserts it into ``runs`` and marks the
submission done in one transaction, so fetching twice is harmless.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from ..core.errors import QwalkError
from .store import ResultStore

OPEN = ("submitting", "interrupted", "submitted")
FINAL_JOB = ("DONE", "ERROR", "CANCELLED")


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Ledger:
    """Submissions and jobs of one result store."""

    def __init__(self, store: ResultStore) -> None:
        self.store = store

    def create(self, run_id: str, experiment: str, params: dict[str, Any],
               config: dict[str, Any], device: str, shots: int, seed: int | None,
               circuits: list[dict[str, Any]]) -> None:
        """Record a submission (status ``submitting``) before any job is sent."""
        now = _now()
        with self.store._connect() as db:
            db.execute("INSERT INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (run_id, now, now, "submitting", experiment, json.dumps(params),
                        json.dumps(config), device, shots, seed, json.dumps(circuits), None, None,
                        None))

    def add_job(self, run_id: str, job_id: str, idx: int, role: str, indices: list[int],
                status: str = "QUEUED") -> None:
        """Record a job id the moment the service has returned it."""
        now = _now()
        with self.store._connect() as db:
            db.execute("INSERT OR IGNORE INTO jobs VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (job_id, run_id, idx, role, json.dumps(indices), status, now, now,
                        None, None))
            # the submitter's heartbeat: a resume leaves a recently active submission alone
            db.execute("UPDATE submissions SET updated_at = ? WHERE run_id = ?", (now, run_id))

    def claim(self, run_id: str, status: str, updated_at: str) -> bool:
        """Take over a submission as it was read (``status``, ``updated_at``), atomically:
        False when another process changed it since (it is resuming or submitting)."""
        with self.store._connect() as db:
            cursor = db.execute(
                "UPDATE submissions SET status = 'submitting', error = NULL, updated_at = ? "
                "WHERE run_id = ? AND status = ? AND updated_at = ?",
                (_now(), run_id, status, updated_at))
            return cursor.rowcount == 1

    def set_status(self, run_id: str, status: str, error: str | None = None) -> None:
        with self.store._connect() as db:
            db.execute("UPDATE submissions SET status = ?, error = ?, updated_at = ? "
                       "WHERE run_id = ?", (status, error, _now(), run_id))

    def update_job(self, job_id: str, status: str, error: str | None = None,
                   result: Any = None) -> None:
        """A job's new status (and its counts once fetched; a stored result is never lost)."""
        with self.store._connect() as db:
            db.execute("UPDATE jobs SET status = ?, error = COALESCE(?, error), "
                       "result = COALESCE(result, ?), updated_at = ? WHERE job_id = ?",
                       (status, error, None if result is None else json.dumps(result), _now(),
                        job_id))

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

    def jobs(self, run_id: str) -> list[dict[str, Any]]:
        with self.store._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM jobs WHERE run_id = ? ORDER BY idx",
                              (run_id,)).fetchall()
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
                "ON j.run_id = s.run_id GROUP BY s.run_id ORDER BY s.created_at DESC LIMIT ?",
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
