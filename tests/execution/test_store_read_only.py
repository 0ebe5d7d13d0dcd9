"""Commands that only read (results list/show/reanalyse, jobs list/status) never change a
store: no table created, no migration, no version stamp, no file beside it, on a store of
every schema version; an older store is read as it is.  ResultStore(read_only=True)
underneath: never creates, never writes."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qwalk_circuits.cli import main
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.execution.store import SCHEMA_VERSION, ResultStore

ROOT = Path(__file__).resolve().parents[2]
SUBMISSION = ("INSERT INTO submissions (run_id, created_at, updated_at, status, experiment, "
              "params, config, device, shots, seed, circuits) VALUES ('dev', '2025-01-01', "
              "'2025-01-01', 'submitted', 'coined-walk', '{}', '{}', 'fake_fez', 10, 1, '[]')")
JOB = ("INSERT INTO jobs (job_id, run_id, idx, role, circuits, status, submitted_at, "
       "updated_at, error, result) VALUES ('job-1', 'dev', 0, 'circuits', '[0]', 'QUEUED', "
       "'2025-01-01', '2025-01-01', NULL, NULL)")


@pytest.fixture(scope="module")
def v3_with_a_run(tmp_path_factory) -> tuple[Path, str]:
    """A current store holding one real Aer run (so it can be shown and re-analysed) and a
    device submission with a job."""
    from qwalk_circuits.experiments import get_experiment
    from qwalk_circuits.pipeline import run

    path = tmp_path_factory.mktemp("v3") / "runs.sqlite"
    experiment = get_experiment("coined-walk").from_settings({"position_qubits": 3, "steps": 2})
    record = run(experiment, "aer_ideal", shots=200, seed=3, store=ResultStore(path),
                 progress=False)
    with sqlite3.connect(path) as db:
        db.execute(SUBMISSION)
        db.execute(JOB)
    db.close()
    return path, record.summary["run_id"]


def at_version(source: Path, target: Path, version: int) -> Path:
    """A copy of ``source`` as a store of schema ``version`` would hold it."""
    target.write_bytes(source.read_bytes())
    db = sqlite3.connect(target)
    if version in (2, 3):
        db.execute("ALTER TABLE jobs DROP COLUMN usage_s")
    if version == 2:
        db.execute("ALTER TABLE submissions DROP COLUMN lease_until")
        db.execute("ALTER TABLE submissions DROP COLUMN owner")
    if version == 1:
        db.executescript("DROP INDEX jobs_by_run; DROP TABLE jobs; DROP TABLE submissions;")
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.execute("VACUUM")
    db.close()
    return target


def state(path: Path) -> tuple[str, list[str]]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(os.listdir(path.parent))


READERS = [["results", "list"], ["results", "show", "{run}"], ["results", "show", "{run}",
           "--json"], ["results", "reanalyse", "{run}"], ["jobs", "list"],
           ["jobs", "status", "dev"]]


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_read_only_commands_leave_every_version_as_it_was(version, v3_with_a_run, tmp_path,
                                                          capsys):
    source, run_id = v3_with_a_run
    path = at_version(source, tmp_path / "runs.sqlite", version)
    before = state(path)
    outputs = {}
    for argv in READERS:
        argv = [a.format(run=run_id) for a in argv]
        code = main(["--store", str(path), *argv])
        out, err = capsys.readouterr()
        outputs[" ".join(argv[:2])] = out
        assert "Traceback" not in err and "sqlite3" not in err, err
        if argv[:2] == ["jobs", "status"] and version == 1:  # no ledger yet: no such run
            assert code == 2 and err.count("\n") == 1 and "no submitted run 'dev'" in err
        else:
            assert code == 0, (argv, err)
        assert state(path) == before, f"'qwalk {' '.join(argv)}' changed a version-{version} store"
    assert run_id in outputs["results list"]
    if version == 1:
        assert outputs["jobs list"].startswith("no submitted runs in")
    else:
        assert "dev" in outputs["jobs list"] and "job-1" in outputs["jobs status"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == version
    db.close()


def test_a_command_that_writes_upgrades_an_old_store(v3_with_a_run, tmp_path):
    path = at_version(v3_with_a_run[0], tmp_path / "runs.sqlite", 1)
    assert ResultStore(path, read_only=True).version == 1
    assert ResultStore(path).version == SCHEMA_VERSION
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_an_old_store_reads_as_the_current_schema(v3_with_a_run, tmp_path):
    source, run_id = v3_with_a_run
    v2 = ResultStore(at_version(source, tmp_path / "v2.sqlite", 2), read_only=True)
    sub = Ledger(v2).submission("dev")
    assert sub["status"] == "submitted" and sub["owner"] is None and sub["lease_until"] is None
    v1 = ResultStore(at_version(source, tmp_path / "v1.sqlite", 1), read_only=True)
    assert Ledger(v1).runs() == [] and not Ledger(v1).has_submission(run_id)
    assert v1.get_run(run_id)["run_id"] == run_id


def test_a_read_only_store_is_never_created_or_written(tmp_path, v3_with_a_run):
    missing = tmp_path / "nowhere" / "runs.sqlite"
    with pytest.raises(QwalkError, match="no result store at"):
        ResultStore(missing, read_only=True)
    assert not missing.parent.exists()
    path = at_version(v3_with_a_run[0], tmp_path / "runs.sqlite", 3)
    before = state(path)
    with pytest.raises(QwalkError, match="opened only to read") as caught:
        Ledger(ResultStore(path, read_only=True)).set_status("dev", "failed")
    assert str(path) in str(caught.value) and state(path) == before


def test_an_empty_database_reads_as_an_empty_store(tmp_path, capsys):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"")
    assert main(["--store", str(path), "results", "list"]) == 0
    assert main(["--store", str(path), "jobs", "list"]) == 0
    assert capsys.readouterr().out.count("\n") == 2 and path.read_bytes() == b""


KILLED = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA cache_size = 1")   # spill: the half-written pages reach the file
db.execute("BEGIN IMMEDIATE")
for i in range(300):
    db.execute("INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?)",
               (f"h{i}", "t", "e", "{}", "{}", 1, 1, "{}", "x" * 3000))
print("inside", flush=True)
sys.stdin.readline()
"""


def test_an_interrupted_write_is_left_for_a_command_that_writes(v3_with_a_run, tmp_path,
                                                                capsys):
    """A writer killed mid-transaction leaves a hot journal: a read-only command cannot roll
    it back, says so in one line and changes nothing; opening the store to write does."""
    path = at_version(v3_with_a_run[0], tmp_path / "runs.sqlite", 3)
    child = subprocess.Popen([sys.executable, "-c", KILLED, str(path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == b"inside"
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    child.stdin.close()
    journal = path.with_name(path.name + "-journal")
    assert journal.exists()
    before = state(path), journal.read_bytes()
    assert main(["--store", str(path), "results", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and journal.name in err and "qwalk run" in err
    # why this command cannot, and which one can (a command that writes rolls it back)
    assert ("command which only reads cannot roll back; a command that writes (any 'qwalk "
            "run'") in err and err.rstrip().endswith("rolls it back first")
    assert (state(path), journal.read_bytes()) == before
    assert [r["run_id"] for r in ResultStore(path).list_runs()] == [v3_with_a_run[1]]
    assert not journal.exists()
