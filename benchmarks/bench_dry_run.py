"""The dry run's predictions against the fake device's, per step (issue 15, part 3).

``qwalk submit --dry-run`` predicts each circuit's TVD to the exact distribution from the
target's calibration alone (F = product of (1 - error); device output F p + (1 - F) u, with
the shot-noise floor).  This runs the same walk through the device path on the fake device
and prints, per step, prediction, measurement (raw counts) and their ratio; the goal is a
ratio within 1.5.  Not a timing: one run per size.

With ``--zne richardson|exponential`` the run also sends every circuit with its two-qubit
gates folded to scales 1, 3, 5, and the table is instead the dry run's zero-noise forecast
of sigma (``zne_forecast``: the same mix at each scale's F, readout-mitigated, extrapolated
by the run's model; its error the shot noise carried through the extrapolation) against
the device path's ZNE of the readout-mitigated sigma (its bootstrap error): the error's
ratio (what sets the shots a ZNE run needs) and the values' difference in device errors.

    python -m benchmarks.bench_dry_run [--sizes 3 4] [--steps 8] [--device fake_fez]
                                       [--zne richardson|exponential]
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.config import load_config, parse_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, resolve_config, run

from ._common import markdown_table, print_header

MODULE = "benchmarks.bench_dry_run"
SHOTS = 4000
SEED = 1234
SCALES = [1, 3, 5]


def _run(config: Any, settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dry run's plan and the device path's summary of one coined walk."""
    experiment = get_experiment("coined-walk").from_settings(settings)
    planned = plan(experiment, config, SHOTS)
    store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-bench-")) / "runs.sqlite")
    summary = run(get_experiment("coined-walk").from_settings(settings), config, shots=SHOTS,
                  seed=SEED, store=store, progress=False).summary
    return planned, summary


def compare(device: str, position_qubits: int, steps: int) -> list[dict[str, Any]]:
    """Per step: two-qubit gates, predicted and measured TVD, their ratio."""
    planned, summary = _run(resolve_config(device),
                            {"position_qubits": position_qubits, "steps": steps})
    hardware = summary["comparison"]["hardware"]
    return [{"sites": 2**position_qubits, "t": c["time"], "2q": c["two_qubit_gates"],
             "F": c["fidelity"], "predicted": c["tvd_predicted_sampled"],
             "measured": hardware["tvd"][i], "error": hardware["tvd_error"][i],
             "ratio": c["tvd_predicted_sampled"] / hardware["tvd"][i]}
            for i, c in enumerate(planned["circuits"])]


def zne_config(device: str, method: str) -> Any:
    """The device's shipped config with ZNE at :data:`SCALES` by ``method``."""
    data = load_config(device).model_dump()
    data.pop("name")
    data["run"]["zne_scales"] = SCALES
    data["run"]["zne_extrapolation"] = method
    return parse_config(data, f"{device}_zne", MODULE)


def compare_zne(device: str, position_qubits: int, steps: int, method: str
                ) -> list[dict[str, Any]]:
    """Per step: the dry run's zero-noise sigma and its error against the device path's."""
    planned, summary = _run(zne_config(device, method),
                            {"position_qubits": position_qubits, "steps": steps})
    block = summary["comparison"]["zne"]
    out = []
    for i, c in enumerate(planned["circuits"]):
        measured, error = block["zne"]["sigma"][i], block["zne_errors"]["sigma"][i]
        forecast, forecast_error = c["zne_observable_predicted"], c["zne_observable_error"]
        out.append({"sites": 2**position_qubits, "t": c["time"], "2q": c["two_qubit_gates"],
                    "exact": c["observable_exact"], "forecast": forecast,
                    "forecast_error": forecast_error, "measured": measured, "error": error,
                    "error_ratio": forecast_error / error if error > 0 else math.nan,
                    # the forecast is a number, its ± the device value's predicted spread:
                    # the difference is read in the device's own error
                    "deviation": (forecast - measured) / error if error > 0 else math.nan})
    return out


def _zne_table(device: str, sizes: Sequence[int], steps: int, method: str) -> None:
    print_header(f"Dry-run ZNE forecast against the fake device: coined walk on {device}, "
                 f"{SHOTS} shots per circuit and scale, scales {SCALES}, {method}, steps "
                 f"1..{steps}", MODULE, None)
    rows = [r for n in sizes for r in compare_zne(device, n, steps, method) if r["t"] >= 1]
    print(markdown_table(
        ["sites", "t", "2q gates", "sigma exact", "forecast ZNE", "device ZNE",
         "error ratio", "(forecast - device) / device error"],
        [[r["sites"], f"{r['t']:g}", r["2q"], f"{r['exact']:.3f}",
          f"{r['forecast']:.3f} ± {r['forecast_error']:.3f}",
          f"{r['measured']:.3f} ± {r['error']:.3f}", f"{r['error_ratio']:.2f}",
          f"{r['deviation']:+.1f}"] for r in rows]))
    ratios = [r["error_ratio"] for r in rows]
    print(f"\nerror ratio forecast / device: {min(ratios):.2f} .. {max(ratios):.2f} "
          f"(goal: within 1.5, i.e. 0.67 .. 1.5); |forecast - device| <= 2 device errors at "
          f"{sum(abs(r['deviation']) <= 2 for r in rows)} of {len(rows)} steps, <= 3 at "
          f"{sum(abs(r['deviation']) <= 3 for r in rows)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 4])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--device", default="fake_fez")
    parser.add_argument("--zne", choices=("richardson", "exponential"),
                        help="compare the dry run's zero-noise forecast of sigma instead")
    args = parser.parse_args(argv)
    os.environ.setdefault("QWALK_STORE", str(Path(tempfile.mkdtemp()) / "runs.sqlite"))
    if args.zne:
        _zne_table(args.device, args.sizes, args.steps, args.zne)
        return 0
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
