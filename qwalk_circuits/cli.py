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


def cmd_run(args: argparse.Namespace) -> None:
    from .execution import load_config
    from .experiments import get_experiment, run_experiment

    experiment = get_experiment(args.experiment).from_settings(_settings(args.set))
    config = load_config(args.backend)
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
    from matplotlib.figure import Figure

    from . import plots
    from .lattice import signed_displacement

    summary = record.summary
    fig = Figure(figsize=(11, 4))
    left, right = fig.subplots(1, 2)
    t = summary["times"]
    left.plot(t, summary["reference"]["sigma"], "k-", label="exact quantum")
    left.errorbar(t, summary["observables"]["sigma"],
                  yerr=summary.get("observable_errors", {}).get("sigma"), fmt="o", ms=3,
                  label="circuit")
    if "classical" in summary:
        left.plot(t, summary["classical"]["sigma"], "r--", label="classical")
    left.set(xlabel="step t", ylabel="sigma(t)")
    left.legend()
    spec = experiment.spec
    d = signed_displacement(spec.num_sites, spec.origin()) if spec.dimension == 1 else None
    if d is not None:
        right.bar(d, record.distributions[-1], width=1.0, alpha=0.5, label="circuit")
        order = d.argsort()
        right.plot(d[order], record.reference[-1][order], "k-", label="exact quantum")
        right.set(xlabel="x - x0", ylabel=f"P(x, t={t[-1]})")
        right.legend()
    fig.tight_layout()
    plots.save(fig, path)


def _print_run(summary: dict[str, Any]) -> None:
    print(f"{summary['experiment']}  run {summary['run_id']}  backend {summary['backend']['name']}"
          f"  shots {summary['shots']}  seed {summary['seed']}")
    obs, ref = summary["observables"], summary["reference"]
    cls = summary.get("classical")
    err = summary.get("observable_errors")
    print(f"{'t':>4} {'construction':>13} {'sigma':>16} {'exact':>8} {'classical':>9} "
          f"{'P(origin)':>9} {'TVD':>7}")
    for i, t in enumerate(summary["times"]):
        sigma = f"{obs['sigma'][i]:.3f}" + (f" ± {err['sigma'][i]:.3f}" if err else "")
        classical = f"{cls['sigma'][i]:.3f}" if cls else "-"
        print(f"{t:>4} {summary['construction'][i]:>13} {sigma:>16} {ref['sigma'][i]:>8.3f} "
              f"{classical:>9} {obs['p_origin'][i]:>9.4f} {summary['distance']['tvd'][i]:>7.4f}")
    for who, fit in summary["fits"]["sigma_power_law"].items():
        if fit:
            print(f"sigma ~ t^alpha ({who}): alpha = {fit['exponent']:.3f} "
                  f"± {fit['exponent_error']:.3f}")


def cmd_resources(args: argparse.Namespace) -> None:
    from .experiments import get_experiment
    from .resource_report import resource_report

    experiment = get_experiment(args.experiment).from_settings(_settings(args.set))
    report = resource_report(experiment, args.target)
    if args.json:
        print(json.dumps(report))
        return
    print(f"{args.experiment} on {args.target}: {report['steps']} steps, "
          f"{report['num_qubits']} qubits (two-qubit gates after transpiling)")
    print(f"{'construction':>13} {'2q/step':>8} {'2q total':>9} {'depth total':>12}")
    for row in report["constructions"]:
        per_step = "-" if row["two_qubit_per_step"] is None else str(row["two_qubit_per_step"])
        print(f"{row['construction']:>13} {per_step:>8} {row['two_qubit_total']:>9} "
              f"{row['depth_total']:>12}")


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
