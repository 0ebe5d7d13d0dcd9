"""Continuous-time quantum walk H = -J sum_x (|x><x+1| + h.c.), by exact diagonalization.

The Hamiltonian is built as an explicit matrix (nearest neighbours on a cycle,
or on an L x L torus with flat index x + L*y) and diagonalised with numpy,
independently of the Fourier-basis circuits.  For the infinite line,
:func:`bessel_amplitudes` gives the closed form psi_x(t) = i^x J_x(2 J t).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy.special import jv


def hopping_hamiltonian(side: int, hopping: float, dimension: int = 1) -> np.ndarray:
    """H = -J sum over nearest-neighbour bonds of a cycle (1D) or torus (2D), flat x + L*y."""
    ring = np.zeros((side, side))
    for x in range(side):
        ring[x, (x + 1) % side] += 1
        ring[(x + 1) % side, x] += 1
    if dimension == 1:
        return -hopping * ring
    eye = np.eye(side)
    return -hopping * (np.kron(eye, ring) + np.kron(ring, eye))


def ctqw_states(psi0: np.ndarray, hopping: float, times: Iterable[float], side: int,
                dimension: int = 1) -> dict[float, np.ndarray]:
    """psi(t) = exp(-i H t) psi0 for each time, by diagonalising H once."""
    energies, vectors = np.linalg.eigh(hopping_hamiltonian(side, hopping, dimension))
    coefficients = vectors.conj().T @ psi0
    return {float(t): vectors @ (np.exp(-1j * energies * t) * coefficients) for t in times}


def bessel_amplitudes(displacement: np.ndarray, hopping: float, time: float) -> np.ndarray:
    """Infinite-line walk from x = 0: psi_x(t) = i^x J_x(2 J t)."""
    x = np.asarray(displacement)
    return (1j ** (x % 4)) * jv(x, 2 * hopping * time)
