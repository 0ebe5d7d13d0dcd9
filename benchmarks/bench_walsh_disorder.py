"""Device disorder: low-order Walsh phases against the generic diagonal (issue 15).

Two tables for n = 4..7 position qubits (16..128 sites):

- cost on a target (default fake_fez, as ``qwalk resources anderson-walk --set
  disorder=static --set disorder_kind=... --target fake_fez``): the two-qubit gates one
  more walk step adds (cost(T=2) - cost(T=1), the cheapest construction: increment or
  fourier for the generic phase, fourier alone for walsh-phase) and those of one disorder
  layer alone;
- physics in the exact ensemble (reference solver, no circuits): sigma(T) of the
  ensemble-averaged distribution with its jackknife standard error over R realisations,
  T = N/2 steps (the clean walk's front just reaches the far side of the cycle), the
  Hadamard walk from the middle site, full strength, for the clean walk and static and
  dynamic disorder of each kind; "gap" is (sigma_dynamic - sigma_static) in units of
  their combined standard error, the Anderson signature's significance without noise.

About two minutes on a 2-core machine.  ``--quick``: n = 4, 5 and R = 50.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np

from qwalk_circuits.analysis.ensembles import jackknife_errors
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.resource_report import resource_report

from ._common import markdown_table, parse_int_list, print_header

MODULE = "benchmarks.bench_walsh_disorder"
KINDS: dict[str, dict[str, Any]] = {
    "generic": {"disorder_kind": "phase"},
    "walsh 1": {"disorder_kind": "walsh-phase", "walsh_order": 1},
    "walsh 2": {"disorder_kind": "walsh-phase", "walsh_order": 2},
}


def make(settings: dict[str, Any]) -> Any:
    return get_experiment("anderson-walk").from_settings(settings)


def cost_row(qubits: int, target: str) -> list[str]:
    """Per-step and per-layer two-qubit gates of each kind (static disorder)."""
    row = [str(qubits)]
    for kind in KINDS.values():
        report = resource_report(make({"position_qubits": qubits, "steps": 2,
                                       "disorder": "static", "realisations": 2, **kind}),
                                 target)
        best = min(report["constructions"], key=lambda r: r["two_qubit_per_step"])
        row += [f"{best['two_qubit_per_step']} ({best['construction']})",
                str(report["layers"][0]["two_qubit_gates"])]
    return row


def final_sigma(settings: dict[str, Any]) -> tuple[float, float]:
    """sigma at the last measured time of the exact ensemble, with its jackknife error."""
    experiment = make(settings)
    samples = experiment.reference_ensemble()[-1]
    value = experiment.observables(samples.mean(axis=0))["sigma"]
    error = jackknife_errors(samples, experiment.observables)["sigma"] if len(samples) > 1 \
        else 0.0
    return value, error


def physics_rows(qubits: int, realisations: int) -> list[list[str]]:
    steps = 1 << (qubits - 1)
    base = {"position_qubits": qubits, "steps": steps, "times": [steps],
            "realisations": realisations}
    clean, _ = final_sigma({**base, "disorder": "none"})
    rows = []
    for name, kind in KINDS.items():
        static, static_error = final_sigma({**base, **kind, "disorder": "static"})
        dynamic, dynamic_error = final_sigma({**base, **kind, "disorder": "dynamic"})
        gap = (dynamic - static) / np.hypot(static_error, dynamic_error)
        rows.append([str(1 << qubits), str(steps), name, f"{clean:.2f}",
                     f"{static:.2f} ± {static_error:.2f}",
                     f"{dynamic:.2f} ± {dynamic_error:.2f}", f"{gap:.1f}"])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: n = 4, 5, R = 50")
    parser.add_argument("--qubits", default=None, help="position qubits, e.g. '4-7'")
    parser.add_argument("--target", default="fake_fez", help="target of the cost table")
    parser.add_argument("--realisations", type=int, default=None, help="R (default 200)")
    args = parser.parse_args(argv)
    qubits = parse_int_list(args.qubits) if args.qubits else ([4, 5] if args.quick
                                                              else [4, 5, 6, 7])
    realisations = args.realisations or (50 if args.quick else 200)
    print_header("Device disorder: low-order Walsh phases", MODULE, argv)
    print(f"### Two-qubit gates on {args.target} (static disorder)\n")
    headers = ["n"]
    for name in KINDS:
        headers += [f"{name}: per step", f"{name}: layer"]
    print(markdown_table(headers, [cost_row(n, args.target) for n in qubits]))
    print(f"\n### sigma(T) in the exact ensemble, R = {realisations}, strength 1\n")
    rows = [row for n in qubits for row in physics_rows(n, realisations)]
    print(markdown_table(["sites", "T", "disorder", "clean", "static", "dynamic",
                          "gap (std. errors)"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
