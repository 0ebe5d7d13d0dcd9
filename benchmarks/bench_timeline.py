"""Per-time circuits against one timeline per template, each against the exact reference.

Exact runs (``shots=None``) on Aer.  "before" is today's path: one measured
circuit per time, each simulated from t = 0 (``experiment.circuits`` +
``execution.execute``, or ``templates`` + ``execute_ensemble`` for an
ensemble); "after" is ``execution.timeline.simulate_exact``: one circuit (one
template) with a labelled save per measured time.  Both include building and
transpiling (``auto`` costing included); "reference" is the exact solver
(``reference_distributions`` / ``reference_ensemble``).  Each contender gets a
fresh experiment object, and the contenders of a case run interleaved
(``_common.time_side_by_side``), so their ratios are steadier than the times.
``max |Δp|`` compares after with before (or with the reference where before is
skipped) over every time and member.

Cases (``--quick``: the three default runs only):

- the default ``coin-dephasing``, ``position-dephasing`` and ``dephasing`` runs
  (density matrix);
- position-dephasing at 7 position qubits, 40 steps (25 times);
- position-dephasing at 9 qubits, 200 steps: after only (before ran past 46
  CPU-minutes in issue 11's measurement; ``--with-slow-before`` runs it);
- static ``anderson-walk`` at 9 position qubits, 200 steps, 200 realisations
  (13 times): after in full; before only at ``--before-realisations``
  (default 10: building and transpiling its 13 templates of up to 200 steps is
  most of it, so it does not scale with the members; issue 11 measured more
  than 19 CPU-minutes at R = 200), so the speed-up shown is a lower bound;
- how the members run, side by side on a 7-qubit, 100-step, 64-member static
  anderson-walk: ``packed`` (chunks of 32 members in one state each, what
  ``simulate_exact`` does for phase disorder) against the template bound per
  member (``runtime``, ``experiments``, ``serial``; see ``execution/timeline.py``).

Prints the load (``uptime``) before and after: other processes on a shared
machine slow every contender, the ratios less than the times.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

from qwalk_circuits.execution import CircuitResult, execute, load_config
from qwalk_circuits.execution.ensemble import execute_ensemble
from qwalk_circuits.execution.timeline import (
    BINDINGS,
    execute_ensemble_timeline,
    simulate_exact,
)
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.experiments.ensemble import EnsembleExperiment

from ._common import fmt_ratio, markdown_table, print_header, time_side_by_side

MODULE = "benchmarks.bench_timeline"
AER = "all-to-all"
SEED = 1234
BIG_ANDERSON = {"position_qubits": 9, "steps": 200, "realisations": 200}
BINDING_ANDERSON = {"position_qubits": 7, "steps": 100, "realisations": 64}


def load() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5
                              ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def before_plain(name: str, settings: dict[str, Any]) -> Callable[[], list[np.ndarray]]:
    def run() -> list[np.ndarray]:
        e = get_experiment(name).from_settings(settings)
        circuits = e.circuits(AER)
        results = execute(circuits, load_config(), None, SEED, noise_model=e.noise_model(),
                          method=e.simulation_method()).results
        return [e.site_distribution(c, r.probabilities, None)
                for c, r in zip(circuits, results, strict=True)]
    return run


def after_plain(name: str, settings: dict[str, Any]) -> Callable[[], list[np.ndarray]]:
    def run() -> list[np.ndarray]:
        e = get_experiment(name).from_settings(settings)
        results = cast(list[CircuitResult] | None, simulate_exact(e, load_config(), SEED))
        assert results is not None
        circuits = e.circuits(AER)  # only their labels (site_offset) are read
        return [e.site_distribution(c, r.probabilities, None)
                for c, r in zip(circuits, results, strict=True)]
    return run


def reference_run(name: str, settings: dict[str, Any]) -> Callable[[], Any]:
    def run() -> Any:
        e = get_experiment(name).from_settings(settings)
        if isinstance(e, EnsembleExperiment):
            return np.array(e.reference_ensemble())
        return e.reference_distributions()
    return run


def _member_array(e: Any, templates: list[Any], results: Any) -> np.ndarray:
    return np.array([[e.member_distribution(t, r, x.probabilities, None)
                      for r, x in enumerate(row)]
                     for t, row in zip(templates, results, strict=True)])


def ensemble(name: str, settings: dict[str, Any]) -> EnsembleExperiment[Any]:
    e = get_experiment(name).from_settings(settings)
    assert isinstance(e, EnsembleExperiment)
    return e


def before_ensemble(name: str, settings: dict[str, Any]) -> Callable[[], np.ndarray]:
    def run() -> np.ndarray:
        e = ensemble(name, settings)
        templates = e.templates(AER)
        values = [e.template_values(i, t) for i, t in enumerate(templates)]
        results = execute_ensemble(templates, values, load_config(), None, SEED,
                                   method=e.simulation_method())
        return _member_array(e, templates, results)
    return run


def after_ensemble(name: str, settings: dict[str, Any], binding: str | None = None
                   ) -> Callable[[], np.ndarray]:
    """``simulate_exact`` (packed members where the experiment packs them); with a
    ``binding``: the template bound per member that way instead."""
    def run() -> np.ndarray:
        e = ensemble(name, settings)
        if binding is None:
            results = simulate_exact(e, load_config(), SEED)
            return _member_array(e, e.templates(AER), results)
        timeline = e.timeline_template()
        assert timeline is not None
        values = e.timeline_values(timeline)
        results = execute_ensemble_timeline(timeline, values, load_config(), SEED,
                                            noise_model=e.noise_model(),
                                            method=e.simulation_method(), binding=binding)
        return _member_array(e, e.templates(AER), results)
    return run


def case_row(label: str, name: str, settings: dict[str, Any], contenders: dict[str, Any],
             repeats: int, note: str = "") -> list[str]:
    timings, results = time_side_by_side(contenders, repeats)
    after, reference = timings["after"].best, timings["reference"].best
    before = timings["before"].best if "before" in timings else None
    compare = results["before"] if "before" in results else results["reference"]
    diff = float(np.max(np.abs(np.asarray(results["after"]) - np.asarray(compare))))
    e = get_experiment(name).from_settings(settings)
    members = e.realisations() if isinstance(e, EnsembleExperiment) else 1
    return [label, str(len(e.times())), str(members),
            "—" if before is None else f"{before:.3g}", f"{after:.3g}", f"{reference:.3g}",
            "—" if before is None else fmt_ratio(before / reference),
            fmt_ratio(after / reference),
            "—" if before is None else fmt_ratio(before / after),
            f"{diff:.0e}", note]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the three default runs only")
    parser.add_argument("--repeats", type=int, default=1,
                        help="interleaved repeats of the fast cases (best kept)")
    parser.add_argument("--before-realisations", type=int, default=10,
                        help="members of the big anderson-walk's 'before' (not scaled)")
    parser.add_argument("--cases", default="default,pd7,pd9,anderson,bindings",
                        help="which cases, comma separated (default: all of "
                             "default,pd7,pd9,anderson,bindings)")
    parser.add_argument("--with-slow-before", action="store_true",
                        help="also run 'before' for the 9-qubit, 200-step position-dephasing")
    args = parser.parse_args(argv)
    cases = set(args.cases.split(","))
    if args.quick:
        cases = {"default"}
    print_header("Simulate each template once: per-time circuits against one timeline "
                 "(bench_timeline)", MODULE, argv)
    print(f"- load before: `{load()}`\n")
    start = time.perf_counter()
    rows = []
    plain_cases: list[tuple[str, str, dict[str, Any]]] = [
        ("coin-dephasing (default)", "coin-dephasing", {}),
        ("position-dephasing (default)", "position-dephasing", {}),
        ("dephasing (default)", "dephasing", {}),
    ] if "default" in cases else []
    if "pd7" in cases:
        plain_cases.append(("position-dephasing n=7, T=40", "position-dephasing",
                            {"position_qubits": 7, "steps": 40}))
    for label, name, settings in plain_cases:
        rows.append(case_row(label, name, settings, {
            "before": before_plain(name, settings), "after": after_plain(name, settings),
            "reference": reference_run(name, settings)}, args.repeats))
        print(f"<!-- {label}: done at {time.perf_counter() - start:.0f} s -->", flush=True)
    if "pd9" in cases:
        settings = {"position_qubits": 9, "steps": 200}
        contenders: dict[str, Any] = {"after": after_plain("position-dephasing", settings),
                                      "reference": reference_run("position-dephasing",
                                                                 settings)}
        note = "before skipped (> 46 CPU-min in issue 11)"
        if args.with_slow_before:
            contenders["before"] = before_plain("position-dephasing", settings)
            note = ""
        rows.append(case_row("position-dephasing n=9, T=200", "position-dephasing",
                             settings, contenders, 1, note=note))
        print(f"<!-- n=9 done at {time.perf_counter() - start:.0f} s -->", flush=True)
    if "anderson" in cases:
        small = {**BIG_ANDERSON, "realisations": args.before_realisations}
        timings, _ = time_side_by_side({"before": before_ensemble("anderson-walk", small)}, 1)
        before = timings["before"].best
        row = case_row("anderson-walk static n=9, T=200, R=200", "anderson-walk",
                       BIG_ANDERSON, {"after": after_ensemble("anderson-walk", BIG_ANDERSON),
                                      "reference": reference_run("anderson-walk",
                                                                 BIG_ANDERSON)}, 1,
                       note=f"before at R = {args.before_realisations} only: {before:.0f} s "
                            "(speed-up: a lower bound)")
        row[3], row[8] = f"{before:.3g} (R = {args.before_realisations})", \
            f"> {fmt_ratio(before / float(row[4]))}"
        rows.append(row)
        print(f"<!-- anderson done at {time.perf_counter() - start:.0f} s -->", flush=True)
    print(markdown_table(["case", "times", "members", "before s", "after s", "reference s",
                          "before / ref", "after / ref", "speed-up", "max |Δp|", "note"],
                         rows))
    if "bindings" in cases:
        bindings: dict[str, Callable[[], np.ndarray]] = {
            "packed": after_ensemble("anderson-walk", BINDING_ANDERSON)}
        bindings.update({b: after_ensemble("anderson-walk", BINDING_ANDERSON, b)
                         for b in BINDINGS})
        timings, results = time_side_by_side(bindings, args.repeats)
        first = results["packed"]
        print(f"\nEnsemble bindings, static anderson-walk n = {BINDING_ANDERSON['position_qubits']}"
              f", T = {BINDING_ANDERSON['steps']}, R = {BINDING_ANDERSON['realisations']} "
              "(chunks of 32 members; times include building and transpiling):\n")
        print(markdown_table(["members run as", "s", "vs packed", "max |Δp| vs packed"], [
            [b, f"{t.best:.2f}", fmt_ratio(t.best / timings["packed"].best),
             f"{np.max(np.abs(results[b] - first)):.0e}"] for b, t in timings.items()]))
        print("\n(chunk circuits of `packed` run two per Aer run, one thread each; `runtime` "
              "binds a chunk in one batched Aer experiment on every thread; `experiments` one "
              "experiment per member, threads across them; `serial` one thread)")
    print(f"\n- load after: `{load()}`")
    print(f"\nwall time: {time.perf_counter() - start:.0f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
