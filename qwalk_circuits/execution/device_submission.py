"""Device submissions: pack an experiment's ISA circuits (or an ensemble's PUBs) into jobs
with their readout calibrations, write the ledger, submit, and resume a submission that
was interrupted before every job reached the ledger.

Ensemble experiments send each time's template once, transpiled with its parameters, as
PUBs ``(circuit, values)`` with one parameter set per member, split only where the job
limits demand it.  With readout mitigation every job carries the calibration circuits of
the qubits it measures.  The experiment is read through its hooks only (``circuits``,
``templates``, ``template_values``, ``is_ensemble``); the pipeline has already adapted it
to the device (noise-model physics as phase-kick trajectories).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from ..core.errors import QwalkError
from .config import HardwareConfig, parse_config
from .devices import device_backend, expand
from .ensemble import parameter_columns
from .jobs import (
    SubmissionRefused,
    chunk_tag,
    job_role,
    record_job,
    submit_ibm,
    with_retries,
)
from .lease import LeaseKeeper, new_owner, owner_is_dead
from .ledger import LeaseLost, Ledger
from .mitigation import calibration_circuits
from .qpy_text import from_qpy_text
from .runner import aer_device_options
from .service import runtime_service, scrub
from .store import ResultStore, new_run_id
from .store_open import TIMEOUT_ENV, store_timeout
from .submission_build import (
    CALIBRATION_CIRCUITS,
    BuiltSubmission,
    build_submission,
    job_capacity,
    members_per_pub,
    plan_with_calibration,
)
from .targets import DeviceTarget, device_target

__all__ = ["CALIBRATION_CIRCUITS", "BuiltSubmission", "build_submission", "job_capacity",
           "members_per_pub", "plan_with_calibration"]

#: the longest lease a submitter may hold (a day): a killed submitter's run waits that
#: long before another host may resume it; far longer ones overflow the lease's time
MAX_LEASE_S = 86400.0


def check_lease_period(config: HardwareConfig, store: ResultStore | None) -> None:
    """Refuse a ``[jobs] lease_s`` the lease cannot keep, before anything is sent: over
    :data:`MAX_LEASE_S`, or so short that a renewal (a third of the lease after the last)
    waiting the store's whole lock timeout would land after the lease ended -- a live
    submitter would lose its run to a resume.  ``store`` None (a dry run, which opens no
    store): the lock timeout a store would get (``QWALK_STORE_TIMEOUT_S``)."""
    lease = config.jobs.lease_s
    wait = store.timeout_s if store is not None else store_timeout()
    if not lease <= MAX_LEASE_S:
        raise QwalkError(f"[jobs] lease_s = {lease:g} s is too long: give at most "
                         f"{MAX_LEASE_S:g} s (a day); a killed submitter's run waits that "
                         "long before another host may resume it")
    if lease < 1.5 * wait:
        raise QwalkError(f"[jobs] lease_s = {lease:g} s is too short for the {wait:g} s a "
                         f"renewal may wait for a locked result store ({TIMEOUT_ENV}): give "
                         f"lease_s >= {1.5 * wait:g} s, or lower {TIMEOUT_ENV}")


def check_emulation_device(config: HardwareConfig, target: DeviceTarget) -> None:
    """A device simulated here (a fake one) or compared with an emulation here needs the
    Aer device its config names (``aer_device``): refused before anything is built, written
    or sent, rather than at the first emulator (fake) or at the analysis (a real device,
    after its QPU time is spent)."""
    if config.backend.aer_device != "CPU" and (target.simulates_locally
                                               or target.compares_emulation):
        aer_device_options(config.backend.aer_device)


def submit_experiment(experiment: Any, config: HardwareConfig, shots: int,
                      seed: int | None, store: ResultStore, service: Any = None,
                      target: DeviceTarget | None = None) -> str:
    """Build the submission (:func:`build_submission`), write the ledger entry, submit;
    returns the run id (nothing waits)."""
    check_lease_period(config, store)
    target = target if target is not None else device_target(config, service)
    check_emulation_device(config, target)
    built = build_submission(experiment, config, shots, target)
    run_id = new_run_id()
    ledger = Ledger(store, new_owner())
    ledger.create(run_id, experiment.name, experiment.spec.as_json(), config.summary(),
                  config.backend.device or "", shots, seed, built.infos, config.jobs.lease_s)
    roles = [info["role"] for info in built.infos]
    submit = partial(target.submit_jobs, run_id, ledger, built.submitted, built.physical,
                     shots, seed, built.plan, roles, built.values)
    owned_submission(run_id, ledger, config, submit)
    return run_id


def owned_submission(run_id: str, ledger: Ledger, config: HardwareConfig,
                     submit: Callable[[], Any]) -> Any:
    """``submit()`` while ``ledger.owner`` holds the run's lease (renewed in the
    background), then the run marked 'submitted' and the lease given back; an
    interruption is recorded.  Raises LeaseLost when another process took the run over
    or cancelled it (that process's record stands)."""
    try:
        with LeaseKeeper(ledger, run_id, config.jobs.lease_s):
            out = submit()
    except LeaseLost:
        raise
    except BaseException as exc:
        record_interruption(ledger, run_id, config, exc)
        raise
    if not ledger.release(run_id, "submitted"):
        raise ledger.lost(run_id)
    return out


def record_interruption(ledger: Ledger, run_id: str, config: HardwareConfig,
                        exc: BaseException) -> None:
    """Record why a submission stopped (if this process still owns it).  On a real
    device a job may have been accepted whose id never reached us, so the run stays
    resumable ('interrupted': 'qwalk jobs fetch RUN_ID --resume' finds it by its tag) --
    unless the service refused the payload before any job was recorded; local fake-device
    jobs died with us (recorded or not), so such a run is 'failed'."""
    recorded = bool(ledger.jobs(run_id))
    refused = isinstance(exc, SubmissionRefused)
    resumable = device_target(config).jobs_outlive_process and (recorded or not refused)
    ledger.release(run_id, "interrupted" if resumable else "failed",
                   f"submission interrupted: {scrub(type(exc).__name__ + ': ' + str(exc))}"
                   [:300])
    if isinstance(exc, KeyboardInterrupt):  # the CLI prints the note on its one line
        exc.add_note(f"run {run_id} can be resumed: 'qwalk jobs fetch {run_id} --resume'"
                     if resumable else
                     f"run {run_id} cannot be resumed (its local fake-device jobs ended "
                     "with this process): run it again")


def stored_config(sub: dict[str, Any]) -> HardwareConfig:
    """The hardware config a submission was made with (as the ledger holds it)."""
    return parse_config({k: v for k, v in sub["config"].items() if k != "name"},
                        sub["config"]["name"], "stored config")


def stored_circuits(infos: list[dict[str, Any]], width: int
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
        circuit = expand(from_qpy_text(info["qpy"]), info["physical"], width)
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

    The run is taken over atomically, and only when it is free: 'interrupted', or
    'submitting' with its submitter's lease lapsed (``[jobs] lease_s`` without renewal:
    the process was killed, stopped or asleep) or its submitter dead (on this host).  A
    live submitter's run is never taken; ``force`` waits up to 1.5 lease periods for the
    lease to lapse instead of refusing at once.  The resume then holds the lease itself."""
    ledger = Ledger(store, new_owner())
    sub = ledger.submission(run_id)
    if sub["status"] not in ("interrupted", "submitting"):
        raise QwalkError(f"run {run_id} is '{sub['status']}': there is no interrupted "
                         f"submission to resume ('qwalk jobs fetch {run_id}' without "
                         "--resume)")
    config = stored_config(sub)
    check_lease_period(config, store)
    if not device_target(config).jobs_outlive_process:
        raise QwalkError(f"run {run_id} ran on the fake device {sub['device']}, whose local "
                         "jobs ended with the process that submitted them: submit it again")
    if any("job" not in info for info in sub["circuits"]):
        raise QwalkError(OLD_LEDGER.format(run_id=run_id))
    take_over(run_id, ledger, config.jobs.lease_s, force)
    sub = ledger.submission(run_id)
    return int(owned_submission(run_id, ledger, config, partial(
        complete_submission, run_id, ledger, sub, config, service)))


def take_over(run_id: str, ledger: Ledger, lease_s: float, wait: bool) -> None:
    """Claim the run for ``ledger.owner`` if it is free (see :func:`resume_submission`);
    with ``wait``, try for 1.5 lease periods (a stopped owner's lapses within one).
    Raises when it is not free."""
    deadline = time.monotonic() + (lease_s * 1.5 if wait else 0.0)
    while True:
        sub = ledger.submission(run_id)
        if sub["status"] not in ("interrupted", "submitting"):
            raise QwalkError(f"run {run_id} became '{sub['status']}' while resuming it: "
                             "another process completed or cancelled its submission")
        legacy = (sub["updated_at"] if sub["owner"] is None and
                  _age(sub["updated_at"]) > lease_s else None)
        if ledger.claim(run_id, lease_s, sub["owner"] if owner_is_dead(sub["owner"])
                        else None, legacy):
            return
        if time.monotonic() >= deadline:
            break
        time.sleep(min(lease_s / 10, 1.0))
    host_pid = ":".join(str(sub["owner"] or "?:?").split(":")[:2])
    raise QwalkError(
        f"run {run_id} is still being submitted by a live process ({host_pid}; its lease "
        f"runs until {str(sub['lease_until'] or '?')[:19]} UTC and is renewed while it "
        f"works): wait for it, or stop it; a stopped or killed submitter's run can be "
        f"resumed once its lease lapses ([jobs] lease_s = {lease_s:g} s)"
        + ("" if wait else ", which --force waits for"))


def _age(stamp: str) -> float:
    """Seconds since the ISO time ``stamp``."""
    return (datetime.now(UTC) - datetime.fromisoformat(stamp)).total_seconds()


OLD_LEDGER = ("run {run_id} was submitted by an older qwalk that did not record its job plan, "
               "so it cannot adopt its jobs: find them with QiskitRuntimeService().jobs("
               "job_tags=['{run_id}']), cancel or keep them, then 'qwalk submit' the "
               "experiment again")


def complete_submission(run_id: str, ledger: Ledger, sub: dict[str, Any],
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
                                         limit=None), config, what="looking up the run's jobs"))

    if recorded:
        # a job the ledger holds must show under its tag, or this account/instance cannot
        # see the run's jobs and every lookup below would wrongly say "never received"
        job, job_id = next(iter(recorded.items()))
        if job_id not in [str(j.job_id()) for j in tagged(job)]:
            raise QwalkError(f"run {run_id}: the service does not list its job {job_id} "
                             f"under the tag {chunk_tag(run_id, job)}; resume with the account "
                             "and instance that submitted it (the config's [ibm] section)")
    unsent: dict[int, list[int]] = {}
    for job, part in plan.items():
        if job in recorded:
            continue
        ledger.check_lease(run_id, config.jobs.lease_s)
        # adopt the chunk's job (a second one is a duplicate: cancelled); one recorded as a
        # stray (its sender had lost the lease) does not count, and the chunk is sent again
        verdicts = [record_job(run_id, ledger, found, job, job_role(roles, part), part,
                               config) for found in tagged(job)]
        if all(verdict == "known-stray" for verdict in verdicts):
            unsent[job] = part
    if unsent:
        backend = with_retries(lambda: device_backend(config, service), config,
                               what="looking up the device")
        circuits, values = stored_circuits(infos, backend.num_qubits)
        submit_ibm(run_id, ledger, backend, circuits, config, int(sub["shots"]), sub["seed"],
                   unsent, roles, values=values, service=service)
    return len(unsent)
