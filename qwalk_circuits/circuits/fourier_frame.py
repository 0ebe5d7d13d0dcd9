"""The no-swap Fourier frame the Fourier and fast-forwarded constructions work in.

Qiskit's QFT maps |x> to sum_k e^{2 pi i x k / N} |k> / sqrt(N).  Without its
final swaps, bit j of k sits on qubit n-1-j, so the register holds the
bit-reversed k.  In this frame a translation by +1 is the phase e^{2 pi i k / N}.

Two syntheses enter the frame (:func:`frame_qft`): ``full``, Qiskit's
``synth_qft_full(n, do_swaps=False)`` (n(n-1)/2 CP: n(n-1) CX on all-to-all
hardware, more once routed), and ``line``, Fowler et al.'s nearest-neighbour QFT
``synth_qft_line(n, do_swaps=True)`` (3 n(n-1)/2 CX on a line, no routing): the
faithful QFT, i.e. the no-swap one followed by the reversal of the register.  After
it bit j of k sits on qubit j, so the frame is the same with the axis read backwards:
everything done in the frame addresses :func:`frame_qubits` (the axis itself for
``full``, reversed for ``line``).  ``synth_qft_line(n, do_swaps=False)`` is the
no-swap unitary too, but it has to undo the reversal its CP-SWAP ladder makes
(5 n(n-1)/2 + ... CX: 79 against 45 on fake_fez at n = 6), so it is not used.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.synthesis import synth_qft_full, synth_qft_line

QftSynthesis = Literal["full", "line"]
QFT_SYNTHESES: tuple[QftSynthesis, ...] = ("full", "line")


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


def frame_qft(num_qubits: int, synthesis: QftSynthesis = "full") -> QuantumCircuit:
    """The QFT into this frame on ``num_qubits`` qubits: the no-swap QFT (``full``) or the
    line-connectivity faithful one (``line``, whose frame is read on the reversed axis)."""
    if synthesis == "full":
        return synth_qft_full(num_qubits, do_swaps=False)
    if synthesis == "line":
        return synth_qft_line(num_qubits, do_swaps=True)
    raise ValueError(f"unknown QFT synthesis {synthesis!r}; choose one of {QFT_SYNTHESES}")


def frame_qubits(axis: list[Qubit], synthesis: QftSynthesis = "full") -> list[Qubit]:
    """The axis as the frame's operations address it after :func:`frame_qft`: bit j of k
    on entry n-1-j of the list (the axis itself for ``full``, reversed for ``line``)."""
    return list(axis) if synthesis == "full" else list(axis)[::-1]


def append_inverse_qft(circuit: QuantumCircuit, axes: list[list[Qubit]],
                       synthesis: QftSynthesis = "full") -> None:
    """Leave the Fourier frame: the inverse no-swap QFT on each position axis."""
    for axis in axes:
        circuit.compose(frame_qft(len(axis), synthesis).inverse(), axis, inplace=True)


def append_qft(circuit: QuantumCircuit, axes: list[list[Qubit]],
               synthesis: QftSynthesis = "full") -> None:
    """Enter the Fourier frame: the no-swap QFT on each position axis."""
    for axis in axes:
        circuit.compose(frame_qft(len(axis), synthesis), axis, inplace=True)
