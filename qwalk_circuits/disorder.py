"""Disorder realisations: the one function both the circuit builders and the references call.

Realisation r of seed s is drawn from ``numpy.random.default_rng((s, r))``
(DESIGN.md), so a circuit and its reference always see the same disorder.
"""

from __future__ import annotations

import numpy as np


def onsite_energies(seed: int, realisation: int, sites: int, width: float) -> np.ndarray:
    """Anderson on-site energies, uniform in [-W/2, W/2]."""
    rng = np.random.default_rng((seed, realisation))
    return rng.uniform(-width / 2, width / 2, size=sites)
