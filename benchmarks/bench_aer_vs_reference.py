"""Aer statevector simulation of a walk circuit against the exact reference, n = 10 .. 24.

For each number n of position qubits (a cycle of N = 2^n sites, n + 1 qubits
with the coin), the Hadamard walk from the middle site is built for T steps
with the Fourier construction (or ``--construction``), given a
``save_statevector`` and transpiled once for AerSimulator(method="statevector")
the way the package's runner does it (``transpile_for``, optimization level 1,
seed 1234; multiplexers decomposed first).  Then, interleaved on the same
machine:

- Aer: ``backend.run(transpiled).result()`` and the statevector as a numpy
  array (transpilation excluded; it is reported in its own column);
- reference: ``coined_walk_states(H, psi0, [T])``, the whole state at T.

The table gives both times, per step (total / T: Aer's total also holds the
state preparation, the closing inverse QFT and the copy of the state back to
Python), the ratio Aer / reference (> 1: the reference is faster), Aer's own
simulation time, and the max difference of the position distributions.

Aer runs single-threaded by default (``--threads 1``), like the reference
(numpy, one thread): on a shared 2-core machine Aer's two OpenMP threads are
erratic (n = 14: 40 ms with one thread, 0.2 - 1.2 s with two while another
process holds a core).  ``--threads 0`` lets Aer use every core.

A construction whose circuit cannot be built or transpiled at some n gets a
row that says so instead of timings.  ``--construction fast-forward
--qubits 10-12`` checks the fast-forwarded circuit against the reference.

Default: n = 10, 12, .., 22, T = 16, 3 interleaved repeats (about a minute on a
2-core machine).  ``--full``: n = 10, 11, .., 24 (several minutes; n = 24 holds
a 2^25-amplitude state, 512 MiB).  ``--quick``: n = 10, 12, 14.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from qiskit_aer import AerSimulator

from qwalk_circuits.circuits import CONSTRUCTIONS, build_coined_walk
from qwalk_circuits.execution.runner import transpile_for
from qwalk_circuits.reference import coined_walk_states, position_distribution

from ._common import (
    COIN_STATE,
    HADAMARD,
    fmt_ms,
    fmt_ratio,
    localized_position,
    localized_reference_state,
    markdown_table,
    parse_int_list,
    print_header,
    time_side_by_side,
)

MODULE = "benchmarks.bench_aer_vs_reference"
DEFAULT_QUBITS = list(range(10, 23, 2))
FULL_QUBITS = list(range(10, 25))
QUICK_QUBITS = [10, 12, 14]
OPTIMIZATION_LEVEL = 1  # hardware_configs/aer_ideal.toml
SEED = 1234


def make_contenders(simulator: AerSimulator, n: int, steps: int, construction: str
                    ) -> tuple[dict[str, Callable[[], Any]], float]:
    """Aer and reference runs for one n, and the transpile time of the circuit."""
    circuit = build_coined_walk(HADAMARD, localized_position(n), COIN_STATE, steps, n,
                                construction=construction)  # type: ignore[arg-type]
    offset = int(circuit.metadata.get("site_offset", 0))
    circuit.save_statevector()
    start = time.perf_counter()
    (compiled,) = transpile_for(simulator, [circuit], OPTIMIZATION_LEVEL, SEED)
    transpile_s = time.perf_counter() - start
    init = localized_reference_state(1 << n)
    sim_only: list[float] = []  # Aer's own simulation time of every repeat

    def aer() -> tuple[np.ndarray, list[float], int]:
        result = simulator.run(compiled).result()
        sim_only.append(float(result.results[0].time_taken))
        state = np.asarray(result.get_statevector(), dtype=complex)
        # qubit order: position (little-endian) then coin, so index = x + N c = psi[c, x]
        return state.reshape(2, 1 << n), sim_only, offset

    def reference() -> np.ndarray:
        return coined_walk_states(HADAMARD, init, [steps])[steps]

    return {"aer": aer, "reference": reference}, transpile_s


def run(qubits: list[int], steps: int, repeats: int, construction: str, threads: int
        ) -> list[list[Any]]:
    simulator = AerSimulator(method="statevector", max_parallel_threads=threads)
    rows = []
    for n in qubits:
        try:
            contenders, transpile_s = make_contenders(simulator, n, steps, construction)
        except Exception as error:  # a construction that fails at this n: say so, go on
            message = f"{type(error).__name__}: {error}".replace("|", "/")
            rows.append([n, n + 1, steps, "failed", message, *["—"] * 7])
            continue
        timings, results = time_side_by_side(contenders, repeats)
        aer_state, sim_only, offset = results["aer"]
        aer_sim_s = min(sim_only)
        ref_state = results["reference"]
        # the increment construction's register holds site + offset (see build_coined_walk)
        aer_dist = np.roll(position_distribution(aer_state), -offset)
        diff = np.abs(aer_dist - position_distribution(ref_state)).max()
        aer_s, ref_s = timings["aer"].best, timings["reference"].best
        rows.append([n, n + 1, steps, f"{transpile_s:.2f}", fmt_ms(aer_s), fmt_ms(aer_sim_s),
                     fmt_ms(ref_s), fmt_ms(aer_s / steps), fmt_ms(ref_s / steps),
                     fmt_ratio(aer_s / ref_s),
                     fmt_ratio(timings["aer"].median / timings["reference"].median),
                     f"{diff:.0e}"])
        del contenders, results, timings
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smoke run: n = 10, 12, 14")
    size.add_argument("--full", action="store_true", help="n = 10, 11, .., 24")
    parser.add_argument("--qubits", default=None, help="position qubits n, e.g. '10-24' or '22'")
    parser.add_argument("--steps", type=int, default=16, help="walk steps T (default 16)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats (best kept)")
    parser.add_argument("--construction", default="fourier", choices=CONSTRUCTIONS)
    parser.add_argument("--threads", type=int, default=1,
                        help="Aer max_parallel_threads (default 1; 0: all cores)")
    args = parser.parse_args(argv)
    qubits = QUICK_QUBITS if args.quick else FULL_QUBITS if args.full else DEFAULT_QUBITS
    if args.qubits:
        qubits = parse_int_list(args.qubits)

    print_header("Aer statevector against the reference (bench_aer_vs_reference)", MODULE, argv)
    start = time.perf_counter()
    rows = run(qubits, args.steps, args.repeats, args.construction, args.threads)
    print(f"{args.construction} construction, T = {args.steps}; AerSimulator(method="
          f"'statevector', max_parallel_threads={args.threads}); {args.repeats} interleaved "
          "repeats, best kept (the median ratio uses the median repeats); times in ms.\n")
    print(markdown_table(["n", "qubits", "T", "transpile s", "Aer run", "(Aer sim only, best)",
                          "reference", "Aer / step", "reference / step", "Aer / reference",
                          "(median ratio)", "max abs Δp"], rows))
    print(f"\nwall time: {time.perf_counter() - start:.0f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
