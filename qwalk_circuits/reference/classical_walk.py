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


def classical_ctrw_distributions(initial: np.ndarray, rate: float, times: Iterable[float],
                                 dimension: int = 1) -> dict[float, np.ndarray]:
    """Continuous-time random walk: dP/dt = rate * sum_nn (P_neighbour - P), exactly.

    Its sigma^2 grows as 2 * rate * dimension * t: the classical limit of the
    dephased continuous-time walk has rate D = 2 J^2 / gamma (HSR).
    """
    side = initial.shape[0]
    ring = np.zeros((side, side))
    for x in range(side):
        ring[x, (x + 1) % side] += 1
        ring[(x + 1) % side, x] += 1
    ring -= 2 * np.eye(side)
    generator = ring if dimension == 1 else (
        np.kron(np.eye(side), ring) + np.kron(ring, np.eye(side)))
    rates, vectors = np.linalg.eigh(rate * generator)
    coefficients = vectors.T @ initial.reshape(-1)
    return {float(t): vectors @ (np.exp(rates * t) * coefficients) for t in times}
