"""An experiment on a fake or real IBM device: submit (ledger first), wait, finish, compare.

The finished summary has the keys of :func:`.runner.run_experiment` plus
``device`` (the three-way comparison): the device (or fake-device)
distribution, the exact reference and a noisy emulation of the same ISA
circuits on Aer with the device's noise (a fake device's own model; for a
real device its fake twin's snapshot), TVD and Hellinger with bootstrap
error bars, per step; readout-mitigated distances too when calibrated.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import time
from typing import Any

import numpy as np
from qiskit import QuantumCircuit, qpy

from .. import analysis
from ..errors import QwalkError
from ..execution.config import HardwareConfig, parse_config
from ..execution.devices import compact, device_backend, emulator, transpile_for_device, twin_of
from ..execution.jobs import poll, submit_fake, submit_ibm, with_retries
from ..execution.ledger import Ledger
from ..execution.mitigation import assignment_matrices, calibration_circuits, mitigate
from ..execution.resources import circuit_stats
from ..execution.service import runtime_service
from ..execution.store import ResultStore, new_run_id
from .base import Experiment

BOOTSTRAP = 100


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


def construction_target(config: HardwareConfig) -> str:
    """The resource target whose costs choose each walk construction for this device."""
    device = config.backend.device or "all-to-all"
    return device if config.backend.kind == "fake" else twin_of(device)


def submit_experiment(experiment: Experiment[Any], config: HardwareConfig, shots: int,
                      seed: int | None, store: ResultStore, service: Any = None) -> str:
    """Transpile, write the ledger entry, submit; returns the run id (nothing waits)."""
    if not config.is_device:
        raise QwalkError(f"config '{config.name}' runs on Aer: use 'qwalk run' (submit is for "
                         "kind = 'fake' or 'ibm')")
    experiment.check_size(config)
    if config.backend.kind == "ibm" and service is None:
        service = runtime_service(config)
    backend = with_retries(lambda: device_backend(config, service), config,
                           what="looking up the device")
    logical = experiment.circuits(construction_target(config))
    isa = transpile_for_device(logical, backend, config)
    compacted = [compact(c) for c in isa]
    infos: list[dict[str, Any]] = [
        {"label": c.name, "role": "circuits", "metadata": json.loads(json.dumps(
            c.metadata, default=str)), "physical": list(k.physical), "stats": circuit_stats(i),
         "creg": i.cregs[0].name, "bits": _bit_qubits(k.circuit), "qpy": _qpy(k.circuit)}
        for c, i, k in zip(logical, isa, compacted, strict=True)]
    submitted = list(isa) if config.backend.kind == "ibm" else [k.circuit for k in compacted]
    physical = [k.physical for k in compacted]
    if config.run.readout_mitigation:
        for qubits in dict.fromkeys(physical):
            width = backend.num_qubits if config.backend.kind == "ibm" else len(qubits)
            targets = qubits if config.backend.kind == "ibm" else range(len(qubits))
            for cal in calibration_circuits(width, list(targets)):
                infos.append({"label": cal.name, "role": "calibration", "metadata": {},
                              "physical": list(qubits), "stats": {}, "creg": "c", "bits": [],
                              "qpy": ""})
                submitted.append(cal)
                physical.append(qubits)
    per_job = min(len(submitted), config.jobs.max_circuits_per_job) * shots
    if per_job > config.jobs.max_shots_per_job:
        raise QwalkError(f"a job of {per_job // shots} circuits x {shots} shots exceeds "
                         f"max_shots_per_job = {config.jobs.max_shots_per_job}; lower the shots "
                         "or max_circuits_per_job")
    run_id = new_run_id()
    ledger = Ledger(store)
    ledger.create(run_id, experiment.name, experiment.spec.as_json(), config.summary(),
                  config.backend.device or "", shots, seed, infos)
    roles = [info["role"] for info in infos]
    try:
        if config.backend.kind == "fake":
            submit_fake(run_id, ledger, submitted, physical, config, shots, seed, roles)
        else:
            submit_ibm(run_id, ledger, backend, submitted, config, shots, seed, roles)
    except BaseException as exc:
        ledger.set_status(run_id, "failed" if not ledger.jobs(run_id) else "submitting",
                          f"submission interrupted: {type(exc).__name__}")
        raise
    ledger.set_status(run_id, "submitted")
    return run_id


def _bootstrap(counts: np.ndarray, reference: np.ndarray, rng: np.random.Generator
               ) -> tuple[float, float]:
    """Standard errors of TVD and Hellinger to the reference, by multinomial resampling."""
    shots = int(counts.sum())
    p = counts / shots
    samples = rng.multinomial(shots, p, size=BOOTSTRAP) / shots
    tvd = [analysis.total_variation(s, reference) for s in samples]
    hel = [analysis.hellinger(s, reference) for s in samples]
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
    sub = ledger.submission(run_id)
    if sub["status"] == "done":
        return dict(store.get_run(run_id)["summary"])
    config = parse_config({k: v for k, v in sub["config"].items() if k != "name"},
                          sub["config"]["name"], "stored config")
    infos = sub["circuits"]
    covered = {i for job in ledger.jobs(run_id) for i in job["circuits"]}
    if sub["status"] == "submitting" and len(covered) < len(infos):
        raise QwalkError(
            f"run {run_id}: its submission was interrupted before all jobs were recorded "
            f"({len(covered)} of {len(infos)} circuits); submit it again"
            + ("" if config.backend.kind == "fake" else
               f" (jobs already sent carry the tag {run_id}: "
               f"QiskitRuntimeService().jobs(job_tags=['{run_id}']) finds them)"))
    tally = poll(run_id, ledger, config, [i["creg"] for i in infos], service)
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
    counts: list[dict[int, int]] = [{} for _ in infos]
    for job in jobs:
        for i, c in zip(job["circuits"], job["result"], strict=True):
            counts[i] = {int(k): v for k, v in c.items()}
    summary, circuits = _analyse(run_id, sub, config, infos, counts,
                                 [j["job_id"] for j in jobs])
    ledger.finish(run_id, summary, summary["backend"], circuits)
    return dict(store.get_run(run_id)["summary"])


def _analyse(run_id: str, sub: dict[str, Any], config: HardwareConfig,
             infos: list[dict[str, Any]], counts: list[dict[int, int]], job_ids: list[str]
             ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
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
    twin = sub["device"] if config.backend.kind == "fake" else twin_of(sub["device"])
    emulated = []
    for s, i in zip(shells, main, strict=True):
        compacted = _unqpy(infos[i]["qpy"])
        sim = emulator(twin, tuple(infos[i]["physical"]), None if seed is None else seed + 7919)
        raw = sim.run(compacted, shots=shots).result().get_counts()
        emulated.append(experiment.site_distribution(
            s, None, {int(k.replace(" ", ""), 2): v for k, v in raw.items()}))
    comparison: dict[str, Any] = {
        "device": sub["device"], "emulator": f"aer+noise({twin})",
        "hardware": _distances(device, reference, shots, rng),
        "emulation": _distances(emulated, reference, shots, rng),
        "uniform_tvd": [analysis.total_variation(np.full(q.size, 1 / q.size), q)
                        for q in reference],
    }
    mitigated = None
    cal: dict[tuple[int, ...], list[dict[int, int]]] = {
        tuple(info["physical"]): [] for info in infos if info["role"] == "calibration"}
    for i, info in enumerate(infos):
        if info["role"] == "calibration":
            cal[tuple(info["physical"])].append(counts[i])
    if cal:
        mitigated = []
        for s, i in zip(shells, main, strict=True):
            zeros, ones = cal[tuple(infos[i]["physical"])]
            matrices = assignment_matrices(zeros, ones, len(infos[i]["physical"]))
            probs = mitigate(counts[i], matrices, infos[i]["bits"])
            vector = np.zeros(2 ** len(infos[i]["bits"]))
            for k, v in probs.items():
                vector[k] = v
            mitigated.append(experiment.site_distribution(s, vector, None))
        comparison["mitigated"] = _distances(mitigated, reference, shots, rng)
    observed = [experiment.observables(p) for p in device]
    summary: dict[str, Any] = {
        "experiment": experiment.name, "params": experiment.spec.as_json(),
        "backend": {**config.summary(), "simulator": sub["device"]},
        "shots": shots, "seed": seed, "times": list(experiment.times()),
        "construction": [infos[i]["metadata"].get("construction") for i in main],
        "observables": {k: [o[k] for o in observed] for k in observed[0]},
        "reference": {k: [experiment.observables(q)[k] for q in reference] for k in observed[0]},
        "observable_errors": {k: [experiment.observable_errors(q, shots)[k] for q in reference]
                              for k in observed[0]},
        "distance": {"tvd": comparison["hardware"]["tvd"],
                     "hellinger": comparison["hardware"]["hellinger"],
                     "tvd_shot_noise_bound": [analysis.tvd_shot_noise_bound(q, shots)
                                              for q in reference]},
        "comparison": comparison,
        "resources": [infos[i]["stats"] for i in main],
        "jobs": job_ids,
        "run_id": run_id,
    }
    circuits = [{"label": infos[i]["label"], "stats": infos[i]["stats"],
                 "data": {"raw": {str(k): v for k, v in counts[i].items()},
                          **({"mitigated_sites": mitigated[n].tolist()} if mitigated else {})}}
                for n, i in enumerate(main)]
    return summary, circuits


def run_on_device(experiment: Experiment[Any], config: HardwareConfig, shots: int,
                  seed: int | None, store: ResultStore, service: Any = None,
                  progress: bool = True) -> dict[str, Any]:
    """Submit, then wait with a progress line; Ctrl-C leaves the run in the ledger."""
    run_id = submit_experiment(experiment, config, shots, seed, store, service)
    start = time.monotonic()
    try:
        while True:
            summary = finish_run(run_id, store, service)
            if summary is not None:
                return summary
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
