"""Classical unbiased random walk on the same cycle or torus, by exact master equation."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def classical_walk_distributions(initial: np.ndarray, times: Iterable[int], dimension: int = 1
                                 ) -> dict[int, np.ndarray]:
    """P(x, t) for each requested t: one unit step to each neighbour with probability 1/(2d).

    ``initial`` is the starting distribution with shape (L,) or (L, L) [y, x].
    """
    wanted = sorted(set(int(t) for t in times))
    p = np.array(initial, dtype=float, copy=True)
    out: dict[int, np.ndarray] = {}
    t = 0
    for target in wanted:
        while t < target:
            p = sum((np.roll(p, s, axis=a) for a in range(dimension) for s in (1, -1)),
                    start=np.zeros_like(p)) / (2 * dimension)
            t += 1
        out[target] = p.reshape(-1).copy()
    return out
