"""Hardware fidelity on a fake device: TVD to the exact walk against steps, raw and mitigated.

The 1D Hadamard walk (symmetric coin state, start in the middle) with n = 2,
3, 4 position qubits (4, 8, 16 sites) runs through the package's device path
(``qwalk run --backend fake_fez``: transpiled for the device with its config,
compacted, sampled in the runtime's local testing mode with the device's
noise, readout calibration circuits in the same run) for each construction
(``increment``, ``fourier``, ``fast-forward``), and the TVD to the exact
distribution is reported per step, raw and readout-mitigated, next to the
TVD of the uniform distribution (what a fully decohered device would give)
and the two-qubit gate count of each circuit, beside the dry run's predicted
TVD (``plan``'s ``tvd_predicted_sampled``: the calibration model F p + (1 - F) u
with the shot-noise floor).  A construction is "useful" at a step while its raw
TVD stays below half the uniform TVD.

Default: steps 0..2^n in 5 points per n, 4000 shots (about two minutes);
``--quick``: n = 2, 3 and 3 points.  ``--steps 4,8,16 --constructions
fast-forward --qubits 6,7``: given steps of one construction (the 1D walk's
reach goals, BENCHMARKS §24); ``--measure-early`` runs them with ``run.measure_early``
(the closing inverse QFT as mid-circuit measurements and classically controlled phases);
its "idle dephasing" column is the dry run's ``readout_idle_dephasing``: what a real
device adds while the qubits wait for those measurements, which the fake noise model does
not charge.  F is the dry run's calibrated fidelity (gates and readout); "F real device"
has the two-qubit errors x 4 (Porter & Joseph) and, measured early, the idle term.
``--zne exponential`` (or ``richardson``) also sends every circuit folded to noise scales
3 and 5 and adds the TVD of the zero-noise distribution (each outcome's probability
extrapolated from the readout-mitigated values, projected onto the simplex:
``comparison.zne.tvd``), the dry run's forecast of it (``zne_tvd_predicted``: the
calibration mix at each scale sampled at the same shots, extrapolated and projected; and
at unlimited shots, ``zne_tvd_limit``: what the extrapolation leaves of the model's
noise, chiefly the one-qubit gates' errors, which are not folded) and the negative mass
that projection removed.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qwalk_circuits import pipeline
from qwalk_circuits.execution.config import HardwareConfig, load_config
from qwalk_circuits.execution.store import ResultStore
from qwalk_circuits.experiments import get_experiment

from ._common import markdown_table, parse_int_list, print_header

MODULE = "benchmarks.bench_hardware_fidelity"
CONSTRUCTIONS = ("increment", "fourier", "fast-forward")
USEFUL_FRACTION = 0.5
ZNE_SCALES = [1, 3, 5]


def steps_for(n: int, points: int) -> list[int]:
    return sorted({int(np.rint(x)) for x in np.linspace(0, 2 ** n, points)})


def device_config(name: str, measure_early: bool, zne: str | None = None) -> HardwareConfig:
    """The named config, with ``run.measure_early`` set as asked and, with ``zne`` (an
    extrapolation model), zero-noise extrapolation at scales 1, 3, 5."""
    config = load_config(name).with_run(measure_early=measure_early)
    if zne is None:
        return config
    return config.with_run(zne_scales=ZNE_SCALES, zne_extrapolation=zne)


def run(n: int, construction: str, steps: list[int], config: HardwareConfig, shots: int,
        store: ResultStore) -> list[list[object]]:
    experiment = get_experiment("coined-walk").from_settings(
        {"position_qubits": n, "steps": max(steps), "times": steps, "shift": construction})
    planned = pipeline.plan(experiment, config, shots)["circuits"]
    predicted = [c["tvd_predicted_sampled"] for c in planned]
    idle = [c["readout_idle_dephasing"] for c in planned]
    fidelity = [(c["fidelity"], c["fidelity_real_device"]) for c in planned]
    zne_predicted = [(c.get("zne_tvd_predicted"), c.get("zne_tvd_limit")) for c in planned]
    summary = pipeline.run(experiment, config, shots, 1234, store, progress=False).summary
    comparison = summary["comparison"]
    rows = []
    for i, t in enumerate(summary["times"]):
        raw, uniform = comparison["hardware"]["tvd"][i], comparison["uniform_tvd"][i]
        mitigated = comparison.get("mitigated")
        rows.append([n, 2 ** n, construction, t, summary["resources"][i]["two_qubit_gates"],
                     f"{raw:.3f} ± {comparison['hardware']['tvd_error'][i]:.3f}",
                     "-" if mitigated is None else
                     f"{mitigated['tvd'][i]:.3f} ± {mitigated['tvd_error'][i]:.3f}",
                     f"{predicted[i]:.3f}",
                     f"{uniform:.3f}",
                     "yes" if raw < USEFUL_FRACTION * uniform or t == 0 else "no",
                     "-" if idle[i] is None else f"{idle[i]:.3f}",
                     f"{fidelity[i][0]:.2f}", f"{fidelity[i][1]:.2f}",
                     *zne_cells(comparison.get("zne"), i, zne_predicted[i])])
    return rows


def zne_cells(zne: dict[str, Any] | None, i: int,
              predicted: tuple[float | None, float | None]) -> list[str]:
    """Time i's TVD at each noise scale, of the zero-noise distribution (every outcome
    extrapolated from the readout-mitigated values and projected onto the simplex), the
    dry run's forecast of that TVD at the run's shots and at unlimited shots
    (``zne_tvd_predicted``, ``zne_tvd_limit``: the latter what the extrapolation leaves of
    the model's noise, the difference the shot floor) and the negative mass the projection
    removed; nothing without ZNE."""
    if zne is None:
        return []
    tvd = zne["tvd"][zne["extrapolated"]]
    return [" / ".join(f"{v:.3f}" for v in tvd["per_scale"][i]),
            "-" if tvd["zne"][i] is None else  # (a failed fit: null in the JSON)
            f"{tvd['zne'][i]:.3f} ± {tvd['zne_error'][i]:.3f}",
            *("-" if v is None else f"{v:.3f}" for v in predicted),
            "-" if tvd["negative_mass"][i] is None else f"{tvd['negative_mass'][i]:.3f}"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: n = 2, 3; 3 points")
    parser.add_argument("--qubits", default=None, help="position qubits, e.g. '2-4'")
    parser.add_argument("--points", type=int, default=None, help="steps measured per n")
    parser.add_argument("--steps", default=None,
                        help="steps measured at every n, e.g. '4,8,16' (instead of --points)")
    parser.add_argument("--constructions", nargs="+", choices=CONSTRUCTIONS,
                        default=list(CONSTRUCTIONS))
    parser.add_argument("--config", default="fake_fez", help="a fake-device hardware config")
    parser.add_argument("--shots", type=int, default=4000)
    parser.add_argument("--measure-early", action="store_true",
                        help="set run.measure_early: the semi-classical inverse QFT "
                             "(mid-circuit measurements, classically controlled phases)")
    parser.add_argument("--zne", choices=["richardson", "exponential"], default=None,
                        help="also send every circuit at noise scales 3 and 5 and report the "
                             "zero-noise distribution's TVD (the summary's comparison.zne.tvd)")
    args = parser.parse_args(argv)
    config = device_config(args.config, args.measure_early, args.zne)
    qubits = parse_int_list(args.qubits) if args.qubits else ([2, 3] if args.quick else [2, 3, 4])
    points = args.points or (3 if args.quick else 5)
    print_header("Hardware fidelity on a fake device (bench_hardware_fidelity)", MODULE, argv)
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as folder:
        store = ResultStore(Path(folder) / "bench.sqlite")
        for n in qubits:
            steps = parse_int_list(args.steps) if args.steps else steps_for(n, points)
            for construction in args.constructions:
                rows += run(n, construction, steps, config, args.shots, store)
    print(markdown_table(["n", "sites", "construction", "steps", "2q gates", "TVD raw",
                          "TVD mitigated", "TVD predicted", "TVD uniform",
                          "useful", "idle dephasing (real device)", "F",
                          "F real device",
                          *(["TVD per scale (λ = 1 / 3 / 5)", f"TVD ZNE ({args.zne})",
                             "TVD ZNE predicted", "TVD ZNE predicted (unlimited shots)",
                             "negative mass"] if args.zne else [])],
                         rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
