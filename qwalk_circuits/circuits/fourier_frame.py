"""The no-swap Fourier frame the Fourier and fast-forwarded constructions work in.

Qiskit's QFT maps |x> to sum_k e^{2 pi i x k / N} |k> / sqrt(N).  Without its
final swaps, bit j of k sits on qubit n-1-j, so the register holds the
bit-reversed k.  In this frame a translation by +1 is the phase e^{2 pi i k / N}.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.synthesis import synth_qft_full


def bit_reverse(values: np.ndarray, bits: int) -> np.ndarray:
    """Reverse the lowest ``bits`` bits of each integer."""
    out = np.zeros_like(values)
    for j in range(bits):
        out |= ((values >> j) & 1) << (bits - 1 - j)
    return out


def frame_momenta(axis_qubits: int) -> np.ndarray:
    """Momentum k held by register value i (little-endian) in the no-swap frame."""
    return bit_reverse(np.arange(1 << axis_qubits), axis_qubits)


def fourier_frame_amplitudes(amplitudes: np.ndarray, dimension: int, axis_qubits: int
                             ) -> np.ndarray:
    """Register amplitudes of QFT(psi) per axis in the no-swap frame (flat x + L*y order)."""
    side = 1 << axis_qubits
    psi = amplitudes.reshape((side,) * dimension)  # [y, x] in 2D
    axes = tuple(range(dimension))
    phi = np.fft.ifftn(psi, axes=axes) * np.sqrt(side**dimension)  # e^{+2 pi i x k / N}
    order = frame_momenta(axis_qubits)
    for axis in axes:
        phi = np.take(phi, order, axis=axis)
    return phi.reshape(-1)


def append_inverse_qft(circuit: QuantumCircuit, axes: list[list[Qubit]]) -> None:
    """Leave the Fourier frame: the inverse no-swap QFT on each position axis."""
    for axis in axes:
        circuit.compose(synth_qft_full(len(axis), do_swaps=False).inverse(), axis, inplace=True)


def append_qft(circuit: QuantumCircuit, axes: list[list[Qubit]]) -> None:
    """Enter the Fourier frame: the no-swap QFT on each position axis."""
    for axis in axes:
        circuit.compose(synth_qft_full(len(axis), do_swaps=False), axis, inplace=True)
