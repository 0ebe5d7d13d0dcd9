"""Finishing a device run: poll its jobs, analyse their counts, store the run.

A single-circuit run gets the one single-circuit summary (as on Aer) plus ``comparison``:
the device's distributions against the exact reference, readout-mitigated ones too, and,
where the target compares it (real devices; fake ones on request), a noisy emulation of
the same ISA circuits, and, with ``[run] zne_scales``, its observables extrapolated to
zero noise beside the raw and mitigated ones (``comparison.zne``,
``analysis/device_zne.py``; ensembles too); an ensemble gets the one ensemble summary of
its members' counts plus the comparison of the ensemble averages.  Everything is rebuilt
from the ledger, so a finished run re-analyses into the same summary
(:func:`reanalyse_device_run`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from . import analysis
from .analysis.device_comparison import (
    calibration_key,
    calibrations,
    distances,
    ensemble_distances,
    member_rows,
    mitigated_resamples,
    mitigated_vector,
    numbered,
    readout_outcomes,
    resampled_distances,
)
from .analysis.device_zne import ensemble_zne_comparison, zne_comparison
from .analysis.ensembles import mean_and_error
from .analysis.mitigation import assignment_matrices
from .analysis.summary import (
    RunRecord,
    ensemble_observables,
    ensemble_summary,
    json_safe,
    series,
    single_summary,
)
from .core.errors import QwalkError
from .execution.config import HardwareConfig
from .execution.device_submission import OLD_LEDGER, stored_config
from .execution.devices import emulator
from .execution.ensemble import parameter_columns
from .execution.jobs import poll, pub_seed_of
from .execution.ledger import Ledger
from .execution.qpy_text import from_qpy_text
from .execution.store import ResultStore
from .execution.submission_build import submission_notes
from .execution.targets import device_target, make_target
from .experiments.unravelled import on_device
from .ideal_members import ideal_members

#: the bootstrap stream of the zne block (its own: the other error bars stay as they were)
ZNE_STREAM = 0x7A4E


def finish_run(run_id: str, store: ResultStore, service: Any = None) -> dict[str, Any] | None:
    """Poll once; when every job is done, analyse and store the run (idempotent).

    Returns the summary when the run is finished (now or before), else None.
    Raises QwalkError when a job failed on the device or was cancelled.
    """
    ledger = Ledger(store)
    if ledger.submission(run_id)["status"] == "done":
        return dict(store.get_run(run_id)["summary"])
    record = finish(run_id, store, service)
    return None if record is None else dict(store.get_run(run_id)["summary"])


def reanalyse_device_run(run_id: str, store: ResultStore,
                         zne_extrapolation: str | None = None) -> RunRecord:
    """A finished device run analysed again from the counts its ledger holds; a ZNE run's
    observables extrapolated by ``zne_extrapolation`` when given (else its config's)."""
    ledger = Ledger(store)
    sub = ledger.submission(run_id)
    if sub["status"] != "done":
        raise QwalkError(f"run {run_id} is '{sub['status']}', not finished: "
                         f"'qwalk jobs fetch {run_id}' first")
    if zne_extrapolation is not None:
        sub = {**sub, "config": {**sub["config"], "run": {
            **sub["config"]["run"], "zne_extrapolation": zne_extrapolation}}}
    return _analysed(run_id, sub, ledger)[0]


def _analysed(run_id: str, sub: dict[str, Any], ledger: Ledger, emulate: bool = True
              ) -> tuple[RunRecord, list[dict[str, Any]]]:
    """The analysis of a run whose jobs all hold their results."""
    infos = sub["circuits"]
    jobs = ledger.jobs(run_id)
    counts: list[Any] = [{} for _ in infos]
    for job in jobs:
        for i, c in zip(job["circuits"], job["result"], strict=True):
            counts[i] = ([{int(k): v for k, v in m.items()} for m in c] if isinstance(c, list)
                         else {int(k): v for k, v in c.items()})
    analyse = _analyse_ensemble if any("members" in info for info in infos) else _analyse
    record, circuits = analyse(run_id, sub, stored_config(sub), infos, counts,
                               [j["job_id"] for j in jobs], emulate)
    # what the dry run noted about these circuits on this device, kept with the submission
    record.summary["warnings"] = [*record.summary.get("warnings", []),
                                  *submission_notes(infos)]
    return record, circuits


def _backend(config: HardwareConfig, sub: dict[str, Any]) -> dict[str, Any]:
    """The summary's backend: the config, the device, and what was done (whether the run
    is compared with a noisy emulation, as resolved for its target)."""
    target = device_target(config)
    return {**config.summary(), "simulator": sub["device"],
            "execution": {"device": sub["device"], "emulation": target.compares_emulation,
                          "optimization_level": config.run.optimization_level}}


def finish(run_id: str, store: ResultStore, service: Any = None) -> RunRecord | None:
    """Poll once; when every job is done, analyse and store the run: its record, else None.
    A run finished before gives its stored summary (its distributions are read off the
    ledger's counts again, without re-running an emulation)."""
    ledger = Ledger(store)
    sub = ledger.submission(run_id)
    if sub["status"] == "done":
        return _as_stored(_analysed(run_id, sub, ledger, emulate=False)[0], store, run_id)
    config = stored_config(sub)
    infos = sub["circuits"]
    _check_coverage(run_id, sub, ledger, config)
    members = [info["members"][1] - info["members"][0] if info.get("array") else None
               for info in infos]
    tally = poll(run_id, ledger, config, [i["creg"] for i in infos], service, members=members)
    jobs = ledger.jobs(run_id)
    failed = [j for j in jobs if j["status"] in ("ERROR", "CANCELLED")]
    if failed:
        reason = "; ".join(f"job {j['job_id']}: {j['status']} {j['error'] or ''}".strip()
                           for j in failed)
        if ledger.submission(run_id)["status"] == "cancelled":  # it stays cancelled
            raise QwalkError(f"run {run_id} was cancelled, so it has no results ({reason}); "
                             "submit the experiment again for them")
        ledger.set_status(run_id, "failed", reason)
        raise QwalkError(f"run {run_id} cannot finish: {reason}")
    if any(j["result"] is None for j in jobs) or not jobs:
        del tally
        return None
    record, circuits = _analysed(run_id, sub, ledger)
    ledger.finish(run_id, record.summary, record.summary["backend"], circuits)
    return _as_stored(record, store, run_id)


def _check_coverage(run_id: str, sub: dict[str, Any], ledger: Ledger,
                    config: HardwareConfig) -> None:
    """Refuse, in one line, a run whose recorded jobs (strays aside) do not hold every
    circuit, whatever its status: it is never analysed from missing counts.  A
    'submitted' one is made resumable ('interrupted') when its jobs outlive a process."""
    infos, status = sub["circuits"], sub["status"]
    covered = {i for job in ledger.jobs(run_id) for i in job["circuits"]}
    if len(covered) >= len(infos):
        return
    shown = f"({len(covered)} of {len(infos)} circuits)"
    if status in ("cancelled", "failed"):
        raise QwalkError(f"run {run_id} is '{status}' and its jobs do not hold all its "
                         f"circuits {shown}: it has no results; submit the experiment again")
    resumable = device_target(config).jobs_outlive_process and all("job" in i for i in infos)
    if status == "submitted" and resumable:
        resumable = ledger.reopen(run_id, f"its jobs hold {shown[1:-1]}: resume it")
        status = "interrupted" if resumable else status
    state = {"interrupted": "was interrupted", "submitted": "ended",
             "submitting": "is in progress, or its process was killed,"}.get(status, status)
    raise QwalkError(
        f"run {run_id}: its submission {state} before all jobs were recorded {shown}; "
        + ("submit it again (local fake-device jobs end with their process)"
           if not device_target(config).jobs_outlive_process else
           OLD_LEDGER.format(run_id=run_id) if any("job" not in i for i in infos) else
           f"'qwalk jobs fetch {run_id} --resume' adopts the jobs the service accepted "
           "(found by their tags) and submits only the ones it never received"
           if resumable or status != "submitted" else
           f"its status changed meanwhile: 'qwalk jobs status {run_id}'"))


def _as_stored(record: RunRecord, store: ResultStore, run_id: str) -> RunRecord:
    """The record with the summary as the store holds it (JSON), so that fetching a run
    twice gives equal summaries."""
    record.summary = dict(store.get_run(run_id)["summary"])
    return record


def _analyse(run_id: str, sub: dict[str, Any], config: HardwareConfig,
             infos: list[dict[str, Any]], counts: list[dict[int, int]], job_ids: list[str],
             emulate: bool = True
             ) -> tuple[RunRecord, list[dict[str, Any]]]:
    from .experiments import get_experiment

    cls = get_experiment(sub["experiment"])
    experiment = cls(cls.spec_type.model_validate(sub["params"]))
    shots, seed = int(sub["shots"]), sub["seed"]
    main = [i for i, info in enumerate(infos)  # (folded circuits: the zne block's)
            if info["role"] == "circuits" and info.get("noise_scale", 1) == 1]
    shells = [QuantumCircuit(metadata=infos[i]["metadata"]) for i in main]
    device = [experiment.site_distribution(s, None, counts[i])
              for s, i in zip(shells, main, strict=True)]
    reference = experiment.reference_distributions()
    rng = np.random.default_rng(0 if seed is None else seed)
    comparison: dict[str, Any] = {
        "device": sub["device"], "hardware": distances(device, reference, shots, rng)}
    if emulate and make_target(config).compares_emulation:
        twin = device_target(config).twin
        emulated = []
        for s, i in zip(shells, main, strict=True):
            compacted = from_qpy_text(infos[i]["qpy"])
            sim = emulator(twin, tuple(infos[i]["physical"]),
                           None if seed is None else seed + 7919,
                           aer_device=config.backend.aer_device)
            raw = sim.run(compacted, shots=shots).result().get_counts()
            emulated.append(experiment.site_distribution(
                s, None, {int(k.replace(" ", ""), 2): v for k, v in raw.items()}))
        comparison["emulator"] = f"aer+noise({twin})"
        comparison["emulation"] = distances(emulated, reference, shots, rng)
    comparison["uniform_tvd"] = [analysis.total_variation(np.full(q.size, 1 / q.size), q)
                                 for q in reference]
    mitigated = None
    cal = calibrations(infos, counts)
    solver = config.run.readout_solver
    if cal:
        comparison["readout_solver"] = solver
        mitigated = []
        for s, i in zip(shells, main, strict=True):
            zeros, ones = cal[calibration_key(infos[i])]
            matrices = assignment_matrices(zeros, ones, len(infos[i]["physical"]))
            vector = mitigated_vector(counts[i], matrices, infos[i]["bits"], solver,
                                      readout_outcomes(experiment))
            mitigated.append(experiment.site_distribution(s, vector, None))
        comparison["mitigated"] = distances(mitigated, reference, shots, rng)
        errors, observable_errors = [], []
        for s, i, q in zip(shells, main, reference, strict=True):
            zeros, ones = cal[calibration_key(infos[i])]
            resamples = mitigated_resamples(
                counts[i], zeros, ones, infos[i],
                lambda v, shell=s: experiment.site_distribution(shell, v, None), rng, solver,
                readout_outcomes(experiment))
            errors.append(resampled_distances(resamples, q))
            observable_errors.append(_spread([experiment.observables(r) for r in resamples]))
        comparison["mitigated"]["tvd_error"] = [e[0] for e in errors]
        comparison["mitigated"]["hellinger_error"] = [e[1] for e in errors]
        # the observables of the mitigated distributions, their errors from the same
        # bootstrap (shots and both calibration circuits resampled, then mitigated again)
        mitigated_observables = series([experiment.observables(m) for m in mitigated])
        mitigated_errors = series(observable_errors)
    if config.run.zne_scales is not None:
        comparison["zne"] = zne_comparison(
            experiment, shells, infos, counts, config.run.zne_scales,
            config.run.zne_extrapolation, reference,
            np.random.default_rng((0 if seed is None else seed, ZNE_STREAM)), solver=solver)
    # the one single-circuit summary, as on Aer (its distances are the hardware ones)
    summary, _, classical = single_summary(experiment, shells, device, shots, seed,
                                           _backend(config, sub))
    summary.update({"comparison": comparison, "resources": [infos[i]["stats"] for i in main],
                    "jobs": job_ids, "run_id": run_id})
    if mitigated is not None:
        summary["mitigated_observables"] = mitigated_observables
        summary["mitigated_observable_errors"] = mitigated_errors
    circuits = [{"label": infos[i]["label"], "stats": infos[i]["stats"],
                 "data": {"raw": {str(k): v for k, v in counts[i].items()},
                          **({"mitigated_sites": mitigated[n].tolist()} if mitigated else {})}}
                for n, i in enumerate(main)]
    return RunRecord(summary, device, reference, classical), circuits


def _emulate_members(twin: str, info: dict[str, Any], shots: int, seed: int | None,
                     index: int, aer_device: str) -> list[dict[int, int]]:
    """The members of ensemble PUB ``index`` on Aer with the device's noise (same ISA
    circuit; a seed of its own, or equal rows of two PUBs would get equal counts)."""
    compacted = from_qpy_text(info["qpy"])
    array = parameter_columns(compacted, info["parameters"], np.array(info["values"]))
    sim = emulator(twin, tuple(info["physical"]),
                   pub_seed_of(None if seed is None else seed + 7919, index),
                   aer_device=aer_device)
    if compacted.num_parameters == 0:
        data = sim.run([compacted] * len(array), shots=shots).result()
    else:
        data = sim.run([compacted], shots=shots, parameter_binds=[
            {p: array[:, j].tolist() for j, p in enumerate(compacted.parameters)}]).result()
    return [{int(k.replace(" ", ""), 2): v for k, v in data.get_counts(r).items()}
            for r in range(len(array))]


def _ideal_trajectories(experiment: Any, pubs: list[list[int]], infos: list[dict[str, Any]]
                        ) -> list[np.ndarray]:
    """The average of each time's members on an ideal device, exactly: the very circuits
    sent (the same kicks) on Aer's statevector.  For trajectories, its distance to the
    channel is the floor a finite number of them leaves, whatever the device."""
    return [ideal_members(experiment, infos, group).mean(axis=0) for group in pubs]


def _spread(resampled: list[dict[str, float]]) -> dict[str, float]:
    """Each observable's standard deviation over bootstrap resamples."""
    return {key: float(np.std([r[key] for r in resampled])) for key in resampled[0]}


def _analyse_ensemble(run_id: str, sub: dict[str, Any], config: HardwareConfig,
                      infos: list[dict[str, Any]], counts: list[Any], job_ids: list[str],
                      emulate: bool = True
                      ) -> tuple[RunRecord, list[dict[str, Any]]]:
    """An ensemble run: the Aer ensemble analysis of the device's member counts, plus the
    device / emulation / mitigated ensemble averages against the exact ensemble average."""
    from .experiments import get_experiment

    cls = get_experiment(sub["experiment"])
    experiment: Any = on_device(cls(cls.spec_type.model_validate(sub["params"])))
    shots, seed = int(sub["shots"]), sub["seed"]
    main = [i for i, info in enumerate(infos)  # (folded templates: the zne block's)
            if info["role"] == "circuits" and info.get("noise_scale", 1) == 1]
    slots: dict[int, list[int]] = {}
    for i in sorted(main, key=lambda i: (infos[i]["template"], infos[i]["members"][0])):
        slots.setdefault(infos[i]["template"], []).append(i)
    pubs = [slots[t] for t in sorted(slots)]
    shells = [QuantumCircuit(name=infos[s[0]]["label"], metadata=infos[s[0]]["metadata"])
              for s in pubs]
    twin = device_target(config).twin
    cal = calibrations(infos, counts)
    solver = config.run.readout_solver
    counts = [c if isinstance(c, list) else [c] for c in counts]  # a plain PUB: one member
    device = [numbered([(c, infos[i]) for i in group for c in counts[i]]) for group in pubs]
    emulate = emulate and make_target(config).compares_emulation
    emulated = [numbered([(c, infos[i]) for i in group
                           for c in _emulate_members(twin, infos[i], shots, seed, i,
                                                       config.backend.aer_device)])
                for group in pubs] if emulate else []
    samples = [member_rows(experiment, shell, members, None)
               for shell, members in zip(shells, device, strict=True)]
    summary, averaged, reference, classical = ensemble_summary(
        experiment, shells, samples, shots, seed,
        _backend(config, sub))
    mitigated: list[np.ndarray] = []
    if cal:
        matrices = {key: assignment_matrices(zeros, ones, len(key[1]))
                    for key, (zeros, ones) in cal.items()}
        mitigated = [member_rows(experiment, shell, members, matrices, solver)
                     for shell, members in zip(shells, device, strict=True)]
        values_errors = [ensemble_observables(experiment, m)[:2] for m in mitigated]
        summary["mitigated_observables"] = series([v for v, _ in values_errors])
        # the members' jackknife, as observable_errors: shots and member spread (the
        # calibration's own noise, shared by every member of a job, is not in it)
        summary["mitigated_observable_errors"] = series([e for _, e in values_errors])
    rng = np.random.default_rng(0 if seed is None else seed)
    comparison: dict[str, Any] = {"device": sub["device"], "ensemble_average": True}
    if emulate:
        comparison["emulator"] = f"aer+noise({twin})"
    exact = [experiment.distance_distribution(q) for q in reference]
    if all(q is not None for q in exact):
        comparison["hardware"] = ensemble_distances(experiment, shells, device, reference,
                                                     rng)
        if emulate:
            comparison["emulation"] = ensemble_distances(experiment, shells, emulated,
                                                          reference, rng)
        if cal:
            comparison["readout_solver"] = solver
            comparison["mitigated"] = ensemble_distances(experiment, shells, device,
                                                          reference, rng, cal, solver)
        comparison["uniform_tvd"] = [analysis.total_variation(np.full(q.size, 1 / q.size), q)
                                     for q in exact]
        if experiment.members_are_samples:
            ideal = [experiment.distance_distribution(p) for p in
                     _ideal_trajectories(experiment, pubs, infos)]
            comparison["trajectory_floor"] = {
                "tvd": [analysis.total_variation(p, q) for p, q in zip(ideal, exact,
                                                                       strict=True)],
                "hellinger": [analysis.hellinger(p, q) for p, q in zip(ideal, exact,
                                                                       strict=True)]}
    else:
        comparison["no_distances"] = (f"{experiment.name}'s outcome holds no probability "
                                      "distribution to compare (see its observables)")
    if config.run.zne_scales is not None:
        comparison["zne"] = ensemble_zne_comparison(
            experiment, shells, infos, counts, cal, config.run.zne_scales,
            config.run.zne_extrapolation, shots,
            np.random.default_rng((0 if seed is None else seed, ZNE_STREAM)), solver=solver)
    summary["comparison"] = comparison
    summary["resources"] = [infos[group[0]]["stats"] for group in pubs]
    summary["jobs"] = job_ids
    summary["run_id"] = run_id
    summary = json_safe(summary)
    circuits = [{"label": f"{shell.name}[{r}]", "stats": infos[group[0]]["stats"],
                 "data": {"raw": {str(k): v for k, v in c.items()},
                          **({"mitigated_sites": mitigated[t][r].tolist()} if mitigated
                             else {})}}
                for t, (shell, group) in enumerate(zip(shells, pubs, strict=True))
                for r, c, _ in device[t]]
    errors = [mean_and_error(s)[1] for s in samples]
    return RunRecord(summary, averaged, reference, classical, errors), circuits
