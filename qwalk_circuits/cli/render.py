"""The one renderer of a run's summary: the table, the plot, or JSON; for Aer and device
runs alike (a device run's summary has ``comparison``), and sweeps' tables."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..core.errors import QwalkError


def render(record: Any, experiment: Any, args: argparse.Namespace) -> None:
    """The one renderer of a run: JSON or the table (with the run id), then a plot when
    asked; a plot that fails says so in one line after the run id was printed."""
    summary = record.summary
    if args.json:
        print(json.dumps(summary))
        print_warnings(summary)
    else:
        print_summary(summary)
    if getattr(args, "plot", None):
        sys.stdout.flush()
        with plot_failures(args.plot, f"run {summary.get('run_id')} is stored"):
            if "comparison" in summary:
                plot_device_run(summary, args.plot)
            else:
                plot_run(record, experiment, args.plot)


@contextmanager
def plot_failures(path: str, done: str) -> Iterator[None]:
    """A figure (or folder) that cannot be written (disk full, a folder removed meanwhile)
    as one QwalkError that says what was ``done`` before it."""
    try:
        yield
    except OSError as exc:  # the path was checked before the run: only the disk is left
        why = exc.strerror or str(exc) or type(exc).__name__
        raise QwalkError(f"{done}, but {path} could not be written: "
                         f"{why.splitlines()[0]}") from None


def print_summary(summary: dict[str, Any]) -> None:
    """The table of a run: the device comparison for a device run, else the Aer one; then
    its warnings."""
    (print_device_run if "comparison" in summary else print_run)(summary)
    print_warnings(summary)


def print_warnings(summary: dict[str, Any]) -> None:
    """The run's ``warnings`` (what its numbers do not mean), one ``warning:`` line each on
    stderr, so stdout stays the result alone."""
    sys.stdout.flush()
    for line in summary.get("warnings") or []:
        print(f"warning: {line}", file=sys.stderr)


def print_device_run(summary: dict[str, Any]) -> None:
    """The three-way comparison: device vs exact, emulation vs exact, mitigated vs exact."""
    comparison = summary["comparison"]
    print(f"{summary['experiment']}  run {summary['run_id']}  device {comparison['device']}  "
          f"shots {summary['shots']}  seed {summary['seed']}")
    if "no_distances" in comparison:
        print(f"no TVD / Hellinger: {comparison['no_distances']}")
        key = main_observable(summary)
        obs, err = summary["observables"][key], summary["observable_errors"][key]
        print(f"{'t':>6} {key + ' (device)':>24} {'exact':>8}")
        for i, t in enumerate(summary["times"]):
            print(f"{t:>6g} {obs[i]:>14.4f} ± {err[i]:<7.4f} {summary['reference'][key][i]:>8.4f}")
        print_notes(summary)
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
    if "zne" in comparison:
        print_zne(comparison["zne"], main_observable(summary), summary["times"])
    print_notes(summary)


def print_zne(zne: dict[str, Any], key: str, times: list[float]) -> None:
    """The main observable raw, readout-mitigated (if calibrated) and extrapolated to zero
    noise, beside the exact value (``comparison.zne``)."""
    kinds = [k for k in ("raw", "mitigated", "zne") if k in zne]

    def cell(value: float | None, error: float | None) -> str:
        if value is None or error is None:  # (an undefined fit: null in the JSON)
            return f"{'-':>19}"
        return f"{value:>9.4f} ± {error:<7.4f}"

    print(f"zero-noise extrapolation of {key} ({zne['extrapolation']}, noise scales "
          f"{', '.join(str(s) for s in zne['scales'])}, from the {zne['extrapolated']} values; "
          "± bootstrap standard error)")
    print(f"{'t':>4} " + " ".join(f"{k:>19}" for k in kinds) + f" {'exact':>9}")
    for i, t in enumerate(times):
        print(f"{t:>4g} " + " ".join(cell(zne[k][key][i], zne[k + "_errors"][key][i])
                                     for k in kinds) + f" {zne['exact'][key][i]:>9.4f}")
    if "tvd" not in zne:  # (a run analysed before the distribution's extrapolation)
        return
    tvd = zne["tvd"]
    print(f"TVD to the exact distribution: at scale 1, and of the zero-noise distribution "
          f"(every outcome extrapolated from the {zne['extrapolated']} values, projected "
          "onto the simplex)")
    print(f"{'t':>4} " + " ".join(f"{k:>19}" for k in kinds))
    for i, t in enumerate(times):
        cells = [cell(tvd[k]["tvd"][i], tvd[k]["tvd_error"][i]) for k in kinds[:-1]]
        last = tvd[zne["extrapolated"]]
        print(f"{t:>4g} " + " ".join([*cells, cell(last["zne"][i], last["zne_error"][i])]))


def plot_device_run(summary: dict[str, Any], path: str) -> None:
    """TVD to the exact distribution against steps: device, emulation, mitigated, uniform."""
    from matplotlib.figure import Figure

    from ..analysis import plots

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


def plot_run(record: Any, experiment: Any, path: str) -> None:
    """The main observable against time (left) and the final distribution (right)."""
    from matplotlib.figure import Figure

    from ..analysis import plots

    summary = record.summary
    key = main_observable(summary)
    lattice_2d = _torus_side(experiment, record.distributions[-1].size)
    fig = Figure(figsize=(15, 4) if lattice_2d else (11, 4))
    left, right, *exact_panel = fig.subplots(1, 3 if lattice_2d else 2)
    t = summary["times"]
    left.plot(t, summary["reference"][key], "k-", label="exact quantum")
    left.errorbar(t, summary["observables"][key],
                  yerr=summary.get("observable_errors", {}).get(key), fmt="o", ms=3,
                  label="circuit")
    if key in summary.get("classical", {}):
        left.plot(t, summary["classical"][key], "r--", label="classical")
    left.set(xlabel=time_label(experiment),
             ylabel=f"{key}(t)" + (" (lattice units)" if key in ("sigma", "mean") else ""))
    left.legend()
    axis = outcome_axis(experiment, record.distributions[-1].size)
    if lattice_2d:
        plots.torus_heat_maps(fig, [right, *exact_panel],
                              [record.distributions[-1], record.reference[-1]],
                              [f"circuit, t = {t[-1]:g}", f"exact quantum, t = {t[-1]:g}"],
                              lattice_2d, experiment.spec.origin())
    elif experiment.plot_final_distribution(right, record):
        pass
    elif axis is not None:
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


def time_label(experiment: Any) -> str:
    """The time axis in its units: kicks, steps, or continuous time in 1/J."""
    fields = getattr(type(getattr(experiment, "spec", None)), "model_fields", {})
    if "kicks" in fields:
        return "kick t"
    if "steps" in fields and "time" not in fields:
        return "step t"
    return "t (units of 1/J)"


def _torus_side(experiment: Any, size: int) -> int | None:
    """The side L of a 2D lattice experiment's L x L distribution (heat maps), else None."""
    spec = getattr(experiment, "spec", None)
    if spec is None or getattr(spec, "dimension", 1) != 2 or not hasattr(spec, "side"):
        return None
    return int(spec.side) if int(spec.side) ** 2 == size else None


def outcome_axis(experiment: Any, size: int) -> tuple[Any, str] | None:
    """What a distribution of ``size`` outcomes is over (the experiment's axis), if any."""
    axis = experiment.outcome_axis()
    return axis if axis is not None and len(axis[0]) == size else None


def experiment_of(summary: dict[str, Any]) -> Any:
    """The experiment a summary was made by (its display hooks), rebuilt from its params."""
    import warnings

    from ..experiments import get_experiment

    cls = get_experiment(summary["experiment"])
    with warnings.catch_warnings():  # (its warnings were shown when it ran)
        warnings.simplefilter("ignore")
        return cls(cls.spec_type.model_validate(summary["params"]))


def main_observable(summary: dict[str, Any]) -> str:
    """The observable a run is read by (the experiment's ``main_observable``, else its
    first one)."""
    observables = summary["observables"]
    key = experiment_of(summary).main_observable
    return key if key in observables else next(iter(observables))


def print_notes(summary: dict[str, Any], experiment: Any = None) -> None:
    """An ensemble's size, then what the experiment notes of the run (its summary_notes:
    IPR and localization lengths, closed forms, theory values)."""
    if "ensemble" in summary:
        print(f"ensemble of {summary['ensemble']['realisations']} realisations (errors: "
              "standard errors over realisations)")
    experiment = experiment if experiment is not None else experiment_of(summary)
    for line in experiment.summary_notes(summary):
        print(line)


def print_run(summary: dict[str, Any]) -> None:
    print(f"{summary['experiment']}  run {summary['run_id']}  backend {summary['backend']['name']}"
          f"  shots {summary['shots']}  seed {summary['seed']}")
    obs, ref = summary["observables"], summary["reference"]
    cls = summary.get("classical")
    err = summary.get("observable_errors")
    key = main_observable(summary)
    experiment = experiment_of(summary)
    second, title = experiment.second_observable or (None, "")
    if second not in obs:
        second, title = None, ""
    width = max(13, *(len(str(c)) for c in summary["construction"]))
    print(f"{'t':>5} {'construction':>{width}} {key:>16} {'exact':>8} {'classical':>9} "
          f"{title:>9} {'TVD':>7}")
    tvd = summary.get("distance", {}).get("tvd")
    for i, t in enumerate(summary["times"]):
        value = f"{obs[key][i]:.3f}" + (f" ± {err[key][i]:.3f}" if err else "")
        classical = f"{cls[key][i]:.3f}" if cls and key in cls else "-"
        extra = f"{obs[second][i]:>9.4f}" if second else f"{'':>9}"
        print(f"{t:>5.4g} {summary['construction'][i]!s:>{width}} {value:>16} {ref[key][i]:>8.3f} "
              f"{classical:>9} {extra} {f'{tvd[i]:.4f}' if tvd else '-':>7}")
    for who, fit in summary.get("fits", {}).get("sigma_power_law", {}).items():
        if fit:
            print(f"sigma ~ t^alpha ({who}): alpha = {fit['exponent']:.3f} "
                  f"± {fit['exponent_error']:.3f}")
    print_notes(summary, experiment)


def print_observable_sweep(rows: list[dict[str, Any]], parameter: str, key: str) -> None:
    """One line per swept value: the experiment's observable (and its second one, e.g. the
    IPR or the localization length) at the last time, each with its error and exact value;
    then the runs' warnings on stderr."""
    second = next((row["second_observable"] for row in rows if "second_observable" in row),
                  None)
    names = [key] + ([second] if second else [])
    print(f"{'value':>8} " + " ".join(f"{n + ' (last t)':>22} {'exact':>9}" for n in names)
          + "  run")

    def cell(row: dict[str, Any], name: str) -> str:
        value = (row.get(name) or [None])[-1]
        exact = (row.get(f"{name}_reference") or [None])[-1]
        error = (row.get(f"{name}_error") or [None])[-1]
        shown = "-" if value is None else f"{value:.4f}" + (
            f" ± {error:.4f}" if error is not None else "")
        return f"{shown:>22} {'-' if exact is None else f'{exact:.4f}':>9}"

    for row in rows:
        print(f"{row[parameter]!s:>8} " + " ".join(cell(row, n) for n in names)
              + f"  {row['run_id']}")
    print_sweep_warnings(rows, parameter)


def print_sweep_warnings(rows: list[dict[str, Any]], parameter: str) -> None:
    """Each swept value's warnings on stderr; one every value shares is printed once."""
    sys.stdout.flush()
    shared = set.intersection(*(set(row.get("warnings", [])) for row in rows)) if rows else set()
    for warning in sorted(shared):
        print(f"warning: every {parameter}: {warning}", file=sys.stderr)
    for row in rows:
        for warning in row.get("warnings", []):
            if warning not in shared:
                print(f"warning: {parameter} = {row[parameter]}: {warning}", file=sys.stderr)
