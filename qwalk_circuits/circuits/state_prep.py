"""Initial-state preparation, in the position basis or directly in the Fourier frame."""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit

from .amplitude_prep import append_amplitudes
from .fourier_frame import fourier_frame_amplitudes

BASIS_TOL = 1e-12


def basis_site(amplitudes: np.ndarray) -> int | None:
    """The site index if ``amplitudes`` is a single basis state with amplitude 1, else None."""
    site = int(np.argmax(np.abs(amplitudes)))
    return site if abs(amplitudes[site] - 1.0) < BASIS_TOL else None


def prepare_vector(circuit: QuantumCircuit, qubits: list[Qubit], amplitudes: np.ndarray) -> None:
    """Prepare a normalised vector on ``qubits`` (little-endian), cheaply for basis states."""
    site = basis_site(amplitudes)
    if site is not None:
        for j, q in enumerate(qubits):
            if (site >> j) & 1:
                circuit.x(q)
        return
    append_amplitudes(circuit, qubits, amplitudes)


def prepare_position(circuit: QuantumCircuit, axes: list[list[Qubit]],
                     amplitudes: np.ndarray) -> None:
    """Prepare the position state (flat index x + L*y) in the position basis."""
    prepare_vector(circuit, [q for axis in axes for q in axis], amplitudes)


def prepare_position_fourier(circuit: QuantumCircuit, axes: list[list[Qubit]],
                             amplitudes: np.ndarray) -> None:
    """Prepare QFT(position state) in the no-swap Fourier frame.

    A single site becomes a product state (H and a phase per qubit), so the
    opening QFT costs no two-qubit gate at all.
    """
    side = 1 << len(axes[0])
    site = basis_site(amplitudes)
    if site is not None:
        coords = [site % side, site // side][: len(axes)]
        for axis, coord in zip(axes, coords, strict=True):
            n = len(axis)
            for j in range(n):
                q = axis[n - 1 - j]  # bit j of k sits on qubit n-1-j in the no-swap frame
                circuit.h(q)
                angle = 2 * np.pi * ((coord << j) % side) / side
                if angle:
                    circuit.p(angle, q)
        return
    frame = fourier_frame_amplitudes(amplitudes, len(axes), len(axes[0]))
    append_amplitudes(circuit, [q for axis in axes for q in axis], frame)
