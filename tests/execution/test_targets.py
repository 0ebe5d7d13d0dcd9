"""Targets: one factory, one compiler for pricing and running, emulation where it measures
something."""

from __future__ import annotations

import json

import pytest

from qwalk_circuits import pipeline
from qwalk_circuits.execution import ResultStore, load_config
from qwalk_circuits.execution.config import parse_config
from qwalk_circuits.execution.targets import (
    AerTarget,
    FakeDeviceTarget,
    IBMDeviceTarget,
    make_target,
)
from qwalk_circuits.experiments import get_experiment


def fake(**run):
    data = {"backend": {"kind": "fake", "device": "fake_fez"},
            "run": {"shots": 200, "seed": 3, "optimization_level": 1, **run},
            "jobs": {"poll_interval_s": 0.01}}
    return parse_config(json.loads(json.dumps(data)), "fake_fez_test", "test")


def test_the_factory_gives_one_target_per_kind():
    assert isinstance(make_target(load_config("aer_ideal")), AerTarget)
    assert isinstance(make_target(load_config("fake_fez")), FakeDeviceTarget)
    assert isinstance(make_target(load_config("ibm_fez")), IBMDeviceTarget)  # no network yet


def test_emulation_is_off_on_fake_devices_unless_asked_and_on_for_real_ones():
    assert not make_target(fake()).compares_emulation
    assert make_target(fake(emulation=True)).compares_emulation
    assert make_target(load_config("ibm_fez")).compares_emulation


def test_auto_prices_the_circuit_that_runs_and_transpiles_it_once(tmp_path, monkeypatch):
    """On a device, ``auto`` prices each construction with the run's own compiler; the
    circuit it chooses at the last time (fast-forward, priced at that T) is the one sent,
    transpiled once: pricing costs 2 circuits per step-by-step construction and 1 per
    flat one, and the run adds only the circuits that were never priced."""
    target = make_target(fake())
    experiment = get_experiment("coined-walk").from_settings(
        {"position_qubits": 3, "steps": 12, "times": [1, 12]})
    run_id = pipeline.submit(experiment, target.config, 200, 3,
                             ResultStore(tmp_path / "s.sqlite"), target=target)
    chosen = experiment.constructions(target.compiler)
    priced = {key for key in experiment._auto_costs}
    built = {(t, c) for t, c in zip(experiment.times(), chosen, strict=True)}
    unpriced = {(t, c) for t, c in built if (c, target.compiler, t) not in priced}
    assert chosen[-1] == "fast-forward"
    assert target.compiler.calls == len(priced) + len(unpriced)
    assert run_id


def test_aer_refuses_two_noise_sources_in_one_line():
    experiment = get_experiment("coin-dephasing").from_settings(
        {"position_qubits": 3, "steps": 3})
    with pytest.raises(Exception, match="only one can be applied"):
        pipeline.run(experiment, load_config("aer_dephasing"), shots=None, save=False)


def test_a_device_needs_shots():
    experiment = get_experiment("coined-walk").from_settings({"position_qubits": 2,
                                                              "steps": 2})
    with pytest.raises(Exception, match="devices sample"):
        pipeline.run(experiment, fake(), shots=None)


def test_a_gpu_config_without_a_gpu_build_of_aer_says_so_in_one_line(tmp_path):
    """aer_device = "GPU" needs qiskit-aer-gpu; this machine's Aer has none: one line,
    before any work (where a GPU build is installed the run records device GPU)."""
    from qiskit_aer import AerSimulator

    from qwalk_circuits.execution.config import load_config as load
    from qwalk_circuits.execution.runner import GPU_HINT

    path = tmp_path / "gpu.toml"
    path.write_text('[backend]\nkind = "aer"\naer_device = "GPU"\n[run]\nseed = 1\n')
    experiment = get_experiment("coined-walk").from_settings({"position_qubits": 2,
                                                              "steps": 2})
    if "GPU" in AerSimulator().available_devices():
        record = pipeline.run(experiment, load(str(path)), shots=None, save=False)
        assert record.summary["backend"]["execution"]["device"] == "GPU"
        return
    with pytest.raises(Exception, match="qiskit-aer-gpu"):
        pipeline.run(experiment, load(str(path)), shots=None, save=False)
    assert "pip install qiskit-aer-gpu" in GPU_HINT
