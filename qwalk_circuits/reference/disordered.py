"""Exact disordered walks: the coined walk with site disorder, and the Anderson CTQW.

Coined walk (1D, psi[c, x]): one step is S . C . V . Phi, the on-site phases
Phi = exp(i phases[c, x]), then the per-site U3 coin rotation V, the coin
C, the moving shift (coin 0 to x+1).  ``phases``/``coin_angles`` have a
leading layer axis: layer 0 for every step (static), or layer s at step s
(dynamic).

Anderson CTQW: H = -J sum (|x><x+1| + h.c.) + sum_x eps_x |x><x|, evolved
by the symmetric split step exp(-i V dt/2) exp(-i H0 dt) exp(-i V dt/2)
(H0 exactly through the FFT): the model the circuits implement, with one
layer of energies per slice for dynamic disorder.  :func:`anderson_exact_states`
diagonalises the full static H, to measure the splitting error.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def u3_matrices(angles: np.ndarray) -> np.ndarray:
    """U3(theta, phi, lambda) per site from angles shaped (3, N): shape (N, 2, 2)."""
    theta, phi, lam = angles
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    return np.stack([np.stack([c, -np.exp(1j * lam) * s], axis=-1),
                     np.stack([np.exp(1j * phi) * s, np.exp(1j * (phi + lam)) * c], axis=-1)],
                    axis=-2)


def _layer(array: np.ndarray, step: int) -> np.ndarray:
    return array[step if array.shape[0] > 1 else 0]


def disordered_walk_states(coin: np.ndarray, initial: np.ndarray, times: Iterable[int],
                           phases: np.ndarray | None = None,
                           coin_angles: np.ndarray | None = None) -> dict[int, np.ndarray]:
    """psi(t) of the disordered 1D coined walk from ``initial`` (shape (2, N))."""
    wanted = sorted(set(int(t) for t in times))
    psi = np.array(initial, dtype=complex, copy=True)
    states: dict[int, np.ndarray] = {}
    t = 0
    for target in wanted:
        while t < target:
            if phases is not None:
                psi = psi * np.exp(1j * _layer(phases, t))
            if coin_angles is not None:
                psi = np.einsum("xab,bx->ax", u3_matrices(_layer(coin_angles, t)), psi)
            psi = coin @ psi
            psi = np.stack([np.roll(psi[0], 1), np.roll(psi[1], -1)])
            t += 1
        states[target] = psi.copy()
    return states


def _kinetic_phases(side: int, hopping: float, dt: float) -> np.ndarray:
    """exp(-i E(k) dt), E(k) = -2 J cos(2 pi k / N), in numpy's FFT order."""
    k = np.arange(side)
    return np.exp(2j * hopping * dt * np.cos(2 * np.pi * k / side))


def anderson_split_states(psi0: np.ndarray, hopping: float, energies: np.ndarray, dt: float,
                          slices: Iterable[int]) -> dict[int, np.ndarray]:
    """psi after each requested number of split steps; ``energies`` shaped (layers, N)."""
    side = psi0.size
    kinetic = _kinetic_phases(side, hopping, dt)
    psi = np.array(psi0, dtype=complex, copy=True)
    states: dict[int, np.ndarray] = {}
    s = 0
    for target in sorted(set(int(v) for v in slices)):
        while s < target:
            half = np.exp(-0.5j * dt * _layer(energies, s))
            psi = half * np.fft.ifft(kinetic * np.fft.fft(half * psi))
            s += 1
        states[target] = psi.copy()
    return states


def ring_hamiltonian(hopping: float, energies: np.ndarray) -> np.ndarray:
    """The dense H = -J sum (|x><x+1| + h.c.) + sum eps_x |x><x| on a cycle of len(eps)."""
    h = np.diag(np.asarray(energies, dtype=float))
    side = h.shape[0]
    for x in range(side):
        h[x, (x + 1) % side] -= hopping
        h[(x + 1) % side, x] -= hopping
    return h


def anderson_exact_states(psi0: np.ndarray, hopping: float, energies: np.ndarray,
                          times: Iterable[float]) -> dict[float, np.ndarray]:
    """exp(-i H t) psi0 for static on-site ``energies`` (N,), by diagonalising H."""
    values, vectors = np.linalg.eigh(ring_hamiltonian(hopping, energies))
    coefficients = vectors.conj().T @ psi0
    return {float(t): vectors @ (np.exp(-1j * values * t) * coefficients) for t in times}
