"""Hopping along one axis of the 2D torus, as a Fourier-frame circuit block with any bond phases.

Each row (for x; column for y) is a ring of L sites with bond phases a_j and
spin hop T = exp(i theta sigma).  With the ring's holonomy Phi = sum_j a_j,
the diagonal gauge G = diag(e^{i chi}), chi_j = sum_{j'<j} a_j' - j Phi / L,
maps it to the uniformly twisted ring: H = G H_tw G^dag, where every bond
carries phi = Phi / L.  H_tw is diagonal in the frame momentum k (the
no-swap QFT, where a translation by +1 is e^{2 pi i k / L}): per k the
2x2 spin block is

    H_tw(k) = -2J [cos(theta) cos(alpha) - sin(theta) sin(alpha) sigma],
    alpha = 2 pi k / L + phi,

so exp(-i H_tw(k) tau) = e^{2 i J tau cos(theta) cos(alpha)} R_sigma(4 J tau sin(theta) sin(alpha)),
a phase diagonal on (k, ring) and, with spin, an (k, ring)-multiplexed RX (sigma_x) or RY
(sigma_y).  Without flux phi = 0 and both depend on k alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.synthesis import synth_qft_full

from ..core.disorder_2d import Lattice2dModel
from .fourier_frame import frame_momenta
from .multiplexor import Angles, append_diagonal, append_uniform_rotation


def ring_gauge(phases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(chi[r, j], phi[r]) of the rings whose hop j -> j+1 carries ``phases[r, j]``."""
    side = phases.shape[1]
    phi = phases.sum(axis=1) / side
    before = np.concatenate([np.zeros((phases.shape[0], 1)), np.cumsum(phases, axis=1)[:, :-1]],
                            axis=1)
    return before - np.arange(side)[None, :] * phi[:, None], phi


def gauge_phases(a_x: np.ndarray, a_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """chi of the x rows and of the y columns as flat position phases (x + L*y)."""
    chi_x, _ = ring_gauge(a_x)        # [y, x]
    chi_y, _ = ring_gauge(a_y.T)      # [x, y]
    return chi_x.reshape(-1), chi_y.T.reshape(-1)


def ring_twists(a_x: np.ndarray, a_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """phi per row (x hopping, indexed by y) and per column (y hopping, indexed by x)."""
    return ring_gauge(a_x)[1], ring_gauge(a_y.T)[1]


def band_angles(model: Lattice2dModel, tau: float, twist: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray]:
    """(phases, spin rotation angles) per control value of one hopping block of duration tau.

    Control value i + L*r (r only with a ``twist`` per ring r): frame register i
    holds k = bit_reverse(i).  Phases e^{2iJ tau cos(theta) cos(alpha)},
    rotation R(4 J tau sin(theta) sin(alpha)).
    """
    side = model.side
    q = 2 * np.pi * frame_momenta(model.axis_qubits) / side
    alpha = q[None, :] + (np.zeros(1) if twist is None else twist)[:, None]
    jt = model.hopping * tau
    phases = 2 * jt * np.cos(model.theta) * np.cos(alpha)
    rotations = 4 * jt * np.sin(model.theta) * np.sin(alpha)
    return phases.reshape(-1), rotations.reshape(-1)


def append_qft(circuit: QuantumCircuit, qubits: Sequence[Qubit], inverse: bool = False) -> None:
    """The no-swap QFT (into the frame) or its inverse on one axis register."""
    qft = synth_qft_full(len(qubits), do_swaps=False)
    circuit.compose(qft.inverse() if inverse else qft, list(qubits), inplace=True)


def append_spin_rotation(circuit: QuantumCircuit, axis: str, controls: Sequence[Qubit],
                         spin: Qubit, rotation_chain: Angles) -> None:
    """The multiplexed spin rotation of a hopping block: RX (as H RZ H) for x, RY for y.

    ``rotation_chain`` = rotation_angles(rotations) from :func:`band_angles`.
    """
    if axis == "x":
        circuit.h(spin)
        append_uniform_rotation(circuit, "z", spin, controls, rotation_chain)
        circuit.h(spin)
    else:
        append_uniform_rotation(circuit, "y", spin, controls, rotation_chain)


def append_band(circuit: QuantumCircuit, axis: str, controls: Sequence[Qubit],
                spin: Qubit | None, phase_angles: Angles, rotation_chain: Angles | None) -> None:
    """The Fourier-frame part of a hopping block: the phase diagonal, then the spin rotation.

    ``phase_angles`` = diagonal_angles(phases) from :func:`band_angles`.
    """
    append_diagonal(circuit, controls, phase_angles)
    if spin is not None and rotation_chain is not None:
        append_spin_rotation(circuit, axis, controls, spin, rotation_chain)
