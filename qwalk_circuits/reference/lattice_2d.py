"""Exact reference of the disordered 2D torus with flux and spin-orbit coupling (numpy only).

The model (see ``disorder_2d.py``): one step of dt is
U = e^{-iV dt/2} e^{-iH_x dt/2} e^{-iH_y dt} e^{-iH_x dt/2} e^{-iV dt/2}.
H_x couples only sites of the same row, so it is a direct sum of L ring
Hamiltonians, built here explicitly from the bond list as 2L x 2L blocks
(spin-major: index s*L + x) and exponentiated by diagonalising each block;
H_y likewise per column.  Nothing here knows the circuit's gauge trick or
its Fourier frame: the two paths share only the model and the realisation.

Momentum convention: a plane wave with momentum p is e^{+2 pi i p.r / L};
:func:`momentum_distribution` returns P[s, p_y, p_x].
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, cached_property

import numpy as np
from threadpoolctl import ThreadpoolController

from ..core.disorder_2d import Lattice2dDisorder, Lattice2dModel

PAULI = {"x": np.array([[0, 1], [1, 0]], dtype=complex),
         "y": np.array([[0, -1j], [1j, 0]], dtype=complex)}


def spin_hop(theta: float, axis: str) -> np.ndarray:
    """T = exp(i theta sigma_axis) = cos(theta) + i sin(theta) sigma_axis."""
    return np.cos(theta) * np.eye(2) + 1j * np.sin(theta) * PAULI[axis]


def ring_hamiltonians(model: Lattice2dModel, phases: np.ndarray, axis: str) -> np.ndarray:
    """Hamiltonians of the L rings along ``axis``, shape (L, d L, d L) (d = 2 with spin).

    ``phases[r, j]``: the phase of the hop j -> j+1 (mod L) on ring r (rows
    for x: pass a_x; columns for y: pass a_y transposed).  Each hop adds
    -J e^{i a} T |j+1><j| and its conjugate, T acting on the spin.
    """
    side = model.side
    rings = np.zeros((side, side, side), dtype=complex)
    for j in range(side):
        rings[:, (j + 1) % side, j] += np.exp(1j * phases[:, j])
    spin = spin_hop(model.theta, axis) if model.spinful else np.eye(1)
    hop = -model.hopping * np.einsum("ab,rij->raibj", spin, rings).reshape(
        side, spin.shape[0] * side, spin.shape[0] * side)
    return hop + np.conj(np.swapaxes(hop, 1, 2))


@cache
def _blas() -> ThreadpoolController:
    """numpy's BLAS, found once (``threadpool_limits`` scans the libraries on every call,
    ~0.1 ms: as long as the whole propagator at L = 8)."""
    return ThreadpoolController()


def _ring_propagators(hamiltonians: np.ndarray, tau: float) -> np.ndarray:
    """exp(-i H tau) of each ring, by diagonalising the Hermitian blocks.

    BLAS runs on one thread here: on a 2-core machine OpenBLAS's default threads made
    these many small blocks 1.1-4x slower from L = 16 on, and 10-60x under load, while
    one thread costs at most ~15 % on the smallest tori (``bench_blas_threads``)."""
    with _blas().limit(limits=1, user_api="blas"):
        values, vectors = np.linalg.eigh(hamiltonians)
        return (vectors * np.exp(-1j * tau * values)[:, None, :]) @ np.conj(
            np.swapaxes(vectors, 1, 2))


class Lattice2dReference:
    """The exact step of one realisation, applied to states (flat x + L*y + L^2*s)."""

    def __init__(self, model: Lattice2dModel, disorder: Lattice2dDisorder) -> None:
        self.model = model
        self.disorder = disorder
        self.spins = 2 if model.spinful else 1

    @cached_property
    def _half_potential(self) -> np.ndarray:
        side = self.model.side
        return np.exp(-0.5j * self.model.dt * self.disorder.energies.reshape(1, side, side))

    @cached_property
    def _x_half(self) -> np.ndarray:
        h = ring_hamiltonians(self.model, self.disorder.a_x, "x")
        return _ring_propagators(h, self.model.dt / 2)

    @cached_property
    def _y_full(self) -> np.ndarray:
        h = ring_hamiltonians(self.model, self.disorder.a_y.T, "y")
        return _ring_propagators(h, self.model.dt)

    def _apply_x(self, psi: np.ndarray) -> np.ndarray:
        side, spins = self.model.side, self.spins
        rows = psi.transpose(1, 0, 2).reshape(side, spins * side)  # [y, s*L + x]
        out = (self._x_half @ rows[:, :, None])[:, :, 0]
        return out.reshape(side, spins, side).transpose(1, 0, 2)

    def _apply_y(self, psi: np.ndarray) -> np.ndarray:
        side, spins = self.model.side, self.spins
        columns = psi.transpose(2, 0, 1).reshape(side, spins * side)  # [x, s*L + y]
        out = (self._y_full @ columns[:, :, None])[:, :, 0]
        return out.reshape(side, spins, side).transpose(1, 2, 0)

    def step(self, psi: np.ndarray) -> np.ndarray:
        """One split step of a flat state."""
        side = self.model.side
        state = np.asarray(psi, dtype=complex).reshape(self.spins, side, side)
        state = self._half_potential * state
        state = self._apply_x(state)
        state = self._apply_y(state)
        state = self._apply_x(state)
        return (self._half_potential * state).reshape(-1)

    def states(self, psi0: np.ndarray, steps: Iterable[int]) -> dict[int, np.ndarray]:
        """psi after each requested number of steps."""
        psi = np.array(psi0, dtype=complex, copy=True)
        out: dict[int, np.ndarray] = {}
        done = 0
        for target in sorted(set(int(t) for t in steps)):
            while done < target:
                psi = self.step(psi)
                done += 1
            out[target] = psi.copy()
        return out

    def step_unitary(self) -> np.ndarray:
        """The full step matrix (columns: the step of each basis state); for small L."""
        dimension = self.model.dimension
        return np.stack([self.step(np.eye(dimension, dtype=complex)[j])
                         for j in range(dimension)], axis=1)


def lattice_2d_states(model: Lattice2dModel, disorder: Lattice2dDisorder, psi0: np.ndarray,
                      steps: Iterable[int]) -> dict[int, np.ndarray]:
    """psi(T) for each requested number of steps T."""
    return Lattice2dReference(model, disorder).states(psi0, steps)


def lattice_2d_step_unitary(model: Lattice2dModel, disorder: Lattice2dDisorder) -> np.ndarray:
    """The one-step unitary (dimension L^2, or 2 L^2 with spin)."""
    return Lattice2dReference(model, disorder).step_unitary()


def plane_wave(model: Lattice2dModel, momentum: tuple[int, int], spin: int = 0) -> np.ndarray:
    """e^{2 pi i (p_x x + p_y y) / L} / L in spin state |spin> (flat)."""
    side, (px, py) = model.side, momentum
    y, x = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    psi = np.zeros((2 if model.spinful else 1, side, side), dtype=complex)
    psi[spin] = np.exp(2j * np.pi * (px * x + py * y) / side) / side
    return psi.reshape(-1)


def site_state(model: Lattice2dModel, site: tuple[int, int], spin: int = 0) -> np.ndarray:
    """The site (x, y) in spin state |spin> (flat)."""
    side, (x, y) = model.side, site
    psi = np.zeros(model.dimension, dtype=complex)
    psi[x + side * y + side * side * spin] = 1.0
    return psi


def momentum_distribution(model: Lattice2dModel, psi: np.ndarray) -> np.ndarray:
    """P[s, p_y, p_x] = |sum_r e^{-2 pi i p.r / L} psi[s, r] / L|^2."""
    side = model.side
    state = np.asarray(psi).reshape(-1, side, side)
    return np.abs(np.fft.fft2(state, norm="ortho")) ** 2
