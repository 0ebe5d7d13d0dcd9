"""A test double of the IBM Quantum service: only the network boundary is replaced.

What is replaced:

- ``QiskitRuntimeService`` (:class:`Service`): backend lookup (a fresh fake twin of
  the named device, carrying the ``service`` and ``_instance`` an ``IBMBackend``
  has), ``backends()``, ``jobs(job_tags=...)``, ``job(job_id)`` and ``_run``, the
  upload a primitive's job ends in;
- the ``Batch``'s service: qwalk's ``jobs.open_batch`` still opens a real
  ``qiskit_ibm_runtime.Batch``, whose service is then set to the double (a real
  ``Batch`` takes the real service only through an ``IBMBackend``).

What runs for real: qwalk's ``make_sampler`` builds the runtime's client-side
``executor_sampler.Sampler``; its ``run`` coerces the PUBs, validates the options,
applies dynamical decoupling and twirling boxes (``prepare``) and the ``Executor``
encodes the program with the runtime's v2.0 params converter, then calls
``Batch._run`` -> ``Service._run``.  The double's ``_run`` decodes the upload with
the same converter after a JSON round trip (the payload serialises) and runs each
``CircuitItem`` on an ideal ``AerSimulator`` (the "device" is perfect, so results
are checkable); a ``SamplexItem`` (twirling on) is recorded, then refused.  Results
are real ``PrimitiveResult`` / ``SamplerPubResult`` / ``BitArray`` containers.

The "server" state lives in a folder, so a job submitted by one process can be
fetched by another, as on the real service.  Jobs go QUEUED -> RUNNING -> DONE,
one step per ``status()`` call, unless the server's ``mode.json`` says otherwise:

- ``{"hold": true}``: jobs stay QUEUED (the device is busy);
- ``{"fail": "reason"}``: jobs end in ERROR with that reason;
- ``{"flaky": N}``: the first N calls of each kind (backend, submit, status,
  result) raise ConnectionError;
- ``{"lose_replies": true}``: the first upload creates its job, then its reply is lost;
- ``{"crash_after": N}``: the upload that creates job N + 1 raises KeyboardInterrupt
  (the submitting process dies after the service accepted that job);
- ``{"gate": N}``: an upload made while the server holds N or more jobs stalls (it writes
  the file ``gated``, holding the uploader's pid) until the file ``release`` appears,
  ``stall_s`` seconds pass (when given) or ``gate`` leaves the mode; then it creates its
  job -- or, with ``"drop_gated": true`` in the mode by then, fails with ConnectionError
  and creates none (the stalled request never reached the service).  With
  ``"gate_when": "after"`` it stalls after creating its job instead (the reply is late);
- ``{"stall_s": S}`` alone: every upload takes S seconds before it creates its job.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import BitArray, DataBin, PrimitiveResult, SamplerPubResult
from qiskit_aer import AerSimulator
from qiskit_ibm_runtime.quantum_program.params_converters import (
    QUANTUM_PROGRAM_PARAMS_CONVERTERS,
)
from samplomatic.quantum_program import CircuitItem, SamplexItem

from qwalk_circuits.execution import devices, jobs, service

STEPS = ("QUEUED", "RUNNING", "DONE")
USAGE_PER_ITEM_S = 0.75    # the QPU seconds the double bills per PUB of a finished job
FINAL = ("DONE", "ERROR", "CANCELLED")
SCHEMA = "v2.0"            # the executor params version qiskit-ibm-runtime 0.51 uploads
REAL_OPEN_BATCH = jobs.open_batch


class Server:
    """The service's state in a folder: jobs, uploads and failure modes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.programs: list[Any] = []  # decoded QuantumPrograms uploaded in this process

    def mode(self) -> dict[str, Any]:
        path = self.root / "mode.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def set_mode(self, **mode: Any) -> None:
        tmp = self.root / "mode.tmp"
        tmp.write_text(json.dumps(mode))
        tmp.replace(self.root / "mode.json")

    def flaky(self, what: str) -> None:
        """Raise ConnectionError for the first ``flaky`` calls of kind ``what``."""
        limit = int(self.mode().get("flaky", 0))
        if limit == 0:
            return
        path = self.root / f"flaky_{what}"
        calls = int(path.read_text() or 0) if path.exists() else 0
        path.write_text(str(calls + 1))
        if calls < limit:
            raise ConnectionError(f"simulated network failure ({what})")

    def stall(self, when: str) -> None:
        """An upload's stall at ``when`` ('before' or 'after' it creates its job), as the
        mode's ``gate`` / ``stall_s`` say (see the module docstring)."""
        mode = self.mode()
        if "gate" not in mode:
            if when == "before" and mode.get("stall_s"):
                time.sleep(float(mode["stall_s"]))
            return
        if mode.get("gate_when", "before") != when or len(self.job_ids()) < mode["gate"] + (
                when == "after"):
            return
        (self.root / "gated").write_text(str(os.getpid()))
        deadline = time.monotonic() + float(mode.get("stall_s", 1e9))
        while ("gate" in self.mode() and not (self.root / "release").exists()
               and time.monotonic() < deadline):
            time.sleep(0.02)
        if self.mode().get("drop_gated"):
            raise ConnectionError("simulated: the stalled upload never reached the service")

    def uploaded(self) -> int:
        """How many jobs the service has received (every process's uploads)."""
        return len(self.job_ids())

    def statuses(self) -> list[str]:
        """The status of every job the service holds, as it holds it (no step taken)."""
        return sorted(self.load(job_id)["status"] for job_id in self.job_ids())

    def job_ids(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("job_*.json"))

    def load(self, job_id: str) -> dict[str, Any]:
        return json.loads((self.root / f"{job_id}.json").read_text())

    def save(self, job_id: str, state: dict[str, Any]) -> None:
        tmp = self.root / f"{job_id}.tmp"
        tmp.write_text(json.dumps(state))
        tmp.replace(self.root / f"{job_id}.json")

    def record_upload(self, record: dict[str, Any]) -> None:
        with (self.root / "uploads.jsonl").open("a") as stream:
            stream.write(json.dumps(record) + "\n")

    def upload_records(self) -> list[dict[str, Any]]:
        """Every upload: job id (None: refused), item kinds and shapes, tags, shots."""
        path = self.root / "uploads.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line]

    def uploads(self) -> list[list[tuple[int, ...] | None]]:
        """Per upload, per item: its parameter array's shape, or None for a plain circuit."""
        return [[None if s is None else tuple(s) for s in r["shapes"]]
                for r in self.upload_records()]


class RemoteJob:
    """Stands in for RuntimeJobV2."""

    def __init__(self, server: Server, job_id: str) -> None:
        self.server, self._id = server, job_id

    def job_id(self) -> str:
        return self._id

    def status(self) -> str:
        """One step QUEUED -> RUNNING -> DONE per call (or as ``mode.json`` says)."""
        self.server.flaky("status")
        state = self.server.load(self._id)
        mode = self.server.mode()
        if state["status"] in FINAL or mode.get("hold"):
            return str(state["status"])
        if mode.get("fail"):
            state["status"], state["error"] = "ERROR", mode["fail"]
        else:
            state["status"] = STEPS[STEPS.index(state["status"]) + 1]
        self.server.save(self._id, state)
        return str(state["status"])

    def tags(self) -> list[str]:
        """The job's tags (RuntimeJobV2.tags)."""
        return list(self.server.load(self._id).get("tags", []))

    def error_message(self) -> str | None:
        return self.server.load(self._id).get("error")

    def result(self) -> PrimitiveResult:
        """The sampler's result: one SamplerPubResult per PUB, a BitArray per register."""
        self.server.flaky("result")
        state = self.server.load(self._id)
        if state["status"] != "DONE":
            raise RuntimeError("job not done")
        return PrimitiveResult([pub_result(item) for item in state["items"]],
                               metadata={"version": 2})

    def usage(self) -> float | None:
        """QPU seconds billed (RuntimeJobV2.usage()): here :data:`USAGE_PER_ITEM_S` per PUB
        of a finished job (the mode's ``usage_fails`` makes the lookup fail)."""
        if self.server.mode().get("usage_fails"):
            raise ValueError("simulated: the job's metrics are not available")
        state = self.server.load(self._id)
        return USAGE_PER_ITEM_S * len(state["items"]) if state["status"] == "DONE" else None

    def cancel(self) -> None:
        state = self.server.load(self._id)
        if state["status"] in FINAL:  # as the real service: HTTP 409
            raise RuntimeError(f"job {self._id} is in a final state ({state['status']})")
        state["status"] = "CANCELLED"
        self.server.save(self._id, state)


def pub_result(item: dict[str, Any]) -> SamplerPubResult:
    """A stored item's SamplerPubResult: BitArrays of the item's shape per register."""
    shape = tuple(item["shape"])
    data = {}
    for creg, num_bits in item["cregs"]:
        rows = [BitArray.from_samples(samples, num_bits).array
                for samples in item["samples"][creg]]
        array = np.stack(rows).reshape(shape + rows[0].shape)
        data[creg] = BitArray(array, num_bits)
    return SamplerPubResult(DataBin(**data, shape=shape),
                            metadata={"circuit_metadata": item["metadata"]})


class Service:
    """Stands in for QiskitRuntimeService (its ``_run`` is the upload)."""

    is_local = False

    def __init__(self, server: Server, **kwargs: Any) -> None:
        self.server, self.kwargs = server, kwargs

    def backend(self, name: str, use_fractional_gates: bool = False) -> Any:
        """A fresh fake twin of device ``name``, with what an IBMBackend carries."""
        self.server.flaky("backend")
        backend = type(devices.fake_backend(devices.twin_of(name)))()
        backend.service = self
        backend._instance = self.kwargs.get("instance")
        return backend

    def backends(self) -> list[Any]:
        return [SimpleNamespace(name="ibm_fez", num_qubits=156,
                                status=lambda: SimpleNamespace(pending_jobs=3))]

    def jobs(self, job_tags: list[str] | None = None, limit: int | None = 10
             ) -> list[RemoteJob]:
        """Jobs carrying every tag in ``job_tags`` (QiskitRuntimeService.jobs)."""
        found = [RemoteJob(self.server, job_id) for job_id in self.server.job_ids()
                 if set(job_tags or []) <= set(self.server.load(job_id).get("tags", []))]
        return found[:limit]

    def job(self, job_id: str) -> RemoteJob:
        if not (self.server.root / f"{job_id}.json").exists():
            raise KeyError(f"job {job_id} not found")
        return RemoteJob(self.server, job_id)

    def _run(self, program_id: str, inputs: dict[str, Any], options: dict[str, Any],
             calibration_id: str | None = None, dry_run: bool = False) -> RemoteJob:
        """The upload: decode the executor program, run it on ideal Aer, store a job."""
        self.server.flaky("submit")
        self.server.stall("before")
        assert program_id == "executor", f"the double runs executor programs, not {program_id}"
        assert not dry_run, "the double does not do dry runs"
        converter = QUANTUM_PROGRAM_PARAMS_CONVERTERS[SCHEMA]
        params = converter.model.model_validate(json.loads(json.dumps(inputs)))
        program, _ = converter.decoder(params)
        self.server.programs.append(program)
        tags = list(options.get("job_tags") or [])
        record = {"job_id": None, "kinds": [type(i).__name__ for i in program.items],
                  "shapes": [arguments_shape(i) for i in program.items], "tags": tags,
                  "shots": program.shots}
        refused = [type(i).__name__ for i in program.items if not isinstance(i, CircuitItem)]
        if refused:
            self.server.record_upload(record)
            raise NotImplementedError(
                f"the service double simulates untwirled programs only (CircuitItems), not "
                f"{refused[0]}: the test configs do not twirl")
        seed = len(self.server.job_ids())  # deterministic: the n-th job of a fresh server
        metadata = program.passthrough_data.get("post_processor", {}).get(
            "circuits_metadata", [{}] * len(program.items))
        items = simulate(program.items, program.shots, seed)
        for item, meta in zip(items, metadata, strict=True):
            item["metadata"] = meta
        job_id = "job_" + uuid.uuid4().hex[:12]
        self.server.save(job_id, {"status": "QUEUED", "items": items, "tags": tags})
        self.server.record_upload({**record, "job_id": job_id})
        self.server.stall("after")
        crash_after = self.server.mode().get("crash_after")
        if crash_after is not None and len(self.server.job_ids()) > crash_after:
            # the process dies while this job's reply is on its way: the service has the job
            raise KeyboardInterrupt("simulated crash during submission")
        lost = self.server.root / "lost_replies"
        if self.server.mode().get("lose_replies") and not lost.exists():
            lost.write_text("1")  # the job exists on the server, but its reply is lost once
            raise ConnectionError("simulated read timeout after the job was created")
        return RemoteJob(self.server, job_id)


def arguments_shape(item: Any) -> list[int] | None:
    """The shape of an item's parameter array (None: a circuit without parameters)."""
    if isinstance(item, SamplexItem):
        values = item.samplex_arguments.get("parameter_values")
        return None if values is None else list(np.shape(values))
    if item.circuit.num_parameters == 0:
        return None
    return list(item.circuit_arguments.shape)


def simulate(items: list[CircuitItem], shots: int, seed: int) -> list[dict[str, Any]]:
    """Per item: its registers, shape and per-shot samples of each register (one
    list of samples per parameter row), from one ideal Aer run with memory."""
    bound: list[QuantumCircuit] = []
    shapes = []
    for item in items:
        arguments = np.asarray(item.circuit_arguments, dtype=float)
        shape, parameters = arguments.shape[:-1], item.circuit.num_parameters
        size = int(np.prod(shape))
        bound += ([item.circuit.assign_parameters(row)
                   for row in arguments.reshape(size, parameters)] if parameters
                  else [item.circuit] * size)
        shapes.append(shape)
    result = AerSimulator().run(bound, shots=shots, seed_simulator=seed, memory=True).result()
    out, k = [], 0
    for item, shape in zip(items, shapes, strict=True):
        circuit = item.circuit
        size = int(np.prod(shape))
        memories = [result.get_memory(k + r) for r in range(size)]
        k += size
        samples = {creg.name: [[register_value(m, circuit, creg) for m in memory]
                               for memory in memories] for creg in circuit.cregs}
        out.append({"shape": list(shape), "samples": samples,
                    "cregs": [[creg.name, creg.size] for creg in circuit.cregs]})
    return out


def register_value(memory: str, circuit: QuantumCircuit, creg: Any) -> int:
    """The integer a register reads in one shot's memory string (clbit 0 rightmost)."""
    bits = memory.replace(" ", "")[::-1]
    return sum(int(bits[circuit.find_bit(clbit).index]) << j for j, clbit in enumerate(creg))


def open_batch(backend: Any) -> Any:
    """qwalk's real ``open_batch``, then the double's service behind the real Batch."""
    batch = REAL_OPEN_BATCH(backend)
    if isinstance(getattr(backend, "service", None), Service):
        batch._service = backend.service
    return batch


def install(root: str | Path, monkeypatch: Any = None) -> Server:
    """Route qwalk's service (and its batches' uploads) to a double with state in ``root``
    (through ``monkeypatch``, or for good: :func:`uninstall` undoes it)."""
    server = Server(Path(root))

    def factory(**kwargs: Any) -> Service:
        return Service(server, **kwargs)

    if monkeypatch is not None:
        monkeypatch.setattr(jobs, "open_batch", open_batch)
        monkeypatch.setattr(service, "_factory", factory)
    else:
        jobs.open_batch = open_batch
        service.set_service_factory(factory)
    return server


def uninstall() -> None:
    """Undo an ``install`` made without monkeypatch."""
    jobs.open_batch = REAL_OPEN_BATCH
    service.set_service_factory(None)


IBM_CONFIG = """
description = "test: a real device behind the service double"
[backend]
kind = "ibm"
device = "ibm_manila"            # its fake twin fake_manila is small: fast tests
[run]
shots = 200
seed = 5
optimization_level = 1
readout_mitigation = true
[jobs]
max_circuits_per_job = 4
poll_interval_s = 0.01
max_retries = 3
retry_backoff_s = 0.01
"""


def ibm_config(folder: Path, lease_s: float | None = None) -> Path:
    """``IBM_CONFIG`` written to ``folder`` (with ``[jobs] lease_s`` when given)."""
    path = Path(folder) / "ibm_double.toml"
    path.write_text(IBM_CONFIG + ("" if lease_s is None else f"lease_s = {lease_s}\n"))
    return path


ROOT = Path(__file__).resolve().parents[2]


def kill_child_once_submitted(code: str, args: list[str], store_path: Path, errors: Path,
                              timeout: float) -> None:
    """Run ``code`` in a child process and SIGKILL it as soon as its run is recorded as
    submitted in the ledger at ``store_path`` (the crash between submission and result)."""
    with errors.open("wb") as stream:
        child = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=stream)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if store_path.exists():
                with sqlite3.connect(store_path) as db:
                    try:
                        rows = db.execute("SELECT status FROM submissions").fetchall()
                    except sqlite3.OperationalError:
                        rows = []
                if rows and rows[0][0] == "submitted":
                    return
            assert child.poll() is None, errors.read_text()
            time.sleep(0.1)
        raise AssertionError("the child never submitted")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()


def fetched(run_id: str, store: Any, tries: int = 50) -> Any:
    """``pipeline.fetch`` until the double's jobs have finished (each fetch steps them):
    the run's record; fails the test after ``tries`` fetches."""
    from qwalk_circuits.pipeline import fetch

    for _ in range(tries):
        record = fetch(run_id, store)
        if record is not None:
            return record
    raise AssertionError(f"run {run_id} not finished after {tries} fetches")
