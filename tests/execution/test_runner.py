"""The runner: bit order of counts, exact probabilities, seeds, size limits."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit.random import random_circuit
from qiskit_aer import AerSimulator

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import execute, load_config
from qwalk_circuits.execution.backends import check_fits
from qwalk_circuits.execution.runner import measured_qubits


def basis_circuit(value: int, n: int) -> QuantumCircuit:
    q, c = QuantumRegister(n + 1, "q"), ClassicalRegister(n, "position")
    circuit = QuantumCircuit(q, c)
    for j in range(n):
        if (value >> j) & 1:
            circuit.x(q[j])
    circuit.x(q[n])  # an unmeasured extra qubit must not leak into the value
    circuit.measure(q[:n], c)
    return circuit


def test_counts_and_probabilities_are_the_register_value():
    config = load_config()
    circuits = [basis_circuit(v, 4) for v in (1, 6, 13)]
    sampled = execute(circuits, config, shots=50, seed=1)
    exact = execute(circuits, config, shots=None, seed=1)
    for v, s, e in zip((1, 6, 13), sampled.results, exact.results, strict=True):
        assert s.counts == {v: 50}
        assert e.probabilities is not None and e.probabilities[v] == pytest.approx(1.0)
        assert e.stats["num_qubits"] >= 5


def test_measured_qubits_follow_clbit_order():
    circuit = QuantumCircuit(3, 2)
    circuit.measure(2, 0)
    circuit.measure(0, 1)
    assert measured_qubits(circuit) == [2, 0]


def test_same_seed_same_counts():
    circuit = QuantumCircuit(3, 3)
    circuit.h(range(3))
    circuit.measure(range(3), range(3))
    a = execute([circuit], load_config(), shots=200, seed=5).results[0].counts
    b = execute([circuit], load_config(), shots=200, seed=5).results[0].counts
    assert a == b and sum(a.values()) == 200
    assert np.isclose(sum(execute([circuit], load_config(), None, 5).results[0].probabilities),
                      1.0)


def test_too_many_qubits_says_how_much_memory():
    with pytest.raises(QwalkError, match="GiB"):
        check_fits(40, load_config(), "position_qubits", 39)


def test_a_plain_run_shows_progress_per_circuit_with_the_batch_results(monkeypatch):
    """Each circuit is its own Aer run under a 'simulating' bar (shown on a terminal only),
    seeded as inside one batch: the counts are the one-batch run's."""
    from qwalk_circuits.execution import runner
    from qwalk_circuits.execution.runner import _run_sampled_block

    circuits = [random_circuit(3, 4, measure=True, seed=s) for s in range(3)]
    bars = []
    real = runner.tqdm

    def recording(*args, **kwargs):
        bar = real(*args, **kwargs)
        bars.append([kwargs.get("desc"), kwargs.get("total"), kwargs.get("disable"), 0])
        update = bar.update

        def counted(n=1):
            bars[-1][3] += n
            return update(n)

        bar.update = counted
        return bar

    monkeypatch.setattr(runner, "tqdm", recording)
    config = load_config("aer_ideal")
    result = runner.execute(circuits, config, shots=300, seed=11)
    batch = _run_sampled_block(
        runner.transpile_for(AerSimulator(), circuits, config.run.optimization_level, 11),
        300, 11, {"method": "automatic", "max_parallel_threads": 1})
    assert [r.counts for r in result.results] == batch
    (_desc, total, disable, updates), = [b for b in bars if b[0] == "simulating"]
    assert (total, disable, updates) == (3, None, 3)  # None: tqdm hides it off a terminal
