"""Weak localization (issue 5): two-qubit cost per split step, and ensemble throughput.

The disordered L x L torus of ``disorder_2d.py`` (L = 2^m; 2m position
qubits, +1 spin qubit with spin-orbit coupling), W = 3, dt = 0.5, J = 1;
random flux with f = 1 (uniformly random flux per plaquette), uniform flux
with n_phi = 1 quantum, spin-orbit angle theta = 0.3.

Table 1, two-qubit gates per step: the parameterized ``Lattice2dTemplate``
(plane-wave start, as the backscattering experiment builds it) for T = 1
and T = 2 steps, transpiled with ``transpile_to_target`` (optimization
level 2, seed 11) for ``all-to-all`` and, for L <= 16, ``fake_fez``; per
step = cost(T=2) - cost(T=1).  Beside it the count as built (CX + 2 per
controlled phase of the template, before the transpiler), which the
benchmark checks equals the formula (Q = m(m-1) CX per no-swap QFT, a
diagonal on k qubits 2^k - 2 CX, a k-controlled rotation 2^k CX):

- no flux:      (L^2 - 2) + 4Q + 2(L - 2)        SOC: + 3L
- random flux: 5(L^2 - 2) + 6Q + (L - 2)         SOC: + 2L^2 + L
- uniform flux: 6(L^2 - 2) + 6Q                  SOC: + 3L^2

(the on-site energies are one 2m-qubit diagonal, L^2 - 2, per step; flux
adds the gauge diagonals and (k, ring)-multiplexed bands on 2m qubits).
Default L = 4, 8, 16, 32 and 64 without flux (transpiling every L = 64 flux
template takes about 4 more minutes on 2 cores: ``--full``; their formula
count is printed all the same).

Table 2, ensemble throughput at T = 2 (``--steps``), flux none and random,
no spin-orbit coupling, plane wave at the experiment's default k0 (the
orbit representative nearest the shell energy -2.5 J), measured in momentum
(``measure_momentum``), exact probabilities, aer_ideal config (statevector,
optimization level 1, one Aer thread up to 20 qubits).  R realisations
(``lattice_2d_disorder(model, 0, r)``, drawn untimed) are pushed through,
interleaved on the same machine:

- (a) circuit: ``template.values(disorder, k0)`` per realisation and one
  ``execute_ensemble`` call (the template transpiled once, the R
  realisations bound as Aer parameter binds); the template build is not
  timed (its own column);
- (b) reference: ``Lattice2dReference(model, disorder).states(plane_wave)``
  and ``momentum_distribution`` per realisation (numpy; the reference holds
  BLAS to one thread in its ring propagators itself, like the one Aer thread
  of (a): ``bench_blas_threads`` measures why).

Every realisation of (a) must equal (b), P[s, p_y, p_x], to 1e-9 or the
benchmark stops.  b/a is how much faster the reference is; 'b/a after
transpile' leaves out (a)'s one transpilation (timed separately), the rate
a long ensemble approaches.

``--quick``: L = 8, 16 in both tables, R = 8 (under a minute).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit_aer import AerSimulator

from qwalk_circuits.analysis.backscattering import shell_momenta
from qwalk_circuits.circuits.lattice_2d import (
    Lattice2dTemplate,
    measure_momentum,
    momentum_probabilities,
)
from qwalk_circuits.core.disorder_2d import (
    FLUX_KINDS,
    FluxKind,
    Lattice2dModel,
    lattice_2d_disorder,
)
from qwalk_circuits.execution.config import HardwareConfig, load_config
from qwalk_circuits.execution.ensemble import execute_ensemble
from qwalk_circuits.execution.resources import circuit_stats, transpile_to_target
from qwalk_circuits.execution.runner import exact_variant, threads_for, transpile_for
from qwalk_circuits.reference.lattice_2d import (
    Lattice2dReference,
    momentum_distribution,
    plane_wave,
)

from ._common import (
    fmt_ms,
    fmt_ratio,
    markdown_table,
    parse_int_list,
    print_header,
    time_side_by_side,
)

MODULE = "benchmarks.bench_weak_localization"
WIDTH, DT, HOPPING = 3.0, 0.5, 1.0
THETA = 0.3
STRENGTH: dict[str, float] = {"none": 0.0, "random": 1.0, "uniform": 1.0}
SHELL_ENERGY = -2.5
SEED = 1234
DISORDER_SEED = 0
TOLERANCE = 1e-9
FAKE_MAX_SIDE = 16

DEFAULT_COST_SIDES = [4, 8, 16, 32, 64]
QUICK_SIDES = [8, 16]
TARGETS = ["all-to-all", "fake_fez"]
# side L -> (realisations R, interleaved repeats) of the throughput table
DEFAULT_PLAN = {8: (64, 3), 16: (64, 2), 32: (16, 2), 64: (4, 1)}
QUICK_PLAN = {8: (8, 2), 16: (8, 2)}
THROUGHPUT_FLUX: tuple[FluxKind, ...] = ("none", "random")


def model_for(side: int, flux: FluxKind, spin_orbit: float | None) -> Lattice2dModel:
    m = side.bit_length() - 1
    if side < 2 or side != 1 << m:
        raise SystemExit(f"L must be a power of two >= 2, got {side}")
    return Lattice2dModel(m, WIDTH, DT, HOPPING, spin_orbit, flux, STRENGTH[flux])


# -- table 1: two-qubit gates per step ---------------------------------------------------------
def formula(side: int, flux: str, spinful: bool) -> tuple[int, int]:
    """(CX per step as built, of which in 2m-qubit diagonals / multiplexed rotations)."""
    m = side.bit_length() - 1
    qft, full, axis = m * (m - 1), side * side - 2, side - 2
    if flux == "none":
        big, rest = full, 4 * qft + 2 * axis + (3 * side if spinful else 0)
    elif flux == "random":
        big = 5 * full + (2 * side * side if spinful else 0)
        rest = 6 * qft + axis + (side if spinful else 0)
    else:
        big, rest = 6 * full + (3 * side * side if spinful else 0), 6 * qft
    return big + rest, big


def as_built(circuit: QuantumCircuit) -> int:
    """CX of the template before the transpiler: each controlled phase of a QFT is 2 CX."""
    ops = circuit.count_ops()
    unknown = [name for name in ops if name not in ("cx", "cp", "h", "p", "rz", "ry")]
    if unknown:
        raise RuntimeError(f"unexpected gates {unknown} in the template: update as_built")
    return int(ops.get("cx", 0)) + 2 * int(ops.get("cp", 0))


def cost_row(side: int, flux: FluxKind, spin_orbit: float | None, targets: list[str],
             transpile: bool) -> list[Any]:
    model = model_for(side, flux, spin_orbit)
    templates = {steps: Lattice2dTemplate.build(model, steps).circuit for steps in (1, 2)}
    built = as_built(templates[2]) - as_built(templates[1])
    expected, big = formula(side, flux, model.spinful)
    if built != expected:
        raise RuntimeError(f"L={side} flux={flux} SOC={spin_orbit}: the template has {built} "
                           f"CX per step as built, the formula {expected}")
    start = time.perf_counter()
    per_step: list[int | str] = []
    for target in targets:
        if not transpile or (target != "all-to-all" and side > FAKE_MAX_SIDE):
            per_step.append("—")
            continue
        counts = [int(circuit_stats(transpile_to_target(templates[steps], target))
                      ["two_qubit_gates"]) for steps in (1, 2)]
        per_step.append(counts[1] - counts[0])
    seconds = time.perf_counter() - start
    return [side, model.axis_qubits, templates[1].num_qubits, flux,
            "on" if model.spinful else "off", *per_step, built,
            f"{big / built:.0%}", f"{seconds:.1f}" if transpile else "—"]


def cost_table(sides: list[int], targets: list[str], full: bool) -> list[list[Any]]:
    for target in targets:  # untimed: transpiler and fake-device start-up
        transpile_to_target(Lattice2dTemplate.build(model_for(4, "none", None), 1).circuit,
                            target)
    rows = []
    for side in sides:
        for flux in FLUX_KINDS:
            for spin_orbit in (None, THETA):
                transpile = full or side < 64 or flux == "none"
                rows.append(cost_row(side, flux, spin_orbit, targets, transpile))
        print(f"[cost L={side} done]", flush=True)
    return rows


# -- table 2: ensemble throughput -------------------------------------------------------------
def make_contenders(model: Lattice2dModel, template: Lattice2dTemplate, measured: QuantumCircuit,
                    disorders: list[Any], k0: tuple[int, int], config: HardwareConfig
                    ) -> dict[str, Callable[[], list[np.ndarray]]]:
    """The two paths; each returns P[s, p_y, p_x] per realisation."""
    steps, m = template.steps, model.axis_qubits

    def circuit_path() -> list[np.ndarray]:
        values = np.array([template.values(d, k0) for d in disorders])
        results = execute_ensemble([measured], [values], config, None, SEED)[0]
        out = []
        for result in results:
            if result.probabilities is None:
                raise RuntimeError("execute_ensemble returned no probabilities")
            out.append(momentum_probabilities(result.probabilities, m))
        return out

    def reference() -> list[np.ndarray]:
        start = plane_wave(model, k0)
        return [momentum_distribution(model, Lattice2dReference(model, d).states(
            start, [steps])[steps]) for d in disorders]

    return {"a": circuit_path, "b": reference}


def transpile_once(measured: QuantumCircuit, config: HardwareConfig) -> float:
    """Seconds of the one transpilation (a) does inside ``execute_ensemble``."""
    backend = AerSimulator(method=config.backend.method,
                           max_parallel_threads=threads_for(measured.num_qubits))
    start = time.perf_counter()
    transpile_for(backend, [exact_variant(measured)], config.run.optimization_level, SEED)
    return time.perf_counter() - start


def values_time(template: Lattice2dTemplate, disorders: list[Any], k0: tuple[int, int]
                ) -> float:
    """Seconds (a) spends on ``template.values`` for the R realisations (part of (a))."""
    start = time.perf_counter()
    for disorder in disorders:
        template.values(disorder, k0)
    return time.perf_counter() - start


def check(results: dict[str, list[np.ndarray]], label: str) -> float:
    """Max |Δp| of (a) against (b) over every realisation."""
    diff = max(float(np.abs(p - q).max())
               for p, q in zip(results["a"], results["b"], strict=True))
    if not diff < TOLERANCE:
        raise RuntimeError(f"{label}: the circuit differs from the reference by {diff:.1e}")
    return diff


def warm_up(config: HardwareConfig, steps: int) -> None:
    """Both paths once on a 4 x 4 torus, untimed: imports, Aer and transpiler start-up."""
    for flux in THROUGHPUT_FLUX:
        model = model_for(4, flux, None)
        template = Lattice2dTemplate.build(model, steps)
        disorders = [lattice_2d_disorder(model, DISORDER_SEED, r) for r in range(2)]
        contenders = make_contenders(model, template, measure_momentum(template.circuit),
                                     disorders, (1, 1), config)
        check({name: fn() for name, fn in contenders.items()}, "warm-up")


def throughput_table(sides: list[int], plan: dict[int, tuple[int, int]], steps: int,
                     realisations: int | None, repeats: int | None) -> list[list[Any]]:
    config = load_config("aer_ideal")
    warm_up(config, steps)
    rows = []
    for side in sides:
        planned_r, planned_repeats = plan.get(side, (2, 1))
        count, reps = realisations or planned_r, repeats or planned_repeats
        k0 = shell_momenta(side, SHELL_ENERGY, 1, HOPPING)[0]
        for flux in THROUGHPUT_FLUX:
            start = time.perf_counter()
            model = model_for(side, flux, None)
            template = Lattice2dTemplate.build(model, steps)
            measured = measure_momentum(template.circuit)
            build_s = time.perf_counter() - start
            disorders = [lattice_2d_disorder(model, DISORDER_SEED, r) for r in range(count)]
            contenders = make_contenders(model, template, measured, disorders, k0, config)
            timings, results = time_side_by_side(contenders, reps)
            diff = check(results, f"L={side} flux={flux}")
            transpile_s = min(transpile_once(measured, config) for _ in range(reps))
            values_s = min(values_time(template, disorders, k0) for _ in range(reps))
            rate = {name: count / t.best for name, t in timings.items()}
            a_after = max(timings["a"].best - transpile_s, 1e-9) / count
            b_per = timings["b"].best / count
            rows.append([
                side, measured.num_qubits, flux, steps, count, reps,
                template.circuit.num_parameters, f"{build_s:.2f}", f"{transpile_s:.2f}",
                fmt_ms(values_s / count), fmt_ms(a_after), fmt_ms(b_per),
                f"{rate['a']:.3g}", f"{rate['b']:.3g}", fmt_ratio(rate["b"] / rate["a"]),
                fmt_ratio(a_after / b_per), f"{diff:.0e}"])
            print(f"[throughput L={side} flux={flux} done: {time.perf_counter() - start:.0f} s]",
                  flush=True)
            del contenders, results
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smoke run: L = 8, 16, R = 8")
    size.add_argument("--full", action="store_true",
                      help="also transpile the L = 64 flux templates of table 1 (+4 min)")
    parser.add_argument("--sides", default=None,
                        help="L of table 1, e.g. '4,8,16' (default 4,8,16,32,64)")
    parser.add_argument("--ensemble-sides", default=None,
                        help="L of table 2, e.g. '8,16' (default 8,16,32,64)")
    parser.add_argument("--steps", type=int, default=2, help="steps T of table 2 (default 2)")
    parser.add_argument("--realisations", type=int, default=None,
                        help="realisations R at every L (default: the plan's, fewer at large L)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="interleaved repeats, best kept (default: the plan's)")
    parser.add_argument("--targets", default=",".join(TARGETS),
                        help=f"table 1 targets (fake devices only for L <= {FAKE_MAX_SIDE})")
    args = parser.parse_args(argv)
    plan = QUICK_PLAN if args.quick else DEFAULT_PLAN
    cost_sides = (parse_int_list(args.sides) if args.sides else
                  QUICK_SIDES if args.quick else DEFAULT_COST_SIDES)
    ensemble_sides = (parse_int_list(args.ensemble_sides) if args.ensemble_sides
                      else sorted(plan))
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]

    print_header("Weak localization: cost per step and ensemble throughput "
                 "(bench_weak_localization)", MODULE, argv)
    start = time.perf_counter()
    cost_rows = cost_table(cost_sides, targets, args.full)
    cost_s = time.perf_counter() - start
    throughput_rows = throughput_table(ensemble_sides, plan, args.steps, args.realisations,
                                       args.repeats)
    print(f"\n### Two-qubit gates per split step\n\nW = {WIDTH:g}, dt = {DT:g}; random flux "
          f"f = {STRENGTH['random']:g}, uniform flux n_phi = {STRENGTH['uniform']:g}, SOC theta "
          f"= {THETA:g}.  Parameterized plane-wave templates, per step = count(T=2) - "
          "count(T=1) after `transpile_to_target` (optimization level 2, seed 11; fake_fez "
          f"only for L <= {FAKE_MAX_SIDE}).  'as built' = CX + 2 per controlled phase before "
          "the transpiler, checked equal to the formula: no flux (L²-2) + 4Q + 2(L-2) "
          "[SOC + 3L]; random 5(L²-2) + 6Q + (L-2) [SOC + 2L² + L]; uniform 6(L²-2) + 6Q "
          "[SOC + 3L²], Q = m(m-1).  'in 2m-qubit blocks': the share of the as-built count "
          "in the L²-sized diagonals and multiplexed rotations.  '—': not transpiled "
          "(L = 64 flux rows: `--full`).\n")
    print(markdown_table(["L", "m", "qubits", "flux", "SOC", *(f"{t} per step" for t in targets),
                          "as built per step (= formula)", "in 2m-qubit blocks",
                          "transpile s"], cost_rows))
    print(f"\ntable 1 time: {cost_s:.0f} s")
    print(f"\n### Ensemble throughput, circuit vs reference\n\nT = {args.steps}, SOC off, "
          "plane wave at the shell k0 (energy -2.5 J), momentum measured, exact "
          "probabilities; aer_ideal (statevector, level 1, one Aer thread).  Realisations per "
          "second = R / best wall time of the interleaved repeats.  (a) circuit: values + one "
          "`execute_ensemble` (transpile once, R Aer parameter binds); (b) reference: "
          "`Lattice2dReference` + `momentum_distribution` per realisation (BLAS on one "
          "thread in its propagators).  'transpile once' and '(a) values' "
          "(`template.values`, per realisation) are timed separately (both part of (a); the "
          "rest of (a) is Aer binding and simulating); '(a) ms/real after transpile' = ((a) "
          "- transpile once) / R.  b/a: how much faster the reference is; 'b/a after "
          "transpile': the same without (a)'s transpilation.  max |Δp|: (a) vs (b) over every "
          f"realisation (the benchmark stops above {TOLERANCE:.0e}).\n")
    print(markdown_table(["L", "qubits", "flux", "T", "R", "repeats", "parameters",
                          "build template s", "transpile once s", "(a) values ms/real",
                          "(a) ms/real after transpile",
                          "(b) ms/real", "(a) circuit real/s", "(b) reference real/s",
                          "b/a",
                          "b/a after transpile", "max abs Δp"], throughput_rows))
    print(f"\nwall time: {time.perf_counter() - start:.0f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
