"""The 2D reference's ring propagators: OpenBLAS's default threads against one thread.

``reference/lattice_2d.py`` diagonalises the L Hermitian ring blocks of a
torus (2L x 2L with spin) with one batched ``np.linalg.eigh`` per
realisation and axis, then forms exp(-i H tau).  The blocks are small and
many; with OpenBLAS's default threads this ran 10-60x slower on a loaded
2-core machine (``bench_weak_localization``, column b'), so the reference
now holds BLAS to one thread there (``threadpoolctl``, its controller found
once).  This benchmark times the computation with one thread against the
default threads, interleaved, on random Hermitian blocks: single calls, and
ten in a row (as an ensemble makes them); default / one thread > 1 means one
thread is faster.  Run it on an idle and on a loaded machine: the medians
show what load does to the default threads.

Default L = 8, 16, 32, 64 (spinful blocks 2L), 7 interleaved repeats;
``--quick``: L = 8, 16.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
from threadpoolctl import threadpool_info

from qwalk_circuits.reference.lattice_2d import _blas

from ._common import fmt_ms, fmt_ratio, markdown_table, print_header, time_side_by_side

MODULE = "benchmarks.bench_blas_threads"
DEFAULT_SIDES = (8, 16, 32, 64)
QUICK_SIDES = (8, 16)
TAU = 0.5
RUN = 10  # calls in a row, as an ensemble makes them


def propagators(hamiltonians: np.ndarray) -> np.ndarray:
    """exp(-i H tau) of each block as the reference forms it, with BLAS's default threads."""
    values, vectors = np.linalg.eigh(hamiltonians)
    return (vectors * np.exp(-1j * TAU * values)[:, None, :]) @ np.conj(
        np.swapaxes(vectors, 1, 2))


def one_thread(hamiltonians: np.ndarray) -> np.ndarray:
    """The same, BLAS held to one thread as the reference does it (a controller found once)."""
    with _blas().limit(limits=1, user_api="blas"):
        return propagators(hamiltonians)


def repeated(solve: Callable[[np.ndarray], np.ndarray], hamiltonians: np.ndarray
             ) -> list[np.ndarray]:
    """RUN calls of ``solve`` in a row."""
    return [solve(hamiltonians) for _ in range(RUN)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true", help="L = 8, 16")
    sizes.add_argument("--full", action="store_true", help="the default sizes (for run_all)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    sides = QUICK_SIDES if args.quick else DEFAULT_SIDES
    print_header("2D reference: BLAS threads for the ring propagators (bench_blas_threads)",
                 MODULE, argv)
    pools = ", ".join(f"{p['internal_api']} {p['num_threads']} threads"
                      for p in threadpool_info() if p["user_api"] == "blas")
    print(f"BLAS: {pools or 'none found'}; L blocks of 2L x 2L, {args.repeats} interleaved "
          "repeats, best kept.\n")
    rng = np.random.default_rng(7)
    rows = []
    for side in sides:
        size = 2 * side
        a = rng.normal(size=(side, size, size)) + 1j * rng.normal(size=(side, size, size))
        blocks = a + np.conj(np.swapaxes(a, 1, 2))
        timings, results = time_side_by_side(
            {"default": partial(propagators, blocks), "one": partial(one_thread, blocks),
             "default x10": partial(repeated, propagators, blocks),
             "one x10": partial(repeated, one_thread, blocks)}, args.repeats)
        if not np.allclose(results["default"], results["one"], atol=1e-10):
            raise RuntimeError(f"L = {side}: the two differ")
        rows.append([side, f"{side} x {size}x{size}", fmt_ms(timings["default"].best),
                     fmt_ms(timings["one"].best),
                     fmt_ratio(timings["default"].best / timings["one"].best),
                     fmt_ratio(timings["default"].median / timings["one"].median),
                     fmt_ratio(timings["default x10"].best / timings["one x10"].best),
                     fmt_ratio(timings["default x10"].median / timings["one x10"].median)])
    print(markdown_table(["L", "blocks", "default ms", "one thread ms", "ratio", "ratio (median)",
                          f"ratio, {RUN} in a row", "(median)"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
