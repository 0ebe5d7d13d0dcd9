"""Time per step of the exact reference solver against hiperwalk, N = 2^10 .. 2^24 sites.

The same Hadamard walk on a cycle of N sites (coin (|0> + i|1>)/sqrt 2 at the
middle site) is run T steps by

- the package's reference, ``qwalk_circuits.reference.coined_walk_states``
  (numpy; its 1D hot loop is ``_step_1d_inplace``);
- hiperwalk's ``Coined(Cycle(N), shift="persistent", coin="hadamard").simulate``
  (its default engine: one scipy CSR matrix-vector product per step);

interleaved on the same machine; the table gives ms per step and the ratio
hiperwalk / reference (> 1: the reference is faster).  Both final states are
compared at every N (max |psi_ref - psi_hiperwalk|).

Convention mapping (checked, identical states): hiperwalk's arc 2x is (x, x+1)
and 2x+1 is (x, x-1), so its state vector is ``psi.T.reshape(-1)`` of the
reference's psi[c, x] (coin 0 moves +1); the persistent shift with the
Hadamard coin block per vertex is the reference's U = S (C x 1).

hiperwalk builds its operator in Python loops (about 6-8 s at N = 2^16, 100 s
at 2^20).  Up to ``--native-max`` (default 2^16) the operator is built by
hiperwalk itself and checked to be the same CSR matrix (indptr, indices and
data, bit for bit) as a vectorised construction with the same scipy calls;
above it the vectorised operator is handed to a hiperwalk ``Coined`` object
and hiperwalk's own ``simulate`` is timed.  Build times are not part of the
per-step figures.

A second table times the package's momentum-space reference
(``coined_walk_states(..., method="momentum")``: FFT, each momentum's 2x2 coin
block raised to the power T, inverse FFT -- any T at once) and a prototype
from ``benchmarks/_prototypes.py`` (not package code): a cache-blocked,
allocation-free step.

Default: N = 2^10, 2^12, .., 2^22, 3 interleaved repeats (about two minutes on a
2-core machine).  ``--full``: N = 2^10 .. 2^24, every power (about 10 minutes:
2^23 and 2^24 alone take 4).  ``--quick``: a smoke run up to 2^16.
``--exponents 20 --steps 64 --repeats 5`` gives a steadier figure at one N;
``--exponents 20 --steps 2048`` (4-5 min) is where the momentum method reaches
20x hiperwalk at 2^20;
``--native-max 20`` makes hiperwalk build its own operator up to 2^20 (2 min).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse
from scipy.linalg import hadamard

from qwalk_circuits.reference import coined_walk_states, position_distribution

from . import _prototypes
from ._common import (
    HADAMARD,
    fmt_ms,
    fmt_ratio,
    localized_reference_state,
    markdown_table,
    parse_int_list,
    print_header,
    time_side_by_side,
)

MODULE = "benchmarks.bench_reference"
DEFAULT_EXPONENTS = list(range(10, 23, 2))
FULL_EXPONENTS = list(range(10, 25))
QUICK_EXPONENTS = [10, 12, 14, 16]
DEFAULT_NATIVE_MAX = 16
WORK_PER_RUN = 1 << 22  # site-steps per timed run: T = WORK_PER_RUN / N, clamped
MIN_STEPS, MAX_STEPS = 8, 4096


def steps_for(sites: int) -> int:
    return int(np.clip(WORK_PER_RUN // sites, MIN_STEPS, MAX_STEPS))


def _hiperwalk() -> Any:
    try:
        import hiperwalk as hpw
    except ImportError:
        return None
    return hpw


def vectorised_operator(sites: int) -> scipy.sparse.csr_array:
    """hiperwalk's U = S @ C for the Hadamard walk on Cycle(sites), without its Python loops."""
    x = np.arange(sites)
    cols = np.empty(2 * sites, dtype=np.int64)
    cols[0::2] = 2 * ((x - 1) % sites)  # previous arc of (x, x+1) is (x-1, x)
    cols[1::2] = 2 * ((x + 1) % sites) + 1  # previous arc of (x, x-1) is (x+1, x)
    shift = scipy.sparse.csr_array((np.ones(2 * sites, dtype=np.int8), cols,
                                    np.arange(2 * sites + 1)), shape=(2 * sites, 2 * sites))
    coin = scipy.sparse.csr_array(scipy.sparse.kron(scipy.sparse.identity(sites, format="csr"),
                                                    hadamard(2) / np.sqrt(2), format="csr"))
    return shift @ coin


def hiperwalk_walk(hpw: Any, sites: int, native: bool) -> tuple[Any, str]:
    """A hiperwalk Coined walk on Cycle(sites), and how its operator was made."""
    if native:
        start = time.perf_counter()
        walk = hpw.Coined(hpw.Cycle(sites), shift="persistent", coin="hadamard")
        operator = walk.get_evolution()
        seconds = time.perf_counter() - start
        replica = vectorised_operator(sites)
        same = (operator.shape == replica.shape and operator.dtype == replica.dtype
                and np.array_equal(operator.indptr, replica.indptr)
                and np.array_equal(operator.indices, replica.indices)
                and np.array_equal(operator.data, replica.data))
        if not same:
            raise RuntimeError(f"hiperwalk's operator at N={sites} differs from the replica")
        return walk, f"hiperwalk ({seconds:.1f} s)"
    walk = hpw.Coined(hpw.Cycle(4), shift="persistent", coin="hadamard")
    walk.hilb_dim = 2 * sites  # simulate() only reads hilb_dim and _evolution
    walk._evolution = vectorised_operator(sites)
    return walk, "vectorised"


def to_hiperwalk(psi: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(psi.T).reshape(-1)


def from_hiperwalk(vector: np.ndarray) -> np.ndarray:
    return vector.reshape(-1, 2).T


def small_case_check(hpw: Any, sites: int = 64, steps: int = 24) -> str:
    """Max differences of state and distribution between the two solvers, one small walk."""
    init = localized_reference_state(sites)
    ref = coined_walk_states(HADAMARD, init, [steps])[steps]
    walk = hpw.Coined(hpw.Cycle(sites), shift="persistent", coin="hadamard")
    states = walk.simulate(range=(steps, steps + 1), state=to_hiperwalk(init))
    dist_hw = np.asarray(walk.probability_distribution(states))[0]
    dist_diff = np.abs(dist_hw - position_distribution(ref)).max()
    state_diff = np.abs(from_hiperwalk(states[0]) - ref).max()
    return (f"small-case check (N={sites}, T={steps}, hiperwalk Coined(Cycle(N), "
            f"shift='persistent', coin='hadamard')): max |Δ distribution| = {dist_diff:.1e}, "
            f"max |Δψ| = {state_diff:.1e}")


def _momentum(init: np.ndarray, steps: int) -> np.ndarray:
    """The package's momentum-space reference (method="momentum")."""
    return coined_walk_states(HADAMARD, init, [steps], method="momentum")[steps]


def make_contenders(hpw: Any, sites: int, steps: int, native: bool, prototypes: bool
                    ) -> tuple[dict[str, Callable[[], np.ndarray]], str]:
    """The solvers to time for one N, each returning psi[c, x] after ``steps`` steps."""
    init = localized_reference_state(sites)

    def reference() -> np.ndarray:
        return coined_walk_states(HADAMARD, init, [steps])[steps]

    contenders: dict[str, Callable[[], np.ndarray]] = {"reference": reference}
    origin = "—"
    if hpw is not None:
        walk, origin = hiperwalk_walk(hpw, sites, native)
        vector = to_hiperwalk(init)
        walk.simulate(range=(1, 2), state=vector)  # warm-up: converts U to complex once

        def hiperwalk() -> np.ndarray:
            return from_hiperwalk(walk.simulate(range=(steps, steps + 1), state=vector)[0])

        contenders["hiperwalk"] = hiperwalk
    if prototypes:
        contenders["blocked"] = partial(_prototypes.blocked_walk, HADAMARD, init, steps)
        contenders["fft"] = partial(_momentum, init, steps)
        contenders["fft_long"] = partial(_momentum, init, sites // 2)
    return contenders, origin


def run(exponents: list[int], repeats: int, native_max: int, prototypes: bool,
        fixed_steps: int | None = None) -> tuple[list[list[Any]], list[list[Any]], str]:
    hpw = _hiperwalk()
    check = small_case_check(hpw) if hpw is not None else "hiperwalk is not importable: skipped"
    main_rows: list[list[Any]] = []
    proto_rows: list[list[Any]] = []
    for exponent in exponents:
        sites = 1 << exponent
        steps = fixed_steps or steps_for(sites)
        contenders, origin = make_contenders(hpw, sites, steps, exponent <= native_max,
                                             prototypes)
        timings, results = time_side_by_side(contenders, repeats)
        ref_step = timings["reference"].best / steps
        ref_state = results["reference"]
        row = [f"2^{exponent}", steps, fmt_ms(ref_step)]
        if hpw is not None:
            hw_step = timings["hiperwalk"].best / steps
            diff = np.abs(results["hiperwalk"] - ref_state).max()
            row += [fmt_ms(hw_step), fmt_ratio(hw_step / ref_step),
                    fmt_ratio(timings["hiperwalk"].median / timings["reference"].median),
                    origin, f"{diff:.0e}"]
        else:
            row += ["—"] * 5
        main_rows.append(row)
        if prototypes:
            blocked_step = timings["blocked"].best / steps
            fft_step = timings["fft"].best / steps
            long_step = timings["fft_long"].best / (sites // 2)
            diff = max(np.abs(results["blocked"] - ref_state).max(),
                       np.abs(results["fft"] - ref_state).max())
            hw = timings["hiperwalk"].best / steps if hpw is not None else float("nan")
            proto_rows.append([f"2^{exponent}", steps, fmt_ms(ref_step), fmt_ms(blocked_step),
                               fmt_ms(fft_step), f"{long_step * 1e6:.3g} µs",
                               fmt_ratio(ref_step / blocked_step), fmt_ratio(hw / blocked_step),
                               fmt_ratio(hw / fft_step), fmt_ratio(hw / long_step),
                               f"{diff:.0e}"])
        del contenders, results, timings
    return main_rows, proto_rows, check


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smoke run: N = 2^10..2^16")
    size.add_argument("--full", action="store_true", help="N = 2^10..2^24, every power")
    parser.add_argument("--exponents", default=None,
                        help="log2 N values, e.g. '10-24' or '10-22:2' or '20'")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats (best kept)")
    parser.add_argument("--steps", type=int, default=None,
                        help="T for every N (default: clamp(2^22 / N, 8, 4096))")
    parser.add_argument("--native-max", type=int, default=DEFAULT_NATIVE_MAX,
                        help="largest log2 N whose operator hiperwalk builds itself "
                             "(slow: ~2 min at 20); above it the checked vectorised copy")
    parser.add_argument("--no-prototypes", action="store_true",
                        help="skip the prototype solvers' table")
    args = parser.parse_args(argv)
    exponents = (QUICK_EXPONENTS if args.quick else FULL_EXPONENTS if args.full
                 else DEFAULT_EXPONENTS)
    if args.exponents:
        exponents = parse_int_list(args.exponents)

    print_header("Reference solver against hiperwalk (bench_reference)", MODULE, argv)
    start = time.perf_counter()
    main_rows, proto_rows, check = run(exponents, args.repeats, args.native_max,
                                       not args.no_prototypes, args.steps)
    print(f"{check}\n")
    rule = f"{args.steps}" if args.steps else f"clamp(2^22 / N, {MIN_STEPS}, {MAX_STEPS})"
    print(f"T steps per timed run = {rule}; {args.repeats} interleaved repeats; "
          "ms per step from the best repeat; the median ratio uses the median repeats.\n")
    print(markdown_table(["N", "T", "reference ms/step", "hiperwalk ms/step",
                          "hiperwalk / reference", "(median ratio)", "hiperwalk operator",
                          "max abs Δψ"], main_rows))
    if proto_rows:
        print("\n### Momentum-space reference and a blocked-step prototype\n")
        print("blocked: the reference's step without full-size temporaries, cache-blocked "
              "(benchmarks/_prototypes.py, not package code); fft: the package's "
              "method='momentum' to the same T; fft @ T=N/2: its total time to T = N/2 "
              "divided by N/2.\n")
        print(markdown_table(["N", "T", "reference ms/step", "blocked ms/step", "fft ms/step",
                              "fft @ T=N/2 per step", "reference / blocked",
                              "hiperwalk / blocked", "hiperwalk / fft", "hiperwalk / fft @ T=N/2",
                              "max abs Δψ vs reference"], proto_rows))
    print(f"\nwall time: {time.perf_counter() - start:.0f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
