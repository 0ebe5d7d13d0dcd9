"""Diagonals and multiplexed rotations whose angles may be circuit parameters.

Disorder ensembles need one circuit transpiled once and bound R times, so
the per-site phases cannot hide inside an opaque ``DiagonalGate``.  Here a
uniformly controlled rotation on k controls is the Gray-code chain of 2^k
rotations and 2^k CX (Mottonen et al., PRL 93, 130502 (2004)); its rotation
angles are the Walsh transform of the per-control-value angles.  A diagonal
on n qubits is a multiplexed RZ on its top qubit times a diagonal on the
others, down to a global phase: 2^n - 2 CX.

A phase of degree <= 2 in the bits (a low-order Walsh series, the cheap
site disorder of issue 15) needs no chain: RZ on each qubit and CX RZ CX
per pair (``append_walsh_phase``), n(n-1) CX at most.

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

from ..core.disorder import walsh_terms
from .phase_polynomial import bit_polynomial

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


def walsh_angle_count(qubits: int, order: int) -> int:
    """Length of the angle vector of :func:`append_walsh_phase`: one P angle per qubit,
    one parity angle per pair at order 2, then the global phase."""
    return len(walsh_terms(qubits, order)) + 1


def walsh_angles(phases: np.ndarray, order: int) -> np.ndarray:
    """Angles making diag(exp(i phases)) with :func:`append_walsh_phase`, for a phase of
    degree <= ``order`` (<= 2) in the bits of the basis index.

    From its Moebius coefficients c_S (``phase_polynomial.bit_polynomial``):
    c_jk x_j x_k = c_jk (x_j + x_k - x_j XOR x_k) / 2, so qubit j's phase is
    s_j = c_j + sum_k c_jk / 2 and pair (j, k)'s parity phase q_jk = -c_jk / 2
    (:func:`walsh_terms` order), as RZ angles: s x = s / 2 - (s / 2) Z is RZ(s) up to
    exp(i s / 2), and a parity likewise; the global phase, last, collects c_() and those
    halves.  A phase of higher degree is refused."""
    phases = np.asarray(phases, dtype=float)
    qubits = phases.shape[0].bit_length() - 1
    coefficients = bit_polynomial(phases, qubits)
    higher = [subset for subset in coefficients if len(subset) > order]
    if higher:
        raise ValueError(f"the phase has degree {max(map(len, higher))} > {order} in the bits; "
                         "use diagonal_angles")
    single = np.zeros(qubits)
    parity = []
    for subset in walsh_terms(qubits, order):
        angle = coefficients.get(subset, 0.0)
        if len(subset) == 1:
            single[subset[0]] += angle
        else:
            single[list(subset)] += angle / 2
            parity.append(-angle / 2)
    rotations = np.concatenate([single, parity])
    return np.concatenate([rotations, [coefficients.get((), 0.0) + rotations.sum() / 2]])


def append_walsh_phase(circuit: QuantumCircuit, qubits: Sequence[Qubit], angles: Angles,
                       order: int) -> None:
    """exp(i phi(x)) of a phase of degree <= ``order`` (<= 2) in the bits, from ``angles =
    walsh_angles(phases, order)``: one RZ per qubit (no two-qubit gate at order 1), and
    per pair at order 2 the parity phase CX RZ CX (a CP's 2 CX).

    Not as CP gates: Aer binds parameterised CP gates wrongly (qiskit-aer issue 2403;
    measured with Aer 0.18.2: two bound CP gates off by up to 0.7 in probability), and a
    template here is bound by Aer's ``parameter_binds``.  Not as P gates either, and one
    plain parameter per gate: transpiling a 4-step, 3-qubit order-2 template with
    parameterised P gates for fake_fez (level 2) did not finish in 4 minutes (in the
    BasisTranslator after routing; measured with Qiskit 2.6.2), as RZ and CX it takes
    seconds, like the generic diagonal's RZ chains.
    """
    if order not in (1, 2):
        raise ValueError(f"a Walsh phase layer has order 1 or 2, not {order}")
    n = len(qubits)
    pairs = [subset for subset in walsh_terms(n, order) if len(subset) == 2]
    for qubit, angle in zip(qubits, angles[:n], strict=True):
        circuit.rz(angle, qubit)
    for (j, k), angle in zip(pairs, angles[n:n + len(pairs)], strict=True):
        circuit.cx(qubits[j], qubits[k])
        circuit.rz(angle, qubits[k])
        circuit.cx(qubits[j], qubits[k])
    circuit.global_phase += angles[n + len(pairs)]
