"""Fourier-basis conditional shift: a diagonal coin-controlled phase layer per step.

In the no-swap Fourier frame a translation by s along an axis is
exp(i s 2 pi k / N) with k = sum_j 2^j k_j, i.e. a phase phi_j = 2 pi 2^j / N
per bit of k.  With the coin sign s = 1 - 2 c0, the 1D layer per bit is
P(phi_j) on k_j and CP(-2 phi_j) between coin and k_j.  CP(-2 pi) vanishes
and CP(-pi) is a CZ, so a step costs 2n - 3 CX on all-to-all hardware.  The
uncontrolled P(phi_j) commute with everything in the frame and are applied
once, T times their angle, by :func:`append_frame_phases`.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.circuit.library import MCPhaseGate

TWO_PI = 2 * np.pi


def _angle(value: float) -> float:
    """Angle reduced to (-pi, pi]; 0 when it is a multiple of 2 pi."""
    reduced = float(np.angle(np.exp(1j * value)))
    return 0.0 if abs(reduced) < 1e-14 else reduced


def bit_phases(axis: list[Qubit]) -> list[tuple[Qubit, float]]:
    """(qubit holding bit j of k, phi_j) for each bit of one axis in the no-swap frame."""
    n = len(axis)
    return [(axis[n - 1 - j], TWO_PI * (1 << j) / (1 << n)) for j in range(n)]


def _cp(circuit: QuantumCircuit, angle: float, a: Qubit, b: Qubit) -> None:
    angle = _angle(angle)
    if angle == 0.0:
        return
    if abs(abs(angle) - np.pi) < 1e-14:
        circuit.cz(a, b)
    else:
        circuit.cp(angle, a, b)


def _ccp(circuit: QuantumCircuit, angle: float, controls: list[Qubit], target: Qubit) -> None:
    angle = _angle(angle)
    if angle != 0.0:
        circuit.append(MCPhaseGate(angle, len(controls)), [*controls, target])


def append_phase_layer_1d(circuit: QuantumCircuit, axis: list[Qubit], coin: Qubit) -> None:
    """Coin-controlled part of one 1D shift (the P(phi_j) are deferred)."""
    for q, phi in bit_phases(axis):
        _cp(circuit, -2 * phi, coin, q)


def append_phase_layer_2d(circuit: QuantumCircuit, axes: list[list[Qubit]],
                          coin: list[Qubit]) -> None:
    """Coin-controlled part of one 2D moving shift (the P(phi_j) on x are deferred).

    Phase on x: phi k (1 - c1)(1 - 2 c0) = phi k (1 - 2 c0 - c1 + 2 c0 c1);
    on y: phi k c1 (1 - 2 c0) = phi k (c1 - 2 c0 c1).
    """
    c0, c1 = coin
    for q, phi in bit_phases(axes[0]):
        _cp(circuit, -2 * phi, c0, q)
        _cp(circuit, -phi, c1, q)
        _ccp(circuit, 2 * phi, [c0, c1], q)
    for q, phi in bit_phases(axes[1]):
        _cp(circuit, phi, c1, q)
        _ccp(circuit, -2 * phi, [c0, c1], q)


def append_frame_phases(circuit: QuantumCircuit, axis: list[Qubit], steps: int) -> None:
    """The deferred uncontrolled phases of ``steps`` shifts along one axis."""
    for q, phi in bit_phases(axis):
        angle = _angle(steps * phi)
        if angle != 0.0:
            circuit.p(angle, q)
