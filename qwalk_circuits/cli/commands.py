"""The ``qwalk`` subcommands: each reads its arguments, calls the pipeline (or the store,
the ledger, the resource report) and hands the result to :mod:`.render`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.errors import QwalkError
from . import render


def _settings(pairs: Sequence[str]) -> dict[str, Any]:
    from ..core.specs import parse_setting

    return dict(parse_setting(p) for p in pairs)


def _store(args: argparse.Namespace, read_only: bool = False) -> Any:
    """The result store; one to write is opened (created, migrated, probed) before any
    work, so a read-only or locked store stops the command at once."""
    from ..execution import ResultStore

    return ResultStore(args.store, read_only=read_only)


def _store_to_read(args: argparse.Namespace, listing: bool, nothing: str, what: str,
                   writes: bool = False) -> Any:
    """The result store of an existing run: opened read-only (never changed, an older
    schema read as it is) unless the command ``writes``.  When there is no store, a
    listing says ``nothing`` and gets None, anything else fails naming ``what`` it looked
    for and the path."""
    from ..execution.store import default_store_path

    path = Path(args.store) if args.store is not None else default_store_path()
    if path.exists():
        return _store(args, read_only=not writes)
    if listing:
        print(f"{nothing}: no result store at {path}")
        return None
    raise QwalkError(f"no {what}: no result store at {path} (nothing has been run with it "
                     "yet; --store or QWALK_STORE picks another)")


def cmd_list(args: argparse.Namespace) -> None:
    from ..experiments import REGISTRY

    for name, cls in sorted(REGISTRY.items()):
        print(f"{name}: {cls.summary}")
        for field, info in cls.spec_type.model_fields.items():
            default = info.get_default(call_default_factory=True)
            desc = f"  {info.description}" if info.description else ""
            print(f"    {field} = {json.dumps(default)}{desc}")


def _config(args: argparse.Namespace) -> Any:
    """The hardware config, with ``--dask ADDRESS`` (when given) replacing its dask_address."""
    from ..execution import load_config
    from ..execution.config import with_dask_address

    return with_dask_address(load_config(args.backend), args.dask)


def _shots_and_seed(args: argparse.Namespace, config: Any) -> tuple[int | None, int | None]:
    """--shots / --seed, else the config's (``exact``: None)."""
    shots_setting = args.shots if args.shots is not None else config.run.shots
    shots = None if shots_setting == "exact" else int(shots_setting)
    return shots, args.seed if args.seed is not None else config.run.seed


def cmd_run(args: argparse.Namespace) -> None:
    from ..experiments import get_experiment
    from ..pipeline import run

    experiment = get_experiment(args.experiment).from_settings(_settings(args.set))
    config = _config(args)
    shots, seed = _shots_and_seed(args, config)
    record = run(experiment, config, shots=shots, seed=seed, store=_store(args),
                 allow_large=args.allow_large)
    render.render(record, experiment, args)


def cmd_submit(args: argparse.Namespace) -> None:
    from ..experiments import get_experiment
    from ..pipeline import submit

    experiment = get_experiment(args.experiment).from_settings(_settings(args.set))
    config = _config(args)
    shots, seed = _shots_and_seed(args, config)
    if args.dry_run:
        from ..pipeline import plan
        from .render_plan import print_plan

        print_plan(plan(experiment, config, shots, allow_large=args.allow_large), args.json)
        return
    if args.json:
        raise QwalkError("--json goes with --dry-run: a submission prints its run id alone")
    print(submit(experiment, config, shots, seed, _store(args),
                 allow_large=args.allow_large))


def cmd_jobs(args: argparse.Namespace) -> None:
    from ..execution.ledger import STRAY, Ledger
    from ..execution.service import scrub

    store = _store_to_read(args, args.jobs_command == "list", "no submitted runs",
                           f"submitted run '{getattr(args, 'run_id', '')}'",
                           writes=args.jobs_command in ("cancel", "fetch"))
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
        for job in ledger.jobs(args.run_id, strays=True):  # strays too: what was paid for
            stray = job["role"] in STRAY
            print(f"  job {job['job_id']}  {job['role']:<11} {len(job['circuits'])} circuits  "
                  f"{job['status']}" + (f"  {job['error']}" if job["error"] else "")
                  + ("  (result stored)" if job["result"] is not None and not stray else "")
                  + (f"  QPU {job['usage_s']:.1f} s" if job.get("usage_s") is not None else "")
                  + ("  (not part of the run: cancelled when found, never merged)"
                     if stray else ""))
        return
    if args.jobs_command == "cancel":
        from ..execution.device_submission import stored_config
        from ..execution.jobs import cancel

        config = stored_config(ledger.submission(args.run_id))
        print(f"cancelled {cancel(args.run_id, ledger, config)} job(s) of run {args.run_id}")
        return
    from ..execution.device_submission import resume_submission
    from ..pipeline import fetch

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
        render.render(record, None, args)
        note = ledger.submission(args.run_id)["error"]
        if note:  # e.g. a second job found for a chunk: reported, never merged
            print(f"run {args.run_id}: {scrub(note)}", file=sys.stderr)


def cmd_backends(args: argparse.Namespace) -> None:
    from ..execution.config import list_configs, shipped_config_dir, user_config_dir
    from ..execution.service import fake_devices, list_backends

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
        from ..execution import load_config

        config = load_config(args.backend)
    real, why = list_backends(config)
    if why is not None:
        print(f"real IBM devices: none reachable: {why}")
        return
    print(f"real IBM devices: {len(real)}")
    for row in real:
        print(f"  {row['name']:<16} {row['num_qubits']:>4} qubits  pending jobs "
              f"{row['pending_jobs'] if row['pending_jobs'] is not None else '?'}")


def cmd_resources(args: argparse.Namespace) -> None:
    from ..experiments import get_experiment
    from ..resource_report import resource_report

    experiment = get_experiment(args.experiment).from_settings(_settings(args.set))
    report = resource_report(experiment, args.target, allow_large=args.allow_large)
    if args.json:
        print(json.dumps(report))
        return
    steps = f"{report['steps']} steps, " if report["steps"] is not None else ""
    print(f"{args.experiment} on {args.target}: {steps}"
          f"{report['num_qubits']} qubits (two-qubit gates after transpiling)")
    print(f"{'construction':>13} {'+2q/step':>8} {'2q total':>9} {'depth total':>12}")
    for row in report["constructions"]:
        per_step = "-" if row["two_qubit_per_step"] is None else str(row["two_qubit_per_step"])
        print(f"{row['construction']:>13} {per_step:>8} {row['two_qubit_total']:>9} "
              f"{row['depth_total']:>12}")
    print("(+2q/step: what one more step adds, cost(T=2) - cost(T=1), so 0 or '-' for a "
          "construction whose cost does not grow with T; 2q total: the whole circuit)")
    for layer in report.get("layers", []):
        print(f"one {layer['layer']}: {layer['two_qubit_gates']} two-qubit gates")
    if "work" in report:
        work = report["work"]
        print(f"work estimate (an exact Aer run): {work['gates']:.3g} gates in "
              f"{work['circuits']} circuit(s), ~{work['memory_bytes'] / 2**20:.0f} MiB, "
              f"roughly {work['seconds_rough']:.2g} s")
    if "device_form" in report:
        form = report["device_form"]
        print(f"on a device (phase-kick trajectories, no environment qubit): "
              f"{form['num_qubits']} qubits, {form['two_qubit_gates']} two-qubit gates at the "
              "last time")


def _values(name: str, text: str) -> list[Any]:
    """The swept values of ``--over NAME=V1,V2,...``, each read as a ``--set`` value."""
    from ..core.specs import parse_setting

    return [parse_setting(f"{name}={v}")[1] for v in text.split(",") if v.strip()]


def _check_sweep(experiment: str, name: str, values: list[Any],
                 settings: dict[str, Any]) -> None:
    """Each swept value's spec, checked before the store is opened (a bad value leaves
    no store behind); the sweep checks them again with the work estimate."""
    from ..core.errors import ParameterError
    from ..experiments import get_experiment

    if name in settings:
        raise ParameterError(name, "is swept: do not also --set it")
    for value in values:
        get_experiment(experiment).from_settings({**settings, name: value})


def cmd_sweep(args: argparse.Namespace) -> None:
    from ..analysis import plots
    from ..sweeps import sweep

    name, _, raw = args.over.partition("=")
    if not raw:
        raise QwalkError("--over needs NAME=V1,V2,... (e.g. --over gamma=0.5,1,2,4)")
    config = _config(args)
    shots_setting = args.shots if args.shots is not None else config.run.shots
    shots = None if shots_setting == "exact" else int(shots_setting)
    seed = args.seed if args.seed is not None else config.run.seed
    values, settings = _values(name.strip(), raw), _settings(args.set)
    _check_sweep(args.experiment, name.strip(), values, settings)
    rows = sweep(args.experiment, name.strip(), values, settings, config, shots, seed,
                 _store(args), allow_large=args.allow_large)
    key = rows[0]["observable"] if rows else "sigma"
    _print_sweep(rows, name.strip(), key, args.json)
    if args.plot:
        sys.stdout.flush()
        with render.plot_failures(args.plot, f"the sweep's {len(rows)} runs are stored"):
            plots.save(plots.sweep_figure(rows, name.strip()) if _diffusive(rows)
                       else plots.observable_sweep_figure(rows, name.strip()), args.plot)


def _diffusive(rows: list[dict[str, Any]]) -> bool:
    """Whether a sweep's rows carry diffusion constants (the D and t* table and figure);
    otherwise each row's own observables are shown."""
    return any(row.get("D_fit") or row.get("D_model") for row in rows)


def _print_sweep(rows: list[dict[str, Any]], name: str, key: str, as_json: bool) -> None:
    """A sweep's rows: JSON, the observable's table, or D and t* against the theory."""
    if as_json:
        print(json.dumps(rows))
        render.print_sweep_warnings(rows, name)
        return
    if not _diffusive(rows):
        render.print_observable_sweep(rows, name, key)
        return
    print(f"{'value':>8} {'D fit ± err':>20} {'D model':>9} {'D continuum':>11} "
          f"{'t* fit ± err':>18} {'t* continuum':>12}  run")

    def num(entry: dict[str, Any] | None, digits: int, error: bool = False) -> str:
        if entry is None or entry.get("value") is None:
            return "-"
        text = f"{entry['value']:.{digits}f}"
        if error and entry.get("error") is not None:
            text += f" ± {entry['error']:.2g}"
        return text

    for row in rows:
        print(f"{row[name]!s:>8} {num(row.get('D_fit'), 4, True):>20} "
              f"{num(row.get('D_model'), 4):>9} {num(row.get('D_continuum'), 4):>11} "
              f"{num(row.get('crossover_time_fit'), 3, True):>18} "
              f"{num(row.get('crossover_time_continuum'), 3):>12}  {row['run_id']}")
    render.print_sweep_warnings(rows, name)


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
        from ..pipeline import reanalyse

        record = reanalyse(args.run_id, store)
        stored = store.get_run(args.run_id)["summary"]
        same = json.dumps(record.summary, sort_keys=True) == json.dumps(stored, sort_keys=True)
        if args.json:
            print(json.dumps(record.summary))
            render.print_warnings(record.summary)
        else:
            render.print_summary(record.summary)
        print(f"run {args.run_id}: re-analysed from its stored outcomes; "
              + ("the same summary as stored" if same else
                 "DIFFERS from the stored summary (analysis code changed since the run)"),
              file=sys.stderr)
    elif args.results_command == "export":
        export_run(store.get_run(args.run_id)["summary"], args.format, args.out)
    else:
        run = store.get_run(args.run_id)
        if args.json:
            print(json.dumps(run))
            render.print_warnings(run["summary"])
        else:
            render.print_summary(run["summary"])


def export_run(summary: dict[str, Any], fmt: str, out: str | None) -> None:
    """``results export``: the run's rows to ``out``, or (CSV, JSON) to stdout."""
    from ..analysis import export

    if out is None:
        if fmt == "parquet":
            raise QwalkError("Parquet is binary: give a file with --out FILE.parquet")
        sys.stdout.write(export.export_text(summary, fmt))  # type: ignore[arg-type]
        return
    export.write_export(summary, fmt, Path(out))  # type: ignore[arg-type]
    print(f"run {summary.get('run_id')}: {len(export.result_rows(summary))} rows written to "
          f"{out}", file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> None:
    from ..demo.story import run_demo
    from ..execution import load_config

    config = load_config(args.backend)
    seed = args.seed if args.seed is not None else config.run.seed
    store = _store(args)
    with render.plot_failures(args.out, "the demo's runs are stored"):
        path = run_demo(args.out, config, seed, store)
    print(f"demo written to {Path(args.out).resolve()} (summary: {path.name})")
