"""The words of SQLite's messages that choose the store's advice, each spelling the code
matches ("busy" beside "locked", "read only" and "read-only" beside "readonly", "corrupt"
beside "malformed")."""

from __future__ import annotations

import pytest

from qwalk_circuits.execution.store_open import store_error

OTHER = "pick another store with --store or QWALK_STORE"


@pytest.mark.parametrize(("sqlite_text", "read_only", "expected"), [
    ("database is busy", False,
     "result store {path} is locked: another process held a write transaction for the 4 s "
     "qwalk waits; let it finish and retry, raise QWALK_STORE_TIMEOUT_S, or {other}"),
    ("attempt to write a read only database", False,
     "result store {path} is read-only (qwalk writes the file and SQLite creates a journal "
     "beside it, in {folder}); make both writable, or {other}"),
    ("attempt to write a read only database", True,
     "result store {path} was opened only to read, and this step writes to it (a bug in "
     "qwalk: please report it)"),
    ("database file is corrupt", False,
     "result store {path} is damaged (SQLite: database file is corrupt; truncated or "
     "overwritten); restore it from a backup or move it aside, or {other}")])
def test_each_spelling_of_a_failure_gets_its_advice(tmp_path, sqlite_text, read_only,
                                                     expected):
    """The whole line the user reads, for the spellings the first table does not use."""
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"")
    message = str(store_error(path, sqlite_text, read_only, 4.0))
    assert message == expected.format(path=path, folder=tmp_path, other=OTHER)

