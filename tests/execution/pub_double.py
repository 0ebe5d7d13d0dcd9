"""The IBM service double of ``service_double``, extended to Sampler V2 PUBs with
parameter arrays: ``(circuit, values)`` uploads one circuit and a (members,
parameters) array; its result holds one BitArray-like entry per member
(``get_int_counts(loc=r)``), as the runtime's does.  The "device" is ideal Aer.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np
from qiskit_aer import AerSimulator

from qwalk_circuits.execution import devices, jobs, service

from . import service_double


def _int_counts(raw: dict[str, int]) -> dict[str, int]:
    return {str(int(k.replace(" ", ""), 2)): v for k, v in raw.items()}


class Bits:
    def __init__(self, counts: Any) -> None:
        self.counts = counts

    def get_int_counts(self, loc: int | None = None) -> dict[int, int]:
        if isinstance(self.counts, list):
            if loc is None:
                raise ValueError("an array PUB's counts need loc=")
            chosen = self.counts[loc]
        else:
            if loc is not None:
                raise IndexError("a plain PUB has no loc")
            chosen = self.counts
        return {int(k): v for k, v in chosen.items()}


class RemoteJob(service_double.RemoteJob):
    def result(self) -> list[Any]:
        self.server.flaky("result")
        state = self.server.load(self._id)
        if state["status"] != "DONE":
            raise RuntimeError("job not done")
        return [SimpleNamespace(data=SimpleNamespace(**{creg: Bits(counts)}))
                for creg, counts in state["counts"]]


class Service(service_double.Service):
    def job(self, job_id: str) -> RemoteJob:
        if not (self.server.root / f"{job_id}.json").exists():
            raise KeyError(f"job {job_id} not found")
        return RemoteJob(self.server, job_id)


class Sampler(service_double.Sampler):
    """``run`` uploads circuits and (circuit, values) PUBs; records the PUB shapes."""

    uploads: ClassVar[list[list[Any]]] = []

    def run(self, pubs: list[Any]) -> RemoteJob:
        self.server.flaky("submit")
        counts: list[Any] = []
        shapes = []
        for pub in pubs:
            circuit, values = (pub, None) if not isinstance(pub, tuple) else pub
            creg = circuit.cregs[0].name
            if values is None:
                raw = AerSimulator().run(circuit, shots=self.shots,
                                         seed_simulator=self.seed).result().get_counts()
                counts.append((creg, _int_counts(raw)))
                shapes.append(None)
                continue
            values = np.asarray(values)
            assert values.shape == (len(values), circuit.num_parameters)
            bound = [circuit.assign_parameters(row) for row in values]
            result = AerSimulator().run(bound, shots=self.shots,
                                        seed_simulator=self.seed).result()
            counts.append((creg, [_int_counts(result.get_counts(r))
                                  for r in range(len(bound))]))
            shapes.append(values.shape)
        Sampler.uploads.append(shapes)
        job_id = "job_" + uuid.uuid4().hex[:12]
        self.server.save(job_id, {"status": "QUEUED", "counts": counts, "tags": self.tags})
        return RemoteJob(self.server, job_id)


def install(root: str | Path, monkeypatch: Any = None) -> service_double.Server:
    """Like ``service_double.install``, with the PUB-capable sampler and jobs."""
    server = service_double.install(root, monkeypatch)

    def make_sampler(mode: Any, config: Any, shots: int, seed: int | None,
                     tags: list[str]) -> Any:
        if isinstance(mode, service_double.Batch):
            return Sampler(server, shots, seed, tags)
        return devices.make_sampler(mode, config, shots, seed, tags)

    def factory(**kwargs: Any) -> Service:
        return Service(server, **kwargs)

    if monkeypatch is not None:
        monkeypatch.setattr(jobs, "make_sampler", make_sampler)
        monkeypatch.setattr(service, "_factory", factory)
    else:
        jobs.make_sampler = make_sampler
        service.set_service_factory(factory)
    return server
