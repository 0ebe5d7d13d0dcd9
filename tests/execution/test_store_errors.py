"""A broken result store is one line, never a sqlite3 traceback, and stays as it was.

Table-driven: every kind of broken store (:data:`KINDS`) x every way in (:data:`SURFACES`:
the Python API's ResultStore, Ledger and run, the CLI's results list/show, jobs list and
run).  Each case asserts the error is a QwalkError / exit status 2 with one line that names
the store's path (no traceback, no sqlite3 class name), or, where the surface only reads
and the store can be read (a read-only or write-locked store), that it works; and in
every case that the store's bytes and its folder's listing are unchanged.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qwalk_circuits.cli import main
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.execution.store import ResultStore

ROOT = Path(__file__).resolve().parents[2]
PAGE = 4096
RUN_ARGS = ["run", "coined-walk", "--set", "position_qubits=3", "--set", "steps=2"]
SQLITE_NAMES = ("Traceback", "sqlite3", "OperationalError", "DatabaseError",
                "IntegrityError", "ProgrammingError")
#: the kinds a command that only reads still reads
READABLE = {"readonly-file", "readonly-dir", "write-locked"}


def good_store(path: Path) -> None:
    """A version-3 store with a few runs over many pages (so it can be cut or garbled)."""
    store = ResultStore(path)
    for i in range(12):
        store.save_run(f"r{i}", "coined-walk", {"steps": 2}, {"name": "aer_ideal"}, 100, 7,
                       {"run_id": f"r{i}", "pad": "s" * 2000},
                       [{"label": "c0", "stats": {}, "data": {"pad": "d" * 4000}}])
    with sqlite3.connect(path) as db:  # a device run in the ledger
        db.execute("INSERT INTO submissions (run_id, created_at, updated_at, status, "
                   "experiment, params, config, device, shots, seed, circuits) VALUES "
                   "('s0', '2025-01-01', '2025-01-01', 'submitted', 'coined-walk', '{}', '{}', "
                   "'fake_fez', 10, 1, '[]')")
    db.close()


def truncate(path: Path, ctx: Context) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def garble(path: Path, ctx: Context) -> None:
    data = bytearray(path.read_bytes())
    rng = random.Random(12)
    for i in range(PAGE, len(data) - PAGE):  # every page but the first and the last
        data[i] = rng.randrange(256)
    path.write_bytes(bytes(data))


def text_file(path: Path, ctx: Context) -> None:
    path.write_text("these are my notes, not a database\n" * 50)


def png_file(path: Path, ctx: Context) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)


def directory(path: Path, ctx: Context) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside.txt").write_text("a folder named like the store")


def foreign(path: Path, ctx: Context) -> None:
    path.unlink()
    with sqlite3.connect(path) as db:
        db.executescript("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                         "CREATE TABLE orders (id INTEGER, user_id INTEGER);"
                         "INSERT INTO users VALUES (1, 'ada');")
    db.close()


def foreign_versioned(path: Path, ctx: Context) -> None:
    """Someone else's database that happens to carry a user_version qwalk knows."""
    foreign(path, ctx)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 2")
    db.close()


def foreign_lookalike(path: Path, ctx: Context) -> None:
    """Tables named and shaped like a version-1 store's, beside someone else's, unversioned:
    not an empty database nor exactly a version-1 store, so never migrated."""
    with sqlite3.connect(path) as db:
        db.executescript("DROP TABLE jobs; DROP TABLE submissions; PRAGMA user_version = 0;"
                         "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);")
    db.close()


def foreign_same_names(path: Path, ctx: Context) -> None:
    """qwalk's table names with other columns, and qwalk's current version number."""
    path.unlink()
    with sqlite3.connect(path) as db:
        db.executescript("CREATE TABLE runs (id INTEGER, name TEXT);"
                         "CREATE TABLE circuits (id INTEGER); CREATE TABLE submissions (id);"
                         "CREATE TABLE jobs (id); INSERT INTO runs VALUES (1, 'x');"
                         "PRAGMA user_version = 3;")
    db.close()


def foreign_beside_version_1(path: Path, ctx: Context) -> None:
    """A version-1 store's tables and version beside someone else's table."""
    with sqlite3.connect(path) as db:
        db.executescript("DROP TABLE jobs; DROP TABLE submissions; PRAGMA user_version = 1;"
                         "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);")
    db.close()


def foreign_beside_current(path: Path, ctx: Context) -> None:
    """Today's store, with a table qwalk never writes added by another program."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.close()


def newer(path: Path, ctx: Context) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()


def read_only_file(path: Path, ctx: Context) -> None:
    ctx.make_read_only(path)


def read_only_dir(path: Path, ctx: Context) -> None:
    ctx.make_read_only(path.parent)


LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN " + sys.argv[2])   # EXCLUSIVE: nobody reads; IMMEDIATE: nobody else writes
print("locked", flush=True)
sys.stdin.readline()
"""


def locked(path: Path, ctx: Context) -> None:
    ctx.lock(path, "EXCLUSIVE")


def write_locked(path: Path, ctx: Context) -> None:
    ctx.lock(path, "IMMEDIATE")


KINDS: dict[str, Callable[[Path, Context], None]] = {
    "truncated": truncate, "corrupted": garble, "text": text_file, "png": png_file,
    "directory": directory, "foreign": foreign, "foreign-versioned": foreign_versioned,
    "foreign-lookalike": foreign_lookalike, "foreign-same-names": foreign_same_names,
    "foreign-beside-v1": foreign_beside_version_1, "foreign-beside-v3": foreign_beside_current,
    "newer": newer, "readonly-file": read_only_file, "readonly-dir": read_only_dir,
    "locked": locked, "write-locked": write_locked}


@dataclass
class Context:
    """What a case set up and must undo: read-only flags, a locking process."""

    undo: list[Callable[[], None]]

    def make_read_only(self, target: Path) -> None:
        mode = target.stat().st_mode
        target.chmod(0o555 if target.is_dir() else 0o444)
        self.undo.append(lambda: target.chmod(mode))
        if os.geteuid() == 0:  # root ignores modes: the immutable flag stops it too
            if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode:
                pytest.skip("running as root without chattr: cannot make a read-only store")
            self.undo.append(lambda: subprocess.run(["chattr", "-i", str(target)], check=True))

    def lock(self, path: Path, how: str) -> None:
        child = subprocess.Popen([sys.executable, "-c", LOCKER, str(path), how],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == b"locked"

        def release() -> None:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.close()
            child.wait(timeout=30)
            child.stdout.close()

        self.undo.append(release)


@pytest.fixture
def ctx(monkeypatch) -> Iterator[Context]:
    monkeypatch.setenv("QWALK_STORE_TIMEOUT_S", "0.2")
    context = Context([])
    yield context
    for step in reversed(context.undo):
        step()


# -- the surfaces: each returns (error message or None, output) -----------------------------

def cli(argv: list[str], capsys) -> tuple[str | None, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    lines = err.splitlines()
    if code == 0:
        return None, out + err
    assert code == 2, (code, err)
    assert len(lines) == 1 and lines[0].startswith("qwalk: error: "), err
    return lines[0], out + err


def no_work(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the run started working before its store was checked")


@dataclass(frozen=True)
class Surface:
    """One way into the store; ``opened_first``: the store object exists before the file
    breaks (a store that breaks while a command holds it); ``reads``: it only reads."""

    call: Callable[[Path, Any, Any], tuple[str | None, str]]
    reads: bool
    opened_first: bool | None = None  # None: not opened first; else read_only


def api_open(path: Path, store: Any, capsys: Any) -> tuple[str | None, str]:
    ResultStore(path)
    return None, ""


def api_open_read(path: Path, store: Any, capsys: Any) -> tuple[str | None, str]:
    ResultStore(path, read_only=True).list_runs()
    return None, ""


def ledger_write(path: Path, store: Any, capsys: Any) -> tuple[str | None, str]:
    Ledger(store).set_status("s0", "failed", "a write through the ledger")
    return None, ""


def ledger_read(path: Path, store: Any, capsys: Any) -> tuple[str | None, str]:
    Ledger(store).runs()
    return None, ""


def api_run(path: Path, store: Any, capsys: Any) -> tuple[str | None, str]:
    from qwalk_circuits.experiments import get_experiment
    from qwalk_circuits.pipeline import run

    os.environ["QWALK_STORE"] = str(path)  # (monkeypatched by the test)
    run(get_experiment("coined-walk").from_settings({"position_qubits": 3, "steps": 2}))
    return None, ""


SURFACES: dict[str, Surface] = {
    "api:ResultStore": Surface(api_open, reads=False),
    "api:ResultStore(read_only).list_runs": Surface(api_open_read, reads=True),
    "api:Ledger.set_status": Surface(ledger_write, reads=False, opened_first=False),
    "api:Ledger(read_only).runs": Surface(ledger_read, reads=True, opened_first=True),
    "api:run": Surface(api_run, reads=False),
    "cli:results list": Surface(lambda p, s, c: cli(["--store", str(p), "results", "list"], c),
                                reads=True),
    "cli:results show": Surface(
        lambda p, s, c: cli(["--store", str(p), "results", "show", "r0", "--json"], c), reads=True),
    "cli:jobs list": Surface(lambda p, s, c: cli(["--store", str(p), "jobs", "list"], c),
                             reads=True),
    "cli:run": Surface(lambda p, s, c: cli(["--store", str(p), *RUN_ARGS], c), reads=False),
}


def fingerprint(path: Path) -> tuple[Any, ...]:
    """The store's bytes (a folder: its listing) and its folder's listing."""
    content: Any = (sorted(os.listdir(path)) if path.is_dir() else
                    hashlib.sha256(path.read_bytes()).hexdigest())
    return content, sorted(os.listdir(path.parent))


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory) -> bytes:
    """A good store's bytes, built once (each case starts from a copy)."""
    path = tmp_path_factory.mktemp("good") / "runs.sqlite"
    good_store(path)
    return path.read_bytes()


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_broken_store_is_one_line_and_stays_as_it_was(kind, surface, tmp_path, ctx,
                                                        monkeypatch, capsys, good_bytes):
    how = SURFACES[surface]
    path = tmp_path / "store" / "runs.sqlite"
    path.parent.mkdir()
    path.write_bytes(good_bytes)
    monkeypatch.setenv("QWALK_STORE", str(path))
    monkeypatch.setattr("qwalk_circuits.pipeline.prepare", no_work)
    store = None if how.opened_first is None else ResultStore(path, read_only=how.opened_first)
    KINDS[kind](path, ctx)
    before = fingerprint(path)
    try:
        message, output = how.call(path, store, capsys)
    except QwalkError as exc:
        message, output = str(exc), str(exc)
    works = how.reads and kind in READABLE
    if works:
        assert message is None, message
    else:
        assert message is not None, f"{surface} on a {kind} store did not fail"
        assert "\n" not in message and str(path) in message, message
    assert not any(name in output for name in SQLITE_NAMES), output
    assert fingerprint(path) == before


def test_the_cli_in_a_real_process_exits_2_with_one_line(tmp_path):
    """The same through ``python -m qwalk_circuits.cli``: a damaged store, then a foreign
    one given to a run (refused before any work: no tables added)."""
    path = tmp_path / "runs.sqlite"
    good_store(path)
    garble(path, Context([]))
    before = fingerprint(path)
    for argv in (["results", "list"], RUN_ARGS):
        done = subprocess.run([sys.executable, "-m", "qwalk_circuits.cli", "--store",
                               str(path), *argv], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 2 and done.stdout == "", done
        assert done.stderr.count("\n") == 1 and str(path) in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert fingerprint(path) == before


def test_the_lock_timeout_is_read_from_the_environment(monkeypatch, tmp_path):
    from qwalk_circuits.execution.store_open import store_timeout

    monkeypatch.delenv("QWALK_STORE_TIMEOUT_S", raising=False)
    assert store_timeout() == 30
    monkeypatch.setenv("QWALK_STORE_TIMEOUT_S", "1.5")
    assert store_timeout() == 1.5 and ResultStore(tmp_path / "s.sqlite").timeout_s == 1.5
    for bad in ("soon", "-1", "nan", "inf"):
        monkeypatch.setenv("QWALK_STORE_TIMEOUT_S", bad)
        with pytest.raises(QwalkError) as caught:
            store_timeout()
        assert str(caught.value) == (f"QWALK_STORE_TIMEOUT_S={bad!r}: give the seconds to wait "
                                     "for a locked result store as a number >= 0 (e.g. 30)")


def test_a_store_whose_folder_cannot_be_created_says_why_and_what_to_do(tmp_path):
    """A store path under a regular file (a typo in QWALK_STORE): one line naming the
    store, the folder it needed and the OS's reason, and how to pick another store."""
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    path = blocker / "qwalk" / "runs.sqlite"
    with pytest.raises(QwalkError) as caught:
        ResultStore(path)
    message = str(caught.value)
    assert message.startswith(f"result store {path}: cannot create its folder {path.parent} (")
    assert message.endswith("; pick another store with --store or QWALK_STORE")
    assert "\n" not in message and blocker.read_text() == "not a folder"


OTHER = "pick another store with --store or QWALK_STORE"


@pytest.mark.parametrize(("state", "sqlite_text", "read_only", "expected"), [
    ("file", "database is locked", False,
     "result store {path} is locked: another process held a write transaction for the 2.5 s "
     "qwalk waits; let it finish and retry, raise QWALK_STORE_TIMEOUT_S, or {other}"),
    ("dir", "unable to open database file", True,
     "result store {path} is a directory, not a store file; name a file, or {other}"),
    ("journal", "attempt to write a readonly database", True,
     "result store {path} holds an interrupted write (s.sqlite-journal) that a command which "
     "only reads cannot roll back; a command that writes (any 'qwalk run', or python -c "
     "\"import qwalk_circuits as q; q.ResultStore('{path}')\") rolls it back first"),
    ("file", "attempt to write a readonly database", True,
     "result store {path} was opened only to read, and this step writes to it (a bug in "
     "qwalk: please report it)"),
    ("file", "attempt to write a read-only database", False,
     "result store {path} is read-only (qwalk writes the file and SQLite creates a journal "
     "beside it, in {folder}); make both writable, or {other}"),
    ("missing", "unable to open database file", True,
     "there is no result store at {path} (nothing has been run with it yet); {other}"),
    ("file", "unable to open database file", True,
     "result store {path} cannot be opened for reading (check its permissions), or {other}"),
    ("file", "unable to open database file", False,
     "result store {path} cannot be written: SQLite creates a journal beside it, in {folder}; "
     "make that folder writable, or {other}"),
    ("missing", "unable to open database file", False,
     "result store {path} cannot be created (is {folder} a writable folder?), or {other}"),
    ("file", "file is not a database", True,
     "result store {path} is not a SQLite database (another kind of file, or overwritten); "
     "qwalk leaves it as it is: move it aside, or {other}"),
    ("file", "database disk image is malformed", False,
     "result store {path} is damaged (SQLite: database disk image is malformed; truncated or "
     "overwritten); restore it from a backup or move it aside, or {other}"),
    ("file", "disk I/O error", False,
     "result store {path} cannot be used (SQLite: disk I/O error); {other}")])
def test_each_sqlite_failure_reads_as_what_is_wrong_and_what_to_do(tmp_path, state, sqlite_text,
                                                                   read_only, expected):
    """SQLite's message, the store's state and how it was opened choose the advice: the
    whole line the user reads, per case."""
    from qwalk_circuits.execution.store_open import store_error

    path = tmp_path / "s.sqlite"
    if state == "dir":
        path.mkdir()
    elif state != "missing":
        path.write_bytes(b"")
    if state == "journal":
        path.with_name("s.sqlite-journal").write_bytes(b"x")
    message = str(store_error(path, sqlite_text, read_only, 2.5))
    assert message == expected.format(path=path, folder=tmp_path, other=OTHER)
