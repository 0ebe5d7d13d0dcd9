"""The `qwalk` command: list, run, resources, results, demo.

Bad input prints one line, ``qwalk: error: ...``, and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import QwalkError

EXIT_USAGE = 2
DASK_HELP = ("spread the circuits / ensemble realisations over the Dask scheduler at ADDRESS "
             "(tcp://HOST:PORT; overrides the config's dask_address; needs the 'dask' extra)")


def _settings(pairs: Sequence[str]) -> dict[str, Any]:
    from .specs import parse_setting

    return dict(parse_setting(p) for p in pairs)


def _shots(text: str) -> int | str:
    if text == "exact":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or 'exact', got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"shots must be >= 1 (got {value})")
    return value


def _store(args: argparse.Namespace) -> Any:
    from .execution import ResultStore

    return ResultStore(args.store)


def cmd_list(args: argparse.Namespace) -> None:
    from .experiments import REGISTRY

    for name, cls in sorted(REGISTRY.items()):
        print(f"{name}: {cls.summary}")
        for field, info in cls.spec_type.model_fields.items():
            default = info.get_default(call_default_factory=True)
            desc = f"  {info.description}" if info.description else ""
            print(f"    {field} = {json.dumps(default)}{desc}")


def _config(args: argparse.Namespace) -> Any:
    """The hardware config, with ``--dask ADDRESS`` (when given) replacing its dask_address."""
    from .execution import load_config
    from .execution.config import with_dask_address

    return with_dask_address(load_config(args.backend), args.dask)


def cmd_run(args: argparse.Namespace) -> None:
    from .experiments import get_experiment, run_experiment

    experiment = get_experiment(args.experiment).from_settings(_settings(args.set))
    config = _config(args)
    shots_setting = args.shots if args.shots is not None else config.run.shots
    shots = None if shots_setting == "exact" else int(shots_setting)
    seed = args.seed if args.seed is not None else config.run.seed
    record = run_experiment(experiment, config, shots=shots, seed=seed, store=_store(args))
    if args.plot:
        _plot_run(record, experiment, args.plot)
    if args.json:
        print(json.dumps(record.summary))
    else:
        _print_run(record.summary)


def _plot_run(record: Any, experiment: Any, path: str) -> None:
    """The main observable against time (left) and the final distribution (right)."""
    from matplotlib.figure import Figure

    from . import plots

    summary = record.summary
    key = _main_observable(summary)
    fig = Figure(figsize=(11, 4))
    left, right = fig.subplots(1, 2)
    t = summary["times"]
    left.plot(t, summary["reference"][key], "k-", label="exact quantum")
    left.errorbar(t, summary["observables"][key],
                  yerr=summary.get("observable_errors", {}).get(key), fmt="o", ms=3,
                  label="circuit")
    if key in summary.get("classical", {}):
        left.plot(t, summary["classical"][key], "r--", label="classical")
    left.set(xlabel="t", ylabel=f"{key}(t)")
    left.legend()
    axis = _outcome_axis(experiment, record.distributions[-1].size)
    if axis is not None:
        values, label = axis
        right.bar(values, record.distributions[-1], width=1.0, alpha=0.5, label="circuit")
        order = values.argsort()
        right.plot(values[order], record.reference[-1][order], "k-", label="exact quantum")
        right.set(xlabel=label, ylabel=f"P(t={t[-1]:g})")
        right.legend()
    fig.tight_layout()
    plots.save(fig, path)


def _outcome_axis(experiment: Any, size: int) -> tuple[Any, str] | None:
    """What a 1D distribution is over: displacements of a walk, or an experiment's own axis."""
    from .lattice import signed_displacement

    if hasattr(experiment, "outcome_axis"):
        return experiment.outcome_axis()
    spec = experiment.spec
    if getattr(spec, "dimension", None) == 1 and spec.num_sites == size:
        return signed_displacement(spec.num_sites, spec.origin()), "x - x0"
    return None


def _main_observable(summary: dict[str, Any]) -> str:
    """The observable a run is read by: sigma for walks, else the experiment's first one."""
    observables = summary["observables"]
    return "sigma" if "sigma" in observables else next(iter(observables))


def _print_ensemble(summary: dict[str, Any]) -> None:
    """The ensemble's size and its final-time IPR and localization length, with errors."""
    obs, err, ref = summary["observables"], summary["observable_errors"], summary["reference"]
    print(f"ensemble of {summary['ensemble']['realisations']} realisations (errors: standard "
          "errors over realisations)")
    for key, label in (("ipr", "IPR"), ("localization_length", "localization length")):
        if key in obs and obs[key][-1] is not None:
            error = err.get(key, [None])[-1]
            exact = ref.get(key, [None])[-1]
            print(f"{label} at t = {summary['times'][-1]:.4g}: {obs[key][-1]:.3f}"
                  + (f" ± {error:.3f}" if error is not None else "")
                  + (f" (exact ensemble {exact:.3f})" if exact is not None else ""))
    theory = summary.get("anderson_theory")
    if theory:
        print(f"transfer matrices: xi(E = 0) = {theory['band_centre_length']:.2f} "
              "(Kappus-Wegner ~105 J^2/W^2)")


def _print_run(summary: dict[str, Any]) -> None:
    print(f"{summary['experiment']}  run {summary['run_id']}  backend {summary['backend']['name']}"
          f"  shots {summary['shots']}  seed {summary['seed']}")
    obs, ref = summary["observables"], summary["reference"]
    cls = summary.get("classical")
    err = summary.get("observable_errors")
    key = _main_observable(summary)
    second = "p_origin" if "p_origin" in obs else None
    print(f"{'t':>5} {'construction':>13} {key:>16} {'exact':>8} {'classical':>9} "
          f"{'P(origin)' if second else '':>9} {'TVD':>7}")
    for i, t in enumerate(summary["times"]):
        value = f"{obs[key][i]:.3f}" + (f" ± {err[key][i]:.3f}" if err else "")
        classical = f"{cls[key][i]:.3f}" if cls and key in cls else "-"
        extra = f"{obs[second][i]:>9.4f}" if second else f"{'':>9}"
        print(f"{t:>5.4g} {summary['construction'][i]:>13} {value:>16} {ref[key][i]:>8.3f} "
              f"{classical:>9} {extra} {summary['distance']['tvd'][i]:>7.4f}")
    for who, fit in summary.get("fits", {}).get("sigma_power_law", {}).items():
        if fit:
            print(f"sigma ~ t^alpha ({who}): alpha = {fit['exponent']:.3f} "
                  f"± {fit['exponent_error']:.3f}")
    if "ensemble" in summary:
        _print_ensemble(summary)
    if "diffusion_theory" in summary:
        theory = summary["diffusion_theory"]
        print(f"HSR theory: D = 2 J^2/gamma = {theory['D']:.4f}, crossover at t = 2/gamma = "
              f"{theory['crossover_time']:.3f}")
    if "si" in summary:
        si = summary["si"]
        print(f"SI: a {si['width_initial_m'] * 1e9:g} nm electron packet at "
              f"{si['kinetic_energy_ev']:g} eV flies {si['distance_m']:g} m in "
              f"{si['flight_time_s']:.3g} s and arrives {si['width_final_m'] * 1e3:.3g} mm wide "
              f"(tau = {si['tau']:.3g})")


def cmd_resources(args: argparse.Namespace) -> None:
    from .experiments import get_experiment
    from .resource_report import resource_report

    experiment = get_experiment(args.experiment).from_settings(_settings(args.set))
    report = resource_report(experiment, args.target)
    if args.json:
        print(json.dumps(report))
        return
    steps = f"{report['steps']} steps, " if report["steps"] is not None else ""
    print(f"{args.experiment} on {args.target}: {steps}"
          f"{report['num_qubits']} qubits (two-qubit gates after transpiling)")
    print(f"{'construction':>13} {'2q/step':>8} {'2q total':>9} {'depth total':>12}")
    for row in report["constructions"]:
        per_step = "-" if row["two_qubit_per_step"] is None else str(row["two_qubit_per_step"])
        print(f"{row['construction']:>13} {per_step:>8} {row['two_qubit_total']:>9} "
              f"{row['depth_total']:>12}")
    for layer in report.get("layers", []):
        print(f"one {layer['layer']}: {layer['two_qubit_gates']} two-qubit gates")


def _values(text: str) -> list[Any]:
    from .specs import parse_setting

    return [parse_setting(f"v={v}")[1] for v in text.split(",") if v.strip()]


def cmd_sweep(args: argparse.Namespace) -> None:
    from . import plots
    from .crossover import sweep

    name, _, raw = args.over.partition("=")
    if not raw:
        raise QwalkError("--over needs NAME=V1,V2,... (e.g. --over gamma=0.5,1,2,4)")
    config = _config(args)
    shots_setting = args.shots if args.shots is not None else config.run.shots
    shots = None if shots_setting == "exact" else int(shots_setting)
    seed = args.seed if args.seed is not None else config.run.seed
    rows = sweep(args.experiment, name.strip(), _values(raw), _settings(args.set), config,
                 shots, seed, _store(args))
    if args.plot:
        plots.save(plots.sweep_figure(rows, name.strip()), args.plot)
    if args.json:
        print(json.dumps(rows))
        return
    print(f"{'value':>8} {'D circuit':>16} {'D exact twin':>13} {'D theory':>9} "
          f"{'t* circuit':>11} {'t* theory':>10}  run")
    def num(value: float | None, digits: int) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    for row in rows:
        fit, ref, theory = row.get("fit") or {}, row.get("fit_reference") or {}, row.get(
            "theory", {})
        d = f"{fit['D']:.4f} ± {fit['D_error']:.4f}" if fit else "-"
        print(f"{row[name.strip()]!s:>8} {d:>16} {num(ref.get('D'), 4):>13} "
              f"{num(theory.get('D'), 4):>9} {num(fit.get('crossover_time'), 3):>11} "
              f"{num(theory.get('crossover_time'), 3):>10}  {row['run_id']}")


def cmd_results(args: argparse.Namespace) -> None:
    store = _store(args)
    if args.results_command == "list":
        runs = store.list_runs(args.limit)
        if not runs:
            print(f"no runs yet in {store.path}")
        for run in runs:
            print(f"{run['run_id']}  {run['created_at'][:19]}  {run['experiment']:<14} "
                  f"{run['backend']:<12} shots={run['shots'] if run['shots'] else 'exact'}")
    else:
        run = store.get_run(args.run_id)
        if args.json:
            print(json.dumps(run))
        else:
            _print_run(run["summary"])


def cmd_demo(args: argparse.Namespace) -> None:
    from .execution import load_config
    from .report import run_demo

    config = load_config(args.backend)
    seed = args.seed if args.seed is not None else config.run.seed
    path = run_demo(args.out, config, seed, _store(args))
    print(f"demo written to {Path(args.out).resolve()} (summary: {path.name})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qwalk", description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="result store file (default: $QWALK_STORE or "
                        "~/.local/share/qwalk/runs.sqlite)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="experiments and their parameters").set_defaults(func=cmd_list)

    run = sub.add_parser("run", help="run an experiment and compare with the exact solver")
    run.add_argument("experiment")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="experiment parameter (VALUE read as JSON when it parses)")
    run.add_argument("--backend", metavar="CONFIG", help="hardware config file or name "
                     "(default: aer_ideal)")
    run.add_argument("--shots", type=_shots, help="shots, or 'exact' (default: from the config)")
    run.add_argument("--seed", type=int, help="simulator seed (default: from the config)")
    run.add_argument("--dask", metavar="ADDRESS", help=DASK_HELP)
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--plot", metavar="FILE", help="write a PNG of sigma(t) and P(x, t_max)")
    run.set_defaults(func=cmd_run)

    res = sub.add_parser("resources", help="two-qubit gates and depth per construction")
    res.add_argument("experiment")
    res.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    res.add_argument("--target", default="all-to-all",
                     help="all-to-all | line | fake_fez | fake_torino | fake_kingston | CONFIG")
    res.add_argument("--json", action="store_true")
    res.set_defaults(func=cmd_resources)

    swp = sub.add_parser("sweep", help="run one experiment over a parameter's values and fit "
                         "the diffusion constant (the quantum-to-classical crossover)")
    swp.add_argument("experiment")
    swp.add_argument("--over", required=True, metavar="NAME=V1,V2,...",
                     help="the swept parameter and its values, e.g. gamma=0.5,1,2,4")
    swp.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    swp.add_argument("--backend", metavar="CONFIG")
    swp.add_argument("--shots", type=_shots)
    swp.add_argument("--seed", type=int)
    swp.add_argument("--dask", metavar="ADDRESS", help=DASK_HELP)
    swp.add_argument("--json", action="store_true")
    swp.add_argument("--plot", metavar="FILE", help="PNG of sigma(t) per value and D vs theory")
    swp.set_defaults(func=cmd_sweep)

    results = sub.add_parser("results", help="runs in the result store")
    results_sub = results.add_subparsers(dest="results_command", required=True)
    lst = results_sub.add_parser("list")
    lst.add_argument("--limit", type=int, default=50)
    show = results_sub.add_parser("show")
    show.add_argument("run_id")
    show.add_argument("--json", action="store_true")
    results.set_defaults(func=cmd_results)

    demo = sub.add_parser("demo", help="the physics story, as figures and a summary table")
    demo.add_argument("--out", default="demo_output", help="output folder (default: demo_output)")
    demo.add_argument("--backend", metavar="CONFIG")
    demo.add_argument("--seed", type=int)
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except QwalkError as exc:
        print(f"qwalk: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
