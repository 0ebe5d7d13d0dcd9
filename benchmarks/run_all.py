"""Run every benchmark in turn and print their markdown tables (``make bench``).

    python -m benchmarks.run_all            # default settings (a few minutes on 2 cores)
    python -m benchmarks.run_all --quick    # smoke run of each (about half a minute)
    python -m benchmarks.run_all --full     # the full sweeps (tens of minutes)
    python -m benchmarks.run_all --only bench_reference
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Sequence

BENCHMARKS = ("bench_resources", "bench_reference", "bench_aer_vs_reference", "bench_dephasing",
              "bench_noise_methods", "bench_ensembles", "bench_weak_localization",
              "bench_kicked_rotor", "bench_hardware_fidelity", "bench_blas_threads")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="pass --quick to every benchmark")
    size.add_argument("--full", action="store_true", help="pass --full to every benchmark")
    parser.add_argument("--only", action="append", choices=BENCHMARKS,
                        help="run only this benchmark (repeatable)")
    args = parser.parse_args(argv)
    forwarded = ["--quick"] if args.quick else ["--full"] if args.full else []
    spent = {}
    for name in args.only or BENCHMARKS:
        module = importlib.import_module(f"benchmarks.{name}")
        start = time.perf_counter()
        status = module.main(forwarded)
        spent[name] = time.perf_counter() - start
        if status:
            return int(status)
    print("## Benchmark wall times\n")
    for name, seconds in spent.items():
        print(f"- {name}: {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
