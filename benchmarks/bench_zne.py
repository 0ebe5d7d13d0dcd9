"""Zero-noise extrapolation of observables on a fake device: raw, readout-mitigated and ZNE
values against the exact ones.

The 1D Hadamard walk on 16 sites (position_qubits = 4, symmetric coin state, start in the
middle) runs through the device path on fake_fez (the shipped config: noise-aware layout,
readout calibration in every job) with ``[run] zne_scales = [1, 3, 5]``: every time's ISA
circuit is also sent with its two-qubit gates folded three and five times.  The run is
analysed with the Richardson extrapolation (its config), then re-analysed from the same
ledger counts with the exponential one (``reanalyse_device_run(..., zne_extrapolation=)``).
Per time and observable (sigma, P(origin)) the table gives each estimate's deviation from
the exact value, value - exact, with its bootstrap error (counts and calibrations
resampled, mitigated and extrapolated again), and the last rows the mean |deviation| over
the times.  Fake-device noise is optimistic (no crosstalk, drift or leakage; real walk
circuits see 3-4.5x the calibrated two-qubit error, Porter & Joseph arXiv:2206.04829).

Default: steps 4..8, 4000 shots (about 2 minutes); ``--quick``: 8 sites, steps 4 and 6.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qwalk_circuits import pipeline
from qwalk_circuits.device_analysis import reanalyse_device_run
from qwalk_circuits.execution.config import load_config, parse_config
from qwalk_circuits.execution.store import ResultStore
from qwalk_circuits.experiments import get_experiment

from ._common import markdown_table, parse_int_list, print_header

MODULE = "benchmarks.bench_zne"
OBSERVABLES = ("sigma", "p_origin")
ESTIMATES = (("raw", "raw"), ("mitigated", "readout-mitigated"),
             ("zne", "ZNE Richardson"), ("exp", "ZNE exponential"))


def zne_config(name: str, scales: list[int]) -> Any:
    """The named config with ZNE on."""
    data = load_config(name).model_dump()
    data.pop("name")
    data["run"]["zne_scales"] = scales
    data["run"]["zne_extrapolation"] = "richardson"
    return parse_config(data, f"{name}_zne", "bench_zne")


def deviations(zne: dict[str, Any], exponential: dict[str, Any], key: str, t: int
               ) -> dict[str, tuple[float, float]]:
    """(value - exact, its error) of each estimate of observable ``key`` at time index t."""
    exact = zne["exact"][key][t]
    blocks = {"raw": (zne, "raw"), "mitigated": (zne, "mitigated"), "zne": (zne, "zne"),
              "exp": (exponential, "zne")}
    return {name: (block[kind][key][t] - exact, block[f"{kind}_errors"][key][t])
            for name, (block, kind) in blocks.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: 8 sites, steps 4, 6")
    parser.add_argument("--qubits", type=int, default=None, help="position qubits (4)")
    parser.add_argument("--steps", default=None, help="steps measured, e.g. '4-8'")
    parser.add_argument("--scales", default="1,3,5", help="noise scale factors")
    parser.add_argument("--config", default="fake_fez", help="a fake-device hardware config")
    parser.add_argument("--shots", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args(argv)
    qubits = args.qubits or (3 if args.quick else 4)
    steps = parse_int_list(args.steps) if args.steps else ([4, 6] if args.quick else
                                                           list(range(4, 9)))
    scales = parse_int_list(args.scales)
    print_header("Zero-noise extrapolation of observables on a fake device (bench_zne)",
                 MODULE, argv)
    experiment = get_experiment("coined-walk").from_settings(
        {"position_qubits": qubits, "steps": max(steps), "times": steps})
    with tempfile.TemporaryDirectory() as folder:
        store = ResultStore(Path(folder) / "bench.sqlite")
        summary = pipeline.run(experiment, zne_config(args.config, scales), args.shots,
                               args.seed, store, progress=False).summary
        zne = summary["comparison"]["zne"]
        exponential = reanalyse_device_run(summary["run_id"], store,
                                           zne_extrapolation="exponential"
                                           ).summary["comparison"]["zne"]
    print(f"{2 ** qubits} sites, {args.shots} shots per circuit and scale, scales {scales}, "
          f"{args.config}; deviation = value - exact, ± its bootstrap error "
          f"({zne['bootstrap']} replicas)\n")
    for key in OBSERVABLES:
        rows: list[list[object]] = []
        spread: dict[str, list[float]] = {name: [] for name, _ in ESTIMATES}
        for t, time in enumerate(summary["times"]):
            found = deviations(zne, exponential, key, t)
            for name, (value, _) in found.items():
                spread[name].append(abs(value))
            rows.append([time, "/".join(str(g) for g in zne["two_qubit_gates"][t]),
                         f"{zne['exact'][key][t]:.4f}",
                         *(f"{found[name][0]:+.4f} ± {found[name][1]:.4f}"
                           for name, _ in ESTIMATES)])
        rows.append(["mean abs", "", "", *(f"{np.mean(spread[name]):.4f}"
                                          for name, _ in ESTIMATES)])
        print(f"### {key}\n")
        print(markdown_table(["t", "2q gates per scale", f"{key} exact",
                              *(title for _, title in ESTIMATES)], rows))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
