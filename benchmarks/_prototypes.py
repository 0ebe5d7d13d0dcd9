"""A prototype 1D walk solver, to measure what a faster stepping reference could reach.

NOT part of the package and not used by it: bench_reference runs these beside
``qwalk_circuits.reference.coined_walk_states`` only to put numbers on the
speed-ups suggested in BENCHMARKS.md.  Both are checked against the package's
reference in every run (the max abs difference is printed).

- :func:`blocked_walk`: the same step-by-step evolution, but without
  temporaries the size of the state: two preallocated buffers swapped each
  step, and the coin applied block by block so that its intermediates stay
  in cache.  One read of the state and one write per step.
(The FFT fast-forward prototype that used to live here is now the package's
``coined_walk_states(..., method="momentum")``.)
"""

from __future__ import annotations

import numpy as np

BLOCK = 1 << 13  # 8192 complex = 128 KiB per temporary, inside L2


def blocked_walk(coin: np.ndarray, initial: np.ndarray, steps: int, block: int = BLOCK
                 ) -> np.ndarray:
    """psi(steps) of the 1D walk (coin |0> moves +1, |1> moves -1) from psi[c, x]."""
    src = np.array(initial, dtype=complex, copy=True)
    dst = np.empty_like(src)
    sites = src.shape[1]
    c00, c01, c10, c11 = (coin[i, j] for i in (0, 1) for j in (0, 1))
    width = min(block, sites)
    buf_a, buf_b, buf_t = (np.empty(width, dtype=complex) for _ in range(3))
    for _ in range(steps):
        s0, s1, d0, d1 = src[0], src[1], dst[0], dst[1]
        for lo in range(0, sites, width):
            hi = min(lo + width, sites)
            a, b, t = buf_a[: hi - lo], buf_b[: hi - lo], buf_t[: hi - lo]
            x0, x1 = s0[lo:hi], s1[lo:hi]
            np.multiply(x0, c00, out=a)
            np.multiply(x1, c01, out=t)
            np.add(a, t, out=a)
            np.multiply(x0, c10, out=b)
            np.multiply(x1, c11, out=t)
            np.add(b, t, out=b)
            # d0[x + 1] = a[x]
            if hi < sites:
                d0[lo + 1: hi + 1] = a
            else:
                d0[lo + 1: sites] = a[:-1]
                d0[0] = a[-1]
            # d1[x - 1] = b[x]
            if lo > 0:
                d1[lo - 1: hi - 1] = b
            else:
                d1[sites - 1] = b[0]
                d1[: hi - 1] = b[1:]
        src, dst = dst, src
    return src
