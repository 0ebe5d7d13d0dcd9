"""One place decides an Aer run's noise and method: ensembles honour the config's noise,
report the method Aer used, and a GPU request says what to install."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import execute, load_config, runner
from qwalk_circuits.execution.ensemble import execute_ensemble
from qwalk_circuits.execution.runner import GPU_HINT, aer_device_options, aer_settings


def template() -> QuantumCircuit:
    """Two qubits in superposition, a parameterized phase, back: P(00) = cos^2(a/2)."""
    a = Parameter("a")
    q, c = QuantumRegister(2, "q"), ClassicalRegister(2, "position")
    circuit = QuantumCircuit(q, c, name="phase")
    circuit.h(q)
    circuit.rz(a, q[0])
    circuit.cx(q[0], q[1])
    circuit.cx(q[0], q[1])
    circuit.h(q)
    circuit.measure(q, c)
    return circuit


def with_method(config, method: str):
    return config.model_copy(update={"backend": config.backend.model_copy(
        update={"method": method})})


VALUES = np.array([[0.3], [1.1], [2.0]])


def test_ensembles_honour_the_config_noise_like_execute():
    noisy, ideal = load_config("aer_dephasing"), load_config("aer_ideal")
    report: dict = {}
    got = execute_ensemble([template()], [VALUES], noisy, None, 1, report=report)[0]
    clean = execute_ensemble([template()], [VALUES], with_method(ideal, "density_matrix"),
                             None, 1)[0]
    circuit = template()
    bound = [circuit.assign_parameters({circuit.parameters[0]: v[0]}) for v in VALUES]
    single = execute(bound, noisy, None, 1).results
    for g, c, s in zip(got, clean, single, strict=True):
        np.testing.assert_allclose(g.probabilities, s.probabilities, atol=1e-12)
        assert np.abs(g.probabilities - c.probabilities).max() > 1e-4  # the noise acted
    assert report == {"method": "density_matrix", "methods": ["density_matrix"],
                      "noise": "config", "optimization_level": 0}


def test_exact_ensembles_under_noise_need_the_density_matrix_method():
    config = with_method(load_config("aer_dephasing"), "statevector")
    with pytest.raises(QwalkError, match="density_matrix") as error:
        execute_ensemble([template()], [VALUES], config, None, 1)
    assert "\n" not in str(error.value)
    execute_ensemble([template()], [VALUES], config, 10, 1)  # sampled trajectories run


def test_the_method_used_is_what_aer_reports():
    config = with_method(load_config(), "automatic")
    clifford = QuantumCircuit(2, 2)
    clifford.h(0)
    clifford.cx(0, 1)
    clifford.measure([0, 1], [0, 1])
    other = QuantumCircuit(2, 2)
    other.rx(0.3, 0)
    other.measure([0, 1], [0, 1])
    executed = execute([clifford, other], config, None, 1)
    assert executed.methods == ["stabilizer", "statevector"]
    assert executed.method_used == "stabilizer+statevector"
    assert execute([other], load_config(), None, 1).method_used == "statevector"
    assert execute([other], config, 10, 1).method_used is None  # Sampler V2 does not say
    report: dict = {}
    execute_ensemble([template()], [VALUES], config, None, 1, report=report)
    assert report["method"] == "statevector" and report["noise"] == "none"
    assert report["optimization_level"] == config.run.optimization_level


def test_settings_cap_the_optimization_level_only_under_noise():
    assert aer_settings(load_config(), None).optimization_level == 1
    assert aer_settings(load_config("aer_dephasing"), None).optimization_level == 0
    assert aer_settings(load_config("aer_dephasing"), None).noise_source == "config"


def test_gpu_request_says_what_to_install(monkeypatch):
    assert aer_device_options("cpu") == {"device": "CPU"}
    monkeypatch.setattr(runner.AerSimulator, "available_devices", lambda self: ("CPU",))
    with pytest.raises(QwalkError) as error:
        aer_device_options("GPU")
    assert str(error.value) == GPU_HINT and "\n" not in GPU_HINT
    monkeypatch.setattr(runner.AerSimulator, "available_devices", lambda self: ("CPU", "GPU"))
    assert aer_device_options("GPU") == {"device": "GPU"}
    with pytest.raises(QwalkError, match="CPU or GPU"):
        aer_device_options("TPU")
