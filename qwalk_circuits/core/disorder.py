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


def walk_disorder(seed: int, realisation: int, sites: int, layers: int, strength: float,
                  kind: str) -> WalkDisorder:
    """Coined-walk disorder of ``kind`` phase|coin-phase|coin with ``strength`` in [0, 1].

    phase: one phase per site, uniform in strength * [-pi, pi) (1: uniform on
    the circle); coin-phase: an independent phase per site and coin value;
    coin: a random U3 coin rotation per site, theta in strength * [0, pi],
    phi and lambda in strength * [-pi, pi).
    """
    phase_rng, coin_rng = _streams(seed, realisation, 2)
    half = np.pi * strength
    phases = coin_angles = None
    if kind == "phase":
        one = phase_rng.uniform(-half, half, size=(layers, 1, sites))
        phases = np.repeat(one, 2, axis=1)
    elif kind == "coin-phase":
        phases = phase_rng.uniform(-half, half, size=(layers, 2, sites))
    elif kind == "coin":
        draws = coin_rng.uniform(0.0, 1.0, size=(layers, 3, sites))
        coin_angles = np.empty_like(draws)
        coin_angles[:, 0] = np.pi * strength * draws[:, 0]
        coin_angles[:, 1:] = half * (2 * draws[:, 1:] - 1)
    else:
        raise ValueError(f"unknown disorder kind {kind!r}; use phase, coin-phase or coin")
    return WalkDisorder(phases, coin_angles)
