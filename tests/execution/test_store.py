"""The SQLite store: round trip, atomic writes, schema version check, read-only opening
(also where SQLite reads no URI unless told), a new store's missing folders."""

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
    assert run["circuits"][0]["stats"] == {"depth": 1} and run["circuits"][0]["label"] == "c0"
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
    store = ResultStore(tmp_path / "s.sqlite")
    with pytest.raises(QwalkError) as caught:
        store.get_run("nope")
    assert str(caught.value) == f"no run 'nope' in {store.path}; see 'qwalk results list'"


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


def test_a_read_only_store_opens_where_sqlite_reads_no_uri_unless_told(tmp_path, monkeypatch):
    """SQLite builds without SQLITE_USE_URI (this one has it) read a ``file:`` URI as a
    plain file name unless ``uri=True`` is given: emulated here, a read-only store still
    opens the file itself, read-only."""
    save(ResultStore(tmp_path / "s.sqlite"))
    real_connect = sqlite3.connect

    def connect_without_use_uri(database, *args, **kwargs):
        if isinstance(database, str) and database.startswith("file:") and not kwargs.get("uri"):
            database = "./" + database  # what such a build opens: a relative file name
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect_without_use_uri)
    monkeypatch.chdir(tmp_path)
    store = ResultStore(tmp_path / "s.sqlite", read_only=True)
    assert [r["run_id"] for r in store.list_runs()] == ["r1"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("file:")]


def test_a_new_store_creates_every_missing_folder_above_it(tmp_path):
    path = tmp_path / "a" / "b" / "s.sqlite"  # two folders that do not exist yet
    save(ResultStore(path))
    assert [r["run_id"] for r in ResultStore(path, read_only=True).list_runs()] == ["r1"]


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


def test_a_run_records_the_installed_versions_of_the_packages_it_depends_on(tmp_path):
    """Reproducing a run needs the versions it ran with: the installed ones, as the
    package metadata gives them (a missing package reads 'not installed')."""
    from importlib import metadata

    from qwalk_circuits.execution.store import VERSIONED_PACKAGES

    store = ResultStore(tmp_path / "s.sqlite")
    save(store)
    versions = store.get_run("r1")["versions"]
    assert set(versions) == set(VERSIONED_PACKAGES)
    for name in ("qiskit", "numpy", "scipy"):
        assert versions[name] == metadata.version(name)


def test_the_run_list_names_each_runs_backend(tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    save(store)
    store.save_run("r2", "coined-walk", {}, {"kind": "aer"}, 10, 1, {}, [])  # no name: '?'
    assert {r["run_id"]: r["backend"] for r in store.list_runs()} == {
        "r1": "aer_ideal", "r2": "?"}


def test_the_run_list_holds_each_runs_own_fields(tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    save(store)
    (row,) = store.list_runs()
    assert row["experiment"] == "coined-walk" and row["shots"] == 100
    assert row["created_at"] == store.get_run("r1")["created_at"]


OTHER = "pick another store with --store or QWALK_STORE"


def _newer(db):
    db.execute("PRAGMA user_version = 99")


def _foreign(db):
    db.executescript("CREATE TABLE users (id INTEGER); CREATE TABLE orders (id INTEGER);")


def _beside(db):
    db.execute("CREATE TABLE users (id INTEGER)")


def _lacking(db):
    db.executescript("DROP TABLE jobs; ALTER TABLE submissions DROP COLUMN lease_until;")


@pytest.mark.parametrize(("kind", "edit", "expected"), [
    ("empty", _newer, "result store {path} has schema version 99, this qwalk reads version "
     "{version}; upgrade qwalk_circuits, or {other}"),
    ("empty", _foreign, "result store {path} is a SQLite database of something else (tables: "
     "orders, users), not a qwalk store: qwalk leaves it as it is; {other}"),
    ("store", _beside, "result store {path} holds tables qwalk never writes (users) beside "
     "qwalk's: another program's database; qwalk leaves it as it is; {other}"),
    ("store", _lacking, "result store {path} is not a qwalk store of schema version {version} "
     "(it lacks submissions.lease_until, jobs): another program's database, or a damaged one; "
     "qwalk leaves it as it is; {other}")])
def test_a_database_that_is_not_this_qwalks_store_is_refused_saying_why(tmp_path, kind, edit,
                                                                        expected):
    from qwalk_circuits.execution.store_schema import SCHEMA_VERSION

    path = tmp_path / "s.sqlite"
    if kind == "store":
        ResultStore(path)
    with sqlite3.connect(path) as db:
        edit(db)
    db.close()
    for read_only in (False, True):
        with pytest.raises(QwalkError) as caught:
            ResultStore(path, read_only=read_only)
        assert str(caught.value) == expected.format(path=path, version=SCHEMA_VERSION,
                                                    other=OTHER)
