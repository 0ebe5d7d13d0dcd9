"""An experiment on a fake or real IBM device: submit (ledger first), wait, finish, compare.

The finished summary has the keys of :func:`.runner.run_experiment` plus
``device`` (the three-way comparison): the device (or fake-device)
distribution, the exact reference and a noisy emulation of the same ISA
circuits on Aer with the device's noise (a fake device's own model; for a
real device its fake twin's snapshot), TVD and Hellinger with bootstrap
error bars, per step; readout-mitigated distances too when calibrated.

Ensemble experiments send each time's template once, transpiled with its
parameters, as PUBs ``(circuit, values)`` with one parameter set per member;
the finished summary is the Aer ensemble runner's (same analysis of the
members' counts) plus ``comparison`` of the ensemble averages.  An experiment
whose physics is an Aer noise model (dephasing) runs as such an ensemble of
phase-kick trajectories (:func:`on_device`).

With readout mitigation every job carries the calibration circuits of the
qubits it measures; a submission interrupted before every job reached the
ledger is completed by :func:`resume_submission`.
"""

from __future__ import annotations

import base64
import io
import json
from functools import partial
from typing import Any

import numpy as np
from qiskit import QuantumCircuit, qpy
from qiskit.circuit import ParameterExpression

from .. import analysis
from ..ensemble_analysis import mean_and_error
from ..errors import QwalkError
from ..execution.config import HardwareConfig, parse_config
from ..execution.devices import (
    compact,
    device_backend,
    emulator,
    expand,
    twin_of,
)
from ..execution.ensemble import parameter_columns
from ..execution.jobs import (
    SubmissionRefused,
    chunk_tag,
    job_limit,
    job_role,
    pack_jobs,
    poll,
    pub_seed_of,
    submit_fake,
    submit_ibm,
    with_retries,
)
from ..execution.ledger import Ledger
from ..execution.mitigation import assignment_matrices, calibration_circuits, mitigate
from ..execution.resources import circuit_stats
from ..execution.service import runtime_service, scrub
from ..execution.store import ResultStore, new_run_id
from ..execution.targets import DeviceTarget, make_target
from ..summary import (
    RunRecord,
    ensemble_observables,
    ensemble_summary,
    json_safe,
    series,
    single_summary,
)
from .base import Experiment

BOOTSTRAP = 100
FRACTIONAL = ("rzz", "rx")


def _qpy(circuit: QuantumCircuit) -> str:
    buffer = io.BytesIO()
    qpy.dump(circuit, buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def _unqpy(text: str) -> QuantumCircuit:
    return qpy.load(io.BytesIO(base64.b64decode(text)))[0]


def _bit_qubits(circuit: QuantumCircuit) -> list[int]:
    """Compact qubit read into each clbit (clbit order)."""
    pairs = {circuit.find_bit(i.clbits[0]).index: circuit.find_bit(i.qubits[0]).index
             for i in circuit.data if i.operation.name == "measure"}
    return [pairs[c] for c in sorted(pairs)]


def on_device(experiment: Experiment[Any]) -> Experiment[Any]:
    """The experiment as a device runs it: one whose physics is an Aer noise model
    (dephasing) becomes an ensemble of phase-kick trajectories (``unravelling.py``)."""
    from .unravelled import unravelled

    return unravelled(experiment) if experiment.noise_model() is not None else experiment


def _is_ensemble(experiment: Experiment[Any]) -> bool:
    from .ensemble import EnsembleExperiment

    return isinstance(experiment, EnsembleExperiment)


def _info(logical: QuantumCircuit, isa: QuantumCircuit, small: Any) -> dict[str, Any]:
    return {"label": logical.name, "role": "circuits", "metadata": json.loads(json.dumps(
        logical.metadata, default=str)), "physical": list(small.physical),
        "stats": circuit_stats(isa), "creg": isa.cregs[0].name,
        "bits": _bit_qubits(small.circuit), "qpy": _qpy(small.circuit)}


#: circuits each job spends on the readout calibration of each qubit set it measures
CALIBRATION_CIRCUITS = 2


def job_capacity(config: HardwareConfig, shots: int) -> int:
    """Circuits (PUB rows) one job may hold (its circuit and shot limits), checked to
    leave room for at least one circuit beside a readout calibration."""
    if shots > config.jobs.max_shots_per_job:
        raise QwalkError(f"{shots} shots exceed max_shots_per_job = "
                         f"{config.jobs.max_shots_per_job}; lower the shots")
    limit = job_limit(config, shots)
    if config.run.readout_mitigation and limit <= CALIBRATION_CIRCUITS:
        raise QwalkError(
            f"a job holds at most {limit} circuits of {shots} shots (max_circuits_per_job, "
            f"max_shots_per_job), and readout mitigation puts {CALIBRATION_CIRCUITS} "
            "calibration circuits in every job beside the circuits they correct: raise the "
            "limits, lower the shots, or set readout_mitigation = false")
    return limit


def members_per_pub(config: HardwareConfig, shots: int) -> int:
    """Parameter sets of one PUB: a job's capacity, less its readout calibration."""
    reserve = CALIBRATION_CIRCUITS if config.run.readout_mitigation else 0
    return job_capacity(config, shots) - reserve


def plan_with_calibration(infos: list[dict[str, Any]], submitted: list[QuantumCircuit],
                          values: list[np.ndarray | None] | None, config: HardwareConfig,
                          shots: int, width: int) -> list[list[int]]:
    """Pack the circuits into jobs and, with readout mitigation, append to every job the
    calibration pair of each qubit set it measures (readout drifts between jobs on a
    device: a calibration corrects the circuits it ran beside).  Extends ``infos``,
    ``submitted`` and ``values`` in place; every info gets its job number ``job``."""
    physical = [tuple(info["physical"]) for info in infos]
    weights = [1 if values is None or v is None else len(v) for v in
               (values if values is not None else [None] * len(infos))]
    reserve = CALIBRATION_CIRCUITS if config.run.readout_mitigation else 0
    plan = pack_jobs(range(len(infos)), physical, job_capacity(config, shots), weights,
                     reserve)
    on_device = config.backend.kind == "ibm"
    for job, part in enumerate(plan):
        for i in part:
            infos[i]["job"] = job
        if not reserve:
            continue
        for qubits in dict.fromkeys(physical[i] for i in part):
            for cal in calibration_circuits(width if on_device else len(qubits),
                                            list(qubits) if on_device else range(len(qubits))):
                part.append(len(infos))
                infos.append({"label": cal.name, "role": "calibration", "metadata": {},
                              "physical": list(qubits), "stats": {}, "creg": "c", "bits": [],
                              "qpy": "", "job": job})
                submitted.append(cal)
                if values is not None:
                    values.append(None)
    return plan


def submit_experiment(experiment: Experiment[Any], config: HardwareConfig, shots: int,
                      seed: int | None, store: ResultStore, service: Any = None,
                      target: DeviceTarget | None = None) -> str:
    """Transpile, write the ledger entry, submit; returns the run id (nothing waits).

    The circuits are priced (``auto``) and compiled by ``target``'s one compiler (the
    run's own pass manager), so the ISA circuit chosen is the one sent.  An ensemble
    experiment's templates are transpiled once each (parameters kept) and sent as PUBs
    ``(circuit, values)`` with one parameter set per member, split only where the job
    limits demand it."""
    if target is None:
        made = make_target(config, service)
        if not isinstance(made, DeviceTarget):
            raise QwalkError(f"config '{config.name}' runs on Aer: use 'qwalk run' (submit is "
                             "for kind = 'fake' or 'ibm')")
        target = made
    experiment = on_device(experiment)
    experiment.check_size(config)
    backend = target.backend
    service = target.service
    ensemble = _is_ensemble(experiment)
    members: Any = experiment  # an EnsembleExperiment when ``ensemble``
    compiler = target.compiler
    logical = members.templates(compiler) if ensemble else experiment.circuits(compiler)
    isa = [compiler.transpile(c) for c in logical]
    if ensemble and any(isinstance(inst.operation.params[0], ParameterExpression)
                        for c in isa for inst in c.data if inst.operation.name in FRACTIONAL):
        raise QwalkError("a fractional gate (RZZ/RX) kept a parameter, whose bound values "
                         "could leave the device's angle range; use a config without "
                         "fractional gates for this ensemble")
    compacted = [compact(c) for c in isa]
    sent = list(isa) if config.backend.kind == "ibm" else [k.circuit for k in compacted]
    infos: list[dict[str, Any]] = []
    submitted: list[QuantumCircuit] = []
    values: list[np.ndarray | None] | None = None
    if not ensemble:
        infos = [_info(c, i, k) for c, i, k in zip(logical, isa, compacted, strict=True)]
        submitted = sent
    else:
        values = []
        size = members_per_pub(config, shots)
        for t, (c, i, k, circuit) in enumerate(zip(logical, isa, compacted, sent,
                                                   strict=True)):
            array = np.asarray(members.template_values(t, c), dtype=float)
            names = [p.name for p in c.parameters]
            # a circuit left without parameters goes once per member (the runtime's local
            # sampler takes a (circuit, (m, 0) array) PUB as one shot per member)
            step = size if circuit.num_parameters else 1
            for start in range(0, len(array), step):
                part = array[start:start + step]
                infos.append({**_info(c, i, k), "template": t,
                              "members": [start, start + len(part)], "parameters": names,
                              "values": part.tolist(), "array": bool(circuit.num_parameters)})
                submitted.append(circuit)
                values.append(parameter_columns(circuit, names, part) if circuit.num_parameters
                              else None)
    plan = plan_with_calibration(infos, submitted, values, config, shots, backend.num_qubits)
    physical = [tuple(info["physical"]) for info in infos]
    run_id = new_run_id()
    ledger = Ledger(store)
    ledger.create(run_id, experiment.name, experiment.spec.as_json(), config.summary(),
                  config.backend.device or "", shots, seed, infos)
    roles = [info["role"] for info in infos]
    try:
        if config.backend.kind == "fake":
            submit_fake(run_id, ledger, submitted, physical, config, shots, seed, plan, roles,
                        values=values)
        else:
            submit_ibm(run_id, ledger, backend, submitted, config, shots, seed,
                       dict(enumerate(plan)), roles, values=values, service=service)
    except BaseException as exc:
        _interrupted(ledger, run_id, config, exc)
        raise
    ledger.set_status(run_id, "submitted")
    return run_id


#: seconds without a recorded job after which a 'submitting' run counts as abandoned
#: (its submitter was killed): a resume before then needs --force
ABANDONED_AFTER_S = 600.0


def _interrupted(ledger: Ledger, run_id: str, config: HardwareConfig,
                 exc: BaseException) -> None:
    """Record why a submission stopped.  On a real device a job may have been accepted
    whose id never reached us, so the run stays resumable ('interrupted': 'qwalk jobs
    fetch RUN_ID --resume' finds it by its tag) -- unless the service refused the payload
    before any job was recorded; local fake-device jobs died with us."""
    recorded = bool(ledger.jobs(run_id))
    refused = isinstance(exc, SubmissionRefused)
    resumable = recorded or (config.backend.kind == "ibm" and not refused)
    ledger.set_status(run_id, "interrupted" if resumable else "failed",
                      f"submission interrupted: {scrub(type(exc).__name__ + ': ' + str(exc))}"
                      [:300])


def _seconds_since(stamp: str) -> float:
    from datetime import UTC, datetime

    return (datetime.now(UTC) - datetime.fromisoformat(stamp)).total_seconds()


def stored_config(sub: dict[str, Any]) -> HardwareConfig:
    """The hardware config a submission was made with (as the ledger holds it)."""
    return parse_config({k: v for k, v in sub["config"].items() if k != "name"},
                        sub["config"]["name"], "stored config")


def _stored_circuits(infos: list[dict[str, Any]], width: int
                     ) -> tuple[list[QuantumCircuit], list[np.ndarray | None] | None]:
    """The circuits (and PUB parameter arrays) of a submission, rebuilt from the ledger
    for the device: compacted ISA circuits put back on their qubits, calibrations anew."""
    circuits: list[QuantumCircuit] = []
    values: list[np.ndarray | None] = []
    for info in infos:
        if info["role"] == "calibration":
            ones = info["label"].endswith("1")
            circuits.append(calibration_circuits(width, info["physical"])[int(ones)])
            values.append(None)
            continue
        circuit = expand(_unqpy(info["qpy"]), info["physical"], width)
        circuits.append(circuit)
        values.append(parameter_columns(circuit, info["parameters"], np.array(info["values"]))
                      if info.get("array") else None)
    return circuits, (values if any("members" in info for info in infos) else None)


def resume_submission(run_id: str, store: ResultStore, service: Any = None,
                      force: bool = False) -> int:
    """Complete a real-device submission that was interrupted (a crash, Ctrl-C, a lost
    connection) before every job reached the ledger: adopt each job the service accepted
    under its chunk tag, and submit only the chunks it never received.  Returns how many
    jobs were submitted now (none are paid for twice).

    A run still marked 'submitting' may have a live submitter: it is resumed only once no
    job was recorded for :data:`ABANDONED_AFTER_S`, or with ``force``.  The run is claimed
    atomically, so two resumes cannot both submit."""
    ledger = Ledger(store)
    sub = ledger.submission(run_id)
    if sub["status"] not in ("interrupted", "submitting"):
        raise QwalkError(f"run {run_id} is '{sub['status']}': there is no interrupted "
                         f"submission to resume ('qwalk jobs fetch {run_id}' without "
                         "--resume)")
    config = stored_config(sub)
    if config.backend.kind != "ibm":
        raise QwalkError(f"run {run_id} ran on the fake device {sub['device']}, whose local "
                         "jobs ended with the process that submitted them: submit it again")
    infos = sub["circuits"]
    if any("job" not in info for info in infos):
        raise QwalkError(_OLD_LEDGER.format(run_id=run_id))
    quiet = _seconds_since(sub["updated_at"])
    if sub["status"] == "submitting" and quiet < ABANDONED_AFTER_S and not force:
        raise QwalkError(
            f"run {run_id} is still being submitted (its last job was recorded {quiet:.0f} s "
            "ago): wait for that process; if it was killed, resume after "
            f"{ABANDONED_AFTER_S:.0f} s without news, or now with --force")
    if not ledger.claim(run_id, sub["status"], sub["updated_at"]):
        raise QwalkError(f"run {run_id} changed while resuming it: another process is "
                         "submitting or resuming it")
    try:
        sent = _complete_submission(run_id, ledger, sub, config, service)
    except BaseException as exc:
        _interrupted(ledger, run_id, config, exc)
        raise
    ledger.set_status(run_id, "submitted")
    return sent


_OLD_LEDGER = ("run {run_id} was submitted by an older qwalk that did not record its job plan, "
               "so it cannot adopt its jobs: find them with QiskitRuntimeService().jobs("
               "job_tags=['{run_id}']), cancel or keep them, then 'qwalk submit' the "
               "experiment again")


def _complete_submission(run_id: str, ledger: Ledger, sub: dict[str, Any],
                         config: HardwareConfig, service: Any) -> int:
    """Adopt the accepted jobs, submit the others (see :func:`resume_submission`)."""
    infos = sub["circuits"]
    plan: dict[int, list[int]] = {}
    for i, info in enumerate(infos):
        plan.setdefault(info["job"], []).append(i)
    recorded = {job["idx"]: job["job_id"] for job in ledger.jobs(run_id)}
    roles = [info["role"] for info in infos]
    service = service if service is not None else runtime_service(config)

    def tagged(job: int) -> list[Any]:
        return list(with_retries(partial(service.jobs, job_tags=[chunk_tag(run_id, job)],
                                         limit=1), config, what="looking up the run's jobs"))

    if recorded:
        # a job the ledger holds must show under its tag, or this account/instance cannot
        # see the run's jobs and every lookup below would wrongly say "never received"
        job, job_id = next(iter(recorded.items()))
        if [str(j.job_id()) for j in tagged(job)] != [job_id]:
            raise QwalkError(f"run {run_id}: the service does not list its job {job_id} "
                             f"under the tag {chunk_tag(run_id, job)}; resume with the account "
                             "and instance that submitted it (the config's [ibm] section)")
    unsent: dict[int, list[int]] = {}
    for job, part in plan.items():
        if job in recorded:
            continue
        found = tagged(job)
        if found:
            ledger.add_job(run_id, str(found[0].job_id()), job, job_role(roles, part), part)
        else:
            unsent[job] = part
    if unsent:
        backend = with_retries(lambda: device_backend(config, service), config,
                               what="looking up the device")
        circuits, values = _stored_circuits(infos, backend.num_qubits)
        submit_ibm(run_id, ledger, backend, circuits, config, int(sub["shots"]), sub["seed"],
                   unsent, roles, values=values, service=service)
    return len(unsent)


def _calibration_key(info: dict[str, Any]) -> tuple[Any, tuple[int, ...]]:
    """(job, qubits) of a circuit: the calibration that corrects it ran in its job on its
    qubits (ledgers written before calibrations went into every job have no ``job``)."""
    return info.get("job"), tuple(info["physical"])


def _calibrations(infos: list[dict[str, Any]], counts: list[Any]
                  ) -> dict[tuple[Any, tuple[int, ...]], tuple[dict[int, int], dict[int, int]]]:
    """The (all-0, all-1) calibration counts of each (job, qubits)."""
    pairs: dict[tuple[Any, tuple[int, ...]], list[dict[int, int]]] = {}
    for info, c in zip(infos, counts, strict=True):
        if info["role"] == "calibration":
            pairs.setdefault(_calibration_key(info), []).append(c)
    return {key: (pair[0], pair[1]) for key, pair in pairs.items()}


def _bootstrap(counts: np.ndarray, reference: np.ndarray, rng: np.random.Generator
               ) -> tuple[float, float]:
    """Standard errors of TVD and Hellinger to the reference, by multinomial resampling."""
    shots = int(counts.sum())
    p = counts / shots
    samples = rng.multinomial(shots, p, size=BOOTSTRAP) / shots
    tvd = [analysis.total_variation(s, reference) for s in samples]
    hel = [analysis.hellinger(s, reference) for s in samples]
    return float(np.std(tvd)), float(np.std(hel))


def _mitigated_vector(counts: dict[Any, int], matrices: list[np.ndarray], bits: list[int]
                      ) -> np.ndarray:
    """The readout-mitigated outcome probabilities of one circuit, as a dense vector."""
    vector = np.zeros(2 ** len(bits))
    for k, v in mitigate(counts, matrices, bits).items():
        vector[k] = v
    return vector


def _resample(counts: dict[Any, int], rng: np.random.Generator) -> dict[int, int]:
    """One multinomial resample of a counts dict (same total)."""
    keys = [int(k) for k in counts]
    values = np.array(list(counts.values()), dtype=float)
    draw = rng.multinomial(int(values.sum()), values / values.sum())
    return {k: int(v) for k, v in zip(keys, draw, strict=True) if v}


def _mitigated_bootstrap(counts: dict[Any, int], zeros: dict[Any, int], ones: dict[Any, int],
                         info: dict[str, Any], to_sites: Any, reference: np.ndarray,
                         rng: np.random.Generator) -> tuple[float, float]:
    """Standard errors of the mitigated TVD and Hellinger: resample the circuit's counts AND
    both calibration circuits, then mitigate again -- resampling the mitigated distribution
    as if it were raw counts leaves out the calibration's noise and the inverse's variance."""
    width = len(info["physical"])
    tvd, hel = [], []
    for _ in range(BOOTSTRAP):
        matrices = assignment_matrices(_resample(zeros, rng), _resample(ones, rng), width)
        sites = to_sites(_mitigated_vector(_resample(counts, rng), matrices, info["bits"]))
        tvd.append(analysis.total_variation(sites, reference))
        hel.append(analysis.hellinger(sites, reference))
    return float(np.std(tvd)), float(np.std(hel))


def _distances(dists: list[np.ndarray], reference: list[np.ndarray], shots: int,
               rng: np.random.Generator) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"tvd": [], "hellinger": [], "tvd_error": [],
                                   "hellinger_error": []}
    for p, q in zip(dists, reference, strict=True):
        out["tvd"].append(analysis.total_variation(p, q))
        out["hellinger"].append(analysis.hellinger(p, q))
        tvd_err, hel_err = _bootstrap(np.round(p * shots), q, rng)
        out["tvd_error"].append(tvd_err)
        out["hellinger_error"].append(hel_err)
    return out


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


def reanalyse_device_run(run_id: str, store: ResultStore) -> RunRecord:
    """A finished device run analysed again from the counts its ledger holds."""
    ledger = Ledger(store)
    sub = ledger.submission(run_id)
    if sub["status"] != "done":
        raise QwalkError(f"run {run_id} is '{sub['status']}', not finished: "
                         f"'qwalk jobs fetch {run_id}' first")
    return _analysed(run_id, sub, ledger)[0]


def _analysed(run_id: str, sub: dict[str, Any], ledger: Ledger
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
    return analyse(run_id, sub, stored_config(sub), infos, counts,
                   [j["job_id"] for j in jobs])


def finish(run_id: str, store: ResultStore, service: Any = None) -> RunRecord | None:
    """Poll once; when every job is done, analyse and store the run: its record (a run
    finished before is analysed again from its ledger: the same summary), else None."""
    ledger = Ledger(store)
    sub = ledger.submission(run_id)
    if sub["status"] == "done":
        return _as_stored(_analysed(run_id, sub, ledger)[0], store, run_id)
    config = stored_config(sub)
    infos = sub["circuits"]
    covered = {i for job in ledger.jobs(run_id) for i in job["circuits"]}
    if sub["status"] in ("submitting", "interrupted") and len(covered) < len(infos):
        state = ("was interrupted" if sub["status"] == "interrupted" else
                 "is in progress, or its process was killed,")
        raise QwalkError(
            f"run {run_id}: its submission {state} before all jobs were recorded "
            f"({len(covered)} of {len(infos)} circuits); "
            + ("submit it again (local fake-device jobs end with their process)"
               if config.backend.kind == "fake" else
               _OLD_LEDGER.format(run_id=run_id) if any("job" not in i for i in infos) else
               f"'qwalk jobs fetch {run_id} --resume' adopts the jobs the service accepted "
               "(found by their tags) and submits only the ones it never received"))
    members = [info["members"][1] - info["members"][0] if info.get("array") else None
               for info in infos]
    tally = poll(run_id, ledger, config, [i["creg"] for i in infos], service, members=members)
    jobs = ledger.jobs(run_id)
    failed = [j for j in jobs if j["status"] in ("ERROR", "CANCELLED")]
    if failed:
        reason = "; ".join(f"job {j['job_id']}: {j['status']} {j['error'] or ''}".strip()
                           for j in failed)
        ledger.set_status(run_id, "failed", reason)
        raise QwalkError(f"run {run_id} cannot finish: {reason}")
    if any(j["result"] is None for j in jobs) or not jobs:
        del tally
        return None
    record, circuits = _analysed(run_id, sub, ledger)
    ledger.finish(run_id, record.summary, record.summary["backend"], circuits)
    return _as_stored(record, store, run_id)


def _as_stored(record: RunRecord, store: ResultStore, run_id: str) -> RunRecord:
    """The record with the summary as the store holds it (JSON), so that fetching a run
    twice gives equal summaries."""
    record.summary = dict(store.get_run(run_id)["summary"])
    return record


def _analyse(run_id: str, sub: dict[str, Any], config: HardwareConfig,
             infos: list[dict[str, Any]], counts: list[dict[int, int]], job_ids: list[str]
             ) -> tuple[RunRecord, list[dict[str, Any]]]:
    from . import get_experiment  # (the package imports this module's siblings)

    cls = get_experiment(sub["experiment"])
    experiment = cls(cls.spec_type.model_validate(sub["params"]))
    shots, seed = int(sub["shots"]), sub["seed"]
    main = [i for i, info in enumerate(infos) if info["role"] == "circuits"]
    shells = [QuantumCircuit(metadata=infos[i]["metadata"]) for i in main]
    device = [experiment.site_distribution(s, None, counts[i])
              for s, i in zip(shells, main, strict=True)]
    reference = experiment.reference_distributions()
    rng = np.random.default_rng(0 if seed is None else seed)
    comparison: dict[str, Any] = {
        "device": sub["device"], "hardware": _distances(device, reference, shots, rng)}
    if make_target(config).compares_emulation:
        twin = sub["device"] if config.backend.kind == "fake" else twin_of(sub["device"])
        emulated = []
        for s, i in zip(shells, main, strict=True):
            compacted = _unqpy(infos[i]["qpy"])
            sim = emulator(twin, tuple(infos[i]["physical"]),
                           None if seed is None else seed + 7919)
            raw = sim.run(compacted, shots=shots).result().get_counts()
            emulated.append(experiment.site_distribution(
                s, None, {int(k.replace(" ", ""), 2): v for k, v in raw.items()}))
        comparison["emulator"] = f"aer+noise({twin})"
        comparison["emulation"] = _distances(emulated, reference, shots, rng)
    comparison["uniform_tvd"] = [analysis.total_variation(np.full(q.size, 1 / q.size), q)
                                 for q in reference]
    mitigated = None
    cal = _calibrations(infos, counts)
    if cal:
        mitigated = []
        for s, i in zip(shells, main, strict=True):
            zeros, ones = cal[_calibration_key(infos[i])]
            matrices = assignment_matrices(zeros, ones, len(infos[i]["physical"]))
            vector = _mitigated_vector(counts[i], matrices, infos[i]["bits"])
            mitigated.append(experiment.site_distribution(s, vector, None))
        comparison["mitigated"] = _distances(mitigated, reference, shots, rng)
        errors = []
        for s, i, q in zip(shells, main, reference, strict=True):
            zeros, ones = cal[_calibration_key(infos[i])]
            errors.append(_mitigated_bootstrap(
                counts[i], zeros, ones, infos[i],
                lambda v, shell=s: experiment.site_distribution(shell, v, None), q, rng))
        comparison["mitigated"]["tvd_error"] = [e[0] for e in errors]
        comparison["mitigated"]["hellinger_error"] = [e[1] for e in errors]
    # the one single-circuit summary, as on Aer (its distances are the hardware ones)
    summary, _, classical = single_summary(experiment, shells, device, shots, seed,
                                           {**config.summary(), "simulator": sub["device"]})
    summary.update({"comparison": comparison, "resources": [infos[i]["stats"] for i in main],
                    "jobs": job_ids, "run_id": run_id})
    circuits = [{"label": infos[i]["label"], "stats": infos[i]["stats"],
                 "data": {"raw": {str(k): v for k, v in counts[i].items()},
                          **({"mitigated_sites": mitigated[n].tolist()} if mitigated else {})}}
                for n, i in enumerate(main)]
    return RunRecord(summary, device, reference, classical), circuits


def _emulate_members(twin: str, info: dict[str, Any], shots: int, seed: int | None,
                     index: int) -> list[dict[int, int]]:
    """The members of ensemble PUB ``index`` on Aer with the device's noise (same ISA
    circuit; a seed of its own, or equal rows of two PUBs would get equal counts)."""
    compacted = _unqpy(info["qpy"])
    array = parameter_columns(compacted, info["parameters"], np.array(info["values"]))
    sim = emulator(twin, tuple(info["physical"]),
                   pub_seed_of(None if seed is None else seed + 7919, index))
    if compacted.num_parameters == 0:
        data = sim.run([compacted] * len(array), shots=shots).result()
    else:
        data = sim.run([compacted], shots=shots, parameter_binds=[
            {p: array[:, j].tolist() for j, p in enumerate(compacted.parameters)}]).result()
    return [{int(k.replace(" ", ""), 2): v for k, v in data.get_counts(r).items()}
            for r in range(len(array))]


Member = tuple[int, dict[int, int], dict[str, Any]]  # (member number, counts, PUB's info)
Calibrations = dict[tuple[Any, tuple[int, ...]], tuple[dict[int, int], dict[int, int]]]


def _ideal_trajectories(experiment: Any, shells: list[QuantumCircuit],
                        pubs: list[list[int]], infos: list[dict[str, Any]]) -> list[np.ndarray]:
    """The average of each time's members on an ideal device, exactly: the very circuits
    sent (the same kicks) on Aer's statevector.  For trajectories, its distance to the
    channel is the floor a finite number of them leaves, whatever the device."""
    from ..execution.config import load_config
    from ..execution.ensemble import execute_ensemble

    averages = []
    for shell, group in zip(shells, pubs, strict=True):
        rows = []
        for i in group:
            circuit = _unqpy(infos[i]["qpy"])
            values = parameter_columns(circuit, infos[i]["parameters"],
                                       np.array(infos[i]["values"]))
            rows += [result.probabilities for result in execute_ensemble(
                [circuit], [values], load_config("aer_ideal"), None, None)[0]]
        averages.append(np.mean([experiment.member_distribution(shell, r, p, None)
                                 for r, p in enumerate(rows)], axis=0))
    return averages


def _numbered(members: list[tuple[dict[int, int], dict[str, Any]]]) -> list[Member]:
    """Members in ensemble order, with their numbers."""
    return [(r, c, info) for r, (c, info) in enumerate(members)]


def _member_rows(experiment: Any, shell: QuantumCircuit, members: list[Member],
                 matrices: dict[Any, list[np.ndarray]] | None) -> np.ndarray:
    """The members' distributions (R, outcomes): raw, or mitigated with ``matrices`` (the
    assignment matrices of each calibration key)."""
    if matrices is None:
        return np.array([experiment.member_distribution(shell, r, None, c)
                         for r, c, _ in members])
    return np.array([experiment.member_distribution(
        shell, r, _mitigated_vector(c, matrices[_calibration_key(info)], info["bits"]), None)
        for r, c, info in members])


def _ensemble_distances(experiment: Any, shells: list[QuantumCircuit],
                        members: list[list[Member]], reference: list[np.ndarray],
                        rng: np.random.Generator, cal: Calibrations | None = None
                        ) -> dict[str, list[float]]:
    """TVD and Hellinger of the members' average (mitigated with ``cal``) to the exact
    ensemble average, per time, compared on ``experiment.distance_distribution``.

    Error bars: a bootstrap that resamples every member's counts (and, mitigated, both
    calibration circuits of each job and qubit set, then mitigates again) -- stratified
    by member, as the shots were taken.  Members that are random draws compared with
    their exact average (phase-kick trajectories: ``members_are_samples``) are drawn
    with replacement instead, each with its own counts: their scatter already holds
    their shot noise (resampling the shots as well would count it twice)."""
    def matrices_of(calibration: Calibrations, draw: Any) -> dict[Any, list[np.ndarray]]:
        return {key: assignment_matrices(draw(zeros), draw(ones), len(key[1]))
                for key, (zeros, ones) in calibration.items()}

    def distances(shell: QuantumCircuit, group: list[Member], q: np.ndarray,
                  matrices: dict[Any, list[np.ndarray]] | None) -> tuple[float, float]:
        average = _member_rows(experiment, shell, group, matrices).mean(axis=0)
        p = experiment.distance_distribution(average)
        return analysis.total_variation(p, q), analysis.hellinger(p, q)

    def identity(counts: dict[int, int]) -> dict[int, int]:
        return counts

    out: dict[str, list[float]] = {"tvd": [], "hellinger": [], "tvd_error": [],
                                   "hellinger_error": []}
    exact = [experiment.distance_distribution(q) for q in reference]
    point = matrices_of(cal, identity) if cal is not None else None
    replicas = [matrices_of(cal, lambda c: _resample(c, rng)) if cal is not None else None
                for _ in range(BOOTSTRAP)]
    draw_members = experiment.members_are_samples
    for shell, group, q in zip(shells, members, exact, strict=True):
        tvd, hel = distances(shell, group, q, point)
        replicas_of_group = [
            [group[k] for k in rng.integers(len(group), size=len(group))] if draw_members
            else [(r, _resample(c, rng), info) for r, c, info in group] for _ in replicas]
        spread = np.array([distances(shell, drawn, q, matrices)
                           for drawn, matrices in zip(replicas_of_group, replicas,
                                                      strict=True)])
        out["tvd"].append(tvd)
        out["hellinger"].append(hel)
        out["tvd_error"].append(float(spread[:, 0].std()))
        out["hellinger_error"].append(float(spread[:, 1].std()))
    return out


def _analyse_ensemble(run_id: str, sub: dict[str, Any], config: HardwareConfig,
                      infos: list[dict[str, Any]], counts: list[Any], job_ids: list[str]
                      ) -> tuple[RunRecord, list[dict[str, Any]]]:
    """An ensemble run: the Aer ensemble analysis of the device's member counts, plus the
    device / emulation / mitigated ensemble averages against the exact ensemble average."""
    from . import get_experiment

    cls = get_experiment(sub["experiment"])
    experiment: Any = on_device(cls(cls.spec_type.model_validate(sub["params"])))
    shots, seed = int(sub["shots"]), sub["seed"]
    main = [i for i, info in enumerate(infos) if info["role"] == "circuits"]
    slots: dict[int, list[int]] = {}
    for i in sorted(main, key=lambda i: (infos[i]["template"], infos[i]["members"][0])):
        slots.setdefault(infos[i]["template"], []).append(i)
    pubs = [slots[t] for t in sorted(slots)]
    shells = [QuantumCircuit(name=infos[s[0]]["label"], metadata=infos[s[0]]["metadata"])
              for s in pubs]
    twin = sub["device"] if config.backend.kind == "fake" else twin_of(sub["device"])
    cal = _calibrations(infos, counts)
    counts = [c if isinstance(c, list) else [c] for c in counts]  # a plain PUB: one member
    device = [_numbered([(c, infos[i]) for i in group for c in counts[i]]) for group in pubs]
    emulate = make_target(config).compares_emulation
    emulated = [_numbered([(c, infos[i]) for i in group
                           for c in _emulate_members(twin, infos[i], shots, seed, i)])
                for group in pubs] if emulate else []
    samples = [_member_rows(experiment, shell, members, None)
               for shell, members in zip(shells, device, strict=True)]
    summary, averaged, reference, classical = ensemble_summary(
        experiment, shells, samples, shots, seed,
        {**config.summary(), "simulator": sub["device"]})
    mitigated: list[np.ndarray] = []
    if cal:
        matrices = {key: assignment_matrices(zeros, ones, len(key[1]))
                    for key, (zeros, ones) in cal.items()}
        mitigated = [_member_rows(experiment, shell, members, matrices)
                     for shell, members in zip(shells, device, strict=True)]
        summary["mitigated_observables"] = series(
            [ensemble_observables(experiment, m)[0] for m in mitigated])
    rng = np.random.default_rng(0 if seed is None else seed)
    comparison: dict[str, Any] = {"device": sub["device"], "ensemble_average": True}
    if emulate:
        comparison["emulator"] = f"aer+noise({twin})"
    exact = [experiment.distance_distribution(q) for q in reference]
    if all(q is not None for q in exact):
        comparison["hardware"] = _ensemble_distances(experiment, shells, device, reference,
                                                     rng)
        if emulate:
            comparison["emulation"] = _ensemble_distances(experiment, shells, emulated,
                                                          reference, rng)
        if cal:
            comparison["mitigated"] = _ensemble_distances(experiment, shells, device,
                                                          reference, rng, cal)
        comparison["uniform_tvd"] = [analysis.total_variation(np.full(q.size, 1 / q.size), q)
                                     for q in exact]
        if experiment.members_are_samples:
            ideal = [experiment.distance_distribution(p) for p in
                     _ideal_trajectories(experiment, shells, pubs, infos)]
            comparison["trajectory_floor"] = {
                "tvd": [analysis.total_variation(p, q) for p, q in zip(ideal, exact,
                                                                       strict=True)],
                "hellinger": [analysis.hellinger(p, q) for p, q in zip(ideal, exact,
                                                                       strict=True)]}
    else:
        comparison["no_distances"] = (f"{experiment.name}'s outcome holds no probability "
                                      "distribution to compare (see its observables)")
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


def run_on_device(experiment: Experiment[Any], config: HardwareConfig, shots: int,
                  seed: int | None, store: ResultStore, service: Any = None,
                  progress: bool = True) -> dict[str, Any]:
    """Deprecated: use ``qwalk_circuits.run(experiment, config, shots=..., seed=...)``."""
    import warnings

    from ..pipeline import run

    warnings.warn("run_on_device is deprecated: use qwalk_circuits.run(experiment, config, "
                  "shots=..., seed=..., store=...)", DeprecationWarning, stacklevel=2)
    return run(experiment, config, shots=shots, seed=seed, store=store, service=service,
               progress=progress).summary
