"""A device's noisy emulation here runs where the config's ``aer_device`` says: the fake
device's own jobs and the emulation compared with a run, plain and ensemble.  This
machine has no GPU: a stand-in records what the emulator was asked for, and builds it on
the CPU (no GPU run is part of these tests)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from qwalk_circuits import device_analysis, pipeline
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import ResultStore, device_submission, devices, jobs, runner
from qwalk_circuits.execution.config import parse_config
from qwalk_circuits.experiments import get_experiment


def fake(aer_device: str) -> Any:
    data = {"backend": {"kind": "fake", "device": "fake_fez", "aer_device": aer_device},
            "run": {"shots": 100, "seed": 3, "optimization_level": 1, "emulation": True},
            "jobs": {"poll_interval_s": 0.01}}
    return parse_config(json.loads(json.dumps(data)), "fake_fez_gpu_test", "test")


def ibm(aer_device: str) -> Any:
    data = {"backend": {"kind": "ibm", "device": "ibm_fez", "aer_device": aer_device},
            "run": {"shots": 100, "seed": 3}}
    return parse_config(json.loads(json.dumps(data)), "ibm_fez_gpu_test", "test")


def walk() -> Any:
    return get_experiment("coined-walk").from_settings({"position_qubits": 2, "steps": 1})


def chain() -> Any:
    return get_experiment("anderson-chain").from_settings(
        {"sites": 4, "time": 0.8, "time_steps": 1, "disorder": "static", "realisations": 2})


@pytest.mark.parametrize("config", [lambda: fake("GPU"), lambda: ibm("GPU")],
                         ids=["fake", "ibm"])
def test_a_gpu_emulation_without_a_gpu_build_stops_before_anything_is_written(
        monkeypatch, tmp_path, config):
    """Refused before the ledger holds the run: a fake device's jobs, and a real device's
    QPU time, are not spent on a run whose emulation could not be made here."""
    monkeypatch.setattr(runner.AerSimulator, "available_devices", lambda self: ("CPU",))
    built: list[int] = []
    monkeypatch.setattr(device_submission, "build_submission",
                        lambda *a, **k: built.append(1))
    store = ResultStore(tmp_path / "runs.sqlite")
    with pytest.raises(QwalkError, match="qiskit-aer-gpu"):
        pipeline.run(walk(), config(), shots=100, store=store)
    assert built == [] and store.list_runs() == []


def test_the_emulator_is_built_on_the_configured_aer_device(monkeypatch):
    monkeypatch.setattr(runner.AerSimulator, "available_devices", lambda self: ("CPU", "GPU"))
    assert devices.emulator("fake_fez", (0, 1), None, aer_device="GPU").options.device == "GPU"
    assert devices.emulator("fake_fez", (0, 1), None, aer_device="CPU").options.device == "CPU"


@pytest.mark.parametrize("experiment", [walk, chain], ids=["plain", "ensemble"])
def test_every_emulator_of_a_run_gets_the_configured_aer_device(monkeypatch, experiment):
    """The fake device's jobs and the emulation compared with them (``emulation = true``)
    both ask for the GPU; the recorder builds them on the CPU so the run completes here."""
    monkeypatch.setattr(runner.AerSimulator, "available_devices", lambda self: ("CPU", "GPU"))
    asked: dict[str, list[str]] = {"jobs": [], "emulation": []}
    real = devices.emulator

    def recording(where: str) -> Any:
        def build(device: str, physical: tuple[int, ...], seed: int | None, *,
                  aer_device: str) -> Any:
            asked[where].append(aer_device)
            return real(device, physical, seed, aer_device="CPU")
        return build

    monkeypatch.setattr(jobs, "emulator", recording("jobs"))
    monkeypatch.setattr(device_analysis, "emulator", recording("emulation"))
    record = pipeline.run(experiment(), fake("GPU"), shots=100, save=False)
    assert record.summary["comparison"]["emulation"] is not None
    assert asked["jobs"] and set(asked["jobs"]) == {"GPU"}
    assert asked["emulation"] and set(asked["emulation"]) == {"GPU"}
