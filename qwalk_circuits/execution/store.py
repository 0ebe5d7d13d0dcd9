"""Local SQLite result store: every run, with what is needed to reproduce and re-analyse it.

Location: ``QWALK_STORE`` (a file path), else ``$XDG_DATA_HOME/qwalk/runs.sqlite``
(``~/.local/share/qwalk/runs.sqlite``).  A run is written in one transaction,
so a failed run leaves nothing half-done.  A store opened to write is checked to be
writable (and not locked) when opened, before any work; one opened ``read_only`` is never
changed.  Any problem with the file is one :class:`QwalkError` line (:mod:`.store_open`);
the schema and its versions are in :mod:`.store_schema`.
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
from .store_open import connect, guarded, make_folder, store_timeout
from .store_schema import (
    MIGRATABLE,
    MIGRATE_FROM_2,
    SCHEMA,
    SCHEMA_VERSION,
    add_read_views,
    check,
    migration,
)

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
    """Runs written atomically; read back by id or listed newest first.

    ``read_only=True`` opens an existing store without ever writing it (SQLite's
    ``mode=ro``): an older schema is read as it is (a table or column it lacks reads as
    empty), nothing is created, migrated or stamped.  Otherwise the store is created or
    migrated as needed and a write is tried (and rolled back) at once, so a read-only or
    locked store is found before a run computes anything.
    """

    def __init__(self, path: str | Path | None = None, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.read_only = read_only
        self.timeout_s = store_timeout()
        if not read_only:
            make_folder(self.path)
        with guarded(self.path, read_only, self.timeout_s):
            self.version = self._open_read_only() if read_only else self._open_for_writing()

    def _open_read_only(self) -> int:
        db = connect(self.path, True, self.timeout_s)
        try:
            return check(db, self.path)
        finally:
            db.close()

    def _open_for_writing(self) -> int:
        """Check, migrate if older, and probe: a write inside a transaction rolled back (it
        needs the write lock and a journal beside the file, as every later write will)."""
        db = connect(self.path, False, self.timeout_s)
        db.isolation_level = None  # the transaction below is ours
        try:
            db.execute("BEGIN IMMEDIATE")
            steps = migration(check(db, self.path))
            for step in steps or [f"PRAGMA user_version = {SCHEMA_VERSION}"]:
                db.execute(step)
            db.execute("COMMIT" if steps else "ROLLBACK")
        finally:
            db.close()
        return SCHEMA_VERSION

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection inside one transaction (commit on success, roll back on error);
        SQLite's failures leave it as one-line :class:`QwalkError`\\ s."""
        with guarded(self.path, self.read_only, self.timeout_s):
            db = connect(self.path, self.read_only, self.timeout_s)
            try:
                db.execute("PRAGMA foreign_keys = ON")
                check(db, self.path)  # still a qwalk store (a file replaced since is refused)
                if self.read_only:
                    add_read_views(db)
                    db.execute("PRAGMA query_only = ON")
                with db:
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


__all__ = ["MIGRATABLE", "MIGRATE_FROM_2", "SCHEMA", "SCHEMA_VERSION", "VERSIONED_PACKAGES",
           "ResultStore", "default_store_path", "new_run_id", "package_versions"]
