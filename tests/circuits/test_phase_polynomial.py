"""Low-degree diagonals as phase gates: exact against the diagonal they stand for."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.quantum_info import Operator

from qwalk_circuits.circuits.phase_polynomial import (
    append_cheapest_diagonal,
    append_phase_polynomial,
    bit_polynomial,
    degree,
    two_qubit_cost,
)


def _diagonal(circuit: QuantumCircuit) -> np.ndarray:
    matrix = Operator(circuit).data
    assert np.allclose(matrix, np.diag(np.diag(matrix)), atol=1e-12)
    return np.diag(matrix)


def _polynomial_phases(n: int, terms: dict[tuple[int, ...], float]) -> np.ndarray:
    x = np.arange(1 << n)
    phases = np.zeros(1 << n)
    for subset, angle in terms.items():
        phases += angle * np.prod([(x >> j) & 1 for j in subset], axis=0) if subset else angle
    return phases


@pytest.mark.parametrize("n", [1, 3, 5])
def test_random_quadratic_phase_is_found_exactly_and_built_exactly(n: int) -> None:
    rng = np.random.default_rng(n)
    terms = {(): 0.3, **{(j,): rng.uniform(-3, 3) for j in range(n)},
             **{(j, k): rng.uniform(-3, 3) for j in range(n) for k in range(j + 1, n)}}
    # values on another branch: whole turns added at random must not raise the degree
    phases = _polynomial_phases(n, terms) + 2 * np.pi * rng.integers(-3, 4, size=1 << n)
    found = bit_polynomial(phases, n)
    assert degree(found) == min(n, 2)
    for subset, angle in terms.items():
        assert np.isclose(np.exp(1j * found[subset]), np.exp(1j * angle), atol=1e-12)
    circuit = QuantumCircuit(n)
    append_phase_polynomial(circuit, circuit.qubits, found)
    assert np.abs(_diagonal(circuit) - np.exp(1j * phases)).max() < 1e-10


def test_momentum_kick_is_one_phase_gate_per_qubit() -> None:
    n, k = 6, 2 * np.pi * 0.23
    phases = np.angle(np.exp(1j * k * np.arange(1 << n)))  # wrapped into (-pi, pi]
    found = bit_polynomial(phases, n)
    assert degree(found) == 1 and two_qubit_cost(found) == 0
    for j in range(n):
        assert np.isclose(np.exp(1j * found[(j,)]), np.exp(1j * k * 2**j), atol=1e-12)


def test_quadratic_in_position_has_degree_two_and_costs_n_n_minus_1() -> None:
    n = 5
    phases = 0.37 * np.arange(1 << n) ** 2
    found = bit_polynomial(phases, n)
    assert degree(found) == 2 and two_qubit_cost(found) == n * (n - 1)
    circuit = QuantumCircuit(n)
    append_cheapest_diagonal(circuit, circuit.qubits, phases)
    assert circuit.count_ops().get("cp") == n * (n - 1) // 2
    assert np.abs(_diagonal(circuit) - np.exp(1j * phases)).max() < 1e-10


def test_generic_phase_keeps_the_diagonal_gate() -> None:
    n = 4
    phases = np.random.default_rng(1).uniform(-np.pi, np.pi, 1 << n)
    assert degree(bit_polynomial(phases, n)) == n
    assert two_qubit_cost(bit_polynomial(phases, n)) is None
    circuit = QuantumCircuit(n)
    append_cheapest_diagonal(circuit, circuit.qubits, phases)
    assert list(circuit.count_ops()) == ["diagonal"]
    assert np.abs(_diagonal(circuit) - np.exp(1j * phases)).max() < 1e-10


def test_cubic_term_is_built_exactly_with_a_multi_controlled_phase() -> None:
    n = 4
    terms = {(0, 1, 3): 1.1, (2,): -0.4}
    circuit = QuantumCircuit(n)
    found = bit_polynomial(_polynomial_phases(n, terms), n)
    assert degree(found) == 3 and two_qubit_cost(found) is None
    append_phase_polynomial(circuit, circuit.qubits, found)
    assert np.abs(_diagonal(circuit) - np.exp(1j * _polynomial_phases(n, terms))).max() < 1e-10


def test_phase_gates_transpile_cheaper_than_the_generic_diagonal() -> None:
    n = 6
    phases = 0.37 * np.arange(1 << n) ** 2
    cheap, generic = QuantumCircuit(n), QuantumCircuit(n)
    append_cheapest_diagonal(cheap, cheap.qubits, phases)
    generic.unitary(np.diag(np.exp(1j * phases)), generic.qubits)
    basis = ["cx", "rz", "sx", "x"]
    count = [transpile(c, basis_gates=basis, optimization_level=1).count_ops().get("cx", 0)
             for c in (cheap, generic)]
    assert count[0] == n * (n - 1) < count[1]


def test_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="2\\*\\*n"):
        bit_polynomial(np.zeros(5), 3)
