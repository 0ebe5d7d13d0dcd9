"""The SQLite store: round trip, atomic writes, schema version check."""

from __future__ import annotations

import sqlite3

import pytest

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution.store import ResultStore


def save(store, run_id="r1", circuits=None):
    store.save_run(run_id, "coined-walk", {"steps": 2}, {"name": "aer_ideal"}, 100, 7,
                   {"run_id": run_id, "times": [0, 1]},
                   circuits if circuits is not None else
                   [{"label": "c0", "stats": {"depth": 1}, "data": {"0": 100}}])


def test_round_trip(tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    save(store)
    run = store.get_run("r1")
    assert run["params"] == {"steps": 2} and run["seed"] == 7 and run["shots"] == 100
    assert run["circuits"][0]["data"] == {"0": 100}
    assert "qiskit" in run["versions"]
    assert run["created_at"].endswith("+00:00")  # UTC, whatever the local zone
    assert [r["run_id"] for r in store.list_runs()] == ["r1"]


def test_failed_write_leaves_nothing(tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    with pytest.raises(TypeError):
        save(store, circuits=[{"label": "c0", "stats": {}, "data": object()}])  # not JSON
    assert store.list_runs() == []
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT COUNT(*) FROM circuits").fetchone()[0] == 0


def test_unknown_run_says_what_to_do(tmp_path):
    with pytest.raises(QwalkError, match="qwalk results list"):
        ResultStore(tmp_path / "s.sqlite").get_run("nope")


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(QwalkError, match="schema version 99"):
        ResultStore(path)


def test_default_location_follows_env(tmp_path, monkeypatch):
    monkeypatch.setenv("QWALK_STORE", str(tmp_path / "x.sqlite"))
    assert ResultStore().path == tmp_path / "x.sqlite"


def test_default_location_without_qwalk_store_or_xdg(tmp_path, monkeypatch):
    from qwalk_circuits.execution.store import default_store_path

    monkeypatch.delenv("QWALK_STORE")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_store_path() == tmp_path / ".local" / "share" / "qwalk" / "runs.sqlite"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_store_path() == tmp_path / "data" / "qwalk" / "runs.sqlite"


def test_a_read_only_store_reads_the_runs_of_the_file_and_creates_nothing(tmp_path,
                                                                         monkeypatch):
    save(ResultStore(tmp_path / "s.sqlite"))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a URI opened as a plain name would create a file here
    store = ResultStore(tmp_path / "s.sqlite", read_only=True)
    assert [r["run_id"] for r in store.list_runs()] == ["r1"]
    assert store.get_run("r1")["params"] == {"steps": 2}
    assert list(elsewhere.iterdir()) == []


def test_run_ids_sort_by_utc_time_whatever_the_local_zone(monkeypatch):
    import re
    import time
    from datetime import UTC, datetime

    from qwalk_circuits.execution.store import new_run_id

    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: a local clock would show
    time.tzset()
    try:
        run_id = new_run_id()
        stamp = datetime.strptime(run_id[:15], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert re.fullmatch(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{6}", run_id)
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60
    assert new_run_id() != new_run_id()
