"""The phenomenon table (issue 15, part 1): every phenomenon of the seed through the device
path on fake Heron devices, raw, readout-mitigated and zero-noise extrapolated, against its
"no effect" value and the exact value; the largest size observed beyond 3 standard errors.

    python -m benchmarks.bench_phenomena [--devices fake_fez fake_torino]
        [--only ballistic anderson ...] [--quick | --forecast-only] [--measure-early]
        [--zne-extrapolation exponential]

Every size tried is printed (the table's evidence); the summary keeps the largest observed
one per phenomenon and device.  Fake-device noise is optimistic (no crosstalk, drift or
leakage; Porter & Joseph, arXiv:2206.04829, measure 3-4.5x the calibrated two-qubit error
in walk circuits): read every "observed" as "observed on the fake twin".
"""

from __future__ import annotations

import argparse
import importlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ._common import markdown_table, print_header
from .phenomena import HEADER, OPTIONS, Row, cells, largest_observed

MODULE = "benchmarks.bench_phenomena"
PHENOMENA = ("ballistic", "crossover", "anderson", "anderson_chain", "anderson_chain_zne",
             "anderson_ring", "dynamical", "weak_localization", "weak_antilocalization")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", nargs="+", default=["fake_fez", "fake_torino"])
    parser.add_argument("--only", nargs="+", choices=PHENOMENA, default=list(PHENOMENA))
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the smallest size only")
    mode.add_argument("--forecast-only", action="store_true",
                      help="only the sizes too large to simulate here, by their dry run "
                           "(the phenomena that have them: anderson_chain, anderson_ring, "
                           "dynamical)")
    parser.add_argument("--measure-early", action="store_true",
                        help="run.measure_early in the device configs (the closing inverse "
                             "QFT as mid-circuit measurements; modules with MEASURE_EARLY)")
    parser.add_argument("--zne-extrapolation", choices=["richardson", "exponential"],
                        default="richardson",
                        help="the ZNE model of the modules with MEASURE_EARLY (default: "
                             "richardson, the table's)")
    args = parser.parse_args(argv)
    flags = [f for f, on in (("--measure-early", args.measure_early), ("--zne-extrapolation",
                             args.zne_extrapolation != "richardson")) if on]
    if flags:
        ignoring = [n for n in args.only if not getattr(
            importlib.import_module(f"benchmarks.phenomena.{n}"), "MEASURE_EARLY", False)]
        if ignoring:
            parser.error(f"{' and '.join(flags)} is not applied by {', '.join(ignoring)}: "
                         f"leave them out of --only")
    OPTIONS.measure_early = args.measure_early  # (set on every call: nothing carries over)
    OPTIONS.zne_extrapolation = args.zne_extrapolation
    os.environ.setdefault("QWALK_STORE", str(Path(tempfile.mkdtemp()) / "runs.sqlite"))
    print_header("Phenomena on fake Heron devices (bench_phenomena)", MODULE, argv)
    summary: list[Row] = []
    for name in args.only:
        module = importlib.import_module(f"benchmarks.phenomena.{name}")
        if args.forecast_only and not hasattr(module, "forecast_rows"):
            continue
        for device in args.devices:
            rows: list[Row] = (module.forecast_rows(device) if args.forecast_only
                               else module.rows(device, args.quick))
            print(f"\n### {name} on {device}\n")
            print(markdown_table(HEADER, [cells(r) for r in rows]))
            for row in rows:
                for note in row.notes:
                    print(f"- {row.size}: {note}")
            best = largest_observed(rows)
            summary.append(best if best is not None else rows[-1])
    if args.forecast_only:
        return 0  # nothing measured: no summary of observed sizes
    print("\n### Largest size observed (else the largest tried)\n")
    print(markdown_table(HEADER, [cells(r) for r in summary]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
