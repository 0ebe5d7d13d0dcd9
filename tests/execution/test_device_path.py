"""The device path on fake devices (local testing mode): transpile, compact, sample, compare."""

from __future__ import annotations

import json
import warnings

import pytest
from qiskit import QuantumCircuit
from qiskit_aer import AerSimulator

from qwalk_circuits.device_analysis import finish_run
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.config import load_config, parse_config
from qwalk_circuits.execution.devices import (
    compact,
    device_noise_model,
    emulator,
    fake_backend,
    make_sampler,
    transpile_for_device,
)
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.execution.resources import circuit_stats, transpile_to_target
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run

SMALL = {"backend": {"kind": "fake", "device": "fake_manila"},
         "run": {"shots": 400, "seed": 3, "readout_mitigation": True},
         "jobs": {"poll_interval_s": 0.01}}


def small_config(**run):
    data = json.loads(json.dumps(SMALL))
    data["run"].update(run)
    return parse_config(data, "fake_manila_test", "test")


def ghz(n=3):
    circuit = QuantumCircuit(n, n)
    circuit.h(0)
    for q in range(n - 1):
        circuit.cx(q, q + 1)
    circuit.measure(range(n), range(n))
    return circuit


def test_compacting_keeps_the_device_noise_exactly():
    """Same seed, same counts: the compact circuit on the restricted noise model is the
    full-device simulation, only faster."""
    config = small_config()
    backend = fake_backend("fake_manila")
    isa = transpile_for_device([ghz()], backend, config)[0]
    small = compact(isa)
    assert small.circuit.num_qubits == 3 < isa.num_qubits
    full = AerSimulator(noise_model=device_noise_model("fake_manila"),
                        basis_gates=device_noise_model("fake_manila").basis_gates)
    want = full.run(isa, shots=500, seed_simulator=9).result().get_counts()
    got = emulator("fake_manila", small.physical, 9, aer_device="CPU").run(
        small.circuit, shots=500).result().get_counts()
    assert got == want


def test_the_sampler_is_the_supported_client_side_one():
    from qiskit_ibm_runtime.executor_sampler import Sampler

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        sampler = make_sampler(fake_backend("fake_manila"), small_config(), 100, 1, ["t"])
    assert isinstance(sampler, Sampler)
    assert sampler.options.default_shots == 100


def test_resources_transpile_as_the_run_does():
    """`qwalk resources --target fake_fez` and `qwalk run --backend fake_fez` share the
    pass manager (config fake_fez: its level, layout and seed)."""
    config = load_config("fake_fez")
    circuit = ghz(4)
    run_isa = transpile_for_device([circuit], fake_backend("fake_fez"), config)[0]
    report_isa = transpile_to_target(circuit, "fake_fez")
    assert circuit_stats(run_isa) == circuit_stats(report_isa)
    assert run_isa.layout.final_index_layout() == report_isa.layout.final_index_layout()
    assert set(circuit_stats(run_isa)["ops"]) <= {"cz", "rz", "sx", "x", "measure", "barrier"}


def test_fake_device_run_compares_hardware_emulation_and_exact(tmp_path):
    """With ``emulation = true`` a fake device is also compared with a noisy emulation of
    its ISA circuits (off by default: there it is the same noisy simulation again)."""
    store = ResultStore(tmp_path / "s.sqlite")
    experiment = get_experiment("coined-walk").from_settings({"position_qubits": 2,
                                                              "steps": 3})
    summary = run(experiment, small_config(emulation=True), 400, 3, store,
                  progress=False).summary
    comparison = summary["comparison"]
    assert set(comparison) >= {"hardware", "emulation", "mitigated", "uniform_tvd"}
    for key in ("hardware", "emulation", "mitigated"):
        for name in ("tvd", "hellinger", "tvd_error", "hellinger_error"):
            assert len(comparison[key][name]) == len(summary["times"])
    # a 4-site walk on a good 5-qubit device: far closer to exact than to uniform
    assert max(comparison["hardware"]["tvd"]) < 0.25
    stored = store.get_run(summary["run_id"])
    assert set(stored["circuits"][0]["data"]) == {"raw", "mitigated_sites"}
    ledger = Ledger(store)
    assert ledger.submission(summary["run_id"])["status"] == "done"
    assert all(j["status"] == "DONE" for j in ledger.jobs(summary["run_id"]))
    # fetching again is harmless: same summary, one run
    assert finish_run(summary["run_id"], store) == summary
    assert len(store.list_runs()) == 1


def test_fractional_gates_give_exact_rzz_circuits_within_the_angle_bounds():
    """Offline, ibm_fez_fractional transpiles to its fake twin's target plus RZZ/RX."""
    from math import pi

    from qiskit.quantum_info import Operator

    circuit = QuantumCircuit(2)
    circuit.rzz(2.5, 0, 1)
    circuit.rx(0.3, 0)
    circuit.rzz(-0.4, 0, 1)
    isa = transpile_to_target(circuit, "ibm_fez_fractional")
    angles = [float(i.operation.params[0]) for i in isa.data if i.operation.name == "rzz"]
    assert angles and all(0 < a <= pi / 2 + 1e-12 for a in angles)
    assert "cz" not in isa.count_ops()
    small = compact(isa)
    physical = list(small.physical)
    order = [physical.index(p) for p in isa.layout.final_index_layout()]
    expected = QuantumCircuit(2)
    expected.append(circuit.to_gate(), order)
    assert Operator(expected).equiv(Operator(small.circuit))
    assert "rzz" not in transpile_to_target(circuit, "ibm_fez").count_ops()


def test_device_size_limits_come_from_the_device():
    from qwalk_circuits.core.errors import QwalkError

    experiment = get_experiment("coined-walk").from_settings({"position_qubits": 3,
                                                              "steps": 1})
    experiment.check_size(small_config())  # 4 qubits on 5-qubit manila
    big = get_experiment("coined-walk").from_settings({"position_qubits": 5, "steps": 1})
    with pytest.raises(QwalkError, match="more than the backend's 5"):
        big.check_size(small_config())


def test_execute_refuses_device_configs_with_a_pointer():
    from qwalk_circuits.core.errors import QwalkError
    from qwalk_circuits.execution import execute

    with pytest.raises(QwalkError, match="qwalk submit"):
        execute([ghz()], small_config(), 100, 1)


def test_mitigated_error_bars_include_the_calibration_noise():
    """Resampling the circuit AND its calibration circuits spreads the mitigated distance
    more than resampling the circuit alone (the inverse amplifies calibration noise)."""
    import numpy as np

    from qwalk_circuits.analysis.device_comparison import (
        bootstrap,
        mitigated_resamples,
        resampled_distances,
    )

    rng = np.random.default_rng(1)
    zeros = {0: 780, 1: 70, 2: 70, 4: 70, 3: 5, 5: 5}  # ~8% readout error per qubit
    ones = {7: 780, 6: 70, 5: 70, 3: 70, 4: 5, 2: 5}
    counts = {0: 400, 7: 380, 1: 60, 6: 60, 3: 50, 4: 50}
    reference = np.array([0.5, 0, 0, 0, 0, 0, 0, 0.5])
    info = {"physical": [0, 1, 2], "bits": [0, 1, 2]}
    full, _ = resampled_distances(
        mitigated_resamples(counts, zeros, ones, info, lambda v: v, rng), reference)
    raw = np.zeros(8)
    for k, v in counts.items():
        raw[k] = v
    circuit_only, _ = bootstrap(raw, reference, rng)
    assert full > 1.1 * circuit_only


def test_a_plain_run_stores_its_mitigated_observables_with_bootstrap_errors(tmp_path):
    """Beside the raw observables a plain device run stores those of its mitigated
    distributions (the stored ``mitigated_sites``) and their errors from the mitigated
    bootstrap (shots and both calibration circuits resampled): about the shot noise of
    the mitigated distribution, a little more for the calibration's."""
    import numpy as np

    experiment = get_experiment("coined-walk").from_settings({"position_qubits": 2,
                                                              "steps": 2})
    store = ResultStore(tmp_path / "s.sqlite")
    summary = run(experiment, small_config(), 400, 3, store, progress=False).summary
    sites = [np.array(c["data"]["mitigated_sites"])
             for c in store.get_run(summary["run_id"])["circuits"]]
    values, errors = summary["mitigated_observables"], summary["mitigated_observable_errors"]
    assert set(values) == set(errors) == set(experiment.observables(sites[0]))
    for t, p in enumerate(sites):
        for key, value in experiment.observables(p).items():
            assert values[key][t] == pytest.approx(value, rel=1e-12, abs=1e-15), key
        if t:  # (t = 0: one site, sigma 0 in every resample)
            shot = experiment.observable_errors(p, 400)["sigma"]
            assert 0.5 * shot < errors["sigma"][t] < 5 * shot
    assert values["sigma"] != summary["observables"]["sigma"]  # mitigation moved them


def test_each_job_carries_the_calibration_that_mitigates_its_circuits(tmp_path):
    """Readout drifts between jobs on a device: every job holds the calibration pair of
    the qubits it measures, and a circuit is mitigated with its own job's pair (spoiling
    one job's calibration changes that job's circuits only)."""
    import sqlite3

    from qwalk_circuits.execution.device_submission import submit_experiment

    config = parse_config({**json.loads(json.dumps(SMALL)), "jobs": {
        "max_circuits_per_job": 4, "poll_interval_s": 0.01}}, "fake_manila_test", "test")
    experiment = get_experiment("coined-walk").from_settings({"position_qubits": 2,
                                                              "steps": 2})
    mitigated = []
    for spoil in (False, True):
        store = ResultStore(tmp_path / f"{spoil}.sqlite")
        run_id = submit_experiment(experiment, config, 400, 3, store)
        ledger = Ledger(store)
        infos = ledger.submission(run_id)["circuits"]
        jobs = ledger.jobs(run_id)
        assert len(jobs) == 2 and all(j["role"] == "circuits+calibration" for j in jobs)
        for job in jobs:
            roles = [infos[i]["role"] for i in job["circuits"]]
            assert roles.count("calibration") == 2 and {infos[i]["job"] for i in
                                                         job["circuits"]} == {job["idx"]}
        if spoil:  # job 1's all-|0> calibration now reads qubit 0 as 1 a third of the time
            last = jobs[1]
            result = last["result"]
            where = next(k for k, i in enumerate(last["circuits"])
                         if infos[i]["role"] == "calibration")
            result[where] = {"0": 200, "1": 100}
            with sqlite3.connect(store.path) as db:
                db.execute("UPDATE jobs SET result = ? WHERE job_id = ?",
                           (json.dumps(result), last["job_id"]))
        assert finish_run(run_id, store) is not None
        circuits = store.get_run(run_id)["circuits"]
        mitigated.append([c["data"]["mitigated_sites"] for c in circuits])
    job_of = [infos[i]["job"] for i in range(len(infos)) if infos[i]["role"] == "circuits"]
    for clean, spoiled, job in zip(*mitigated, job_of, strict=True):
        assert (clean == spoiled) == (job == 0)


def test_expand_puts_a_compacted_circuit_back_on_its_device_qubits():
    from qwalk_circuits.execution.devices import expand

    backend = fake_backend("fake_manila")
    isa = transpile_for_device([ghz(3)], backend, small_config())[0]
    small = compact(isa)

    def gates(circuit):
        return [(inst.operation.name, [circuit.find_bit(q).index for q in inst.qubits],
                 [circuit.find_bit(c).index for c in inst.clbits], inst.operation.params)
                for inst in circuit.data if inst.operation.name not in ("delay", "barrier")]

    back = expand(small.circuit, small.physical, backend.num_qubits)
    assert back.num_qubits == backend.num_qubits and back.cregs == isa.cregs
    assert gates(back) == gates(isa)
    assert back.global_phase == isa.global_phase
    assert back.count_ops().get("barrier") == isa.count_ops().get("barrier")
    # a parameter that only sets the global phase survives the round trip
    from qiskit.circuit import Parameter

    theta = Parameter("theta")
    phased = isa.copy()
    phased.global_phase = theta
    small = compact(phased)
    assert expand(small.circuit, small.physical, 5).parameters == {theta}
