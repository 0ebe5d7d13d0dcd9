"""Fast-forwarded walk: all T steps as one multiplexed coin rotation per momentum.

A translation-invariant walk is block diagonal in momentum: U = QFT^dag
(sum_k |k><k| (x) U_k) QFT with U_k = D_k C.  U^T is then one uniformly
controlled gate on the coin, U_k^T for each k, whatever T is.  In 2D the 4x4
U_k^T is split by the cosine-sine decomposition into three uniformly
controlled single-qubit gates.

In 1D, k -> k + N/2 flips the sign of D_k, so U_{k+N/2}^T = (-1)^T U_k^T: the
multiplexor drops its control on the qubit holding k's top bit (qubit 0 of
the no-swap frame), and odd T adds a Z there.

Qiskit's UCGate synthesis diagonalises products of gate pairs; for the walk's
structured U_k^T (near-degenerate pairs) it loses accuracy as the
multiplexor grows (~1e-11 at 7 controls, "not unitary" at 9).  Beyond
UCGATE_MAX_CONTROLS the multiplexor is built from uniformly controlled RZ/RY
rotations and a diagonal instead: exact to ~1e-15, about twice the CX count.

That diagonalisation is also discontinuous where two gates are equal up to a phase (U_0^4 =
I and U_2^4 = -I for the Hadamard walk): their product is degenerate, so the last bit of the
gates picks its eigenvectors, and with them the single-qubit gates and the transpiled depth.
``np.linalg.matrix_power`` rounds per OpenBLAS kernel (SkylakeX and Haswell differ in the
last bit; ``OPENBLAS_CORETYPE`` selects one), so the t = 4 coined walk transpiled to depth 42
on one machine and 43 on another, and its noisy counts moved.  :func:`momentum_powers`
therefore multiplies with elementwise float operations in a fixed order: the same bits on
every machine.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.circuit.library import DiagonalGate, UCGate, UCRYGate, UCRZGate
from qiskit.synthesis import OneQubitEulerDecomposer

from .fourier_frame import frame_momenta

UCGATE_MAX_CONTROLS = 7


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
    return fixed_order_power(blocks, steps)


def fixed_order_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b of stacks of complex matrices, rounded the same on every machine: real
    multiplications and additions, one elementwise operation at a time, in a fixed order
    (no BLAS kernel, no fused multiply-add)."""
    ar, ai, br, bi = a.real, a.imag, b.real, b.imag
    real = np.zeros(np.broadcast_shapes(a.shape, b.shape))
    imag = np.zeros_like(real)
    for k in range(a.shape[-1]):
        xr, xi = ar[..., :, k, None], ai[..., :, k, None]
        yr, yi = br[..., None, k, :], bi[..., None, k, :]
        real = real + (xr * yr - xi * yi)
        imag = imag + (xr * yi + xi * yr)
    out = np.empty(real.shape, dtype=complex)
    out.real, out.imag = real, imag
    return out


def fixed_order_power(blocks: np.ndarray, steps: int) -> np.ndarray:
    """blocks^steps of a stack of square matrices by binary powering with
    :func:`fixed_order_matmul` (the identity for steps = 0)."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    result = np.broadcast_to(np.eye(blocks.shape[-1], dtype=complex), blocks.shape).copy()
    square, remaining = np.array(blocks, dtype=complex), steps
    while remaining:
        if remaining & 1:
            result = fixed_order_matmul(result, square)
        remaining >>= 1
        if remaining:
            square = fixed_order_matmul(square, square)
    return result


def append_fast_forward(circuit: QuantumCircuit, axes: list[list[Qubit]], coin_qubits: list[Qubit],
                        coin: np.ndarray, steps: int) -> None:
    """Apply sum_k |k><k| (x) U_k^steps in the Fourier frame."""
    position = [q for axis in axes for q in axis]
    powers = momentum_powers(coin, len(axes), len(axes[0]), steps)
    if len(axes) == 1:
        if steps % 2:
            circuit.z(position[0])
        append_multiplexor(circuit, coin_qubits[0], position[1:], list(powers[0::2]))
        return
    c0, c1 = coin_qubits
    left, right, ry = [], [], []
    for block in powers:
        (u1, u2), theta, (v1h, v2h) = scipy.linalg.cossin(block, p=2, q=2, separate=True)
        left.append((u1, u2))
        right.append((v1h, v2h))
        ry.append([_ry(2 * t) for t in theta])
    # index of a uniformly controlled gate: register value + L**2 * extra control bit
    for target, other, pairs in ((c0, c1, right), (c1, c0, ry), (c0, c1, left)):
        append_multiplexor(circuit, target, [*position, other],
                           [pair[0] for pair in pairs] + [pair[1] for pair in pairs])


def fast_forward_rough_cost(dimension: int, axis_qubits: int) -> int:
    """About how many CX the fast-forward multiplexors take (2^controls each; twice that
    for the rotation-based ones), for choosing whether to transpile it at all."""
    controls = axis_qubits - 1 if dimension == 1 else 2 * axis_qubits + 1
    count = 1 if dimension == 1 else 3
    factor = 1 if controls <= UCGATE_MAX_CONTROLS else 2
    return count * factor * (1 << controls)


def append_multiplexor(circuit: QuantumCircuit, target: Qubit, controls: list[Qubit],
                       gates: list[np.ndarray]) -> None:
    """Apply gates[i] to ``target`` when ``controls`` (little-endian) hold i."""
    if not controls:
        circuit.unitary(gates[0], [target])
        return
    if len(controls) > UCGATE_MAX_CONTROLS:
        _append_rotation_multiplexor(circuit, target, controls, gates)
    else:
        circuit.append(UCGate(gates), [target, *controls])


def _append_rotation_multiplexor(circuit: QuantumCircuit, target: Qubit, controls: list[Qubit],
                                 gates: list[np.ndarray]) -> None:
    """gates[i] = e^{i a_i} RZ(phi) RY(theta) RZ(lam): three uniformly controlled rotations,
    and a diagonal of the phases a_i on the controls unless they are all equal (then
    it is a global phase).  a_i = arg(det)/2 on a fixed branch, so gates of equal
    determinant (all U_k^T of a walk) share it; the SU(2) remainder's sign goes into
    RZ(lam + 2 pi) = -RZ(lam)."""
    euler = OneQubitEulerDecomposer("ZYZ")
    phases = np.array([np.angle(np.linalg.det(g)) / 2 for g in gates])
    angles = []
    for g, a in zip(gates, phases, strict=True):
        theta, phi, lam, rest = euler.angles_and_phase(g * np.exp(-1j * a))
        if abs(np.angle(np.exp(1j * rest))) > np.pi / 2:  # rest = pi: the remainder is -RZ RY RZ
            lam += 2 * np.pi
        angles.append((theta, phi, lam))
    theta, phi, lam = np.array(angles).T
    qubits = [target, *controls]
    circuit.append(UCRZGate([float(a) for a in lam]), qubits)
    circuit.append(UCRYGate([float(a) for a in theta]), qubits)
    circuit.append(UCRZGate([float(a) for a in phi]), qubits)
    if np.ptp(phases) > 1e-12:
        circuit.append(DiagonalGate(list(np.exp(1j * phases))), controls)
    else:
        circuit.global_phase += float(phases[0])


def _ry(angle: float) -> np.ndarray:
    c, s = np.cos(angle / 2), np.sin(angle / 2)
    return np.array([[c, -s], [s, c]], dtype=complex)
