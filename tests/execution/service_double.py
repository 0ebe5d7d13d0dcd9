"""A test double of the IBM Quantum service's network boundary.

It replaces what crosses the network: ``QiskitRuntimeService`` (backend
lookup, ``job(job_id)``, ``backends()``), the ``Batch`` and the runtime
sampler's ``run`` (the upload).  Its "server" state lives in a folder, so a
job submitted by one process can be fetched by another, as on the real
service.  Jobs go QUEUED -> RUNNING -> DONE, one step per ``status()`` call,
unless the server's ``mode.json`` says otherwise:

- ``{"hold": true}``: jobs stay QUEUED (the device is busy);
- ``{"fail": "reason"}``: jobs end in ERROR with that reason;
- ``{"flaky": N}``: the first N calls of each kind raise ConnectionError.

The counts are computed at upload by an ideal Aer run of the ISA circuits
(the "device" is perfect), so results are checkable.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from qiskit_aer import AerSimulator

from qwalk_circuits.execution import devices, jobs, service

STEPS = ("QUEUED", "RUNNING", "DONE")


class Server:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def mode(self) -> dict[str, Any]:
        path = self.root / "mode.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def set_mode(self, **mode: Any) -> None:
        tmp = self.root / "mode.tmp"
        tmp.write_text(json.dumps(mode))
        tmp.replace(self.root / "mode.json")

    def flaky(self, what: str) -> None:
        limit = int(self.mode().get("flaky", 0))
        if limit == 0:
            return
        path = self.root / f"flaky_{what}"
        calls = int(path.read_text() or 0) if path.exists() else 0
        path.write_text(str(calls + 1))
        if calls < limit:
            raise ConnectionError(f"simulated network failure ({what})")

    def job_ids(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("job_*.json"))

    def load(self, job_id: str) -> dict[str, Any]:
        return json.loads((self.root / f"{job_id}.json").read_text())

    def save(self, job_id: str, state: dict[str, Any]) -> None:
        tmp = self.root / f"{job_id}.tmp"
        tmp.write_text(json.dumps(state))
        tmp.replace(self.root / f"{job_id}.json")


class RemoteJob:
    def __init__(self, server: Server, job_id: str) -> None:
        self.server, self._id = server, job_id

    def job_id(self) -> str:
        return self._id

    def status(self) -> str:
        self.server.flaky("status")
        state = self.server.load(self._id)
        mode = self.server.mode()
        if state["status"] in ("DONE", "ERROR", "CANCELLED") or mode.get("hold"):
            return str(state["status"])
        if mode.get("fail"):
            state["status"], state["error"] = "ERROR", mode["fail"]
        else:
            state["status"] = STEPS[STEPS.index(state["status"]) + 1]
        self.server.save(self._id, state)
        return str(state["status"])

    def error_message(self) -> str | None:
        return self.server.load(self._id).get("error")

    def result(self) -> list[Any]:
        self.server.flaky("result")
        state = self.server.load(self._id)
        if state["status"] != "DONE":
            raise RuntimeError("job not done")
        return [SimpleNamespace(data=SimpleNamespace(**{
            creg: SimpleNamespace(get_int_counts=lambda c=counts: {int(k): v
                                                                   for k, v in c.items()})}))
            for creg, counts in state["counts"]]

    def cancel(self) -> None:
        state = self.server.load(self._id)
        if state["status"] in ("DONE", "ERROR", "CANCELLED"):  # as the real service: HTTP 409
            raise RuntimeError(f"job {self._id} is in a final state ({state['status']})")
        state["status"] = "CANCELLED"
        self.server.save(self._id, state)


class Service:
    """Stands in for QiskitRuntimeService."""

    def __init__(self, server: Server, **kwargs: Any) -> None:
        self.server, self.kwargs = server, kwargs

    def backend(self, name: str, use_fractional_gates: bool = False) -> Any:
        self.server.flaky("backend")
        return devices.fake_backend(devices.twin_of(name))

    def backends(self) -> list[Any]:
        return [SimpleNamespace(name="ibm_fez", num_qubits=156,
                                status=lambda: SimpleNamespace(pending_jobs=3))]

    def jobs(self, job_tags: list[str] | None = None, limit: int = 10) -> list[RemoteJob]:
        """Jobs carrying every tag in ``job_tags`` (QiskitRuntimeService.jobs)."""
        found = [RemoteJob(self.server, job_id) for job_id in self.server.job_ids()
                 if set(job_tags or []) <= set(self.server.load(job_id).get("tags", []))]
        return found[:limit]

    def job(self, job_id: str) -> RemoteJob:
        if not (self.server.root / f"{job_id}.json").exists():
            raise KeyError(f"job {job_id} not found")
        return RemoteJob(self.server, job_id)


class Sampler:
    """Stands in for the runtime sampler in batch mode: ``run`` uploads a job."""

    def __init__(self, server: Server, shots: int, seed: int | None, tags: list[str]) -> None:
        self.server, self.shots, self.seed, self.tags = server, shots, seed, tags

    def run(self, pubs: list[Any]) -> RemoteJob:
        self.server.flaky("submit")
        result = AerSimulator().run(list(pubs), shots=self.shots, seed_simulator=self.seed
                                    ).result()
        counts = []
        for i, circuit in enumerate(pubs):
            raw = result.get_counts(i)
            counts.append((circuit.cregs[0].name,
                           {str(int(k.replace(" ", ""), 2)): v for k, v in raw.items()}))
        job_id = "job_" + uuid.uuid4().hex[:12]
        self.server.save(job_id, {"status": "QUEUED", "counts": counts, "tags": self.tags})
        lost = self.server.root / "lost_replies"
        if self.server.mode().get("lose_replies") and not lost.exists():
            lost.write_text("1")  # the job exists on the server, but its reply is lost once
            raise ConnectionError("simulated read timeout after the job was created")
        return RemoteJob(self.server, job_id)


class Batch:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def install(root: str | Path, monkeypatch: Any = None) -> Server:
    """Route qwalk's service, batch and sampler to the double (monkeypatch or for good)."""
    server = Server(Path(root))
    patches = [
        (jobs, "open_batch", lambda backend: Batch()),
        (jobs, "make_sampler",
         lambda mode, config, shots, seed, tags: Sampler(server, shots, seed, tags)
         if isinstance(mode, Batch) else devices.make_sampler(mode, config, shots, seed, tags)),
    ]
    for module, name, value in patches:
        if monkeypatch is not None:
            monkeypatch.setattr(module, name, value)
        else:
            setattr(module, name, value)
    def factory(**kwargs: Any) -> Service:
        return Service(server, **kwargs)

    if monkeypatch is not None:
        monkeypatch.setattr(service, "_factory", factory)
    else:
        service.set_service_factory(factory)
    return server


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
max_circuits_per_job = 2
poll_interval_s = 0.01
max_retries = 3
retry_backoff_s = 0.01
"""


def ibm_config(folder: Path) -> Path:
    path = Path(folder) / "ibm_double.toml"
    path.write_text(IBM_CONFIG)
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
