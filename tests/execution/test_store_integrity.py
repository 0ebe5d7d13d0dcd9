"""Store integrity: concurrent writers, a process killed inside a write, schema versions."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution.store import SCHEMA_VERSION, ResultStore

ROOT = Path(__file__).resolve().parents[2]


def save(store, run_id):
    store.save_run(run_id, "coined-walk", {"steps": 2}, {"name": "aer_ideal"}, 100, 7,
                   {"run_id": run_id}, [{"label": f"c{i}", "stats": {}, "data": {"0": 100}}
                                        for i in range(20)])


WRITER = """
import sys
from qwalk_circuits.execution.store import ResultStore
store = ResultStore(sys.argv[1])
for i in range(int(sys.argv[3])):
    store.save_run(f"{sys.argv[2]}-{i}", "coined-walk", {}, {"name": "x"}, 1, 1, {},
                   [{"label": "c", "stats": {}, "data": {}} for _ in range(20)])
"""


def test_concurrent_writers_threads_and_processes(tmp_path):
    path = tmp_path / "s.sqlite"
    store = ResultStore(path)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"p{k}", "15"],
                              cwd=ROOT) for k in range(2)]
    threads = [threading.Thread(target=lambda k=k: [save(ResultStore(path), f"t{k}-{i}")
                                                    for i in range(15)]) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(p.wait(timeout=60) == 0 for p in procs)
    runs = store.list_runs(limit=1000)
    assert len(runs) == 75
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM circuits").fetchone()[0] == 75 * 20
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


KILLED = """
import os, signal, sys
from qwalk_circuits.execution.store import ResultStore
store = ResultStore(sys.argv[1])
with store._connect() as db:
    ResultStore.insert_run(db, "half", "coined-walk", {}, {"name": "x"}, 1, 1, {},
                           [{"label": "c", "stats": {}, "data": {}} for _ in range(50)])
    print("inside", flush=True)
    sys.stdin.readline()   # killed here, before the commit
"""


def test_a_process_killed_in_the_middle_of_a_write_leaves_nothing(tmp_path):
    path = tmp_path / "s.sqlite"
    ResultStore(path)
    child = subprocess.Popen([sys.executable, "-c", KILLED, str(path)], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == b"inside"
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    child.stdin.close()
    store = ResultStore(path)
    assert store.list_runs() == []
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM circuits").fetchone()[0] == 0
    save(store, "after")  # the store is usable: no lock left behind
    assert [r["run_id"] for r in store.list_runs()] == ["after"]


def test_a_version_1_store_is_migrated_keeping_its_runs(tmp_path):
    path = tmp_path / "s.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE runs (run_id TEXT PRIMARY KEY, created_at TEXT NOT NULL,
              experiment TEXT NOT NULL, params TEXT NOT NULL, backend TEXT NOT NULL,
              shots INTEGER, seed INTEGER, versions TEXT NOT NULL, summary TEXT NOT NULL);
            CREATE TABLE circuits (run_id TEXT NOT NULL, idx INTEGER NOT NULL,
              label TEXT NOT NULL, stats TEXT NOT NULL, data TEXT NOT NULL,
              PRIMARY KEY (run_id, idx));
            INSERT INTO runs VALUES ('old', '2025-01-01', 'coined-walk', '{}',
              '{"name": "aer_ideal"}', 10, 1, '{}', '{}');
            PRAGMA user_version = 1;""")
    store = ResultStore(path)
    assert [r["run_id"] for r in store.list_runs()] == ["old"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert {"submissions", "jobs"} <= tables


def test_a_version_2_store_gains_the_lease_columns_keeping_its_submissions(tmp_path):
    from qwalk_circuits.execution.ledger import Ledger
    from qwalk_circuits.execution.store import SCHEMA

    path = tmp_path / "s.sqlite"
    v2 = SCHEMA.replace(",\n    owner      TEXT,", "").replace(
        "    lease_until TEXT            -- ISO UTC time the owner's lease ends unless renewed\n",
        "").replace(USAGE_LINES, "    result     TEXT\n")
    assert "lease_until" not in v2 and "owner" not in v2 and "usage_s" not in v2
    with sqlite3.connect(path) as db:
        db.executescript(v2 + """
            INSERT INTO submissions VALUES ('sub', '2025-01-01', '2025-01-01', 'submitted',
              'coined-walk', '{}', '{}', 'fake_fez', 10, 1, '[]', NULL);
            PRAGMA user_version = 2;""")
    store = ResultStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 4
        columns = [r[1] for r in db.execute("PRAGMA table_info(submissions)")]
        assert [r[1] for r in db.execute("PRAGMA table_info(jobs)")][-1] == "usage_s"
    assert columns[-2:] == ["owner", "lease_until"]
    sub = Ledger(store).submission("sub")
    assert sub["status"] == "submitted" and sub["owner"] is None


USAGE_LINES = "    result     TEXT,\n    usage_s    REAL\n"


def test_a_version_3_store_gains_the_usage_column_keeping_its_jobs(tmp_path):
    from qwalk_circuits.execution.ledger import Ledger
    from qwalk_circuits.execution.store import SCHEMA

    path = tmp_path / "s.sqlite"
    assert USAGE_LINES in SCHEMA
    v3 = SCHEMA.replace(USAGE_LINES, "    result     TEXT\n")
    with sqlite3.connect(path) as db:
        db.executescript(v3 + """
            INSERT INTO submissions VALUES ('sub', '2025-01-01', '2025-01-01', 'submitted',
              'coined-walk', '{}', '{}', 'fake_fez', 10, 1, '[]', NULL, NULL, NULL);
            INSERT INTO jobs VALUES ('job-1', 'sub', 0, 'circuits', '[0]', 'DONE',
              '2025-01-01', '2025-01-01', NULL, '[{"0": 10}]');
            PRAGMA user_version = 3;""")
    store = ResultStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 4
    job = Ledger(store).jobs("sub")[0]
    assert job["result"] == [{"0": 10}] and job["usage_s"] is None
    Ledger(store).update_job("job-1", "DONE", usage_s=2.5)
    assert Ledger(store).jobs("sub")[0]["usage_s"] == 2.5


def test_a_newer_store_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(QwalkError, match="upgrade qwalk_circuits"):
        ResultStore(path)


def test_two_fetchers_finish_a_run_once(tmp_path):
    from qwalk_circuits.execution.ledger import Ledger

    store = ResultStore(tmp_path / "s.sqlite")
    ledger = Ledger(store)
    ledger.create("r", "coined-walk", {}, {"name": "x"}, "fake_manila", 10, 1, [])
    results = []
    barrier = threading.Barrier(4)

    def fetch():
        barrier.wait()
        results.append(ledger.finish("r", {"run_id": "r"}, {"name": "x"},
                                     [{"label": "c", "stats": {}, "data": {}}]))
        time.sleep(0)

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert ledger.submission("r")["status"] == "done" and len(store.list_runs()) == 1
