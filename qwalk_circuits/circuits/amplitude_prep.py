"""Exact preparation of an arbitrary vector by uniformly controlled rotations.

Amplitudes: one uniformly controlled RY per qubit, most significant first,
each angle 2 atan2(|upper half|, |lower half|) of the block its controls
select; the last one (on qubit 0) takes the two amplitudes themselves, so a
real vector of either sign costs nothing more.  Phases: a state that is a
real vector times a phase of degree 1 in the bits (:mod:`.state_phase`: a
Gaussian packet's momentum, in the position basis or the Fourier frame) gets
one P gate per qubit and no two-qubit gate; any other phase the exact
diagonal (phase gates where its degree is <= 2, else a ``DiagonalGate``).
The angles come from norms and arctan2, so tiny amplitudes (Gaussian tails)
stay exact to ~1e-14, where Qiskit's generic StatePreparation drifts to ~1e-9.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.circuit.library import UCRYGate

from .phase_polynomial import append_cheapest_diagonal, append_phase_polynomial
from .state_phase import real_times_phase

PHASE_TOL = 1e-15


def magnitude_angles(amplitudes: np.ndarray, num_qubits: int) -> list[np.ndarray]:
    """RY angles per level: level k targets qubit n-1-k, controlled by the qubits above it.

    ``amplitudes`` is real; the levels above qubit 0 see only norms, the last one the
    signed pair, so the cascade prepares the vector with its signs."""
    levels = []
    for k in range(num_qubits):
        target = num_qubits - 1 - k
        # blocks[c, b, rest]: c = value of the k higher qubits, b = target bit
        blocks = amplitudes.reshape(1 << k, 2, 1 << target)
        if target == 0:
            pair = blocks[:, :, 0]
        else:
            pair = np.sqrt((blocks**2).sum(axis=2))
        levels.append(2 * np.arctan2(pair[:, 1], pair[:, 0]))
    return levels


def append_real_amplitudes(circuit: QuantumCircuit, qubits: list[Qubit], real: np.ndarray
                           ) -> None:
    """Prepare the normalised real vector ``real`` (little-endian over ``qubits``) from |0...0>."""
    n = len(qubits)
    for k, angles in enumerate(magnitude_angles(np.asarray(real, dtype=float), n)):
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


def append_amplitudes(circuit: QuantumCircuit, qubits: list[Qubit], amplitudes: np.ndarray
                      ) -> None:
    """Prepare ``amplitudes`` (normalised, little-endian over ``qubits``) from |0...0>."""
    n = len(qubits)
    vector = np.asarray(amplitudes, dtype=complex) / np.linalg.norm(amplitudes)
    split = real_times_phase(vector, n)
    if split is not None:
        real, coefficients = split
        append_real_amplitudes(circuit, qubits, real)
        append_phase_polynomial(circuit, qubits, coefficients)
        return
    append_real_amplitudes(circuit, qubits, np.abs(vector))
    phases = np.where(np.abs(vector) > PHASE_TOL, np.angle(vector), 0.0)
    if np.any(np.abs(phases) > PHASE_TOL):
        append_cheapest_diagonal(circuit, qubits, phases)
