"""Two-qubit gate cost of the three coined-walk constructions, per step and in total.

For each target (all-to-all, line, a fake IBM device) and each number n of
position qubits, the Hadamard walk from one site is built for several step
counts T with each construction, transpiled (optimization level 2, seed 11,
as the package's resource report does) and its two-qubit gates counted.

- per step: cost(T=2) - cost(T=1), and the slope between the largest T and
  the smallest T >= 4 (T = 7 -> 64 by default), beside 2n - 3;
- total: the transpiled count at each T, with the ratios increment/Fourier
  and Fourier/fast-forward side by side;
- fast-forward flatness: its count at each T (up to 8 values of T), its
  range over even and over odd T >= 3, how many T compiled, its spread
  (max/min), and the T from which the Fourier construction costs more than
  the costliest fast-forwarded circuit.

A circuit that fails to compile is shown as "fail" and listed below the tables;
"—" is a construction left out by ``--constructions``.

Default grid (under a minute on a 2-core machine):
    all-to-all n = 2,4,6,8,10; line and fake_fez n = 4,6,8,10; T = 1,2,7,8,63,64.
``--full``: n = 2..10 and T = 1..8,16,32,63,64 on every target (several minutes).
``--quick``: a smoke run (n = 4,6; T = 1,2,8).
Compile sweep of the fast-forwarded circuit (about 15 minutes):
``--targets all-to-all --qubits 10-12 --steps 1-64 --constructions fourier,fast-forward``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from qwalk_circuits.circuits import build_coined_walk
from qwalk_circuits.execution.resources import circuit_stats, transpile_to_target

from ._common import (
    COIN_STATE,
    HADAMARD,
    fmt_ratio,
    localized_position,
    markdown_table,
    parse_int_list,
    print_header,
)

MODULE = "benchmarks.bench_resources"
DEFAULT_GRID = {"all-to-all": [2, 4, 6, 8, 10], "line": [4, 6, 8, 10], "fake_fez": [4, 6, 8, 10]}
DEFAULT_STEPS = [1, 2, 7, 8, 63, 64]  # odd and even T: the fast-forward cost depends on parity
FULL_QUBITS = list(range(2, 11))
FULL_STEPS = [1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 63, 64]
QUICK_GRID = {"all-to-all": [4, 6], "line": [4, 6], "fake_fez": [4, 6]}
QUICK_STEPS = [1, 2, 8]
SHORT = {"increment": "inc", "fourier": "fourier", "fast-forward": "ff"}
# the three tabled here; their "-line" twins are compared in bench_device_constructions
TABLED = tuple(SHORT)


def fmt_count(value: float) -> str:
    """An averaged gate count: integer when whole, else one decimal."""
    rounded = round(float(value), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:.0f}" if rounded.is_integer() else f"{rounded:.1f}"


Counts = dict[tuple[str, int, int, str], int | None]  # None: the circuit failed to compile
NOT_RUN = "—"  # a construction left out by --constructions: its keys are absent from Counts
MAX_STEP_COLUMNS = 8  # the flatness table shows each T as a column up to this many T


def two_qubit_count(n: int, steps: int, construction: str, target: str) -> int:
    circuit = build_coined_walk(HADAMARD, localized_position(n), COIN_STATE, steps, n,
                                construction=construction)  # type: ignore[arg-type]
    return int(circuit_stats(transpile_to_target(circuit, target))["two_qubit_gates"])


def measure(grid: dict[str, list[int]], steps: list[int], constructions: Sequence[str]
            ) -> tuple[Counts, dict[str, float], list[str]]:
    """Two-qubit counts keyed by (target, n, T, construction), seconds per target, failures."""
    counts: Counts = {}
    seconds: dict[str, float] = {}
    failures: list[str] = []
    for target, qubits in grid.items():
        start = time.perf_counter()
        for n in qubits:
            for t in steps:
                for construction in constructions:
                    key = (target, n, t, construction)
                    try:
                        counts[key] = two_qubit_count(n, t, construction, target)
                    except Exception as error:  # record it and go on with the grid
                        counts[key] = None
                        failures.append(f"{construction}, n={n}, T={t}, {target}: "
                                        f"{type(error).__name__}: {error}")
        seconds[target] = time.perf_counter() - start
    return counts, seconds, failures


Value = float | None | str  # a count, None if it failed, NOT_RUN if not measured


def get(counts: Counts, key: tuple[str, int, int, str]) -> Value:
    return counts[key] if key in counts else NOT_RUN


def cell(value: Value) -> str:
    if isinstance(value, str):
        return value
    return "fail" if value is None else fmt_count(value)


def ratio(num: Value, den: Value) -> str:
    if isinstance(num, str) or isinstance(den, str):
        return NOT_RUN
    return "n/a" if num is None or den is None or den <= 0 else fmt_ratio(num / den)


def diff(a: Value, b: Value, span: int = 1) -> Value:
    if isinstance(a, str) or isinstance(b, str):
        return NOT_RUN
    return None if a is None or b is None else (a - b) / span


def span_text(values: list[int]) -> str:
    """'min–max' of some counts ('v' when equal, 'n/a' when none)."""
    if not values:
        return "n/a"
    lo, hi = min(values), max(values)
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


def slope_span(steps: list[int]) -> tuple[int, int]:
    """(lo, hi) of the per-step slope: the largest T and the smallest T >= 4 below it."""
    hi = steps[-1]
    lo = next((t for t in steps if t >= 4 and t < hi), steps[-2])
    return lo, hi


def per_step_table(counts: Counts, grid: dict[str, list[int]], steps: list[int]) -> str:
    lo, hi = slope_span(steps)
    headers = ["target", "n", "inc / step (T1→2)", f"inc / step (T{lo}→{hi})",
               "fourier / step (T1→2)", f"fourier / step (T{lo}→{hi})", "2n-3",
               "fourier = 2n-3", "inc / fourier (per step)"]
    rows = []
    for target, qubits in grid.items():
        for n in qubits:
            def c(t: int, construction: str, target: str = target, n: int = n) -> Value:
                return get(counts, (target, n, t, construction))
            inc_12 = diff(c(2, "increment"), c(1, "increment"))
            inc_slope = diff(c(hi, "increment"), c(lo, "increment"), hi - lo)
            four_12 = diff(c(2, "fourier"), c(1, "fourier"))
            four_slope = diff(c(hi, "fourier"), c(lo, "fourier"), hi - lo)
            ideal = 2 * n - 3
            if target == "all-to-all" and not isinstance(four_slope, str):
                match = "yes" if four_12 == ideal and four_slope == ideal else "no"
            else:
                match = "—"  # 2n-3 is the all-to-all count; routing adds SWAPs elsewhere
            rows.append([target, n, cell(inc_12), cell(inc_slope), cell(four_12),
                         cell(four_slope), ideal, match, ratio(inc_slope, four_slope)])
    return markdown_table(headers, rows)


def totals_table(counts: Counts, grid: dict[str, list[int]], steps: list[int]) -> str:
    headers = ["target", "n", "T", "increment", "fourier", "fast-forward", "inc / fourier",
               "fourier / ff", "cheapest"]
    rows = []
    for target, qubits in grid.items():
        for n in qubits:
            for t in steps:
                inc, four, ff = (get(counts, (target, n, t, c)) for c in TABLED)
                built = {c: v for c in TABLED
                         if isinstance(v := counts.get((target, n, t, c)), int)}
                if any((target, n, t, c) not in counts for c in TABLED):
                    cheapest = NOT_RUN  # only among all three
                else:
                    cheapest = SHORT[min(built, key=lambda c: built[c])] if built else "—"
                rows.append([target, n, t, cell(inc), cell(four), cell(ff), ratio(inc, four),
                             ratio(four, ff), cheapest])
    return markdown_table(headers, rows)


def flatness_table(counts: Counts, grid: dict[str, list[int]], steps: list[int]) -> str:
    """Fast-forward count per T, its even/odd ranges and spread, and the break-even T."""
    lo, hi = slope_span(steps)
    columns = steps if len(steps) <= MAX_STEP_COLUMNS else []
    headers = ["target", "n", *[f"ff T={t}" for t in columns], "compiled",
               "ff even T", "ff odd T≥3", "odd / even (max)", "ff max/min (T≥2)",
               "fourier / step", "break-even T (fourier > worst ff)"]
    rows = []
    for target, qubits in grid.items():
        for n in qubits:
            ff = {t: get(counts, (target, n, t, "fast-forward")) for t in steps}
            built: dict[int, int] = {}
            for t, v in ff.items():
                if isinstance(v, int):
                    built[t] = v
            later = [v for t, v in built.items() if t >= 2]
            even = [v for t, v in built.items() if t % 2 == 0]
            odd = [v for t, v in built.items() if t % 2 and t >= 3]
            four_1 = get(counts, (target, n, 1, "fourier"))
            slope = diff(get(counts, (target, n, hi, "fourier")),
                         get(counts, (target, n, lo, "fourier")), hi - lo)
            # linear model of the Fourier cost against the costliest fast-forward (T >= 2)
            if not later or not isinstance(four_1, int) or not isinstance(slope, float):
                breakeven = "n/a"
            elif slope > 0:
                breakeven = f"≈{max(1, int(np.ceil(1 + (max(later) - four_1) / slope)))}"
            else:
                breakeven = "never"
            spread = fmt_ratio(max(later) / max(1, min(later))) if later else "n/a"
            parity = fmt_ratio(max(odd) / max(even)) if odd and even else "n/a"
            rows.append([target, n, *(cell(ff[t]) for t in columns),
                         f"{len(built)}/{len(steps)}", span_text(even), span_text(odd), parity,
                         spread, cell(slope), breakeven])
    return markdown_table(headers, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smoke run: n = 4,6; T = 1,2,8")
    size.add_argument("--full", action="store_true",
                      help="n = 2..10, T = 1..8,16,32,63,64 on every target")
    parser.add_argument("--targets", default=None,
                        help="comma-separated targets (all-to-all, line, fake_fez, fake_torino)")
    parser.add_argument("--qubits", default=None, help="position qubits n, e.g. '2-10' or '4,8'")
    parser.add_argument("--steps", default=None, help="step counts T, e.g. '1,2,7,8,63,64'")
    parser.add_argument("--constructions", default=",".join(TABLED),
                        help="comma-separated constructions to build (default: all three)")
    args = parser.parse_args(argv)

    if args.quick:
        grid, steps = dict(QUICK_GRID), list(QUICK_STEPS)
    elif args.full:
        grid, steps = {t: list(FULL_QUBITS) for t in DEFAULT_GRID}, list(FULL_STEPS)
    else:
        grid, steps = dict(DEFAULT_GRID), list(DEFAULT_STEPS)
    if args.targets:
        names = [t.strip() for t in args.targets.split(",") if t.strip()]
        grid = {t: grid.get(t, next(iter(grid.values()))) for t in names}
    if args.qubits:
        grid = {t: parse_int_list(args.qubits) for t in grid}
    if args.steps:
        steps = parse_int_list(args.steps)
    steps = sorted(set(steps) | {1, 2})  # the per-step columns need T = 1 and T = 2
    constructions = [c.strip() for c in args.constructions.split(",") if c.strip()]
    unknown = set(constructions) - set(TABLED)
    if unknown:
        parser.error(f"unknown construction(s) {sorted(unknown)}; choose from {TABLED} (the "
                     "'-line' twins: python -m benchmarks.bench_device_constructions)")
    if len(steps) < 3:
        steps = sorted(set(steps) | {8})

    print_header("Two-qubit gates per construction (bench_resources)", MODULE, argv)
    print("Hadamard walk on a cycle of 2^n sites from one site; transpiled with "
          "optimization_level=2, seed 11 (all-to-all/line: basis cx, rz, sx, x; fake_fez: "
          "its CZ basis and heavy-hex coupling). Counts are two-qubit gates.\n")
    counts, seconds, failures = measure(grid, steps, constructions)

    if "increment" in constructions or "fourier" in constructions:
        print("### Per step\n")
        print(per_step_table(counts, grid, steps))
    if len(steps) <= 3 * MAX_STEP_COLUMNS:
        print("\n### Totals\n")
        print(totals_table(counts, grid, steps))
    if "fast-forward" in constructions:
        print("\n### Fast-forward against T\n")
        print(flatness_table(counts, grid, steps))
    if failures:
        print("\n### Circuits that failed to compile (\"fail\" above)\n")
        print("\n".join(f"- {line}" for line in failures))
    spent = ", ".join(f"{t} {s:.1f} s" for t, s in seconds.items())
    print(f"\nbuild + transpile time: {spent} (total {sum(seconds.values()):.1f} s)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
