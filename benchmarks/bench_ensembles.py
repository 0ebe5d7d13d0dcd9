"""Disorder-ensemble throughput: bound template vs rebuilding each realisation vs the reference.

The static-disorder 1D coined walk of ``anderson-walk``: Hadamard coin, coin
(|0> + i|1>)/sqrt 2 at the middle site of a cycle of N = 2^n sites, random
on-site phases uniform in [-pi, pi) (``walk_disorder(0, r, N, 1, 1.0,
"phase")`` for realisation r), T steps (default 3), the Fourier construction
(``--construction``), position measured, exact probabilities.  R
realisations are pushed through, interleaved on the same machine:

- (a) bound template: ``DisorderedWalkTemplate`` built once (not timed: its
  own column), then ``template.values(disorder)`` per realisation and one
  ``execute_ensemble`` call (transpiled once, the R realisations run as Aer
  parameter binds), ``shots=None``;
- (a') the same with ``--shots`` shots per realisation (Sampler V2 with a
  parameter array; ``--shots 0`` skips it);
- (b) rebuild: per realisation ``template.bind(disorder)``, measured, and
  ``execute([circuit], config, None, seed)``: transpiled and run on its own;
- (c) reference: ``disordered_walk_states`` per realisation and its
  position distribution (numpy).

Every path runs with the ``aer_ideal`` config's settings (statevector,
optimization level 1) and one Aer thread (``threads_for``: up to 20 qubits),
like the single-threaded reference.  The table gives realisations per second
(R / best wall time) and the ratios a/b (the template's speed-up over
rebuilding) and c/a (how much faster the reference is).  (a) and (b) are
checked against (c) for every realisation (max |Δp| < 1e-9, or the
benchmark stops), and the sampled counts of (a') must lie in the support of
the exact distribution with a total-variation distance < 0.15.

A second table says where the time goes per realisation: the template's one
transpilation, what (a) spends per realisation after it (derived: (a's time
- transpile once) / R), and, from one extra realisation of (b) timed phase by
phase, bind, transpile, Aer run (wall, and Aer's own simulation time); each
phase is the best of as many runs as the row's repeats.

Default: n = 6, 8, 10, 12, 14 with R = 32, 32, 16, 8, 2 (about 2-3 minutes
on 2 cores; n = 14 alone is about 7 s of Aer simulation per realisation).
``--full``: the same n with R = 64, 64, 32, 16, 4 and more repeats (5-10
minutes).  ``--quick``: n = 6, 8, R = 8 (a smoke run).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from qiskit_aer import AerSimulator

from qwalk_circuits.circuits import measure_position
from qwalk_circuits.circuits.disordered_walk import (
    DISORDERED_CONSTRUCTIONS,
    DisorderedWalkTemplate,
)
from qwalk_circuits.core.disorder import WalkDisorder, walk_disorder
from qwalk_circuits.execution.config import HardwareConfig, load_config
from qwalk_circuits.execution.ensemble import execute_ensemble
from qwalk_circuits.execution.runner import exact_variant, execute, threads_for, transpile_for
from qwalk_circuits.reference.disordered import disordered_walk_states

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

MODULE = "benchmarks.bench_ensembles"
SEED = 1234
DISORDER_SEED = 0
TOLERANCE = 1e-9
MAX_SAMPLED_TVD = 0.15
# n -> (realisations R, interleaved repeats)
DEFAULT_PLAN = {6: (32, 2), 8: (32, 2), 10: (16, 1), 12: (8, 1), 14: (2, 1)}
FULL_PLAN = {6: (64, 3), 8: (64, 3), 10: (32, 2), 12: (16, 1), 14: (4, 1)}
QUICK_PLAN = {6: (8, 1), 8: (8, 1)}


def plan_for(n: int, plan: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """(R, repeats) of n: the plan's, else fewer realisations the larger the state."""
    return plan.get(n, (max(2, 1 << max(0, 15 - n)), 1))


def fmt_rate(value: float) -> str:
    return f"{value:.3g}"


def measured(template: DisorderedWalkTemplate, circuit: Any) -> Any:
    out = measure_position(circuit)
    out.metadata = dict(template.circuit.metadata)
    return out


def make_contenders(template: DisorderedWalkTemplate, disorders: list[WalkDisorder],
                    config: HardwareConfig, shots: int, n: int
                    ) -> dict[str, Callable[[], list[Any]]]:
    """The paths to time for one n; each returns one result per realisation."""
    initial = localized_reference_state(1 << n)
    steps = template.steps

    def bound_template(sampled: int | None) -> list[Any]:
        circuit = measured(template, template.circuit)
        values = np.array([template.values(d) for d in disorders])
        return execute_ensemble([circuit], [values], config, sampled, SEED)[0]

    def rebuild() -> list[Any]:
        return [execute([measured(template, template.bind(d))], config, None, SEED).results[0]
                for d in disorders]

    def reference() -> list[np.ndarray]:
        return [np.sum(np.abs(disordered_walk_states(HADAMARD, initial, [steps], d.phases,
                                                     d.coin_angles)[steps]) ** 2, axis=0)
                for d in disorders]

    contenders: dict[str, Callable[[], list[Any]]] = {
        "a": lambda: bound_template(None), "b": rebuild, "c": reference}
    if shots:
        contenders["a_shots"] = lambda: bound_template(shots)
    return contenders


def check(results: dict[str, list[Any]], offset: int, shots: int, n: int) -> tuple[float, float]:
    """Max |Δp| of (a) and (b) against (c); raises if either path computed something else."""
    reference = results["c"]
    diffs = []
    for path in ("a", "b"):
        diff = max(float(np.abs(np.roll(r.probabilities, -offset) - p).max())
                   for r, p in zip(results[path], reference, strict=True))
        if not diff < TOLERANCE:
            raise RuntimeError(f"n={n}: path ({path}) differs from the reference by {diff:.1e}")
        diffs.append(diff)
    if shots:
        for r, p in zip(results["a_shots"], reference, strict=True):
            counts = np.zeros(p.size)
            for outcome, count in r.counts.items():
                counts[outcome] = count
            counts = np.roll(counts, -offset)
            if counts.sum() != shots or np.any(counts[p < 1e-12] > 0):
                raise RuntimeError(f"n={n}: sampled counts outside the exact distribution")
            tvd = 0.5 * np.abs(counts / shots - p).sum()
            if not tvd < MAX_SAMPLED_TVD:
                raise RuntimeError(f"n={n}: sampled distribution {tvd:.2f} TVD from the exact")
    return diffs[0], diffs[1]


def breakdown(template: DisorderedWalkTemplate, disorder: WalkDisorder,
              config: HardwareConfig, repeats: int = 1) -> dict[str, float]:
    """Seconds of each phase (best of ``repeats``): the template's transpilation, and one
    rebuilt realisation."""
    runs = [_phases(template, disorder, config) for _ in range(repeats)]
    return {key: min(r[key] for r in runs) for key in runs[0]}


def _phases(template: DisorderedWalkTemplate, disorder: WalkDisorder,
            config: HardwareConfig) -> dict[str, float]:
    backend = AerSimulator(method=config.backend.method,
                           max_parallel_threads=threads_for(template.circuit.num_qubits))
    level = config.run.optimization_level
    out: dict[str, float] = {}
    start = time.perf_counter()
    transpile_for(backend, [exact_variant(measured(template, template.circuit))], level, SEED)
    out["transpile_template"] = time.perf_counter() - start
    start = time.perf_counter()
    circuit = exact_variant(measured(template, template.bind(disorder)))
    out["bind"] = time.perf_counter() - start
    start = time.perf_counter()
    (compiled,) = transpile_for(backend, [circuit], level, SEED)
    out["transpile"] = time.perf_counter() - start
    start = time.perf_counter()
    result = backend.run(compiled, shots=1, seed_simulator=SEED).result()
    out["run"] = time.perf_counter() - start
    out["aer_sim"] = float(result.results[0].time_taken)
    return out


def warm_up(config: HardwareConfig, steps: int, construction: str, shots: int) -> None:
    """Every path once on a small walk, untimed: imports, Aer and transpiler start-up."""
    n = 4
    template = DisorderedWalkTemplate.build(HADAMARD, localized_position(n), COIN_STATE, steps,
                                            n, construction, "phase",  # type: ignore[arg-type]
                                            static=True)
    disorders = [walk_disorder(DISORDER_SEED, r, 1 << n, 1, 1.0, "phase") for r in range(2)]
    for fn in make_contenders(template, disorders, config, shots, n).values():
        fn()
    breakdown(template, disorders[0], config)


def run(qubits: list[int], plan: dict[int, tuple[int, int]], steps: int, construction: str,
        shots: int, realisations: int | None, repeats: int | None
        ) -> tuple[list[list[Any]], list[list[Any]]]:
    config = load_config("aer_ideal")
    warm_up(config, steps, construction, shots)
    main_rows: list[list[Any]] = []
    time_rows: list[list[Any]] = []
    for n in qubits:
        planned_r, planned_repeats = plan_for(n, plan)
        count = realisations or planned_r
        reps = repeats or planned_repeats
        start = time.perf_counter()
        template = DisorderedWalkTemplate.build(HADAMARD, localized_position(n), COIN_STATE,
                                                steps, n, construction,  # type: ignore[arg-type]
                                                "phase", static=True)
        build_s = time.perf_counter() - start
        offset = int(template.circuit.metadata.get("site_offset", 0))
        disorders = [walk_disorder(DISORDER_SEED, r, 1 << n, 1, 1.0, "phase")
                     for r in range(count)]
        contenders = make_contenders(template, disorders, config, shots, n)
        timings, results = time_side_by_side(contenders, reps)
        diff_a, diff_b = check(results, offset, shots, n)
        phases = breakdown(template, disorders[0], config, reps)
        rate = {name: count / t.best for name, t in timings.items()}
        stats = results["a"][0].stats
        main_rows.append([
            n, n + 1, steps, count, reps, template.circuit.num_parameters,
            stats["two_qubit_gates"],
            fmt_rate(rate["a"]), fmt_rate(rate["a_shots"]) if shots else "—",
            fmt_rate(rate["b"]), fmt_rate(rate["c"]),
            fmt_ratio(rate["a"] / rate["b"]), fmt_ratio(rate["c"] / rate["a"]),
            f"{diff_a:.0e}", f"{diff_b:.0e}"])
        a_after = (timings["a"].best - phases["transpile_template"]) / count
        time_rows.append([
            n, count, f"{build_s:.2f}", f"{phases['transpile_template']:.2f}",
            fmt_ms(max(a_after, 0.0)), fmt_ms(phases["bind"]), fmt_ms(phases["transpile"]),
            fmt_ms(phases["run"]), fmt_ms(phases["aer_sim"]),
            fmt_ms(timings["b"].best / count), fmt_ms(timings["c"].best / count)])
        print(f"[n={n} done: {time.perf_counter() - start:.0f} s]", flush=True)
        del contenders, results, timings
    return main_rows, time_rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smoke run: n = 6, 8, R = 8")
    size.add_argument("--full", action="store_true",
                      help="n = 6..14 with more realisations and repeats")
    parser.add_argument("--qubits", default=None, help="position qubits n, e.g. '6-14:2' or '12'")
    parser.add_argument("--steps", type=int, default=3, help="walk steps T (default 3)")
    parser.add_argument("--realisations", type=int, default=None,
                        help="realisations R at every n (default: the plan's, fewer at large n)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="interleaved repeats, best kept (default: the plan's)")
    parser.add_argument("--shots", type=int, default=1000,
                        help="shots per realisation of the sampled template path (0: skip it)")
    parser.add_argument("--construction", default="fourier", choices=DISORDERED_CONSTRUCTIONS)
    args = parser.parse_args(argv)
    plan = QUICK_PLAN if args.quick else FULL_PLAN if args.full else DEFAULT_PLAN
    qubits = parse_int_list(args.qubits) if args.qubits else sorted(plan)

    print_header("Disorder-ensemble throughput (bench_ensembles)", MODULE, argv)
    start = time.perf_counter()
    main_rows, time_rows = run(qubits, plan, args.steps, args.construction, args.shots,
                               args.realisations, args.repeats)
    print(f"\nStatic random on-site phases (strength 1), {args.construction} construction, "
          f"T = {args.steps}, Hadamard coin from the middle site; aer_ideal config "
          "(statevector, optimization level 1), one Aer thread.  Realisations per second = "
          "R / best wall time of the interleaved repeats.  (a) bound template: one "
          "transpilation + R binds (`execute_ensemble`, exact); (a') the same with "
          f"{args.shots or '—'} shots; (b) `template.bind` + `execute` per realisation "
          "(transpiled each time); (c) `disordered_walk_states`.  a/b: speed-up of the "
          "template over rebuilding; c/a: how much faster the reference is.\n")
    print(markdown_table(["n", "qubits", "T", "R", "repeats", "parameters", "2q gates",
                          "(a) template real/s", "(a') template, shots real/s",
                          "(b) rebuild real/s", "(c) reference real/s", "a/b", "c/a",
                          "max abs Δp a–c", "max abs Δp b–c"], main_rows))
    print("\nWhere the time goes.  Seconds for the template build (not in (a)) and its one "
          "transpilation; ms per realisation otherwise.  '(a) per real after transpile' = "
          "((a) best time - transpile once) / R; bind/transpile/run from one extra (b) "
          "realisation timed phase by phase ('Aer sim' = Aer's own time_taken).\n")
    print(markdown_table(["n", "R", "build template s", "(a) transpile once s",
                          "(a) per real after transpile", "(b) bind", "(b) transpile",
                          "(b) Aer run", "(b) Aer sim", "(b) total per real",
                          "(c) per real"], time_rows))
    print(f"\nwall time: {time.perf_counter() - start:.0f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
