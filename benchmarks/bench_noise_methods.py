"""Aer density matrix against sampled trajectories for the dephased walk, n = 4 .. 10.

The ``dephasing`` experiment's circuits (CTQW in 8 slices to t = 2, site
dephasing gamma = 1 on labelled layers with one environment qubit) are run
by Aer's density-matrix method (exact probabilities: memory 16 * 4^(n+1)
bytes) and by noisy statevector trajectories with a fixed number of shots
(memory 16 * 2^(n+1) bytes per trajectory, time proportional to shots).
Only the Aer run is timed, on the same transpiled circuit, interleaved;
printed: both times, their ratio, the state memory of each, and the TVD of
the trajectories' distribution to the exact one.  The crossover is the
smallest n where trajectories are faster.

Default n = 4, 6, 8, 9 with 1000 shots (about a minute); ``--full``:
n = 4..10; ``--quick``: n = 4, 6.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer import AerSimulator

from qwalk_circuits.analysis import total_variation
from qwalk_circuits.execution.runner import exact_variant
from qwalk_circuits.experiments import get_experiment

from ._common import fmt_ms, fmt_ratio, markdown_table, print_header, time_side_by_side

MODULE = "benchmarks.bench_noise_methods"
SLICES = 8


def contenders(n: int, shots: int) -> dict[str, object]:
    experiment = get_experiment("dephasing").from_settings(
        {"position_qubits": n, "gamma": 1.0, "time": 2.0, "time_steps": SLICES})
    measured = experiment.circuits("all-to-all")[-1]
    model = experiment.noise_model()
    dm = AerSimulator(method="density_matrix", noise_model=model)
    sv = AerSimulator(method="statevector", noise_model=model)
    exact = generate_preset_pass_manager(0, backend=dm).run(exact_variant(measured))
    sampled = generate_preset_pass_manager(0, backend=sv).run(measured)

    def density_matrix() -> np.ndarray:
        return np.asarray(dm.run(exact).result().data()["probabilities"])

    def trajectories() -> np.ndarray:
        counts = sv.run(sampled, shots=shots, seed_simulator=1).result().get_counts()
        p = np.zeros(1 << n)
        for key, c in counts.items():
            p[int(key.replace(" ", ""), 2)] += c
        return p / shots

    return {"density_matrix": density_matrix, "trajectories": trajectories}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="n = 4, 6")
    size.add_argument("--full", action="store_true", help="n = 4..10")
    parser.add_argument("--shots", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    sizes = [4, 6] if args.quick else list(range(4, 11)) if args.full else [4, 6, 8, 9]
    print_header("Aer density matrix vs noisy trajectories (bench_noise_methods)", MODULE, argv)
    start = time.perf_counter()
    rows = []
    for n in sizes:
        timings, results = time_side_by_side(contenders(n, args.shots), args.repeats)  # type: ignore[arg-type]
        dm, tr = timings["density_matrix"], timings["trajectories"]
        qubits = n + 1  # the environment qubit of site dephasing
        rows.append([n, fmt_ms(dm.best), fmt_ms(tr.best), fmt_ratio(dm.best / tr.best),
                     f"{16 * 4**qubits / 2**20:.3g} MiB", f"{16 * 2**qubits / 2**10:.3g} KiB",
                     f"{total_variation(results['trajectories'], results['density_matrix']):.3f}"])
    print(f"{SLICES} slices, {args.shots} shots per trajectory run; {args.repeats} interleaved "
          "repeats, best kept; density matrix / trajectories > 1: trajectories faster.\n")
    print(markdown_table(["n", "density matrix ms", "trajectories ms",
                          "density matrix / trajectories", "ρ memory", "ψ memory",
                          "TVD trajectories vs exact"], rows))
    print(f"\nwall time: {time.perf_counter() - start:.0f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
