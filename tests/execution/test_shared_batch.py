"""A device sweep in one runtime Batch: every point submitted into the same Batch (opened
once, closed once, after the last upload), then fetched; a single run still opens and
closes its own."""

from __future__ import annotations

from qwalk_circuits.execution import jobs
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.execution.shared_batch import batch_for, one_batch
from qwalk_circuits.execution.store import ResultStore
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run
from qwalk_circuits.sweeps import sweep

SETTINGS = {"position_qubits": 2, "times": [1, 2]}


def watch_batches(monkeypatch):
    """Record every Batch qwalk opens (through the double's open_batch) and each close."""
    opened, closed = [], []
    inner = jobs.open_batch

    def open_batch(backend):
        batch = inner(backend)
        real_close = batch.close

        def close():
            closed.append(batch)
            return real_close()

        batch.close = close
        opened.append(batch)
        return batch

    monkeypatch.setattr(jobs, "open_batch", open_batch)
    return opened, closed


def test_a_device_sweep_submits_every_point_into_one_batch(server, config, tmp_path,
                                                           monkeypatch):
    opened, closed = watch_batches(monkeypatch)
    store = ResultStore(tmp_path / "s.sqlite")
    rows = sweep("coined-walk", "steps", [2, 3, 4], SETTINGS, config, 100, 5, store)
    assert len(opened) == 1 and closed == opened
    runs = Ledger(store).runs()
    assert {r["run_id"] for r in runs} == {row["run_id"] for row in rows}
    assert all(r["status"] == "done" for r in runs)
    # every job of every point went to the service: one upload per recorded job
    recorded = [j for r in runs for j in Ledger(store).jobs(r["run_id"])]
    assert server.uploaded() == len(recorded) >= 3


def test_a_single_run_opens_and_closes_its_own_batch(server, config, tmp_path, monkeypatch):
    opened, closed = watch_batches(monkeypatch)
    walk = get_experiment("coined-walk").from_settings(SETTINGS)
    run(walk, config, 100, 5, ResultStore(tmp_path / "s.sqlite"), progress=False)
    run(walk, config, 100, 5, ResultStore(tmp_path / "s.sqlite"), progress=False)
    assert len(opened) == 2 and closed == opened


def test_one_batch_per_backend_and_none_outside_a_block(config):
    made = []

    def opener():
        made.append(object())
        return made[-1]

    class Backend:
        def __init__(self, name):
            self.name = name

    fez, torino = Backend("ibm_fez"), Backend("ibm_torino")
    assert batch_for(fez, opener) == (made[0], True)  # outside: the run's own
    with one_batch(config):
        first, owned = batch_for(fez, opener)
        assert not owned and batch_for(Backend("ibm_fez"), opener) == (first, False)
        other, _ = batch_for(torino, opener)
        assert other is not first
    assert len(made) == 3
    assert batch_for(fez, opener)[1]  # after the block: each run its own again


def test_backends_known_only_by_their_name_get_a_batch_each(config):
    """A backend given by its name (no ``name`` attribute) is told apart by that name:
    two devices' runs in one block never share a Batch."""
    made = []

    def opener():
        made.append(object())
        return made[-1]

    with one_batch(config):
        fez, _ = batch_for("ibm_fez", opener)
        torino, _ = batch_for("ibm_torino", opener)
        assert batch_for("ibm_fez", opener) == (fez, False)
    assert torino is not fez and len(made) == 2
