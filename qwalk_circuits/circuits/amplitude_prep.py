"""Exact preparation of an arbitrary vector by uniformly controlled rotations.

Magnitudes: one uniformly controlled RY per qubit, most significant first,
each angle 2 atan2(|upper half|, |lower half|) of the block its controls
select; phases: one diagonal gate.  The angles come from norms and arctan2,
so tiny amplitudes (Gaussian tails) stay exact to ~1e-14, where Qiskit's
generic StatePreparation drifts to ~1e-9.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.circuit.library import DiagonalGate, UCRYGate

PHASE_TOL = 1e-15


def magnitude_angles(magnitudes: np.ndarray, num_qubits: int) -> list[np.ndarray]:
    """RY angles per level: level k targets qubit n-1-k, controlled by the qubits above it."""
    levels = []
    for k in range(num_qubits):
        target = num_qubits - 1 - k
        # blocks[c, b, rest]: c = value of the k higher qubits, b = target bit
        blocks = magnitudes.reshape(1 << k, 2, 1 << target)
        norms = np.sqrt((blocks**2).sum(axis=2))
        levels.append(2 * np.arctan2(norms[:, 1], norms[:, 0]))
    return levels


def append_amplitudes(circuit: QuantumCircuit, qubits: list[Qubit], amplitudes: np.ndarray
                      ) -> None:
    """Prepare ``amplitudes`` (normalised, little-endian over ``qubits``) from |0...0>."""
    n = len(qubits)
    vector = np.asarray(amplitudes, dtype=complex) / np.linalg.norm(amplitudes)
    for k, angles in enumerate(magnitude_angles(np.abs(vector), n)):
        target = n - 1 - k
        controls = qubits[target + 1:]
        # block index c = sum_j bit(target + 1 + j) 2^j: little-endian over `controls`
        if not controls:
            if angles[0]:
                circuit.ry(float(angles[0]), qubits[target])
            continue
        if np.any(angles):
            circuit.append(UCRYGate([float(a) for a in angles]),
                           [qubits[target], *controls])
    phases = np.where(np.abs(vector) > PHASE_TOL, np.angle(vector), 0.0)
    if np.any(np.abs(phases) > PHASE_TOL):
        circuit.append(DiagonalGate(list(np.exp(1j * phases))), qubits)
