"""Disorder realisations: the one place both the circuit builders and the references draw them.

Realisation r of seed s comes from ``numpy.random.default_rng((s, r))``
(DESIGN.md), so a circuit and its reference always see the same disorder.
Every draw has a leading ``layers`` axis: one layer for static disorder, one
per step for dynamic disorder.  Layers are drawn in order from one stream,
so the first t layers do not depend on how many were asked for: the circuit
for t steps and the one for T > t steps share their first t layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

TWO_PI = 2 * np.pi


def _streams(seed: int, realisation: int, count: int) -> list[np.random.Generator]:
    """Independent generators for the kinds of disorder of one realisation."""
    return np.random.default_rng((seed, realisation)).spawn(count)


def onsite_energies(seed: int, realisation: int, sites: int, width: float,
                    layers: int | None = None) -> np.ndarray:
    """Anderson on-site energies, uniform in [-W/2, W/2]: shape (sites,), or
    (layers, sites) with one row per time slice (the first row is the static draw)."""
    rng = np.random.default_rng((seed, realisation))
    shape = (sites,) if layers is None else (layers, sites)
    return rng.uniform(-width / 2, width / 2, size=shape)


#: the golden-ratio conjugate (sqrt(5) - 1)/2, the "most irrational" quasi-period
GOLDEN_CONJUGATE = float((np.sqrt(5) - 1) / 2)


def aubry_andre_energies(seed: int, realisation: int, sites: int, amplitude: float,
                         quasi_period: float = GOLDEN_CONJUGATE,
                         layers: int | None = None) -> np.ndarray:
    """Aubry-Andre energies eps_x = W cos(2 pi beta x + phi), one phase phi uniform in
    [0, 2 pi) per realisation (per layer when ``layers`` is given, the first layer's phase
    being the static draw): shape (sites,) or (layers, sites).

    On a cycle of N sites the potential is not periodic unless beta N is an integer: its
    one jump sits between sites N - 1 and 0, the far side of a walk started in the middle."""
    rng = np.random.default_rng((seed, realisation))
    phases = rng.uniform(0.0, TWO_PI, size=1 if layers is None else layers)
    field = amplitude * np.cos(TWO_PI * quasi_period * np.arange(sites)[None, :]
                               + phases[:, None])
    return field[0] if layers is None else field


def chain_energies(seed: int, realisation: int, sites: int, strength: float, disorder: str,
                   potential: str, quasi_period: float, steps: int) -> np.ndarray:
    """One realisation's on-site energies of a 1D chain, shaped (layers, sites): one layer
    (``disorder`` none, all zero, or static) or one per step (dynamic); ``potential``
    uniform (:func:`onsite_energies`, width ``strength``) or aubry-andre
    (:func:`aubry_andre_energies`, amplitude ``strength``)."""
    width = 0.0 if disorder == "none" else strength
    layers = steps if disorder == "dynamic" else None
    if potential == "aubry-andre":
        energies = aubry_andre_energies(seed, realisation, sites, width, quasi_period, layers)
    else:
        energies = onsite_energies(seed, realisation, sites, width, layers)
    return energies if layers else energies[None]


@dataclass(frozen=True)
class WalkDisorder:
    """One realisation of coined-walk disorder, per layer (static: 1 layer; dynamic: 1 per step).

    ``phases[l, c, x]``: on-site phase for coin value c at site x (equal over c
    when the disorder is coin-independent).  ``coin_angles[l, :, x]``: the U3
    angles (theta, phi, lambda) of the extra coin rotation at site x, or None.
    """

    phases: np.ndarray | None
    coin_angles: np.ndarray | None

    @property
    def layers(self) -> int:
        return (self.phases if self.phases is not None else self.coin_angles).shape[0]  # type: ignore[union-attr]

    def layer(self, step: int) -> int:
        """The layer acting at ``step`` (0-based): layer 0 for static disorder."""
        return step if self.layers > 1 else 0


def walsh_terms(qubits: int, order: int) -> list[tuple[int, ...]]:
    """The bit subsets S (1 <= |S| <= order) of a Walsh phase: by size, then lexicographic."""
    return [subset for size in range(1, order + 1)
            for subset in combinations(range(qubits), size)]


def walsh_phase_field(coefficients: np.ndarray, qubits: int, order: int) -> np.ndarray:
    """phi(x) = sum_S a_S prod_{j in S} x_j for each row of ``coefficients`` (..., terms),
    in :func:`walsh_terms` order: shape (..., 2^qubits), bit j of x the j-th qubit."""
    x = np.arange(1 << qubits)
    basis = np.array([np.prod([(x >> j) & 1 for j in subset], axis=0)
                      for subset in walsh_terms(qubits, order)], dtype=float)
    return np.asarray(coefficients, dtype=float) @ basis.reshape(-1, 1 << qubits)


def walk_disorder(seed: int, realisation: int, sites: int, layers: int, strength: float,
                  kind: str, walsh_order: int = 2) -> WalkDisorder:
    """Coined-walk disorder of ``kind`` phase|coin-phase|coin|walsh-phase with ``strength``
    in [0, 1].

    phase: one phase per site, uniform in strength * [-pi, pi) (1: uniform on
    the circle); coin-phase: an independent phase per site and coin value;
    coin: a random U3 coin rotation per site, theta in strength * [0, pi],
    phi and lambda in strength * [-pi, pi); walsh-phase: a coin-independent
    phase of degree <= ``walsh_order`` in the site's bits (``sites`` = 2^n),
    phi(x) = sum_{1 <= |S| <= order} a_S prod_{j in S} x_j, each a_S uniform in
    strength * [-pi, pi).  At strength 1 the a_S are uniform on the circle, so
    phi is a uniformly random element of the group of such phase patterns:
    every site's phase relative to any other is uniform on the circle (as for
    ``phase``) and <exp(i (phi(x) - phi(y)))> = 0 for x != y, but the n(n+1)/2
    (order 2) or n (order 1) numbers of a layer are shared by all 2^n sites.
    """
    phase_rng, coin_rng = _streams(seed, realisation, 2)
    half = np.pi * strength
    phases = coin_angles = None
    if kind == "phase":
        one = phase_rng.uniform(-half, half, size=(layers, 1, sites))
        phases = np.repeat(one, 2, axis=1)
    elif kind == "walsh-phase":
        qubits = sites.bit_length() - 1
        if sites != 1 << qubits or walsh_order not in (1, 2):
            raise ValueError(f"walsh-phase needs 2^n sites (got {sites}) and order 1 or 2 "
                             f"(got {walsh_order})")
        terms = len(walsh_terms(qubits, walsh_order))
        field = walsh_phase_field(phase_rng.uniform(-half, half, size=(layers, terms)),
                                  qubits, walsh_order)
        phases = np.repeat(field[:, None, :], 2, axis=1)
    elif kind == "coin-phase":
        phases = phase_rng.uniform(-half, half, size=(layers, 2, sites))
    elif kind == "coin":
        draws = coin_rng.uniform(0.0, 1.0, size=(layers, 3, sites))
        coin_angles = np.empty_like(draws)
        coin_angles[:, 0] = np.pi * strength * draws[:, 0]
        coin_angles[:, 1:] = half * (2 * draws[:, 1:] - 1)
    else:
        raise ValueError(f"unknown disorder kind {kind!r}; use phase, coin-phase, coin or "
                         "walsh-phase")
    return WalkDisorder(phases, coin_angles)
