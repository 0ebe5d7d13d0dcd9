"""The `qwalk` command: list, run, resources, results, demo, submit, jobs, backends.

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


def _store_to_read(args: argparse.Namespace, listing: bool, nothing: str, what: str) -> Any:
    """The result store for a command that only reads (opening a ResultStore creates its
    file, so look first): when there is none, a listing says ``nothing`` and gets None,
    anything else fails naming ``what`` it looked for and the path."""
    from .execution.store import default_store_path

    path = Path(args.store) if args.store is not None else default_store_path()
    if path.exists():
        return _store(args)
    if listing:
        print(f"{nothing}: no result store at {path}")
        return None
    raise QwalkError(f"no {what}: no result store at {path} (nothing has been run with it "
                     "yet; --store or QWALK_STORE picks another)")


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


def _shots_and_seed(args: argparse.Namespace, config: Any) -> tuple[int | None, int | None]:
    """--shots / --seed, else the config's (``exact``: None)."""
    shots_setting = args.shots if args.shots is not None else config.run.shots
    shots = None if shots_setting == "exact" else int(shots_setting)
    return shots, args.seed if args.seed is not None else config.run.seed


def cmd_run(args: argparse.Namespace) -> None:
    from .experiments import get_experiment
    from .pipeline import run

    experiment = get_experiment(args.experiment).from_settings(_settings(args.set))
    config = _config(args)
    shots, seed = _shots_and_seed(args, config)
    record = run(experiment, config, shots=shots, seed=seed, store=_store(args))
    _render(record, experiment, args)


def _render(record: Any, experiment: Any, args: argparse.Namespace) -> None:
    """The one renderer of a run: a plot when asked, then JSON or the table."""
    summary = record.summary
    device = "comparison" in summary
    if getattr(args, "plot", None):
        if device:
            _plot_device_run(summary, args.plot)
        else:
            _plot_run(record, experiment, args.plot)
    if args.json:
        print(json.dumps(summary))
    elif device:
        _print_device_run(summary)
    else:
        _print_run(summary)


def _print_device_run(summary: dict[str, Any]) -> None:
    """The three-way comparison: device vs exact, emulation vs exact, mitigated vs exact."""
    comparison = summary["comparison"]
    print(f"{summary['experiment']}  run {summary['run_id']}  device {comparison['device']}  "
          f"shots {summary['shots']}  seed {summary['seed']}")
    if "no_distances" in comparison:
        print(f"no TVD / Hellinger: {comparison['no_distances']}")
        key = _main_observable(summary)
        obs, err = summary["observables"][key], summary["observable_errors"][key]
        print(f"{'t':>6} {key + ' (device)':>24} {'exact':>8}")
        for i, t in enumerate(summary["times"]):
            print(f"{t:>6g} {obs[i]:>14.4f} ± {err[i]:<7.4f} {summary['reference'][key][i]:>8.4f}")
        if "ensemble" in summary:
            _print_ensemble(summary)
        return
    print("TVD / Hellinger to the exact distribution (± bootstrap standard error)"
          + (f"; emulation: {comparison['emulator']}" if "emulation" in comparison else
             "; no emulation (a fake device's would be the same noisy simulation again: "
             "emulation = true in the config asks for it)"))
    columns = [("hardware", "device")]
    if "emulation" in comparison:
        columns.append(("emulation", "emulation"))
    if "mitigated" in comparison:
        columns.append(("mitigated", "mitigated"))
    print(f"{'t':>4} {'construction':>13} {'2q':>4} " + " ".join(
        f"{label + ' TVD':>17} {label + ' H':>15}" for _, label in columns) + f" {'uniform':>8}")
    for i, t in enumerate(summary["times"]):
        cells = []
        for key, _ in columns:
            d = comparison[key]
            cells.append(f"{d['tvd'][i]:>9.4f} ± {d['tvd_error'][i]:.4f} "
                         f"{d['hellinger'][i]:>7.4f} ± {d['hellinger_error'][i]:.3f}")
        print(f"{t:>4g} {summary['construction'][i]!s:>13} "
              f"{summary['resources'][i].get('two_qubit_gates', '-'):>4} " + " ".join(cells)
              + f" {comparison['uniform_tvd'][i]:>8.4f}")
    if "trajectory_floor" in comparison:
        floor = comparison["trajectory_floor"]["tvd"]
        print("trajectory floor (these kicks on an ideal device, exactly; "
              f"{summary['ensemble']['realisations']} trajectories): TVD "
              + " ".join(f"{v:.4f}" for v in floor))
    if "ensemble" in summary:
        print("(ensemble runs: the members' average against the exact ensemble average)")
        _print_ensemble(summary)


def _plot_device_run(summary: dict[str, Any], path: str) -> None:
    """TVD to the exact distribution against steps: device, emulation, mitigated, uniform."""
    from matplotlib.figure import Figure

    from . import plots

    comparison = summary["comparison"]
    if "no_distances" in comparison:
        print(f"no plot: {comparison['no_distances']}", file=sys.stderr)
        return
    fig = Figure(figsize=(6, 4))
    axis = fig.subplots()
    for key in ("hardware", "emulation", "mitigated"):
        if key in comparison:
            axis.errorbar(summary["times"], comparison[key]["tvd"],
                          yerr=comparison[key]["tvd_error"], fmt="o-", ms=3, capsize=2,
                          label=f"{key} ({comparison['device']})" if key == "hardware" else key)
    axis.plot(summary["times"], comparison["uniform_tvd"], "k--", label="uniform")
    axis.set(xlabel="steps", ylabel="TVD to exact", ylim=(0, None))
    axis.legend()
    fig.tight_layout()
    plots.save(fig, path)


def cmd_submit(args: argparse.Namespace) -> None:
    from .experiments import get_experiment
    from .pipeline import submit

    experiment = get_experiment(args.experiment).from_settings(_settings(args.set))
    config = _config(args)
    shots, seed = _shots_and_seed(args, config)
    print(submit(experiment, config, shots, seed, _store(args)))


def cmd_jobs(args: argparse.Namespace) -> None:
    from .execution.ledger import Ledger
    from .execution.service import scrub

    store = _store_to_read(args, args.jobs_command == "list", "no submitted runs",
                           f"submitted run '{getattr(args, 'run_id', '')}'")
    if store is None:
        return
    ledger = Ledger(store)
    if args.jobs_command == "list":
        rows = ledger.runs(args.limit)
        if not rows:
            print(f"no submitted runs in {store.path}")
        for row in rows:
            print(f"{row['run_id']}  {row['created_at'][:19]}  {row['status']:<10} "
                  f"{row['experiment']:<14} {row['device']:<14} jobs {row['jobs_done']}/"
                  f"{row['jobs']} done  shots={row['shots']}")
        return
    if args.jobs_command == "status":
        sub = ledger.submission(args.run_id)
        print(f"run {args.run_id}: {sub['status']} on {sub['device']}"
              + (f" ({scrub(sub['error'])})" if sub["error"] else ""))
        for job in ledger.jobs(args.run_id):
            print(f"  job {job['job_id']}  {job['role']:<11} {len(job['circuits'])} circuits  "
                  f"{job['status']}" + (f"  {job['error']}" if job["error"] else "")
                  + ("  (result stored)" if job["result"] is not None else ""))
        return
    if args.jobs_command == "cancel":
        from .execution.jobs import cancel
        from .experiments.hardware_runner import stored_config

        config = stored_config(ledger.submission(args.run_id))
        print(f"cancelled {cancel(args.run_id, ledger, config)} job(s) of run {args.run_id}")
        return
    from .experiments.hardware_runner import resume_submission
    from .pipeline import fetch

    if args.resume:
        sent = resume_submission(args.run_id, store, force=args.force)
        print(f"run {args.run_id}: submission completed ({sent} job(s) submitted now, the "
              "others were accepted before)")
    record = fetch(args.run_id, store)
    if record is None:
        tally: dict[str, int] = {}
        for job in ledger.jobs(args.run_id):
            tally[job["status"]] = tally.get(job["status"], 0) + 1
        print(f"run {args.run_id} not finished yet: {tally}; try again later")
    else:
        _render(record, None, args)


def cmd_backends(args: argparse.Namespace) -> None:
    from .execution.config import list_configs, shipped_config_dir, user_config_dir
    from .execution.service import fake_devices, list_backends

    entries = list_configs()
    shipped = [e.name for e in entries if e.source == "shipped"]
    print(f"configs shipped with qwalk ({shipped_config_dir()}): {len(shipped)}")
    print("  " + " ".join(shipped))
    user = [e for e in entries if e.source == "user"]
    print(f"your configs ({user_config_dir()}): {len(user) or 'none'}")
    for entry in user:
        print(f"  {entry.name}" + ("  (refused: a shipped config has this name; rename it)"
                                   if entry.shadows_shipped else ""))
    fakes = fake_devices()
    print(f"fake devices (offline, local testing mode; --backend NAME runs one with "
          f"fake_fez.toml's settings): {len(fakes)}")
    print("  " + " ".join(f["name"] for f in fakes))
    config = None
    if args.backend:
        from .execution import load_config

        config = load_config(args.backend)
    real, why = list_backends(config)
    if why is not None:
        print(f"real IBM devices: none reachable: {why}")
        return
    print(f"real IBM devices: {len(real)}")
    for row in real:
        print(f"  {row['name']:<16} {row['num_qubits']:>4} qubits  pending jobs "
              f"{row['pending_jobs'] if row['pending_jobs'] is not None else '?'}")


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
        errors = record.distribution_errors
        right.bar(values, record.distributions[-1], width=1.0, alpha=0.5, label="circuit",
                  yerr=None if errors is None else errors[-1], error_kw={"lw": 0.6})
        order = values.argsort()
        right.plot(values[order], record.reference[-1][order], "k-", label="exact quantum")
        right.set(xlabel=label, ylabel=f"P(t={t[-1]:g})")
        right.legend()
    fig.tight_layout()
    plots.save(fig, path)


def _outcome_axis(experiment: Any, size: int) -> tuple[Any, str] | None:
    """What a 1D distribution is over: displacements of a walk, or an experiment's own axis."""
    from .lattice import signed_displacement

    own = experiment.outcome_axis()
    if own is not None:
        return own
    spec = experiment.spec
    if getattr(spec, "dimension", None) == 1 and spec.num_sites == size:
        return signed_displacement(spec.num_sites, spec.origin()), "x - x0"
    return None


def _experiment_of(summary: dict[str, Any]) -> Any:
    """The experiment a summary was made by (its display hooks), rebuilt from its params."""
    import warnings

    from .experiments import get_experiment

    cls = get_experiment(summary["experiment"])
    with warnings.catch_warnings():  # (its warnings were shown when it ran)
        warnings.simplefilter("ignore")
        return cls(cls.spec_type.model_validate(summary["params"]))


def _main_observable(summary: dict[str, Any]) -> str:
    """The observable a run is read by (the experiment's ``main_observable``, else its
    first one)."""
    observables = summary["observables"]
    key = _experiment_of(summary).main_observable
    return key if key in observables else next(iter(observables))


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
    tvd = summary.get("distance", {}).get("tvd")
    for i, t in enumerate(summary["times"]):
        value = f"{obs[key][i]:.3f}" + (f" ± {err[key][i]:.3f}" if err else "")
        classical = f"{cls[key][i]:.3f}" if cls and key in cls else "-"
        extra = f"{obs[second][i]:>9.4f}" if second else f"{'':>9}"
        print(f"{t:>5.4g} {summary['construction'][i]:>13} {value:>16} {ref[key][i]:>8.3f} "
              f"{classical:>9} {extra} {f'{tvd[i]:.4f}' if tvd else '-':>7}")
    for who, fit in summary.get("fits", {}).get("sigma_power_law", {}).items():
        if fit:
            print(f"sigma ~ t^alpha ({who}): alpha = {fit['exponent']:.3f} "
                  f"± {fit['exponent_error']:.3f}")
    if "ensemble" in summary:
        _print_ensemble(summary)
    for line in _experiment_of(summary).summary_notes(summary):
        print(line)


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
    if "device_form" in report:
        form = report["device_form"]
        print(f"on a device (phase-kick trajectories, no environment qubit): "
              f"{form['num_qubits']} qubits, {form['two_qubit_gates']} two-qubit gates at the "
              "last time")


def _values(text: str) -> list[Any]:
    from .specs import parse_setting

    return [parse_setting(f"v={v}")[1] for v in text.split(",") if v.strip()]


def _print_observable_sweep(rows: list[dict[str, Any]], parameter: str, key: str) -> None:
    """One line per swept value: the observable at the last time, with error and exact."""
    print(f"{'value':>8} {key + ' (last t)':>20} {'exact':>9}  run")
    for row in rows:
        value, exact = row[key][-1], row[f"{key}_reference"][-1]
        error = row.get(f"{key}_error", [None])[-1]
        shown = "-" if value is None else f"{value:.4f}" + (
            f" ± {error:.4f}" if error is not None else "")
        print(f"{row[parameter]!s:>8} {shown:>20} "
              f"{'-' if exact is None else f'{exact:.4f}':>9}  {row['run_id']}")


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
    key = rows[0]["observable"] if rows else "sigma"
    if args.plot:
        figure = (plots.sweep_figure(rows, name.strip()) if key == "sigma"
                  else plots.observable_sweep_figure(rows, name.strip()))
        plots.save(figure, args.plot)
    if args.json:
        print(json.dumps(rows))
        return
    if key != "sigma":
        _print_observable_sweep(rows, name.strip(), key)
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
    store = _store_to_read(args, args.results_command == "list", "no runs yet",
                           f"run '{getattr(args, 'run_id', '')}'")
    if store is None:
        return
    if args.results_command == "list":
        runs = store.list_runs(args.limit)
        if not runs:
            print(f"no runs yet in {store.path}")
        for run in runs:
            print(f"{run['run_id']}  {run['created_at'][:19]}  {run['experiment']:<14} "
                  f"{run['backend']:<12} shots={run['shots'] if run['shots'] else 'exact'}")
    elif args.results_command == "reanalyse":
        from .pipeline import reanalyse

        record = reanalyse(args.run_id, store)
        stored = store.get_run(args.run_id)["summary"]
        same = json.dumps(record.summary, sort_keys=True) == json.dumps(stored, sort_keys=True)
        if args.json:
            print(json.dumps(record.summary))
        else:
            (_print_device_run if "comparison" in record.summary else _print_run)(
                record.summary)
        print(f"run {args.run_id}: re-analysed from its stored outcomes; "
              + ("the same summary as stored" if same else
                 "DIFFERS from the stored summary (analysis code changed since the run)"),
              file=sys.stderr)
    else:
        run = store.get_run(args.run_id)
        if args.json:
            print(json.dumps(run))
        else:
            (_print_device_run if "comparison" in run["summary"] else _print_run)(
                run["summary"])


def cmd_demo(args: argparse.Namespace) -> None:
    from .execution import load_config
    from .report import run_demo

    config = load_config(args.backend)
    seed = args.seed if args.seed is not None else config.run.seed
    path = run_demo(args.out, config, seed, _store(args))
    print(f"demo written to {Path(args.out).resolve()} (summary: {path.name})")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qwalk_circuits")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qwalk", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"qwalk {_version()}")
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
    again = results_sub.add_parser(
        "reanalyse", help="rebuild a run's summary from its stored outcomes (Aer) or its "
        "ledger's counts (devices), with today's analysis")
    again.add_argument("run_id")
    again.add_argument("--json", action="store_true")
    results.set_defaults(func=cmd_results)

    submit = sub.add_parser("submit", help="submit an experiment to a (fake) IBM device; "
                            "prints the run id at once (see 'qwalk jobs')")
    submit.add_argument("experiment")
    submit.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    submit.add_argument("--backend", metavar="CONFIG", required=True,
                        help="a hardware config with kind = 'fake' or 'ibm'")
    submit.add_argument("--shots", type=_shots)
    submit.add_argument("--seed", type=int)
    submit.set_defaults(func=cmd_submit, dask=None)

    jobs = sub.add_parser("jobs", help="submitted device runs: list, status, fetch, cancel")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_list = jobs_sub.add_parser("list")
    jobs_list.add_argument("--limit", type=int, default=50)
    for name in ("status", "fetch", "cancel"):
        command = jobs_sub.add_parser(name)
        command.add_argument("run_id")
        if name == "fetch":
            command.add_argument("--json", action="store_true")
            command.add_argument(
                "--resume", action="store_true",
                help="first complete a submission that was interrupted: adopt the jobs the "
                     "service accepted (found by their tags), submit only the others")
            command.add_argument(
                "--force", action="store_true",
                help="with --resume: resume a run still marked 'submitting' at once (only "
                     "when you know its submitting process is dead)")
    jobs.set_defaults(func=cmd_jobs)

    backends = sub.add_parser("backends", help="fake devices, and the real IBM devices your "
                              "saved account (or QISKIT_IBM_TOKEN) can reach")
    backends.add_argument("--backend", metavar="CONFIG",
                          help="use this config's [ibm] channel/instance")
    backends.set_defaults(func=cmd_backends)

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
