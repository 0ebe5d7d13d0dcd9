"""The chain-emulation benchmark times the circuit the device path would run."""

import time

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


def test_each_method_runs_doubling_batches_within_the_budget() -> None:
    circuit, simulator, _ = chain_circuit("fake_fez", 4)
    for method in METHODS:
        start = time.perf_counter()
        per_shot, shots = seconds_per_shot(circuit, simulator, method, budget=1.0)
        spent = time.perf_counter() - start
        assert simulator.options.method == method
        assert per_shot > 0 and shots > 1 and shots & (shots - 1) == 0  # doubled from 1
        # the loop stops before a batch would overrun: the budget, plus a slack for the
        # last batch's own scatter on a busy machine
        assert spent < 2.0
        assert per_shot * shots < spent  # the last batch is part of what was spent
