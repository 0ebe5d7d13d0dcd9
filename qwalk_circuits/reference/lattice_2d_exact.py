"""exp(-i H t) of the disordered 2D torus itself, not its split step (numpy/scipy only).

The circuits implement the symmetric split step U = e^{-iV dt/2} e^{-iH_x dt/2} e^{-iH_y dt}
e^{-iH_x dt/2} e^{-iV dt/2} (``lattice_2d.py``), a model of its own; this module propagates the
same realisation with the Hamiltonian H = H_x + H_y + V it splits, so that an observable's
shift from the splitting can be measured on the same realisations.  H is sparse (a few
entries per row), built from the same ring Hamiltonians as the split-step reference, and
applied with ``scipy.sparse.linalg.expm_multiply``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import expm_multiply

from ..core.disorder_2d import Lattice2dDisorder, Lattice2dModel
from .lattice_2d import ring_hamiltonians


def _rings_to_flat(blocks: np.ndarray, side: int, spins: int, axis: str) -> sparse.csr_matrix:
    """Place the L ring blocks (basis s*L + j along the ring) in the flat basis
    x + L*y + L^2*s: ring r is row y = r for ``x``, column x = r for ``y``."""
    rows, cols, values = [], [], []
    j = np.arange(spins * side)
    spin, along = j // side, j % side
    for r in range(side):
        flat = (along + side * r if axis == "x" else r + side * along) + side * side * spin
        nonzero = np.nonzero(blocks[r])
        rows.append(flat[nonzero[0]])
        cols.append(flat[nonzero[1]])
        values.append(blocks[r][nonzero])
    dimension = spins * side * side
    return sparse.csr_matrix((np.concatenate(values), (np.concatenate(rows),
                                                       np.concatenate(cols))),
                             shape=(dimension, dimension))


def lattice_2d_hamiltonian(model: Lattice2dModel, disorder: Lattice2dDisorder
                           ) -> sparse.csr_matrix:
    """H = H_x + H_y + V of one realisation, sparse, flat basis x + L*y + L^2*s."""
    side, spins = model.side, (2 if model.spinful else 1)
    h_x = _rings_to_flat(ring_hamiltonians(model, disorder.a_x, "x"), side, spins, "x")
    h_y = _rings_to_flat(ring_hamiltonians(model, disorder.a_y.T, "y"), side, spins, "y")
    potential = np.tile(np.asarray(disorder.energies, dtype=float).reshape(-1), spins)
    return (h_x + h_y + sparse.diags(potential)).tocsr()


def lattice_2d_exact_states(model: Lattice2dModel, disorder: Lattice2dDisorder,
                            psi0: np.ndarray, times: Iterable[float]) -> dict[float, np.ndarray]:
    """psi(t) = exp(-i H t) psi0 at each requested time (t >= 0)."""
    h = -1j * lattice_2d_hamiltonian(model, disorder)
    psi, now = np.asarray(psi0, dtype=complex), 0.0
    out: dict[float, np.ndarray] = {}
    for t in sorted(set(float(t) for t in times)):
        if t > now:
            psi = expm_multiply(h * (t - now), psi)
            now = t
        out[t] = psi.copy()
    return out
