"""The Aubry-Andre model: eps_x = W cos(2 pi beta x + phi) with irrational beta.

Aubry-Andre duality (Aubry & Andre, Ann. Israel Phys. Soc. 3, 133 (1980)) maps the model
at W onto itself at 4 J^2 / W, so every eigenstate is extended for W < 2J and
exponentially localized for W > 2J, at every energy, with one Lyapunov exponent
gamma = ln(W / 2J): |psi(x)| ~ exp(-|x| / xi), xi = 1 / gamma, i.e. |psi|^2 ~
exp(-2 |x| / xi), the convention of ``analysis/tails.py`` and ``reference/anderson.py``.
Exact for the infinite chain; a finite ring (and the split step) only approach it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

import numpy as np

from .disordered import ring_hamiltonian

Regime = Literal["extended", "critical", "localized"]


def aubry_andre_regime(amplitude: float, hopping: float = 1.0) -> Regime:
    """Extended below W = 2J, localized above, critical at the self-dual point."""
    threshold = 2 * abs(hopping)
    if math.isclose(amplitude, threshold, rel_tol=1e-12):
        return "critical"
    return "extended" if amplitude < threshold else "localized"


def aubry_andre_length(amplitude: float, hopping: float = 1.0) -> float:
    """xi = 1 / ln(W / 2J) for W > 2J (every eigenstate); infinite where not localized."""
    if aubry_andre_regime(amplitude, hopping) != "localized":
        return math.inf
    return 1 / math.log(amplitude / (2 * abs(hopping)))


def commensurate_period(quasi_period: float, sites: int) -> Fraction | None:
    """beta as the fraction p/q (q <= ``sites``, the potential's period) when it is one to
    within what that many sites resolve (2 pi sites |beta - p/q| < 1e-9), else None.  A periodic
    potential has Bloch eigenstates, extended at every W: the duality needs beta
    irrational (on a finite ring: no fraction of denominator up to the ring's size)."""
    fraction = Fraction(quasi_period).limit_denominator(sites)
    if 2 * math.pi * sites * abs(quasi_period - fraction) < 1e-9:
        return fraction
    return None


def eigenstate_iprs(hopping: float, energies: np.ndarray) -> np.ndarray:
    """The inverse participation ratio sum_x |psi_n(x)|^4 of each eigenstate of the ring's
    H: about 1/N when extended, O(1) (independent of N) when localized."""
    _, vectors = np.linalg.eigh(ring_hamiltonian(hopping, energies))
    return np.sum(np.abs(vectors) ** 4, axis=0)
