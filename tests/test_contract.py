"""The contract of every registered experiment, walked from ``REGISTRY``: at a small size it
runs on aer_ideal (exact and sampled), on a noisy Aer config and on fake_fez through the one
pipeline, gives the documented JSON keys, and re-analyses from the store into the very
summary it printed.  A new experiment needs only its small settings in tests/golden/cases.py
(this test fails until they are there)."""

from __future__ import annotations

import json

import pytest

from qwalk_circuits import pipeline
from qwalk_circuits.analysis.summary import (
    COMMON_KEYS,
    DATA_KEYS,
    DEVICE_KEYS,
    ENSEMBLE_KEYS,
    ERROR_KEYS,
)
from qwalk_circuits.analysis.theory import unnamed_blocks, unnamed_theory_values
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import ResultStore, load_config
from qwalk_circuits.experiments import REGISTRY, get_experiment

from .golden.cases import SMALL

NAMES = sorted(REGISTRY)


def test_every_registered_experiment_has_small_settings():
    assert set(SMALL) == set(REGISTRY), "add the new experiment's small settings to SMALL"


def experiment(name):
    return get_experiment(name).from_settings(dict(SMALL[name]))


def is_ensemble(summary):
    return "ensemble" in summary


def check_keys(summary, sampled, device=False):
    keys = set(summary)
    assert COMMON_KEYS <= keys, COMMON_KEYS - keys
    if sampled:
        assert ERROR_KEYS <= keys
    if is_ensemble(summary):
        assert ENSEMBLE_KEYS <= keys
    if device:
        assert DEVICE_KEYS <= keys
    assert len(summary["construction"]) == len(summary["times"]) == len(summary["resources"])
    for block in ("observables", "reference"):
        assert all(len(v) == len(summary["times"]) for v in summary[block].values())
    json.dumps(summary, allow_nan=False)  # valid JSON, no NaN
    # every theory value says what it is (model, continuum, asymptotic, fit) with its error
    assert unnamed_theory_values(summary) == []
    # ... and so does every other block: data, a *_theory block, or a named curve
    known = COMMON_KEYS | ERROR_KEYS | ENSEMBLE_KEYS | DEVICE_KEYS | DATA_KEYS
    assert unnamed_blocks(summary, known) == []
    assert isinstance(summary["warnings"], list)
    assert all(isinstance(w, str) and w for w in summary["warnings"])


def check_reanalysis(summary, store):
    again = pipeline.reanalyse(summary["run_id"], store).summary
    assert json.dumps(again, sort_keys=True) == json.dumps(summary, sort_keys=True)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shots", [None, 300], ids=["exact", "sampled"])
def test_on_aer_ideal(name, shots, tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    record = pipeline.run(experiment(name), load_config("aer_ideal"), shots=shots, seed=3,
                          store=store)
    stored = store.get_run(record.summary["run_id"])["summary"]
    check_keys(stored, shots is not None)
    check_reanalysis(stored, store)


@pytest.mark.parametrize("name", NAMES)
def test_on_a_noisy_aer_config(name, tmp_path):
    """The config's noise is applied (ensembles included) or the run is refused in one line
    (an experiment that is a noise model of its own): never run silently without it."""
    store = ResultStore(tmp_path / "s.sqlite")
    exp = experiment(name)
    if exp.noise_model() is not None:
        with pytest.raises(QwalkError, match="only one can be applied"):
            pipeline.run(exp, load_config("aer_dephasing"), shots=None, seed=3, store=store)
        assert not store.list_runs()
        return
    noisy = pipeline.run(exp, load_config("aer_dephasing"), shots=None, seed=3, store=store)
    ideal = pipeline.run(experiment(name), load_config("aer_ideal"), shots=None, seed=3,
                         save=False)
    stored = store.get_run(noisy.summary["run_id"])["summary"]
    check_keys(stored, False)
    assert stored["backend"]["simulator"] == "aer_simulator(density_matrix)"
    moved = [abs(a - b) for p, q in zip(noisy.distributions, ideal.distributions, strict=True)
             for a, b in zip(p.ravel(), q.ravel(), strict=True)]
    assert max(moved) > 1e-6, "the noise model was not applied"
    check_reanalysis(stored, store)


@pytest.mark.parametrize("name", NAMES)
def test_on_fake_fez(name, tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    record = pipeline.run(experiment(name), load_config("fake_fez"), shots=200, seed=3,
                          store=store, progress=False)
    check_keys(record.summary, True, device=True)
    assert "emulation" not in record.summary["comparison"]  # a fake device: no duplicate
    check_reanalysis(record.summary, store)
