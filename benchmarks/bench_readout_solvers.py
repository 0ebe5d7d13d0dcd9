"""Readout solvers on a fake device: how much of an observable's error against the exact
value each removes (issue 15, part 4).

The Hadamard walk (coined-walk, symmetric coin, start in the middle) on 2^n sites, steps
1..T, through the device path on fake_fez with readout_mitigation on; the same run (same
seed: the same counts) is analysed with ``readout_solver = "tensored"`` (the default) and
``"mthree"``.  Per step: |observable - exact| raw, tensored, mthree, for sigma and
P(origin); and the mean over the steps.  The error bar of one value is its shot noise
(4000 shots: about 0.02-0.03 on sigma, BENCHMARKS §20), so differences between the two
solvers below that are not resolved.  Not a timing.

    python -m benchmarks.bench_readout_solvers [--sizes 4 5] [--steps 8] [--device fake_fez]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from qwalk_circuits.execution import ResultStore
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import resolve_config, run

from ._common import markdown_table, print_header

MODULE = "benchmarks.bench_readout_solvers"
SHOTS = 4000
SEED = 1234
KEYS = ("sigma", "p_origin")


def deviations(device: str, position_qubits: int, steps: int, solver: str
               ) -> dict[str, Any]:
    """Per step and observable: |raw - exact| and |mitigated - exact| with ``solver``."""
    config = resolve_config(device).with_run(readout_mitigation=True, readout_solver=solver)
    settings = {"position_qubits": position_qubits, "steps": steps,
                "times": list(range(1, steps + 1))}
    experiment = get_experiment("coined-walk").from_settings(settings)
    store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-bench-")) / "runs.sqlite")
    record = run(experiment, config, shots=SHOTS, seed=SEED, store=store, progress=False)
    stored = store.get_run(record.summary["run_id"])["circuits"]
    shells = experiment.circuits("all-to-all")  # only their labels are read
    exact = [experiment.observables(q) for q in experiment.reference_distributions()]
    raw = [experiment.observables(experiment.site_distribution(
        shell, None, {int(k): v for k, v in c["data"]["raw"].items()}))
        for shell, c in zip(shells, stored, strict=True)]
    mitigated = [experiment.observables(np.asarray(c["data"]["mitigated_sites"]))
                 for c in stored]
    return {"gates": [s["two_qubit_gates"] for s in record.summary["resources"]],
            "exact": exact, "raw": raw, "mitigated": mitigated,
            "solver": record.summary["comparison"]["readout_solver"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 5])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--device", default="fake_fez")
    args = parser.parse_args()
    os.environ.setdefault("QWALK_STORE", str(Path(tempfile.mkdtemp()) / "runs.sqlite"))
    print_header(f"Readout solvers on {args.device}: coined walk, {SHOTS} shots, steps "
                 f"1..{args.steps}", MODULE, None)
    for n in args.sizes:
        tensored = deviations(args.device, n, args.steps, "tensored")
        mthree = deviations(args.device, n, args.steps, "mthree")
        assert mthree["solver"] == "mthree" and tensored["solver"] == "tensored"
        for key in KEYS:
            rows, sums = [], np.zeros(3)
            for t in range(args.steps):
                exact = tensored["exact"][t][key]
                if mthree["raw"][t][key] != tensored["raw"][t][key]:
                    raise SystemExit("the two runs' counts differ: the seed did not fix them")
                devs = [abs(tensored["raw"][t][key] - exact),
                        abs(tensored["mitigated"][t][key] - exact),
                        abs(mthree["mitigated"][t][key] - exact)]
                sums += devs
                rows.append([t + 1, tensored["gates"][t], f"{exact:.4f}",
                             *(f"{d:.4f}" for d in devs)])
            rows.append(["mean", "", "", *(f"{s / args.steps:.4f}" for s in sums)])
            print(f"\n### {1 << n} sites, {key}: |value - exact|\n")
            print(markdown_table(["t", "2q gates", "exact", "raw", "tensored", "mthree"],
                                 rows))


if __name__ == "__main__":
    main()
