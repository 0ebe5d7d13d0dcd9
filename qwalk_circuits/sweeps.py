"""Sweeps of one parameter (gamma, p, ...) and the quantum-to-classical crossover.

Each value is a full run (stored like any other); from each run's sigma(t)
the diffusion constant is fitted (late-time slope of sigma^2) for the
circuits and for the exact twin, next to the named theory values the run reports
(:func:`diffusion_columns`: D and t* fitted, of the model the circuits simulate, and of
the continuum, e.g. the sliced channel's J^2 dt coth(gamma dt/2) beside HSR's 2 J^2/gamma).
Experiments without sigma (e.g. ``backscattering``, swept over flux or
spin-orbit strength) get their named observable's series per value instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tqdm import tqdm

from .analysis.theory import is_theory_value, theory_value
from .core.errors import ParameterError
from .execution import ResultStore
from .execution.config import HardwareConfig
from .execution.dask_cluster import cluster_executor
from .execution.shared_batch import one_batch
from .execution.targets import device_target, make_target
from .experiments import get_experiment
from .pipeline import prepare, run, submit, wait
from .work_estimate import check_work


def sweep(experiment_name: str, parameter: str, values: list[Any], settings: dict[str, Any],
          config: HardwareConfig, shots: int | None, seed: int | None,
          store: ResultStore | None = None, executor: Any = None,
          observable: str | None = None, allow_large: bool = False) -> list[dict[str, Any]]:
    """Run the experiment for each value; one row per value with the diffusion fits.

    Each row holds the series of ``observable`` (default: the experiment's
    ``main_observable``, else its first observable) as ``<name>``, ``<name>_error`` and
    ``<name>_reference``, and names it in ``observable``.

    Each run's circuits go to ``executor`` (a ``distributed.Client``) when
    given, else to one client on the config's ``dask_address`` for the whole sweep.
    On a fake or real device (a deferred target) each value is a device run of its
    own in the job ledger: every one is submitted first (on a real device into one
    runtime Batch for the whole sweep), then each is waited for; an interrupted sweep
    leaves its runs there for ``qwalk jobs fetch``.

    Every value's work is estimated before any run (:mod:`.work_estimate`): one over the
    limits refuses the whole sweep in one line, unless ``allow_large``.
    """
    experiment_type = get_experiment(experiment_name)
    if parameter in settings:
        raise ParameterError(parameter, "is swept: do not also --set it")
    # validate every value before running any, so a bad one stores nothing
    experiments = [experiment_type.from_settings({**settings, parameter: value})
                   for value in values]
    target = make_target(config)
    target.check_shots(shots)
    for experiment in experiments:  # what the target cannot run is refused before any run
        check_work(prepare(experiment, target), target, shots, allow_large)
    if executor is None and not target.deferred and config.backend.dask_address is not None:
        with cluster_executor(config.backend.dask_address) as client:
            return sweep(experiment_name, parameter, values, settings, config, shots, seed,
                         store, client, observable, allow_large)
    summaries: Iterable[dict[str, Any]]
    if target.deferred:
        summaries = _device_points(experiments, config, shots, seed, store, allow_large,
                                   f"{experiment_name} over {parameter}")
    else:
        summaries = (run(experiment, config, shots=shots, seed=seed, store=store,
                         executor=executor, progress=False, allow_large=allow_large).summary
                     for experiment in tqdm(experiments, unit="run", disable=None,
                                            desc=f"{experiment_name} over {parameter}"))
    rows = []
    for value, experiment, summary in zip(values, experiments, summaries, strict=True):
        observables = summary["observables"]
        main = experiment.main_observable
        key = observable or (main if main in observables else next(iter(observables)))
        if key not in observables:
            raise ParameterError("observable", f"{experiment_name} has no observable {key!r}; "
                                 f"use one of {sorted(observables)}")
        row: dict[str, Any] = {parameter: value, "run_id": summary["run_id"],
                               "times": summary["times"], "observable": key,
                               key: observables[key],
                               f"{key}_reference": summary["reference"][key]}
        if key in summary.get("observable_errors", {}):
            row[f"{key}_error"] = summary["observable_errors"][key]
        second = (experiment.second_observable or (None, ""))[0]
        if second is not None and second != key and second in observables:
            row["second_observable"] = second  # the experiment's own second column
            row[second] = observables[second]
            row[f"{second}_reference"] = summary["reference"].get(second)
            if second in summary.get("observable_errors", {}):
                row[f"{second}_error"] = summary["observable_errors"][second]
        if experiment.has_diffusion_fit and key == "sigma":
            errors = summary.get("observable_errors", {}).get("sigma")
            try:
                row["fit"] = experiment.diffusion_fit(summary["observables"]["sigma"], errors)
                row["fit_reference"] = experiment.diffusion_fit(summary["reference"]["sigma"])
            except ValueError:  # too few late-time points: no fit for this run
                pass
        if "diffusion_theory" in summary:
            row["theory"] = summary["diffusion_theory"]
        row.update(diffusion_columns(row))
        if "hsr_closed_form" in summary:
            row["sigma_continuum"] = summary["hsr_closed_form"]["sigma"]
        if "sliced_closed_form" in summary:
            row["sigma_model"] = summary["sliced_closed_form"]["sigma"]
        row["warnings"] = summary.get("warnings", [])
        rows.append(row)
    return rows


def _device_points(experiments: list[Any], config: HardwareConfig, shots: int | None,
                   seed: int | None, store: ResultStore | None, allow_large: bool,
                   label: str) -> list[dict[str, Any]]:
    """A device sweep: every point submitted first (each a run of its own in the ledger),
    into one runtime Batch on a real device (``shared_batch.one_batch``), then each waited
    for and fetched in turn.  Ctrl-C leaves the submitted runs for ``qwalk jobs fetch``."""
    store = store if store is not None else ResultStore()
    target = device_target(config)
    with one_batch(config):
        run_ids = [submit(experiment, config, shots, seed, store, target=target,
                          allow_large=allow_large)
                   for experiment in tqdm(experiments, desc=f"{label}: submitting",
                                          unit="run", disable=None)]
    return [wait(run_id, config, store, target, progress=False).summary
            for run_id in tqdm(run_ids, desc=f"{label}: fetching", unit="run", disable=None)]


#: a sweep row's named diffusion values, each read from the first theory key present
DIFFUSION_COLUMNS: dict[str, tuple[str, ...]] = {
    "D_fit": ("D_fit",),
    "D_model": ("D_model", "D"),  # the coined-walk experiments name their model value "D"
    "D_continuum": ("D_continuum",),
    "crossover_time_fit": ("crossover_time_fit",),
    "crossover_time_model": ("crossover_time_model",),
    "crossover_time_continuum": ("crossover_time_continuum",),
}


def diffusion_columns(row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The named theory values (``analysis.theory``) a sweep table and figure show: D and
    t* fitted, of the model simulated and of the continuum, from the run's
    ``diffusion_theory``; where it has no fit, the circuits' fit of the row (error:
    statistical and window spread)."""
    theory = row.get("theory") or {}
    out = {}
    for column, keys in DIFFUSION_COLUMNS.items():
        entry = next((theory[k] for k in keys if is_theory_value(theory.get(k))), None)
        if entry is not None:
            out[column] = entry
    fit = row.get("fit") or {}
    source = "late-window slope of the circuits' sigma^2 (sweep fit)"
    if "D_fit" not in out and fit.get("D") is not None:
        out["D_fit"] = theory_value("fit", fit["D"], fit.get("D_error"), source=source)
    if "crossover_time_fit" not in out and fit.get("crossover_time") is not None:
        out["crossover_time_fit"] = theory_value("fit", fit["crossover_time"],
                                                 fit.get("crossover_time_error"),
                                                 source=f"2 D / a of the {source}")
    return out
