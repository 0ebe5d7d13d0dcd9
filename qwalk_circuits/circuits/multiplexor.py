"""Diagonals and multiplexed rotations whose angles may be circuit parameters.

Disorder ensembles need one circuit transpiled once and bound R times, so
the per-site phases cannot hide inside an opaque ``DiagonalGate``.  Here a
uniformly controlled rotation on k controls is the Gray-code chain of 2^k
rotations and 2^k CX (Mottonen et al., PRL 93, 130502 (2004)); its rotation
angles are the Walsh transform of the per-control-value angles.  A diagonal
on n qubits is a multiplexed RZ on its top qubit times a diagonal on the
others, down to a global phase: 2^n - 2 CX.

Each builder takes a flat ``angles`` vector -- numbers, or a ``ParameterVector``
-- and each has a twin that computes that vector from the physics (phases per
basis state, rotation angles per control value), so a concrete circuit and a
bound template are the same construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterExpression, Qubit

Angle: TypeAlias = float | ParameterExpression
Angles: TypeAlias = Sequence[Angle] | np.ndarray
Axis = Literal["y", "z"]


def _gray(i: int) -> int:
    return i ^ (i >> 1)


def _walsh(values: np.ndarray) -> np.ndarray:
    """w[s] = mean_j (-1)^{popcount(j & s)} values[j] along the first axis (fast transform)."""
    w = np.array(values, dtype=float, copy=True)
    h = 1
    while h < w.shape[0]:
        w = w.reshape(-1, 2, h, *w.shape[1:])
        a, b = w[:, 0].copy(), w[:, 1].copy()
        w[:, 0], w[:, 1] = a + b, a - b
        w = w.reshape(-1, *w.shape[3:])
        h *= 2
    return w / w.shape[0]


def _control_order(controls: int) -> list[int]:
    """Which control each CX of the Gray-code chain uses (the bit that flips next)."""
    size = 1 << controls
    return [((_gray(i) ^ _gray((i + 1) % size)).bit_length() - 1) for i in range(size)]


def rotation_angles(angles: np.ndarray) -> np.ndarray:
    """Chain angles of a uniformly controlled rotation: R(angles[i]) when the controls hold i.

    ``angles`` has 2^k entries (a trailing batch axis is carried along).
    """
    size = angles.shape[0]
    if size & (size - 1):
        raise ValueError(f"need 2^k angles, got {size}")
    w = _walsh(angles)
    return w[[_gray(i) for i in range(size)]]


def append_uniform_rotation(circuit: QuantumCircuit, axis: Axis, target: Qubit,
                            controls: Sequence[Qubit], chain: Angles) -> None:
    """The Gray-code chain of a uniformly controlled RY or RZ (angles from
    :func:`rotation_angles`); 2^k CX for k controls."""
    rotate = circuit.ry if axis == "y" else circuit.rz
    if not controls:
        rotate(chain[0], target)
        return
    for angle, control in zip(chain, _control_order(len(controls)), strict=True):
        rotate(angle, target)
        circuit.cx(controls[control], target)


def diagonal_angle_count(qubits: int) -> int:
    """Length of the angle vector of a diagonal on ``qubits`` qubits (2^n: the last is the
    global phase)."""
    return 1 << qubits


def diagonal_angles(phases: np.ndarray) -> np.ndarray:
    """Angles making diag(exp(i phases)) (little-endian index over the qubits).

    Level by level from the top qubit: RZ(phi(., 1) - phi(., 0)) multiplexed
    by the lower qubits, then the mean phase on them; the last entry is the
    global phase.  A trailing batch axis is carried along.
    """
    phases = np.asarray(phases, dtype=float)
    size = phases.shape[0]
    if size & (size - 1) or size == 0:
        raise ValueError(f"need 2^n phases, got {size}")
    out = []
    current = phases
    while current.shape[0] > 1:
        half = current.shape[0] // 2
        low, high = current[:half], current[half:]
        out.append(rotation_angles(high - low))
        current = (low + high) / 2
    out.append(current)
    return np.concatenate(out, axis=0)


def append_diagonal(circuit: QuantumCircuit, qubits: Sequence[Qubit],
                    angles: Angles) -> None:
    """diag(exp(i phases)) on ``qubits`` from ``angles = diagonal_angles(phases)``."""
    position = 0
    for top in reversed(range(len(qubits))):
        size = 1 << top
        append_uniform_rotation(circuit, "z", qubits[top], qubits[:top],
                                angles[position:position + size])
        position += size
    circuit.global_phase += angles[position]


def u3_multiplexor_angle_count(controls: int) -> int:
    """Length of the angle vector of :func:`append_u3_multiplexor`."""
    return 3 * (1 << controls) + diagonal_angle_count(controls)


def u3_multiplexor_angles(theta: np.ndarray, phi: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Angles making U3(theta[i], phi[i], lam[i]) on the target when the controls hold i.

    U3(t, p, l) = exp(i (p + l) / 2) RZ(p) RY(t) RZ(l): three uniformly
    controlled rotations and a diagonal of the phases on the controls.
    """
    return np.concatenate([rotation_angles(np.asarray(lam, dtype=float)),
                           rotation_angles(np.asarray(theta, dtype=float)),
                           rotation_angles(np.asarray(phi, dtype=float)),
                           diagonal_angles((np.asarray(phi) + np.asarray(lam)) / 2)], axis=0)


def append_u3_multiplexor(circuit: QuantumCircuit, target: Qubit, controls: Sequence[Qubit],
                          angles: Angles) -> None:
    """Uniformly controlled U3 from ``angles = u3_multiplexor_angles(...)``."""
    size = 1 << len(controls)
    for index, axis in enumerate(("z", "y", "z")):
        append_uniform_rotation(circuit, axis, target, controls,  # type: ignore[arg-type]
                                angles[index * size:(index + 1) * size])
    tail = angles[3 * size:]
    if controls:
        append_diagonal(circuit, controls, tail)
    else:
        circuit.global_phase += tail[0]
