"""The result store's schema: its tables, its versions, and how a store file is recognised.

A store is qwalk's when its ``user_version`` is one qwalk knows and it holds that
version's tables and columns.  Only an empty database, or a version-1 store (its
``runs`` and ``circuits`` tables, version 0 or 1), is ever given qwalk's tables: a
foreign SQLite database is refused, never stamped.  A read-only connection sees an
older store as the current schema through temporary tables and views (the file is
never written).
"""

from __future__ import annotations

import sqlite3
from functools import cache
from pathlib import Path

from ..core.errors import QwalkError

SCHEMA_VERSION = 4
# version 1: runs, circuits.  version 2 adds the job ledger (submissions, jobs).
# version 3 adds the submitter's lease to a submission (owner, lease_until).
# version 4 adds the QPU time the service billed to a job (usage_s).
# An older store is migrated by a command that writes (new tables and columns only),
# a newer one refused.
MIGRATABLE = (0, 1, 2, 3)
#: what a version-3 store needs to become version 4
MIGRATE_FROM_3 = """
ALTER TABLE jobs ADD COLUMN usage_s REAL;
"""
#: what a version-2 store needs to become version 4
MIGRATE_FROM_2 = """
ALTER TABLE submissions ADD COLUMN owner TEXT;
ALTER TABLE submissions ADD COLUMN lease_until TEXT;
""" + MIGRATE_FROM_3
# (no semicolon inside a comment: :func:`statements` splits on them)
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
    circuits   TEXT NOT NULL,     -- JSON: indices of the circuits of the run in this job
    status     TEXT NOT NULL,     -- QUEUED | RUNNING | DONE | ERROR | CANCELLED | ...
    submitted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    error      TEXT,
    -- then the counts per circuit (JSON) once fetched, and the QPU seconds the service
    -- billed for the job (job.usage()). No comment may follow either: dropping the last
    -- column, SQLite would keep it and comment out the closing parenthesis
    result     TEXT,
    usage_s    REAL
);
CREATE INDEX IF NOT EXISTS jobs_by_run ON jobs(run_id, idx);
"""
#: the tables each known version holds (version 0: none, or version 1's, unversioned)
TABLES = {1: ("runs", "circuits"), 2: ("runs", "circuits", "submissions", "jobs"),
          3: ("runs", "circuits", "submissions", "jobs"),
          4: ("runs", "circuits", "submissions", "jobs")}
#: columns a version lacks against the current schema
MISSING: dict[int, dict[str, tuple[str, ...]]] = {
    2: {"submissions": ("owner", "lease_until"), "jobs": ("usage_s",)},
    3: {"jobs": ("usage_s",)}}
OTHER_STORE = "pick another store with --store or QWALK_STORE"


def statements(script: str) -> list[str]:
    """The statements of a DDL script, to run one by one inside a transaction (sqlite3's
    ``executescript`` would commit it first)."""
    return [s.strip() for s in script.split(";") if s.strip()]


@cache
def current_columns() -> dict[str, tuple[str, ...]]:
    """Each table's columns in the current schema (read off :data:`SCHEMA` itself)."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(SCHEMA)
        return {t: tuple(r[1] for r in db.execute(f"PRAGMA table_info({t})"))
                for t in TABLES[SCHEMA_VERSION]}
    finally:
        db.close()


def expected_columns(version: int) -> dict[str, tuple[str, ...]]:
    """The tables and columns a store of ``version`` holds."""
    missing = MISSING.get(version, {})
    return {t: tuple(c for c in current_columns()[t] if c not in missing.get(t, ()))
            for t in TABLES[version]}


def tables_of(db: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    """The tables of the main database and their columns."""
    names = [r[0] for r in db.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {n: tuple(r[1] for r in db.execute(f"PRAGMA main.table_info(\"{n}\")"))
            for n in names}


def check(db: sqlite3.Connection, path: Path) -> int:
    """The store's schema version, after making sure the file is a qwalk store this qwalk
    reads: a newer version, or a database holding other tables, is refused in one line."""
    version = int(db.execute("PRAGMA main.user_version").fetchone()[0])
    if version > SCHEMA_VERSION or version < 0:
        raise QwalkError(f"result store {path} has schema version {version}, this qwalk reads "
                         f"version {SCHEMA_VERSION}; upgrade qwalk_circuits, or " + OTHER_STORE)
    found = tables_of(db)
    if version == 0:
        if not found:
            return 0  # an empty database: a new store
        if set(found) != set(TABLES[1]):
            raise QwalkError(
                f"result store {path} is a SQLite database of something else (tables: "
                f"{', '.join(sorted(found))}), not a qwalk store: qwalk leaves it as it is; "
                + OTHER_STORE)
    want = expected_columns(max(version, 1))
    others = sorted(set(found) - set(want))
    if others:  # qwalk's tables beside someone else's: not ours to stamp or migrate
        raise QwalkError(
            f"result store {path} holds tables qwalk never writes ({', '.join(others)}) "
            f"beside qwalk's: another program's database; qwalk leaves it as it is; "
            + OTHER_STORE)
    lacking: list[str] = []
    for table, columns in want.items():
        lacking += ([f"{table}.{c}" for c in columns if c not in found[table]]
                    if table in found else [table])
    if lacking:
        raise QwalkError(
            f"result store {path} is not a qwalk store of schema version {version} (it lacks "
            f"{', '.join(lacking)}): another program's database, or a damaged one; qwalk "
            f"leaves it as it is; " + OTHER_STORE)
    for table in want:  # read each table's root page: a damaged file fails here, not later
        db.execute(f"SELECT 1 FROM main.\"{table}\" LIMIT 1").fetchall()
    return version


def migration(version: int) -> list[str]:
    """The statements that bring a store of ``version`` (already :func:`check`-ed) to the
    current schema: new tables and columns only, then the version stamp."""
    if version == SCHEMA_VERSION:
        return []
    script = {2: MIGRATE_FROM_2, 3: MIGRATE_FROM_3}.get(version, SCHEMA)
    return [*statements(script), f"PRAGMA user_version = {SCHEMA_VERSION}"]


def add_read_views(db: sqlite3.Connection) -> None:
    """On a read-only connection, make an older store read as the current schema: a table
    it lacks is an empty temporary table, a column it lacks reads as NULL (a temporary
    view).  Only the connection's in-memory temp schema is written, never the file."""
    db.execute("PRAGMA temp_store = MEMORY")
    found = tables_of(db)
    for table, columns in current_columns().items():
        if table not in found:
            create = next(s for s in statements(SCHEMA)
                          if s.startswith(f"CREATE TABLE IF NOT EXISTS {table} "))
            db.execute(create.replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE", 1))
            continue
        absent = [c for c in columns if c not in found[table]]
        if absent:
            extra = ", ".join(f"NULL AS {c}" for c in absent)
            db.execute(f"CREATE TEMP VIEW {table} AS SELECT *, {extra} FROM main.{table}")
