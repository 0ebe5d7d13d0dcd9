"""The one public run API, for every target: :func:`run`, :func:`submit`, :func:`fetch`,
:func:`reanalyse`.

``run`` plans an experiment's measured circuits (an ensemble's templates with one row of
parameter values per member), hands them to the config's target, collects the outcomes,
analyses them with the one summary builder (:func:`.analysis.summary.summarise`) and stores the
run.  On a device the circuits go to jobs recorded in the ledger before anything waits
(``submit``), and ``fetch`` collects them later; ``run`` does both.  The CLI, sweeps, the
demo and the notebooks all come through here.
"""

from __future__ import annotations

import sys
import time
from typing import Any, cast

from .analysis.summary import RunRecord, outcome_row, summarise
from .core.errors import QwalkError
from .execution import ResultStore, execute
from .execution.config import HardwareConfig, load_config
from .execution.dask_cluster import cluster_executor
from .execution.ensemble import execute_ensemble
from .execution.ledger import Ledger
from .execution.runner import CircuitResult, aer_settings
from .execution.store import new_run_id
from .execution.targets import AerTarget, DeviceTarget, Target, device_target, make_target
from .execution.timeline import simulate_exact
from .experiments.base import Experiment
from .experiments.ensemble import EnsembleExperiment
from .work_estimate import check_work


def resolve_config(config: HardwareConfig | str | None) -> HardwareConfig:
    """A config object, or the config a name or path gives (default: aer_ideal)."""
    if isinstance(config, HardwareConfig):
        return config
    return load_config(config)


def prepare(experiment: Experiment[Any], target: Target) -> Experiment[Any]:
    """The experiment as ``target`` runs it: checked for size and for what the target can
    honour; on a target without noise models, noise-model physics as trajectories."""
    from .experiments.unravelled import unravelled

    if not target.applies_noise_models and experiment.noise_model() is not None:
        experiment = unravelled(experiment)
    target.check(experiment)
    experiment.check_size(target.config)
    return experiment


def run(experiment: Experiment[Any], config: HardwareConfig | str | None = None,
        shots: int | None = None, seed: int | None = None, store: ResultStore | None = None,
        save: bool = True, executor: Any = None, service: Any = None,
        progress: bool = True, allow_large: bool = False) -> RunRecord:
    """Run ``experiment`` on ``config``'s target and record the run.

    ``shots=None`` gives exact probabilities (Aer only; devices sample).  The run goes
    to ``store`` (default: the store at QWALK_STORE or the user's default location)
    unless ``save`` is False (Aer only: a device run lives in the ledger).  On Aer the
    circuits (or an ensemble's chunks) run on ``executor`` (a ``distributed.Client``)
    when given, else on a client to the config's ``dask_address`` (closed after the
    run), else here; the results are the same for the same seed.  On a device, ``run``
    submits (the ledger first), waits with a progress line and fetches; Ctrl-C leaves
    the run in the ledger for ``fetch``.  Before anything is built the run's work is
    estimated and refused in one line over the limits of :mod:`.work_estimate` (gates,
    circuits, reference steps, memory) unless ``allow_large``.
    """
    config = resolve_config(config)
    store = store if store is not None or not save else ResultStore()  # probed before any work
    target = make_target(config, service)
    target.check_shots(shots)
    if isinstance(target, DeviceTarget):
        run_id = submit(experiment, config, shots, seed, store, target=target,
                        allow_large=allow_large)
        return wait(run_id, config, store if store is not None else ResultStore(), target,
                    progress)
    prepared = prepare(experiment, target)
    check_work(prepared, target, shots, allow_large)
    if executor is None and config.backend.dask_address is not None:
        with cluster_executor(config.backend.dask_address) as client:
            return run(experiment, config, shots, seed, store, save, client,
                       allow_large=allow_large)
    assert isinstance(target, AerTarget)
    rows, execution = _execute_on_aer(prepared, target, shots, seed, executor)
    backend = {**config.summary(), "simulator": f"aer_simulator({execution['method']})",
               "execution": execution}
    record = summarise(prepared, rows, shots, seed, backend, new_run_id())
    if save:
        summary = record.summary
        (store if store is not None else ResultStore()).save_run(
            summary["run_id"], prepared.name, summary["params"], summary["backend"], shots,
            seed, summary, rows)
    return record


def _execute_on_aer(experiment: Experiment[Any], target: AerTarget, shots: int | None,
                    seed: int | None, executor: Any
                    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Outcome rows of every circuit (ensembles: every member), and what was actually
    done: the simulation method Aer used (the one asked for where Aer does not say), the
    noise applied (none, the experiment's channel, or the config's model) and the
    optimisation level the circuits were compiled with."""
    config = target.config
    settings = aer_settings(config, shots, experiment.noise_model(),
                            experiment.simulation_method())
    execution: dict[str, Any] = {"method": settings.method, "noise": settings.noise_source,
                                 "optimization_level": settings.optimization_level,
                                 "device": settings.device}
    where = target.construction_target
    if shots is None:
        rows = _simulate_once(experiment, target, seed, executor, execution)
        if rows is not None:
            return rows, execution
    if isinstance(experiment, EnsembleExperiment):
        templates = experiment.templates(where)
        values = [experiment.template_values(i, t) for i, t in enumerate(templates)]
        report: dict[str, Any] = {}
        executed = execute_ensemble(templates, values, config, shots, seed,
                                    method=experiment.simulation_method(), executor=executor,
                                    report=report)
        execution["method"] = report.get("method") or settings.method
        rows = [outcome_row(f"{t.name}[{r}]", dict(t.metadata or {}), result.stats,
                            result.probabilities, result.counts, template=i, member=r)
                for i, (t, results) in enumerate(zip(templates, executed, strict=True))
                for r, result in enumerate(results)]
        return rows, execution
    circuits = experiment.circuits(where)
    single = execute(circuits, config, shots, seed, noise_model=experiment.noise_model(),
                     method=experiment.simulation_method(), executor=executor)
    execution["method"] = single.method_used or settings.method
    rows = [outcome_row(c.name, dict(c.metadata or {}), r.stats, r.probabilities, r.counts)
            for c, r in zip(circuits, single.results, strict=True)]
    return rows, execution


def _simulate_once(experiment: Experiment[Any], target: AerTarget, seed: int | None,
                   executor: Any, execution: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Exact mode: every measured time from one simulation of the experiment's timeline
    (one circuit, a labelled save per time; ensembles: one template, every member bound in
    one Aer run), instead of one circuit per time simulated from t = 0.  None where the
    experiment has no timeline, or its noise acts on gates the timeline adds: then the
    per-time circuits run.  The rows record the timeline's construction and, as each
    time's resources, the gates simulated up to its save."""
    report: dict[str, Any] = {}
    results = simulate_exact(experiment, target.config, seed, executor=executor,
                             report=report)
    if results is None:
        return None
    execution.update({"method": report.get("method") or execution["method"],
                      "timeline": report["timeline"]})
    construction = f"{report['timeline']} (timeline)"
    offsets = report["site_offsets"]
    if isinstance(experiment, EnsembleExperiment):
        per_member = cast(list[list[CircuitResult]], results)
        return [outcome_row(f"timeline_t{i}[{r}]",
                            {"construction": construction, "site_offset": offsets[i]},
                            result.stats, result.probabilities, None, template=i, member=r)
                for i, members in enumerate(per_member) for r, result in enumerate(members)]
    per_time = cast(list[CircuitResult], results)
    return [outcome_row(f"timeline_t{i}", {"construction": construction,
                                           "site_offset": offsets[i]},
                        result.stats, result.probabilities, None)
            for i, result in enumerate(per_time)]


def submit(experiment: Experiment[Any], config: HardwareConfig | str, shots: int | None,
           seed: int | None = None, store: ResultStore | None = None, service: Any = None,
           target: DeviceTarget | None = None, allow_large: bool = False) -> str:
    """Submit to a device (the job ledger is written before anything waits); returns the
    run id at once.  Aer runs do not defer: use :func:`run`.  Work over the limits of
    :mod:`.work_estimate` is refused before anything is built, unless ``allow_large``."""
    from .execution.device_submission import submit_experiment

    config = resolve_config(config)
    made = target if target is not None else device_target(config, service)
    made.check_shots(shots)
    assert shots is not None
    experiment = prepare(experiment, made)
    check_work(experiment, made, shots, allow_large)
    return submit_experiment(experiment, config, shots, seed,
                             store if store is not None else ResultStore(), target=made)


def plan(experiment: Experiment[Any], config: HardwareConfig | str, shots: int | None,
         service: Any = None, target: DeviceTarget | None = None, allow_large: bool = False
         ) -> dict[str, Any]:
    """What :func:`submit` would send, and what it should show, without storing or sending
    anything (``qwalk submit --dry-run``; :mod:`.device_plan`): the same checks, the same
    ISA circuits and job plan."""
    from .device_plan import plan_submission
    from .execution.device_submission import check_lease_period

    config = resolve_config(config)
    check_lease_period(config, None)
    made = target if target is not None else device_target(config, service)
    made.check_shots(shots)
    assert shots is not None
    experiment = prepare(experiment, made)
    # a dry run simulates nothing but phase-kick trajectories' ideal members (device_plan),
    # which the estimate counts for them (work_estimate.simulated_here)
    check_work(experiment, made, shots, allow_large, simulate=False)
    return plan_submission(experiment, config, shots, made)


def fetch(run_id: str, store: ResultStore | None = None, service: Any = None,
          resume: bool = False, force: bool = False) -> RunRecord | None:
    """Poll a submitted run once: its record when every job is done (analysed and stored;
    idempotent), else None.  ``resume`` first completes an interrupted submission."""
    from .device_analysis import finish
    from .execution.device_submission import resume_submission

    store = store if store is not None else ResultStore()
    if resume:
        resume_submission(run_id, store, service, force=force)
    return finish(run_id, store, service)


def reanalyse(run_id: str, store: ResultStore | None = None) -> RunRecord:
    """A stored run analysed again from its stored outcomes (Aer) or its ledger's counts
    (devices): the same summary as the run printed, from the same code."""
    from .device_analysis import reanalyse_device_run
    from .experiments import get_experiment

    store = store if store is not None else ResultStore()
    if Ledger(store).has_submission(run_id):  # (first: an unfinished one has no run yet)
        return reanalyse_device_run(run_id, store)
    run = store.get_run(run_id)
    cls = get_experiment(run["experiment"])
    experiment = cls(cls.spec_type.model_validate(run["params"]))
    summary = run["summary"]
    shots = None if summary["shots"] == "exact" else int(summary["shots"])
    return summarise(experiment, run["circuits"], shots, summary["seed"], summary["backend"],
                     run_id)


def wait(run_id: str, config: HardwareConfig, store: ResultStore, target: DeviceTarget,
         progress: bool) -> RunRecord:
    """Fetch until done, with a progress line; Ctrl-C leaves the run in the ledger."""
    start = time.monotonic()
    try:
        while True:
            record = fetch(run_id, store, target.service)
            if record is not None:
                if progress:
                    print(file=sys.stderr)
                return record
            if config.jobs.timeout_s is not None and time.monotonic() - start > \
                    config.jobs.timeout_s:
                raise QwalkError(f"run {run_id} still waiting after {config.jobs.timeout_s} s; "
                                 f"the jobs keep running: 'qwalk jobs fetch {run_id}' later")
            if progress:
                jobs = Ledger(store).jobs(run_id)
                done = sum(j["status"] == "DONE" for j in jobs)
                print(f"\rrun {run_id}: {done}/{len(jobs)} jobs done "
                      f"({', '.join(sorted({j['status'] for j in jobs}))})", end="",
                      file=sys.stderr, flush=True)
            time.sleep(config.jobs.poll_interval_s)
    except KeyboardInterrupt:
        raise QwalkError(f"interrupted; run {run_id} is in the ledger: resume with "
                         f"'qwalk jobs fetch {run_id}'") from None
