"""Diagonals of low degree in the register's bits, at a fraction of a generic diagonal's cost.

Every phase function phi(x) on n bits has one multilinear expansion
phi(x) = sum_S c_S prod_{j in S} x_j (its Moebius transform).  The diagonal exp(i phi) is
then a product of phase gates: a global phase (S empty), P(c_j) on qubit j, CP(c_jk) on a
pair, multi-controlled phases above.  A phase counts only mod 2 pi, and a coefficient that
is a multiple of 2 pi multiplies by one (a product of bits is 0 or 1), so the coefficients
are reduced mod 2 pi and those that vanish drop out: the degree found is that of the phase
itself, whichever branch its values were given on.  A momentum kick exp(i k x) has degree 1
(one P gate per qubit, no two-qubit gate), a quadratic phase exp(i a x^2) degree 2 (one CP
per pair, 2 CX each), where a generic diagonal costs 2^n - 2 CX.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.circuit.library import DiagonalGate

#: a reduced coefficient below this (radians) is zero: the Moebius sums add about
#: 2^|S| rounding errors of the phases, far below it for any register simulated here
COEFFICIENT_TOL = 1e-9
TWO_PI = 2 * np.pi


def bit_polynomial(phases: Sequence[float] | np.ndarray, num_qubits: int
                   ) -> dict[tuple[int, ...], float]:
    """The nonzero coefficients c_S (reduced to (-pi, pi]) of phi(x) = sum_S c_S prod x_j.

    ``phases[x]`` is the phase of basis state x (little-endian: bit j of x is qubit j);
    keys are sorted tuples of qubit indices, () the global phase."""
    values = np.asarray(phases, dtype=float)
    if values.shape != (1 << num_qubits,):
        raise ValueError(f"{values.size} phases for {num_qubits} qubits: give 2**n")
    coefficients = values.copy()
    for j in range(num_qubits):
        view = coefficients.reshape(-1, 2, 1 << j)
        view[:, 1, :] -= view[:, 0, :]
    reduced = np.pi - np.mod(np.pi - coefficients, TWO_PI)  # in (-pi, pi]
    out: dict[tuple[int, ...], float] = {}
    for index in np.flatnonzero(np.abs(reduced) > COEFFICIENT_TOL):
        subset = tuple(j for j in range(num_qubits) if (int(index) >> j) & 1)
        out[subset] = float(reduced[index])
    return out


def degree(coefficients: dict[tuple[int, ...], float]) -> int:
    """The largest number of bits in one term (0 for a global phase or the identity)."""
    return max((len(subset) for subset in coefficients), default=0)


def two_qubit_cost(coefficients: dict[tuple[int, ...], float]) -> int | None:
    """CX count of the phase-gate circuit (2 per CP), or None above degree 2."""
    if degree(coefficients) > 2:
        return None
    return 2 * sum(len(subset) == 2 for subset in coefficients)


def append_phase_polynomial(circuit: QuantumCircuit, qubits: Sequence[Qubit],
                            coefficients: dict[tuple[int, ...], float]) -> None:
    """Append exp(i sum_S c_S prod_{j in S} x_j) as phase gates on ``qubits``."""
    for subset, angle in sorted(coefficients.items(), key=lambda item: item[0]):
        if not subset:
            circuit.global_phase += angle
        elif len(subset) == 1:
            circuit.p(angle, qubits[subset[0]])
        elif len(subset) == 2:
            circuit.cp(angle, qubits[subset[0]], qubits[subset[1]])
        else:
            circuit.mcp(angle, [qubits[j] for j in subset[:-1]], qubits[subset[-1]])


def append_cheapest_diagonal(circuit: QuantumCircuit, qubits: Sequence[Qubit],
                             phases: Sequence[float] | np.ndarray) -> None:
    """Append diag(exp(i phases)): as phase gates when the phase has degree <= 2 in the bits
    and that costs no more CX than a generic diagonal (2^n - 2), else as a DiagonalGate."""
    n = len(qubits)
    coefficients = bit_polynomial(phases, n)
    cost = two_qubit_cost(coefficients)
    if cost is not None and cost <= max((1 << n) - 2, 0):
        append_phase_polynomial(circuit, qubits, coefficients)
        return
    circuit.append(DiagonalGate(list(np.exp(1j * np.asarray(phases, dtype=float)))),
                   list(qubits))
