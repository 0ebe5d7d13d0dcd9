"""Plain runs with a progress bar: each circuit its own Aer run, against one batch.

`execution/runner.py` runs a plain (non-ensemble, non-timeline) run's circuits one at a
time so that a bar can advance per circuit, seeded as inside one batch (same counts).  This
measures what that costs, side by side in one process: the same transpiled circuits
simulated as one batch (before) and one by one (after), interleaved.

    python -m benchmarks.bench_progress [--repeats 5]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from qwalk_circuits.execution import load_config
from qwalk_circuits.execution.runner import (
    _run_exact_block,
    _run_sampled_block,
    aer_seed_stride,
    aer_settings,
    exact_variant,
    transpile_for,
)
from qwalk_circuits.experiments import get_experiment

from ._common import fmt_ms, fmt_ratio, markdown_table, print_header, time_side_by_side

MODULE = "benchmarks.bench_progress"
SEED = 11

#: label -> (experiment, settings, shots): plain runs, each time its own circuit
CASES: dict[str, tuple[str, dict[str, Any], int | None]] = {
    "coined-walk n=6, T=24, 4096 shots": ("coined-walk", {"position_qubits": 6, "steps": 24},
                                          4096),
    "dephasing trajectories n=5, 24 slices, 2000 shots": (
        "dephasing", {"position_qubits": 5, "method": "trajectories"}, 2000),
    "coin-dephasing density matrix n=5, T=24, exact": (
        "coin-dephasing", {"position_qubits": 5, "steps": 24}, None),
}


def contenders(name: str, settings: dict[str, Any], shots: int | None
               ) -> dict[str, Callable[[], Any]]:
    """One batch against one run per circuit, on the same compiled circuits and options."""
    experiment = get_experiment(name).from_settings(settings)
    config = load_config("aer_ideal")
    aer = aer_settings(config, shots, experiment.noise_model(), experiment.simulation_method())
    circuits = experiment.circuits("all-to-all")
    options = aer.options(max(c.num_qubits for c in circuits))
    from qiskit_aer import AerSimulator

    backend = AerSimulator(**options)
    prepared = circuits if shots is not None else [exact_variant(c) for c in circuits]
    compiled = transpile_for(backend, prepared, aer.optimization_level, SEED)
    stride = aer_seed_stride()
    if shots is None:
        return {"one batch": lambda: _run_exact_block(compiled, options, SEED),
                "per circuit": lambda: [_run_exact_block([c], options, SEED + j * stride)[0]
                                        for j, c in enumerate(compiled)]}
    return {"one batch": lambda: _run_sampled_block(compiled, shots, SEED, options),
            "per circuit": lambda: [_run_sampled_block([c], shots, SEED + j * stride,
                                                       options)[0]
                                    for j, c in enumerate(compiled)]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats")
    args = parser.parse_args(argv)
    print_header("Plain runs with a progress bar: per circuit against one batch "
                 "(bench_progress)", MODULE, argv)
    rows = []
    for label, (name, settings, shots) in CASES.items():
        timings, results = time_side_by_side(contenders(name, settings, shots), args.repeats)
        batch, each = timings["one batch"], timings["per circuit"]
        same = ("yes" if shots is not None and results["one batch"] == results["per circuit"]
                else "yes" if shots is None and all(
                    (a[0] == b[0]).all() for a, b in zip(results["one batch"],
                                                       results["per circuit"], strict=True))
                else "NO")
        rows.append([label, len(results["one batch"]), fmt_ms(batch.median),
                     fmt_ms(each.median), fmt_ratio(each.median / batch.median), same])
    print(markdown_table(["plain run", "circuits", "one batch (ms, median)",
                          "per circuit (ms, median)", "per circuit / batch",
                          "same results"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
