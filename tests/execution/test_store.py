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
