"""The Anderson chain by brickwork steps, on its N site amplitudes (numpy only).

One step of dt is D(eps dt), then every even bond (0-1, 2-3, ...), then every odd bond,
each bond exp(+i J dt (|x><x+1| + h.c.)): a first-order (Lie) splitting of
H = -J sum (|x><x+1| + h.c.) + sum eps_x |x><x| on an open chain, or on a ring (even N)
whose closing bond (N-1, 0) joins the odd ones, and the model the one-hot circuits
(``circuits/one_hot_chain.py``) implement, not an approximation of it.
Its classical counterpart is the same brickwork fully dephased after every bond: a bond
moves the walker across with probability sin^2(J dt).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _layer(energies: np.ndarray, step: int) -> np.ndarray:
    """The step's energies: the one static row, or row ``step`` of a dynamic table."""
    return energies[step if energies.shape[0] > 1 else 0]


def check_ring(sites: int, ring: bool) -> None:
    """A ring's brickwork has two layers only for an even number of sites (at least 4)."""
    if ring and (sites % 2 or sites < 4):
        raise ValueError(f"a ring of {sites} sites: the brickwork needs an even number of "
                         "sites, at least 4")


def bond_pairs(sites: int, parity: int, ring: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The (left, right) sites of one brickwork layer: even bonds (parity 0) or odd ones
    (parity 1; on a ring of even N also the closing bond N-1 -> 0)."""
    last = sites if ring else sites - 1
    left = np.arange(parity, last, 2)
    return left, (left + 1) % sites


def brickwork_states(start: int, sites: int, hopping: float, energies: np.ndarray, dt: float,
                     steps: Sequence[int], ring: bool = False) -> dict[int, np.ndarray]:
    """Amplitudes after each of ``steps`` brickwork steps from site ``start``;
    ``energies`` (layers, sites): one layer (static) or one per step (dynamic); ``ring``:
    the closing bond too (N even)."""
    check_ring(sites, ring)
    psi = np.zeros(sites, complex)
    psi[start] = 1.0
    c, s = np.cos(hopping * dt), 1j * np.sin(hopping * dt)
    wanted, out = set(steps), {}
    for step in range(max(steps, default=0) + 1):
        if step in wanted:
            out[step] = psi.copy()
        if step == max(steps):
            break
        psi = psi * np.exp(-1j * dt * _layer(energies, step))
        for parity in (0, 1):
            a, b = bond_pairs(sites, parity, ring)
            psi[a], psi[b] = c * psi[a] + s * psi[b], s * psi[a] + c * psi[b]
    return out


def classical_brickwork(start: int, sites: int, hopping: float, dt: float,
                        steps: Sequence[int], ring: bool = False) -> dict[int, np.ndarray]:
    """The fully dephased brickwork: each bond swaps its two sites' probabilities with
    probability sin^2(J dt); the distributions after each of ``steps`` steps."""
    check_ring(sites, ring)
    p = np.zeros(sites)
    p[start] = 1.0
    move = np.sin(hopping * dt) ** 2
    wanted, out = set(steps), {}
    for step in range(max(steps, default=0) + 1):
        if step in wanted:
            out[step] = p.copy()
        if step == max(steps):
            break
        for parity in (0, 1):
            a, b = bond_pairs(sites, parity, ring)
            p[a], p[b] = (1 - move) * p[a] + move * p[b], move * p[a] + (1 - move) * p[b]
    return out
