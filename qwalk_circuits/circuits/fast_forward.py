"""Fast-forwarded walk: all T steps as one multiplexed coin rotation per momentum.

A translation-invariant walk is block diagonal in momentum: U = QFT^dag
(sum_k |k><k| (x) U_k) QFT with U_k = D_k C.  U^T is then one uniformly
controlled gate on the coin, U_k^T for each k, whatever T is.  In 2D the 4x4
U_k^T is split by the cosine-sine decomposition into three uniformly
controlled single-qubit gates.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.circuit.library import UCGate

from .fourier_frame import frame_momenta


def step_phases(dimension: int, axis_qubits: int) -> np.ndarray:
    """Shift phases per (register value, coin value): shape (L**d, 2d)."""
    side = 1 << axis_qubits
    theta = 2 * np.pi * frame_momenta(axis_qubits) / side
    if dimension == 1:
        return np.stack([np.exp(1j * theta), np.exp(-1j * theta)], axis=1)
    tx = np.tile(theta, side)  # register value i = ix + L*iy
    ty = np.repeat(theta, side)
    return np.stack([np.exp(1j * tx), np.exp(-1j * tx), np.exp(1j * ty), np.exp(-1j * ty)],
                    axis=1)


def momentum_powers(coin: np.ndarray, dimension: int, axis_qubits: int, steps: int
                    ) -> np.ndarray:
    """(D_k C)^steps for each register value of the no-swap frame: shape (L**d, 2d, 2d)."""
    blocks = step_phases(dimension, axis_qubits)[:, :, None] * coin[None, :, :]
    return np.stack([np.linalg.matrix_power(b, steps) for b in blocks])


def append_fast_forward(circuit: QuantumCircuit, axes: list[list[Qubit]], coin_qubits: list[Qubit],
                        coin: np.ndarray, steps: int) -> None:
    """Apply sum_k |k><k| (x) U_k^steps in the Fourier frame."""
    position = [q for axis in axes for q in axis]
    powers = momentum_powers(coin, len(axes), len(axes[0]), steps)
    if len(axes) == 1:
        circuit.append(UCGate(list(powers)), [coin_qubits[0], *position])
        return
    c0, c1 = coin_qubits
    left, right, ry = [], [], []
    for block in powers:
        (u1, u2), theta, (v1h, v2h) = scipy.linalg.cossin(block, p=2, q=2, separate=True)
        left.append((u1, u2))
        right.append((v1h, v2h))
        ry.append([_ry(2 * t) for t in theta])
    # index of a uniformly controlled gate: register value + L**2 * extra control bit
    circuit.append(UCGate([r[0] for r in right] + [r[1] for r in right]), [c0, *position, c1])
    circuit.append(UCGate([r[0] for r in ry] + [r[1] for r in ry]), [c1, *position, c0])
    circuit.append(UCGate([lf[0] for lf in left] + [lf[1] for lf in left]), [c0, *position, c1])


def _ry(angle: float) -> np.ndarray:
    c, s = np.cos(angle / 2), np.sin(angle / 2)
    return np.array([[c, -s], [s, c]], dtype=complex)
