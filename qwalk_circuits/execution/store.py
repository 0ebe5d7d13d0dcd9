"""Local SQLite result store: every run, with what is needed to reproduce and re-analyse it.

Location: ``QWALK_STORE`` (a file path), else ``$XDG_DATA_HOME/qwalk/runs.sqlite``
(``~/.local/share/qwalk/runs.sqlite``).  A run is written in one transaction,
so a failed run leaves nothing half-done.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ..core.errors import QwalkError

SCHEMA_VERSION = 3
# version 1: runs, circuits.  version 2 adds the job ledger (submissions, jobs).
# version 3 adds the submitter's lease to a submission (owner, lease_until).
# An older store is migrated by a command that writes (new tables and columns only),
# a newer one refused.
MIGRATABLE = (0, 1, 2)
#: what a version-2 store needs to become version 3
MIGRATE_FROM_2 = """
ALTER TABLE submissions ADD COLUMN owner TEXT;
ALTER TABLE submissions ADD COLUMN lease_until TEXT;
"""
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id     TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    experiment TEXT NOT NULL,
    params     TEXT NOT NULL,
    backend    TEXT NOT NULL,
    shots      INTEGER,
    seed       INTEGER,
    versions   TEXT NOT NULL,
    summary    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS circuits (
    run_id  TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    label   TEXT NOT NULL,
    stats   TEXT NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (run_id, idx)
);
CREATE TABLE IF NOT EXISTS submissions (
    run_id     TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    status     TEXT NOT NULL,   -- submitting | interrupted | submitted | done | failed | cancelled
    experiment TEXT NOT NULL,
    params     TEXT NOT NULL,   -- JSON: the spec, enough to rebuild the circuits
    config     TEXT NOT NULL,   -- JSON: the hardware config
    device     TEXT NOT NULL,
    shots      INTEGER NOT NULL,
    seed       INTEGER,
    circuits   TEXT NOT NULL,   -- JSON: per circuit label, metadata, physical qubits, stats
    error      TEXT,
    owner      TEXT,            -- the token of the process allowed to submit its jobs
    lease_until TEXT            -- ISO UTC time the owner's lease ends unless renewed
);
CREATE TABLE IF NOT EXISTS jobs (
    job_id     TEXT PRIMARY KEY,
    run_id     TEXT NOT NULL REFERENCES submissions(run_id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,  -- job number within the run
    role       TEXT NOT NULL,     -- circuits | calibration | circuits+calibration | unrecorded
    circuits   TEXT NOT NULL,     -- JSON: indices of the run's circuits in this job
    status     TEXT NOT NULL,     -- QUEUED | RUNNING | DONE | ERROR | CANCELLED | ...
    submitted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    error      TEXT,
    result     TEXT               -- JSON: counts per circuit, once fetched
);
CREATE INDEX IF NOT EXISTS jobs_by_run ON jobs(run_id, idx);
"""
VERSIONED_PACKAGES = ("qwalk_circuits", "qiskit", "qiskit-aer", "qiskit-ibm-runtime", "numpy",
                      "scipy")


def default_store_path() -> Path:
    """The store file: QWALK_STORE, else under XDG_DATA_HOME."""
    if env := os.environ.get("QWALK_STORE"):
        return Path(env)
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "qwalk" / "runs.sqlite"


def package_versions() -> dict[str, str]:
    """Versions of the packages a result depends on."""
    out = {}
    for name in VERSIONED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def new_run_id() -> str:
    """A sortable, unique run id: UTC timestamp plus random suffix."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


class ResultStore:
    """Runs written atomically; read back by id or listed newest first."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (*MIGRATABLE, SCHEMA_VERSION):
                raise QwalkError(f"result store {self.path} has schema version {version}, this "
                                 f"qwalk reads version {SCHEMA_VERSION}; upgrade qwalk_circuits "
                                 "or use another QWALK_STORE")
            if version == 2:
                db.executescript("BEGIN IMMEDIATE;" + MIGRATE_FROM_2 +
                                 f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
            elif version != SCHEMA_VERSION:
                db.executescript("BEGIN IMMEDIATE;" + SCHEMA +
                                 f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 30000")
            with db:  # one transaction: commit on success, roll back on error
                yield db
        finally:
            db.close()

    def save_run(self, run_id: str, experiment: str, params: dict[str, Any],
                 backend: dict[str, Any], shots: int | None, seed: int | None,
                 summary: dict[str, Any], circuits: list[dict[str, Any]]) -> None:
        """Write a run and its circuits in a single transaction."""
        with self._connect() as db:
            self.insert_run(db, run_id, experiment, params, backend, shots, seed, summary,
                            circuits)

    @staticmethod
    def insert_run(db: sqlite3.Connection, run_id: str, experiment: str, params: dict[str, Any],
                   backend: dict[str, Any], shots: int | None, seed: int | None,
                   summary: dict[str, Any], circuits: list[dict[str, Any]]) -> None:
        """The inserts of :meth:`save_run`, inside the caller's transaction."""
        db.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, datetime.now(UTC).isoformat(), experiment, json.dumps(params),
             json.dumps(backend), shots, seed, json.dumps(package_versions()),
             json.dumps(summary)))
        db.executemany(
            "INSERT INTO circuits VALUES (?, ?, ?, ?, ?)",
            [(run_id, i, c["label"], json.dumps(c["stats"]), json.dumps(c["data"]))
             for i, c in enumerate(circuits)])

    def list_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """Newest runs first: id, time, experiment, backend name, shots."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT run_id, created_at, experiment, backend, shots FROM runs "
                "ORDER BY created_at DESC LIMIT ?", (limit,)).fetchall()
        return [{"run_id": r[0], "created_at": r[1], "experiment": r[2],
                 "backend": json.loads(r[3]).get("name", "?"), "shots": r[4]} for r in rows]

    def get_run(self, run_id: str) -> dict[str, Any]:
        """Everything stored for one run."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if row is None:
                raise QwalkError(f"no run '{run_id}' in {self.path}; see 'qwalk results list'")
            circuits = db.execute(
                "SELECT idx, label, stats, data FROM circuits WHERE run_id = ? ORDER BY idx",
                (run_id,)).fetchall()
        keys = ("run_id", "created_at", "experiment", "params", "backend", "shots", "seed",
                "versions", "summary")
        run = dict(zip(keys, row, strict=True))
        for key in ("params", "backend", "versions", "summary"):
            run[key] = json.loads(run[key])
        run["circuits"] = [{"index": c[0], "label": c[1], "stats": json.loads(c[2]),
                            "data": json.loads(c[3])} for c in circuits]
        return run
