"""The dry run's predicted TVD against the fake device's, per step (issue 15, part 3).

``qwalk submit --dry-run`` predicts each circuit's TVD to the exact distribution from the
target's calibration alone (F = product of (1 - error); device output F p + (1 - F) u, with
the shot-noise floor).  This runs the same walk through the device path on the fake device
and prints, per step, prediction, measurement (raw counts) and their ratio; the goal is a
ratio within 1.5.  Not a timing: one run per size.

    python -m benchmarks.bench_dry_run [--sizes 3 4] [--steps 8] [--device fake_fez]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from qwalk_circuits.execution import ResultStore
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, resolve_config, run

from ._common import markdown_table, print_header

MODULE = "benchmarks.bench_dry_run"
SHOTS = 4000
SEED = 1234


def compare(device: str, position_qubits: int, steps: int) -> list[dict[str, Any]]:
    """Per step: two-qubit gates, predicted and measured TVD, their ratio."""
    config = resolve_config(device)
    settings = {"position_qubits": position_qubits, "steps": steps}
    experiment = get_experiment("coined-walk").from_settings(settings)
    predicted = plan(experiment, config, SHOTS)["circuits"]
    store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-bench-")) / "runs.sqlite")
    summary = run(get_experiment("coined-walk").from_settings(settings), config, shots=SHOTS,
                  seed=SEED, store=store, progress=False).summary
    hardware = summary["comparison"]["hardware"]
    return [{"sites": 2**position_qubits, "t": c["time"], "2q": c["two_qubit_gates"],
             "F": c["fidelity"], "predicted": c["tvd_predicted_sampled"],
             "measured": hardware["tvd"][i], "error": hardware["tvd_error"][i],
             "ratio": c["tvd_predicted_sampled"] / hardware["tvd"][i]}
            for i, c in enumerate(predicted)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 4])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--device", default="fake_fez")
    args = parser.parse_args()
    os.environ.setdefault("QWALK_STORE", str(Path(tempfile.mkdtemp()) / "runs.sqlite"))
    print_header(f"Dry-run TVD against the fake device: coined walk on {args.device}, {SHOTS} "
                 f"shots, steps 0..{args.steps}", MODULE, None)
    rows = [row for n in args.sizes for row in compare(args.device, n, args.steps)]
    print(markdown_table(
        ["sites", "t", "2q gates", "F", "predicted TVD", "device TVD", "ratio"],
        [[r["sites"], f"{r['t']:g}", r["2q"], f"{r['F']:.3f}", f"{r['predicted']:.3f}",
          f"{r['measured']:.3f} ± {r['error']:.3f}", f"{r['ratio']:.2f}"] for r in rows]))
    later = [r["ratio"] for r in rows if r["t"] >= 1]
    print(f"\nratio predicted / device over t >= 1: {min(later):.2f} .. {max(later):.2f} "
          f"(goal: within 1.5, i.e. 0.67 .. 1.5)")


if __name__ == "__main__":
    main()
