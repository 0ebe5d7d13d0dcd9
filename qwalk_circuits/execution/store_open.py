"""Opening the result store's SQLite file, and SQLite's failures as one-line errors.

Every connection to the store goes through :func:`guarded`: a store that is damaged, not
SQLite, a directory, read-only, or locked past the timeout raises :class:`QwalkError`
naming the path and what to do, never a sqlite3 traceback.  Constraint violations
(``sqlite3.IntegrityError``) and programming errors pass through: callers act on the
first (a run finished twice), the second are bugs.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import QwalkError
from .store_schema import OTHER_STORE

#: seconds a command waits for another process's write transaction to end
DEFAULT_TIMEOUT_S = 30.0
TIMEOUT_ENV = "QWALK_STORE_TIMEOUT_S"
#: the sqlite3 errors that mean "this file cannot be used as a store", not a bug
PASSED_THROUGH = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)


def store_timeout() -> float:
    """The lock timeout in seconds: QWALK_STORE_TIMEOUT_S, else 30."""
    text = os.environ.get(TIMEOUT_ENV)
    if text is None or not text.strip():
        return DEFAULT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise QwalkError(f"{TIMEOUT_ENV}={text!r}: give the seconds to wait for a locked "
                         "result store as a number >= 0 (e.g. 30)")
    return value


def connect(path: Path, read_only: bool, timeout_s: float) -> sqlite3.Connection:
    """A connection to the store file; ``read_only`` opens it with SQLite's ``mode=ro``
    (never creates, migrates or writes it)."""
    if read_only:
        uri = path.resolve().as_uri() + "?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=timeout_s)
    else:
        db = sqlite3.connect(path, timeout=timeout_s)
    db.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
    return db


@contextmanager
def guarded(path: Path, read_only: bool, timeout_s: float) -> Iterator[None]:
    """Run the block, turning SQLite's and the file system's failures on the store at
    ``path`` into one-line :class:`QwalkError`\\ s."""
    try:
        yield
    except PASSED_THROUGH:
        raise
    except sqlite3.Error as exc:
        raise store_error(path, str(exc), read_only, timeout_s) from None


def make_folder(path: Path) -> None:
    """Create the store's folder (a store that writes may be new)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QwalkError(f"result store {path}: cannot create its folder {path.parent} "
                         f"({exc.strerror or exc}); {OTHER_STORE}") from None


def store_error(path: Path, text: str, read_only: bool, timeout_s: float) -> QwalkError:
    """What went wrong with the store at ``path``, given SQLite's message, and what to do."""
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return QwalkError(
            f"result store {path} is locked: another process held a write transaction for "
            f"the {timeout_s:g} s qwalk waits; let it finish and retry, raise {TIMEOUT_ENV}, "
            f"or {OTHER_STORE}")
    if path.is_dir():
        return QwalkError(f"result store {path} is a directory, not a store file; name a file, or "
                          f"{OTHER_STORE}")
    if "readonly" in lowered.replace("-", "").replace(" ", ""):
        if read_only:
            journal = path.with_name(path.name + "-journal")
            if journal.exists():
                return QwalkError(
                    f"result store {path} holds an interrupted write ({journal.name}) that a "
                    "command which only reads cannot roll back; a command that writes (any "
                    "'qwalk run', or python -c \"import qwalk_circuits as q; "
                    f"q.ResultStore('{path}')\") rolls it back first")
            return QwalkError(f"result store {path} was opened only to read, and this step "
                              "writes to it (a bug in qwalk: please report it)")
        return QwalkError(
            f"result store {path} is read-only (qwalk writes the file and SQLite creates a "
            f"journal beside it, in {path.parent}); make both writable, or {OTHER_STORE}")
    if "unable to open" in lowered:
        if read_only and not path.exists():
            return QwalkError(f"there is no result store at {path} (nothing has been run with "
                              f"it yet); {OTHER_STORE}")
        if read_only:
            return QwalkError(f"result store {path} cannot be opened for reading (check its "
                              f"permissions), or {OTHER_STORE}")
        if path.exists():
            return QwalkError(
                f"result store {path} cannot be written: SQLite creates a journal beside it, "
                f"in {path.parent}; make that folder writable, or {OTHER_STORE}")
        return QwalkError(f"result store {path} cannot be created (is {path.parent} a "
                          f"writable folder?), or {OTHER_STORE}")
    if "not a database" in lowered:
        return QwalkError(f"result store {path} is not a SQLite database (another kind of "
                          f"file, or overwritten); qwalk leaves it as it is: move it aside, or "
                          f"{OTHER_STORE}")
    if "malformed" in lowered or "corrupt" in lowered:
        return QwalkError(f"result store {path} is damaged (SQLite: {text}; truncated or "
                          f"overwritten); restore it from a backup or move it aside, or "
                          f"{OTHER_STORE}")
    return QwalkError(f"result store {path} cannot be used (SQLite: {text}); {OTHER_STORE}")
