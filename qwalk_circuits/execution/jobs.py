"""Device jobs: submit circuits (many per job), poll, fetch counts, cancel; all via the ledger.

Fake devices run in the runtime's local testing mode (jobs of this process only, done and
in the ledger before ``submit`` returns); real devices get one ``Batch`` per run, each
job id in the ledger before anything waits on it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from ..core.errors import QwalkError
from .config import HardwareConfig
from .devices import emulator, make_sampler
from .ledger import FINAL_JOB, FINISHED, STRAY, Ledger
from .retries import Sleep, billed_seconds, is_permanent, with_retries
from .service import runtime_service, scrub
from .shared_batch import batch_for
from .targets import device_target


def status_name(status: Any) -> str:
    """``JobStatus.DONE`` or ``"DONE"`` -> ``"DONE"`` (local jobs use the enum)."""
    name = str(getattr(status, "name", status)).upper()
    return {"COMPLETED": "DONE", "FAILED": "ERROR", "INITIALIZING": "QUEUED",
            "VALIDATING": "QUEUED"}.get(name, name)


class SubmissionRefused(QwalkError):
    """The service refused a job's payload (invalid input, not authorised): no job."""


def counts_of(pub_result: Any, creg: str, members: int | None = None
              ) -> dict[str, int] | list[dict[str, int]]:
    """Integer-keyed counts of a circuit's (single) classical register, as JSON keys; for a
    PUB with a parameter array of ``members`` rows, one such dict per row."""
    bits = getattr(pub_result.data, creg)
    if members is None:
        return {str(k): int(v) for k, v in bits.get_int_counts().items()}
    return [{str(k): int(v) for k, v in bits.get_int_counts(loc=r).items()}
            for r in range(members)]


def pubs_of(circuits: list[QuantumCircuit], values: Sequence[np.ndarray | None] | None
            ) -> list[Any]:
    """Sampler PUBs: a circuit alone, or ``(circuit, values)`` with a parameter array of
    shape (members, circuit parameters) (one transpiled circuit, many bindings)."""
    if values is None:
        return list(circuits)
    return [c if v is None else (c, v) for c, v in zip(circuits, values, strict=True)]


def submit_fake(run_id: str, ledger: Ledger, circuits: list[QuantumCircuit],
                physical: list[tuple[int, ...]], config: HardwareConfig, shots: int,
                seed: int | None, plan: list[list[int]], roles: list[str],
                values: Sequence[np.ndarray | None] | None = None) -> None:
    """One local job per planned job (``plan[j]``: its circuit indices); results into the
    ledger at once.  ``values[i]`` (optional): circuit i is a PUB with that parameter array.

    Each PUB runs on the emulator of its own qubit set (a job may measure several)."""
    device = config.backend.device
    assert device is not None
    pubs = pubs_of(circuits, values)
    emulators: dict[tuple[int, ...], Any] = {}
    for idx, part in enumerate(plan):
        counts, job_id = [], ""
        for k, i in enumerate(part):
            if physical[i] not in emulators:
                emulators[physical[i]] = emulator(device, physical[i], None,
                                                   aer_device=config.backend.aer_device)
            backend = emulators[physical[i]]
            # a seed per PUB: one seed for the whole job would give every PUB of the
            # same shape the same shot noise (identical counts for repeated members)
            pub_seed = pub_seed_of(seed, i)
            backend.set_options(seed_simulator=pub_seed)
            job = make_sampler(backend, config, shots, pub_seed, [run_id]).run([pubs[i]])
            if k == 0:  # the ledger's job record, written before the first wait
                job_id = str(job.job_id())
                if ledger.add_job(run_id, job_id, idx, job_role(roles, part), part,
                                  "RUNNING") in STRAY:
                    raise ledger.lost(run_id)  # (a local job: it dies with this process)
            counts.append(counts_of(job.result()[0], circuits[i].cregs[0].name,
                                    None if values is None or values[i] is None
                                    else len(values[i])))  # type: ignore[arg-type]
        ledger.update_job(job_id, "DONE", result=counts)


def job_role(roles: Sequence[str], part: Sequence[int]) -> str:
    """What a job holds: ``circuits``, ``calibration`` or ``circuits+calibration``."""
    return "+".join(dict.fromkeys(roles[i] for i in part))


def pack_jobs(indices: Sequence[int], qubit_sets: Sequence[tuple[int, ...]], limit: int,
              weights: Sequence[int] | None = None, reserve: int = 0) -> list[list[int]]:
    """Consecutive runs of ``indices`` for jobs of at most ``limit`` circuits (PUB rows:
    ``weights``), where each distinct qubit set in a job costs ``reserve`` more circuits
    (its readout calibration, sent in the same job).  A circuit that cannot fit even
    alone gets a job of its own."""
    out: list[list[int]] = []
    load, seen = 0, set[tuple[int, ...]]()
    for i in indices:
        cost = (1 if weights is None else weights[i]) + (
            reserve if qubit_sets[i] not in seen else 0)
        if out and load + cost > limit:
            out.append([])
            load, seen = 0, set()
            cost = (1 if weights is None else weights[i]) + reserve
        if not out:
            out.append([])
        out[-1].append(i)
        seen.add(qubit_sets[i])
        load += cost
    return out


def pub_seed_of(seed: int | None, index: int) -> int | None:
    """The simulator seed of PUB ``index`` of a fake-device run with seed ``seed``."""
    return None if seed is None else int(
        np.random.SeedSequence((seed, index)).generate_state(1)[0])


def open_batch(backend: Any) -> Any:
    """A runtime Batch on a real device (its jobs run in parallel, one after another)."""
    from qiskit_ibm_runtime import Batch

    return Batch(backend=backend)


def job_limit(config: HardwareConfig, shots: int) -> int:
    """Circuits (PUB rows) per job within both limits: circuits, and circuits x shots."""
    return max(1, min(config.jobs.max_circuits_per_job, config.jobs.max_shots_per_job // shots))


def chunk_tag(run_id: str, index: int) -> str:
    """The job tag of chunk ``index`` of a run: finds a job whose id never reached us."""
    return f"{run_id}:{index}"


def submit_chunk(run: Callable[[], Any], service: Any, tag: str, config: HardwareConfig,
                 sleep: Sleep = time.sleep, check: Callable[[], None] | None = None,
                 known: Callable[[], set[str]] = set) -> Any:
    """Submit one job; after a failure, adopt a job the service accepted under ``tag``
    (the reply may be lost after the job was created) before trying again -- a blind retry
    would pay for the same circuits twice.  Only a job whose id is not in ``known()`` (the
    ledger's, strays included: a stray of the chunk, or another process's job) is
    adopted.  ``check()`` runs before every upload and adoption (the submitter's lease:
    it raises once another process owns the run)."""
    attempts = config.jobs.max_retries + 1
    for attempt in range(attempts):
        try:
            if check is not None:
                check()
            return run()
        except QwalkError:
            raise
        except Exception as exc:
            if is_permanent(exc):
                raise SubmissionRefused(
                    f"the service refused job {tag}: "
                    f"{scrub(type(exc).__name__ + ': ' + str(exc))[:300]}") from None
            lookup = getattr(service, "jobs", None)
            try:
                found = list(lookup(job_tags=[tag], limit=None)) if lookup is not None else []
                found = [j for j in found if str(j.job_id()) not in known()]
            except Exception:
                raise QwalkError(
                    f"submitting job {tag} failed ({scrub(type(exc).__name__)}) and the service "
                    "cannot say whether it was accepted; when it answers again, 'qwalk jobs "
                    f"fetch {tag.rsplit(':', 1)[0]} --resume' adopts it if it was, and submits "
                    "the rest") from None
            if found:
                if check is not None:
                    check()
                return found[0]
            if attempt == attempts - 1:
                raise QwalkError(f"submitting job {tag} failed {attempts} times: "
                                 f"{scrub(type(exc).__name__ + ': ' + str(exc))[:300]}"
                                 ) from None
            sleep(min(config.jobs.retry_backoff_s * 2.0 ** attempt, 60.0))
    raise AssertionError("unreachable")  # pragma: no mutate


def submit_ibm(run_id: str, ledger: Ledger, backend: Any, circuits: list[QuantumCircuit],
               config: HardwareConfig, shots: int, seed: int | None,
               plan: Mapping[int, list[int]], roles: list[str], sleep: Sleep = time.sleep,
               values: Sequence[np.ndarray | None] | None = None, service: Any = None) -> None:
    """Submit the ISA circuits to the real device in a Batch (its own, or a sweep's:
    ``shared_batch.one_batch``), job ``j`` holding circuits
    ``plan[j]``, each job id recorded before the next submission and before anything
    waits (``values[i]``: circuit i is a PUB with that parameter array).  With an owner,
    its lease is checked before every upload and in every job record: a job sent after
    the lease was lost is a stray (cancelled), and LeaseLost stops the submission."""
    pubs = pubs_of(circuits, values)
    service = service if service is not None else getattr(backend, "service", None)
    batch, owned = batch_for(backend, partial(
        with_retries, partial(open_batch, backend), config, sleep, "opening a batch"))
    check = partial(ledger.check_lease, run_id, config.jobs.lease_s)
    try:
        for idx, part in plan.items():
            tag = chunk_tag(run_id, idx)
            sampler = make_sampler(batch, config, shots, seed, [run_id, tag])
            for _ in range(2):  # a job another process recorded as a stray: not sent
                job = submit_chunk(partial(sampler.run, [pubs[i] for i in part]), service,
                                   tag, config, sleep, check, partial(ledger.job_ids, run_id))
                if record_job(run_id, ledger, job, idx, job_role(roles, part), part, config,
                              sleep) != "known-stray":
                    break
            else:
                raise QwalkError(f"run {run_id}: each job sent for chunk {idx} was recorded "
                                 "as a stray by another process (and cancelled); "
                                 f"'qwalk jobs fetch {run_id} --resume' sends it again")
    finally:
        close = getattr(batch, "close", None) if owned else None  # (a sweep's: at its end)
        if close is not None:
            with_retries(close, config, sleep, "closing the batch")


def record_job(run_id: str, ledger: Ledger, job: Any, idx: int, role: str, part: list[int],
               config: HardwareConfig, sleep: Sleep = time.sleep) -> str:
    """Record a job the service returned (or a resume found) for chunk ``idx``; returns
    :meth:`Ledger.add_job`'s verdict.  A job the run cannot use (its chunk has a job, this
    process lost the lease while it was on its way, or another process recorded it as a
    stray) is cancelled at once (noted when it had run: paid for twice); a lost lease
    then raises LeaseLost."""
    job_id = str(job.job_id())
    verdict = ledger.add_job(run_id, job_id, idx, role, part)
    if verdict in (*STRAY, "known-stray"):
        ledger.stray_stopped(run_id, job_id, idx, stop_job(job, config, sleep))
    if verdict == "unowned":
        raise ledger.lost(run_id)
    return verdict


def stop_job(remote: Any, config: HardwareConfig, sleep: Sleep = time.sleep) -> str:
    """Cancel a job on the service unless it is final; returns its status after that
    (``CANCELLED``, or the final status it had reached: ``DONE`` was paid for)."""
    status = status_name(with_retries(remote.status, config, sleep))
    if status in FINAL_JOB:
        return status
    try:
        remote.cancel()
    except Exception:  # it finished in the meantime (HTTP 409)
        return status_name(with_retries(remote.status, config, sleep))
    return "CANCELLED"


def poll(run_id: str, ledger: Ledger, config: HardwareConfig, cregs: list[str],
         service: Any = None, sleep: Sleep = time.sleep,
         members: Sequence[int | None] | None = None) -> dict[str, int]:
    """Update every unfinished job of the run once; fetch the counts of finished ones.

    Returns how many jobs are in each status.  A job that failed on the device
    is recorded as ERROR with its reason.  ``members[i]``: circuit i was a PUB with
    that many parameter sets (its result is a list of counts), None: a plain circuit.
    """
    jobs = ledger.jobs(run_id)
    todo = [j for j in jobs if j["result"] is None and j["status"] not in ("ERROR", "CANCELLED")]
    if todo:
        if not device_target(config).jobs_outlive_process:
            raise QwalkError(f"run {run_id}: its local fake-device jobs ended with the process "
                             "that submitted them; submit it again")
        service = service if service is not None else runtime_service(config)
    for job in todo:
        remote = with_retries(partial(service.job, job["job_id"]), config, sleep)
        status = status_name(with_retries(remote.status, config, sleep))
        if status == "DONE":
            result = with_retries(remote.result, config, sleep, "fetching a result")
            counts = [counts_of(result[k], cregs[i], None if members is None else members[i])
                      for k, i in enumerate(job["circuits"])]
            ledger.update_job(job["job_id"], "DONE", result=counts)  # the counts first
            usage = billed_seconds(remote, config, sleep)
            if usage is not None:
                ledger.update_job(job["job_id"], "DONE", usage_s=usage)
        elif status == "ERROR":
            reason = with_retries(getattr(remote, "error_message", lambda: None), config, sleep)
            ledger.update_job(job["job_id"], "ERROR", error=scrub(str(reason or "failed")))
        else:
            ledger.update_job(job["job_id"], status)
    if todo and all(j["result"] is not None for j in ledger.jobs(run_id)):
        sweep_duplicates(run_id, ledger, config, service, sleep)
    tally: dict[str, int] = {}
    for job in ledger.jobs(run_id):
        tally[job["status"]] = tally.get(job["status"], 0) + 1
    return tally


def sweep_duplicates(run_id: str, ledger: Ledger, config: HardwareConfig, service: Any,
                     sleep: Sleep = time.sleep) -> list[str]:
    """Once every job of the run has its result: find the jobs the service holds under
    the run's tag that the ledger lacks (a second job of a chunk, whose upload landed
    after a resume had submitted that chunk again and whose sender died), record them as
    duplicates, cancel them, and note them in the submission ('qwalk jobs status' shows
    it).  They are never merged into the results.  Returns their ids."""
    found = unrecorded_jobs(run_id, ledger, config, service, sleep, "duplicate")
    notes = []
    for job_id, remote in found:
        status = stop_job(remote, config, sleep)
        ledger.update_job(job_id, status)
        notes.append(f"{job_id} ({'paid for twice' if status == 'DONE' else status})")
    if notes:
        ledger.note(run_id, "a second job of a chunk was found and not used: "
                    + ", ".join(notes))
    return [job_id for job_id, _ in found]


def cancel(run_id: str, ledger: Ledger, config: HardwareConfig, service: Any = None,
           sleep: Sleep = time.sleep) -> int:
    """Cancel the run: mark it cancelled and take its lease away first (a process still
    submitting or resuming it stops at its next lease check, and cancels any job it
    sends after that), then cancel every unfinished job, recorded or not (one the ledger
    never heard of is found by the run's tag, and recorded); returns how many were
    cancelled.  A finished run ('done') is refused unchanged; a failed
    one stays 'failed' (its unfinished jobs are cancelled).  Cancelling again is
    harmless, and sweeps the run's tag again."""
    if ledger.take_for_cancel(run_id) in FINISHED:
        raise QwalkError(f"run {run_id} is finished ('done'): there is nothing to cancel, "
                         f"and it stays done; its results: 'qwalk jobs fetch {run_id}'")
    todo = [j["job_id"] for j in ledger.jobs(run_id, strays=True)
            if j["status"] not in FINAL_JOB]
    on_service = device_target(config).jobs_outlive_process  # (local jobs died with us)
    if not on_service:
        for job_id in todo:
            ledger.update_job(job_id, "CANCELLED")
        return len(todo)
    service = service if service is not None else runtime_service(config)
    plan: dict[int, list[int]] = {}  # (a job found by its chunk tag holds that chunk)
    for i, info in enumerate(ledger.submission(run_id)["circuits"]):
        if "job" in info:
            plan.setdefault(info["job"], []).append(i)
    remotes = dict(unrecorded_jobs(run_id, ledger, config, service, sleep, "unrecorded",
                                   plan))
    cancelled = 0
    for job_id in dict.fromkeys([*todo, *remotes]):
        remote = remotes.get(job_id) or with_retries(partial(service.job, job_id), config,
                                                     sleep)
        status = stop_job(remote, config, sleep)
        if status == "CANCELLED":
            ledger.update_job(job_id, "CANCELLED")
            cancelled += 1
    return cancelled


def unrecorded_jobs(run_id: str, ledger: Ledger, config: HardwareConfig, service: Any,
                    sleep: Sleep, role: str, plan: Mapping[int, list[int]] | None = None
                    ) -> list[tuple[str, Any]]:
    """The jobs the service holds under the run's tag that the ledger lacks, now recorded
    with ``role`` (job number from their chunk tag ``RUN_ID:i``, -1 if it has none; its
    circuits ``plan[i]``; a second job of a chunk is recorded as a duplicate): their
    (id, remote job)."""
    if getattr(service, "jobs", None) is None:
        return []
    known = {j["job_id"] for j in ledger.jobs(run_id, strays=True)}
    found = with_retries(partial(service.jobs, job_tags=[run_id], limit=None), config, sleep,
                         "looking up the run's jobs")
    out = []
    for remote in found:
        job_id = str(remote.job_id())
        if job_id in known:
            continue
        tags = remote.tags() if callable(getattr(remote, "tags", None)) else []
        numbers = [int(t.rsplit(":", 1)[1]) for t in tags
                   if t.startswith(f"{run_id}:") and t.rsplit(":", 1)[1].isdigit()]
        idx = numbers[0] if numbers else -1
        ledger.add_job(run_id, job_id, idx, role, list((plan or {}).get(idx, [])))
        out.append((job_id, remote))
    return out
