"""Dephasing channels and their dynamics on density matrices, never through qiskit.

Channels (exact twins of the Aer noise models in ``noise.py``):

- site dephasing of strength p: rho -> (1 - p) rho + p diag(rho), the
  Haken-Strobl-Reineker channel over a time slice dt with p = 1 - exp(-gamma dt);
- coin dephasing of probability p: the same channel on the coin index;
- per-qubit phase damping lambda on the position register: the coherence
  between sites x and y is multiplied by (1 - lambda)^(d_H(x, y) / 2), d_H
  the Hamming distance of their bit strings -- not the same as site dephasing.

Continuous HSR dynamics: d rho/dt = -i[H, rho] - gamma (rho - diag rho), by
``expm_multiply`` on the Liouvillian (sparse, column-stacked vec(rho)).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import expm_multiply

from .coined_walk import step_density_matrix


def site_dephasing(rho: np.ndarray, p: float) -> np.ndarray:
    """(1 - p) rho + p diag(rho) for a density matrix over sites."""
    out = (1 - p) * rho
    idx = np.arange(rho.shape[0])
    out[idx, idx] = rho[idx, idx]
    return out


def hamming_mask(num_qubits: int, lam: float) -> np.ndarray:
    """Factor (1 - lam)^(d_H(x, y)/2) that per-qubit phase damping puts on rho[x, y]."""
    x = np.arange(1 << num_qubits)
    distance = np.array([[bin(a ^ b).count("1") for b in x] for a in x])
    return (1 - lam) ** (distance / 2)


def trotter_dephasing_evolution(hamiltonian: np.ndarray, rho0: np.ndarray, dt: float,
                                slices: Iterable[int], channel: str, gamma: float
                                ) -> dict[int, np.ndarray]:
    """rho after k slices of [exp(-i H dt), then dephasing for dt], for each requested k.

    ``channel`` "site": coherences between sites decay by exp(-gamma dt) per
    slice (p = 1 - exp(-gamma dt)); "phase_damping": each qubit's coherence
    decays by exp(-gamma dt) (lambda = 1 - exp(-2 gamma dt)).  This is the
    exact twin of the noisy circuit.
    """
    if channel not in ("site", "phase_damping"):
        raise ValueError(f"unknown channel {channel!r}; use 'site' or 'phase_damping'")
    energies, vectors = np.linalg.eigh(hamiltonian)
    step = vectors @ np.diag(np.exp(-1j * energies * dt)) @ vectors.conj().T
    mask = None
    strength = float(1 - np.exp(-gamma * dt))  # site dephasing p per slice
    if channel == "phase_damping":
        mask = hamming_mask(int(np.log2(rho0.shape[0])), float(1 - np.exp(-2 * gamma * dt)))
    wanted = sorted(set(slices))
    rho = np.array(rho0, dtype=complex)
    out: dict[int, np.ndarray] = {}
    k = 0
    for target in wanted:
        while k < target:
            rho = step @ rho @ step.conj().T
            rho = site_dephasing(rho, strength) if mask is None else rho * mask
            k += 1
        out[target] = rho.copy()
    return out


def hsr_liouvillian(hamiltonian: np.ndarray, gamma: float) -> sp.csr_matrix:
    """Generator of vec(rho) (column stacking) for d rho/dt = -i[H, rho] - gamma (rho - diag)."""
    n = hamiltonian.shape[0]
    h = sp.csr_matrix(hamiltonian)
    eye = sp.identity(n, format="csr")
    coherent = -1j * (sp.kron(eye, h) - sp.kron(h.T, eye))
    diagonal = np.zeros(n * n)
    diagonal[np.arange(n) * (n + 1)] = 1.0  # vec index of rho[x, x] is x + n x
    dephasing = -gamma * sp.diags(1.0 - diagonal)
    return (coherent + dephasing).tocsr()


def hsr_evolution(hamiltonian: np.ndarray, rho0: np.ndarray, gamma: float,
                  times: Iterable[float]) -> dict[float, np.ndarray]:
    """Exact continuous HSR dynamics at each time (times sorted, from t = 0)."""
    n = hamiltonian.shape[0]
    generator = hsr_liouvillian(hamiltonian, gamma)
    wanted = sorted(set(float(t) for t in times))
    vec = np.asarray(rho0, dtype=complex).reshape(-1, order="F")
    out: dict[float, np.ndarray] = {}
    now = 0.0
    for t in wanted:
        if t > now:
            vec = expm_multiply(generator * (t - now), vec)
            now = t
        out[t] = vec.reshape(n, n, order="F").copy()
    return out


def hsr_sigma_squared(hopping: float, gamma: float, t: np.ndarray | float) -> np.ndarray:
    """Closed form on the infinite line: (4 J^2 / gamma^2)(gamma t - 1 + exp(-gamma t))."""
    t = np.asarray(t, dtype=float)
    if gamma == 0:
        return 2 * hopping**2 * t**2
    return 4 * hopping**2 / gamma**2 * (gamma * t - 1 + np.exp(-gamma * t))


def coined_walk_dephasing_distributions(coin: np.ndarray, psi0: np.ndarray, times: Iterable[int],
                                        dimension: int, channel: str, p: float
                                        ) -> dict[int, np.ndarray]:
    """Coined walk with dephasing of probability p after every step (Brun et al. 2003).

    ``channel`` "coin": rho -> (1 - p) rho + p sum_c P_c rho P_c on the coin;
    "position": the same with site projectors.  psi0 has shape (2d, L..).
    """
    if channel not in ("coin", "position"):
        raise ValueError(f"unknown channel {channel!r}; use 'coin' or 'position'")
    shape = psi0.shape
    size = int(np.prod(shape))
    coins, sites = shape[0], size // shape[0]
    c_index = np.repeat(np.arange(coins), sites)
    x_index = np.tile(np.arange(sites), coins)
    index = c_index if channel == "coin" else x_index
    keep = (index[:, None] == index[None, :]).reshape(shape + shape)
    rho = np.multiply.outer(psi0, psi0.conj())
    wanted = sorted(set(int(t) for t in times))
    out: dict[int, np.ndarray] = {}
    t = 0
    for target in wanted:
        while t < target:
            rho = step_density_matrix(rho, coin, dimension)
            rho = np.where(keep, rho, (1 - p) * rho)
            t += 1
        flat = rho.reshape(size, size)
        out[target] = np.real(np.diag(flat)).reshape(coins, sites).sum(axis=0)
    return out
