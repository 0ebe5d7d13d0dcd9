"""The chain-emulation benchmark times the circuit the device path would run."""

import pytest
from qiskit.quantum_info import Statevector

from benchmarks.bench_chain_emulation import METHODS, chain_circuit, seconds_per_shot


def test_the_timed_circuit_is_the_compacted_chain_with_its_device_noise() -> None:
    circuit, simulator, two_qubit = chain_circuit("fake_fez", 4)
    assert circuit.num_qubits == 4  # compacted to the chain's own qubits
    assert two_qubit == 12  # 3 bonds x 2 steps, each XX+YY as 2 CZ on Heron
    assert simulator.options.noise_model.noise_qubits == [0, 1, 2, 3]
    ideal = Statevector(circuit.remove_final_measurements(inplace=False))
    excitations = [bin(i).count("1") for i, p in enumerate(ideal.probabilities()) if p > 1e-12]
    assert set(excitations) == {1}  # one walker: the one-hot encoding survived transpiling


class ScriptedClock:
    """A timer on which every batch takes ``batch_seconds``, whatever the machine's load."""

    def __init__(self, batch_seconds: float) -> None:
        self.now, self.batch_seconds, self.reads = 0.0, batch_seconds, 0

    def __call__(self) -> float:
        self.reads += 1
        if self.reads % 2 == 0:  # the read after a batch: that batch has taken its time
            self.now += self.batch_seconds
        return self.now


def test_each_method_runs_doubling_batches_until_the_next_would_overrun() -> None:
    circuit, simulator, _ = chain_circuit("fake_fez", 4)
    for method in METHODS:
        clock = ScriptedClock(0.1)
        per_shot, shots = seconds_per_shot(circuit, simulator, method, budget=1.0, clock=clock)
        assert simulator.options.method == method
        # batches of 1, 2, ..., 128 shots spend 0.8 s; a ninth (0.9 s) leaves no room for
        # a tenth of twice its time, so the ninth, of 256 shots, is the last
        assert clock.reads == 2 * 9 and shots == 256
        assert per_shot == pytest.approx(0.1 / 256)


def test_a_first_batch_over_the_budget_is_reported_alone() -> None:
    circuit, simulator, _ = chain_circuit("fake_fez", 4)
    per_shot, shots = seconds_per_shot(circuit, simulator, METHODS[0], budget=1.0,
                                       clock=ScriptedClock(0.7))
    assert (per_shot, shots) == (pytest.approx(0.7), 1)  # a loaded machine: no doubling
