"""The service double replaces the network only: the runtime's own client-side Sampler,
Batch, ``prepare`` (options, dynamical decoupling, twirling) and program encoding run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives import PrimitiveResult
from qiskit_ibm_runtime import Batch
from qiskit_ibm_runtime.executor_sampler import Sampler
from samplomatic.quantum_program import CircuitItem, SamplexItem

from qwalk_circuits.execution import devices, jobs
from qwalk_circuits.execution.config import load_config

from . import service_double

ROOT = Path(__file__).resolve().parents[2]
VALUES = np.array([[0.0], [np.pi], [np.pi / 2]])
TAGS = ["run", "run:0"]


def two_pubs(backend, config):
    """An ISA template with a (3, 1) parameter array, and a plain ISA circuit."""
    theta = Parameter("theta")
    template = QuantumCircuit(2, name="template")
    template.ry(theta, 0)
    template.cx(0, 1)
    template.measure_all()  # register "meas"
    plain = QuantumCircuit(2, 2, name="plain")  # register "c"
    plain.x(1)
    plain.measure([0, 1], [0, 1])
    isa = devices.transpile_for_device([template, plain], backend, config)
    return [(isa[0], VALUES), isa[1]]


def submit(tmp_path, monkeypatch, config_text):
    """The double installed; the real make_sampler's Sampler run on a real Batch."""
    server = service_double.install(tmp_path / "server", monkeypatch)
    path = tmp_path / "ibm.toml"
    path.write_text(config_text)
    config = load_config(str(path))
    backend = devices.device_backend(config)  # through the double's service
    batch = jobs.open_batch(backend)
    sampler = devices.make_sampler(batch, config, 100, 5, TAGS)
    return server, sampler, sampler.run(two_pubs(backend, config))


def test_the_real_client_side_sampler_uploads_the_pubs_and_the_tags(tmp_path, monkeypatch):
    server, sampler, job = submit(tmp_path, monkeypatch, service_double.IBM_CONFIG)
    assert jobs.make_sampler is devices.make_sampler  # not patched
    assert type(sampler) is Sampler and isinstance(sampler.mode, Batch)
    assert isinstance(sampler.mode.service, service_double.Service)
    # the upload, decoded with the runtime's own converter
    (program,) = server.programs
    assert [type(item) for item in program.items] == [CircuitItem, CircuitItem]
    assert np.allclose(program.items[0].circuit_arguments, VALUES) and program.shots == 100
    assert server.upload_records() == [{"job_id": job.job_id(),
                                        "kinds": ["CircuitItem", "CircuitItem"],
                                        "shapes": [[3, 1], None], "tags": TAGS,
                                        "shots": 100}]
    assert server.uploads() == [[(3, 1), None]]
    assert [j.job_id() for j in sampler.mode.service.jobs(job_tags=["run:0"])] == [
        job.job_id()]
    # real primitive containers, which qwalk's counts_of reads unchanged
    assert [job.status() for _ in range(3)] == ["RUNNING", "DONE", "DONE"]
    result = job.result()
    assert isinstance(result, PrimitiveResult) and len(result) == 2
    assert result[0].data.meas.shape == (3,) and result[1].data.c.shape == ()
    rows = jobs.counts_of(result[0], "meas", 3)
    assert isinstance(rows, list)
    assert rows[0] == {"0": 100} and rows[1] == {"3": 100}  # ideal device
    assert set(rows[2]) == {"0", "3"} and sum(rows[2].values()) == 100
    assert jobs.counts_of(result[1], "c") == {"2": 100}


def test_dynamical_decoupling_is_applied_by_the_real_prepare(tmp_path, monkeypatch):
    config = service_double.IBM_CONFIG.replace(
        "seed = 5", 'seed = 5\ndynamical_decoupling = true\ndd_sequence = "XpXm"')
    server, _, job = submit(tmp_path, monkeypatch, config)
    (program,) = server.programs
    # DD pulses in the idle windows: an ideal device does not notice them
    assert all("delay" in item.circuit.count_ops() for item in program.items)
    # ... but never on the qubits the circuits leave unused (the ISA circuits span the
    # device; without skip_reset_qubits the runtime pulses qubits 2-4 of manila too)
    used = {0, 1}
    for item in program.items:
        touched = {item.circuit.find_bit(q).index for inst in item.circuit.data
                   if inst.operation.name not in ("delay", "barrier") for q in inst.qubits}
        assert touched <= used, touched
    while job.status() != "DONE":
        pass
    assert jobs.counts_of(job.result()[1], "c") == {"2": 100}


def test_the_shipped_twirling_and_dd_config_passes_the_real_prepare(tmp_path, monkeypatch):
    """ibm_fez.toml twirls and decouples: the real prepare accepts our options and
    uploads one SamplexItem per PUB; the double records it, then refuses to simulate."""
    config = load_config(str(ROOT / "hardware_configs/ibm_fez.toml"))
    assert config.run.twirling and config.run.dynamical_decoupling
    server = service_double.install(tmp_path / "server", monkeypatch)
    backend = devices.device_backend(config)
    sampler = devices.make_sampler(jobs.open_batch(backend), config, 100, 5, TAGS)
    assert type(sampler) is Sampler
    with pytest.raises(NotImplementedError, match="untwirled"):
        sampler.run(two_pubs(backend, config))
    (program,) = server.programs
    assert [type(item) for item in program.items] == [SamplexItem, SamplexItem]
    assert all("delay" in item.circuit.count_ops() for item in program.items)  # DD
    (record,) = server.upload_records()
    assert record["job_id"] is None and record["tags"] == TAGS
    assert record["shapes"] == [[3, 1], None]
    assert server.job_ids() == []
