"""The finite-size guard: when a walk on a ring or torus has felt the size of its lattice.

A walk from x0 on a cycle of N sites (an L x L torus) is the infinite-lattice walk until it
reaches the *far side* -- the ring's antipode x0 + N/2, the torus's far rows and columns
|dx| = L/2 or |dy| = L/2 -- where the two ways round meet and what travels on folds back
onto the sites near the start.  So the measure is the probability on the far side, as a
fraction of what it holds once the walk has filled the lattice (the uniform, ergodic
distribution): :func:`far_side_filling`, 0 while nothing is there, 1 at equilibrium.

:func:`finite_size_warning` turns a series of it into the ``warnings`` entry a result gets
(``Experiment.result_warnings``) when the far side holds more than :data:`FILLING_LIMIT`
of its ergodic share at a measured time: sigma, the return probability and every fitted
exponent from that time on describe the lattice as much as the walk.  The limit is 2 %:
there a diffusive (Gaussian) walk's variance is at most 0.25 % below the infinite
lattice's and its return probability within 2e-10 of it, and a ballistic front (the
coherent walks) is a step or two from the antipode, where sigma starts to fold back.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.lattice import signed_displacement

#: the far side is filled past this fraction of its ergodic share: the lattice size shows
FILLING_LIMIT = 0.02


def far_side_margin(side: int) -> int:
    """How many sites in from the far edge count as the far side: side/16, at least 1."""
    return max(1, side // 16)


def far_side_mask(side: int, dimension: int, origin: int) -> np.ndarray:
    """Flat sites (x + side*y) within :func:`far_side_margin` of the far side of ``origin``
    (periodic distance >= side/2 - margin along some axis)."""
    edge = side // 2 - far_side_margin(side)
    if dimension == 1:
        return np.abs(signed_displacement(side, origin)) >= edge
    far_x = np.abs(signed_displacement(side, origin % side)) >= edge
    far_y = np.abs(signed_displacement(side, origin // side)) >= edge
    return (far_y[:, None] | far_x[None, :]).reshape(-1)


def far_side_filling(p: np.ndarray, origin: int, dimension: int) -> float:
    """The far side's probability over its ergodic share (its sites' fraction of the lattice):
    0 while the walk has not reached it, 1 for the uniform distribution."""
    p = np.asarray(p, dtype=float)
    side = round(p.size ** (1 / dimension))
    if side**dimension != p.size:
        raise ValueError(f"{p.size} sites are not a {dimension}D lattice")
    mask = far_side_mask(side, dimension, origin)
    return float(p[mask].sum() / mask.mean())


def finite_size_warning(times: Sequence[float], filling: Sequence[float], *,
                        what: str, size_parameter: str, size: int,
                        time_parameter: str = "time") -> str | None:
    """The warning for the first time the far side is filled past :data:`FILLING_LIMIT`, with
    what to change (None when it never is).  ``what``: the walk the filling is of;
    ``size_parameter`` and ``size``: the qubit count that doubles the lattice per axis;
    ``time_parameter``: the spec field that shortens the run."""
    over = [i for i, f in enumerate(filling) if f > FILLING_LIMIT]
    if not over:
        return None
    first = over[0]
    keep = (f"{time_parameter} <= {times[first - 1]:g}" if first > 0
            else f"a shorter {time_parameter}")
    return (f"finite size: from t = {times[first]:g} the {what} fills the lattice's far side "
            f"to {filling[first]:.1%} of its ergodic share (limit {FILLING_LIMIT:.0%}): results "
            f"from there on are shaped by the lattice size; use {size_parameter}={size + 1} "
            f"or {keep}")
