"""Device jobs: submit circuits (many per job), poll, fetch counts, cancel; all via the ledger.

Fake devices run in the runtime's local testing mode, whose jobs live in
this process only: their jobs are completed (and their counts written to the
ledger) before ``submit`` returns.  Real devices get one ``Batch`` per run;
each job id reaches the ledger before anything waits on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from qiskit import QuantumCircuit

from ..errors import QwalkError
from .config import HardwareConfig
from .devices import emulator, make_sampler
from .ledger import FINAL_JOB, Ledger
from .service import runtime_service, scrub

Sleep = Callable[[float], None]


def status_name(status: Any) -> str:
    """``JobStatus.DONE`` or ``"DONE"`` -> ``"DONE"`` (local jobs use the enum)."""
    name = str(getattr(status, "name", status)).upper()
    return {"COMPLETED": "DONE", "FAILED": "ERROR", "INITIALIZING": "QUEUED",
            "VALIDATING": "QUEUED"}.get(name, name)


def with_retries(action: Callable[[], Any], config: HardwareConfig, sleep: Sleep = time.sleep,
                 what: str = "the IBM Quantum service") -> Any:
    """``action()``, retrying transient errors with exponential backoff (1, 2, 4 ... s by
    default: ``[jobs] retry_backoff_s``)."""
    attempts = config.jobs.max_retries + 1
    for attempt in range(attempts):
        try:
            return action()
        except QwalkError:
            raise
        except Exception as exc:
            if attempt == attempts - 1:
                raise QwalkError(f"{what} failed {attempts} times: "
                                 f"{scrub(type(exc).__name__ + ': ' + str(exc))[:300]}; "
                                 "the run is in the ledger: retry with 'qwalk jobs fetch'"
                                 ) from None
            sleep(min(config.jobs.retry_backoff_s * 2.0 ** attempt, 60.0))
    raise AssertionError("unreachable")


def counts_of(pub_result: Any, creg: str) -> dict[str, int]:
    """Integer-keyed counts of a circuit's (single) classical register, as JSON keys."""
    bits = getattr(pub_result.data, creg)
    return {str(k): int(v) for k, v in bits.get_int_counts().items()}


def chunks(indices: list[int], size: int) -> list[list[int]]:
    return [indices[i:i + size] for i in range(0, len(indices), size)]


def submit_fake(run_id: str, ledger: Ledger, circuits: list[QuantumCircuit],
                physical: list[tuple[int, ...]], config: HardwareConfig, shots: int,
                seed: int | None, roles: list[str]) -> None:
    """One local job per (qubit set, role, chunk); results into the ledger at once."""
    device = config.backend.device
    assert device is not None
    groups: dict[tuple[tuple[int, ...], str], list[int]] = {}
    for i, (qubits, role) in enumerate(zip(physical, roles, strict=True)):
        groups.setdefault((qubits, role), []).append(i)
    idx = 0
    for (qubits, role), members in groups.items():
        for part in chunks(members, config.jobs.max_circuits_per_job):
            sampler = make_sampler(emulator(device, qubits, seed), config, shots, seed, [run_id])
            job = sampler.run([circuits[i] for i in part])
            job_id = str(job.job_id())
            ledger.add_job(run_id, job_id, idx, role, part, "RUNNING")
            result = job.result()
            counts = [counts_of(result[k], circuits[i].cregs[0].name)
                      for k, i in enumerate(part)]
            ledger.update_job(job_id, "DONE", result=counts)
            idx += 1


def open_batch(backend: Any) -> Any:
    """A runtime Batch on a real device (its jobs run in parallel, one after another)."""
    from qiskit_ibm_runtime import Batch

    return Batch(backend=backend)


def submit_ibm(run_id: str, ledger: Ledger, backend: Any, circuits: list[QuantumCircuit],
               config: HardwareConfig, shots: int, seed: int | None, roles: list[str],
               sleep: Sleep = time.sleep) -> None:
    """Submit the ISA circuits to the real device in a Batch; each job id is recorded
    before the next submission and before anything waits."""
    batch = open_batch(backend)
    try:
        idx = 0
        for role in dict.fromkeys(roles):
            members = [i for i, r in enumerate(roles) if r == role]
            for part in chunks(members, config.jobs.max_circuits_per_job):
                sampler = make_sampler(batch, config, shots, seed, [run_id])
                job = with_retries(partial(sampler.run, [circuits[i] for i in part]), config,
                                   sleep, "submitting a job")
                ledger.add_job(run_id, str(job.job_id()), idx, role, part)
                idx += 1
    finally:
        close = getattr(batch, "close", None)
        if close is not None:
            with_retries(close, config, sleep, "closing the batch")


def poll(run_id: str, ledger: Ledger, config: HardwareConfig, cregs: list[str],
         service: Any = None, sleep: Sleep = time.sleep) -> dict[str, int]:
    """Update every unfinished job of the run once; fetch the counts of finished ones.

    Returns how many jobs are in each status.  A job that failed on the device
    is recorded as ERROR with its reason.
    """
    jobs = ledger.jobs(run_id)
    todo = [j for j in jobs if j["result"] is None and j["status"] not in ("ERROR", "CANCELLED")]
    if todo:
        if config.backend.kind == "fake":
            raise QwalkError(f"run {run_id}: its local fake-device jobs ended with the process "
                             "that submitted them; submit it again")
        service = service if service is not None else runtime_service(config)
    for job in todo:
        remote = with_retries(partial(service.job, job["job_id"]), config, sleep)
        status = status_name(with_retries(remote.status, config, sleep))
        if status == "DONE":
            result = with_retries(remote.result, config, sleep, "fetching a result")
            counts = [counts_of(result[k], cregs[i]) for k, i in enumerate(job["circuits"])]
            ledger.update_job(job["job_id"], "DONE", result=counts)
        elif status == "ERROR":
            reason = with_retries(getattr(remote, "error_message", lambda: None), config, sleep)
            ledger.update_job(job["job_id"], "ERROR", error=scrub(str(reason or "failed")))
        else:
            ledger.update_job(job["job_id"], status)
    tally: dict[str, int] = {}
    for job in ledger.jobs(run_id):
        tally[job["status"]] = tally.get(job["status"], 0) + 1
    return tally


def cancel(run_id: str, ledger: Ledger, config: HardwareConfig, service: Any = None,
           sleep: Sleep = time.sleep) -> int:
    """Cancel the run's unfinished jobs; returns how many were cancelled."""
    todo = [j for j in ledger.jobs(run_id) if j["status"] not in FINAL_JOB]
    if todo and config.backend.kind == "ibm":
        service = service if service is not None else runtime_service(config)
    for job in todo:
        if config.backend.kind == "ibm":
            remote = with_retries(partial(service.job, job["job_id"]), config, sleep)
            with_retries(remote.cancel, config, sleep, "cancelling a job")
        ledger.update_job(job["job_id"], "CANCELLED")
    ledger.set_status(run_id, "cancelled")
    return len(todo)
