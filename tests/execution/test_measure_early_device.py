"""``run.measure_early`` on the device path: the ISA circuit a device runs keeps the walk's
exact distribution, and a run sends, stores and analyses its dynamic circuits -- on a fake
device and through the service double on the real-device path."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.device_plan import expected_sampled_tvd
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.config import load_config, parse_config
from qwalk_circuits.execution.devices import compact, fake_backend, pass_manager
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.execution.qpy_text import from_qpy_text
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, run, submit

from . import service_double
from .test_measure_early import branch_distribution, final_distribution, walk

SHOTS = 4000


def fake_config(measure_early: bool, **run_settings):  # type: ignore[no-untyped-def]
    return parse_config({"backend": {"kind": "fake", "device": "fake_manila"},
                         "run": {"shots": SHOTS, "seed": 3, "readout_mitigation": True,
                                 "measure_early": measure_early, **run_settings},
                         "jobs": {"poll_interval_s": 0.01}}, "fake_manila_early", "test")


def fast_forward_walk():  # type: ignore[no-untyped-def]
    return get_experiment("coined-walk").from_settings(
        {"position_qubits": 3, "steps": 3, "times": [3], "shift": "fast-forward"})


@pytest.mark.parametrize("device", ["fake_fez", "fake_manila"])
def test_the_compacted_isa_circuit_keeps_the_exact_distribution(device):
    """Layout, routing and the basis translation of the dynamic circuit (its conditional
    phases become RZ inside the blocks): exact, every branch followed."""
    config = (load_config(device).with_run(measure_early=True) if device == "fake_fez"
              else fake_config(True))
    logical = walk(3, 5, "fast-forward")
    small = compact(pass_manager(fake_backend(device), config).run(logical)).circuit
    assert "if_else" in small.count_ops()
    assert np.abs(branch_distribution(small) - final_distribution(logical)).max() < 1e-10


def stored_circuits(store: ResultStore, run_id: str) -> list:  # type: ignore[type-arg]
    return [from_qpy_text(i["qpy"]) for i in Ledger(store).submission(run_id)["circuits"]
            if i["role"] == "circuits"]


def test_a_fake_device_run_sends_dynamic_circuits_with_fewer_two_qubit_gates(tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    early = run(fast_forward_walk(), fake_config(True), SHOTS, 3, store, progress=False).summary
    plain = run(fast_forward_walk(), fake_config(False), SHOTS, 3, store,
                progress=False).summary
    assert all("if_else" in c.count_ops() for c in stored_circuits(store, early["run_id"]))
    assert not any("if_else" in c.count_ops()
                   for c in stored_circuits(store, plain["run_id"]))
    assert (early["resources"][0]["two_qubit_gates"]
            < plain["resources"][0]["two_qubit_gates"])
    # the noisy device gives a worse distribution than exact either way; fewer gates must
    # not make it worse than the plain run's beyond their errors (a mis-mapped bit would
    # put it near the uniform distribution's TVD)
    tvd = {name: (s["comparison"]["hardware"]["tvd"][0],
                  s["comparison"]["hardware"]["tvd_error"][0])
           for name, s in (("early", early), ("plain", plain))}
    assert tvd["early"][0] < tvd["plain"][0] + 3 * np.hypot(tvd["early"][1], tvd["plain"][1])
    assert tvd["early"][0] < 0.5 * early["comparison"]["uniform_tvd"][0]
    assert "mitigated" in early["comparison"]
    # the run says what a real device would charge for the waits, the plain run does not
    assert [w for w in early["warnings"] if w.startswith("measure_early:")] == [
        n for n in plan(fast_forward_walk(), fake_config(True), SHOTS)["notes"]]
    assert not any(w.startswith("measure_early:") for w in plain["warnings"])


def test_zne_folds_the_dynamic_circuit(tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    summary = run(fast_forward_walk(), fake_config(True, zne_scales=[1, 3]), SHOTS, 3, store,
                  progress=False).summary
    gates = summary["comparison"]["zne"]["two_qubit_gates"][0]
    assert gates[0] > 0 and gates == [gates[0], 3 * gates[0]]
    assert all("if_else" in c.count_ops() for c in stored_circuits(store, summary["run_id"]))


def test_the_dry_run_counts_the_dynamic_circuit():
    early = plan(fast_forward_walk(), fake_config(True), SHOTS)["circuits"][0]
    plain = plan(fast_forward_walk(), fake_config(False), SHOTS)["circuits"][0]
    assert early["two_qubit_gates"] < plain["two_qubit_gates"]
    assert early["tvd_predicted_sampled"] < plain["tvd_predicted_sampled"]


def test_the_real_device_path_uploads_dynamic_circuits_and_reads_the_exact_walk(server,
                                                                              tmp_path):
    """Through the service double (the runtime's client-side sampler; the "device" is
    ideal): the counts are the exact distribution's, within what the shots allow."""
    path = tmp_path / "ibm_double_early.toml"
    path.write_text(service_double.IBM_CONFIG.replace(
        "readout_mitigation = true", "readout_mitigation = true\nmeasure_early = true"))
    config = load_config(str(path))
    store = ResultStore(tmp_path / "s.sqlite")
    run_id = submit(fast_forward_walk(), config, SHOTS, 5, store)
    record = service_double.fetched(run_id, store)
    assert all("if_else" in c.count_ops() for c in stored_circuits(store, run_id))
    exact = np.asarray(fast_forward_walk().reference_distributions()[0])
    tvd = record.summary["comparison"]["hardware"]["tvd"][0]
    # E[TVD] of SHOTS samples of the exact distribution, plus 4 times a bound on its spread
    # (each outcome's frequency error summed as if fully correlated)
    expected = expected_sampled_tvd(exact, exact, SHOTS)
    spread = 0.5 * np.sqrt(exact * (1 - exact) / SHOTS).sum()
    assert tvd < expected + 4 * spread


def test_the_idle_estimate_follows_the_measurements_one_by_one():
    """Three measured qubits read one after the other: the second waits one measurement
    time, the third two; each dephases by (1 - exp(-wait/T2))/2.  A fourth, measured
    before them and never read, adds no wait (and itself waited for nothing)."""
    from qiskit import QuantumCircuit

    from qwalk_circuits.execution.measure_early import readout_idle_dephasing

    backend = fake_backend("fake_manila")
    circuit = QuantumCircuit(backend.num_qubits, 4)
    circuit.sx([0, 1, 2, 3])
    circuit.measure(3, 3)  # measured first but never read: nobody waits for it
    for q in range(3):
        circuit.measure(q, q)
        for later in range(q + 1, 3):
            with circuit.if_test((circuit.clbits[q], 1)):
                circuit.rz(0.5, later)
    durations = [backend.target["measure"][(q,)].duration for q in range(3)]
    t2 = [backend.qubit_properties(q).t2 for q in range(3)]
    waits = [0.0, durations[0], durations[0] + durations[1]]
    expected = 1 - np.prod([1 - (1 - np.exp(-w / t)) / 2 for w, t in zip(waits, t2,
                                                                          strict=True)])
    assert readout_idle_dephasing(circuit, backend) == pytest.approx(expected, rel=1e-12)
    static = QuantumCircuit(backend.num_qubits, 3)
    static.measure([0, 1, 2], [0, 1, 2])
    assert readout_idle_dephasing(static, backend) is None


def test_the_dry_run_charges_the_idle_dephasing_to_the_real_device_only(capsys,
                                                                        monkeypatch):
    from qwalk_circuits import device_plan
    from qwalk_circuits.cli.render_plan import print_plan

    report = plan(fast_forward_walk(), fake_config(True), SHOTS)
    early = report["circuits"][0]
    plain = plan(fast_forward_walk(), fake_config(False), SHOTS)["circuits"][0]
    assert 0 < early["readout_idle_dephasing"] < 0.2 and plain["readout_idle_dephasing"] is None
    # without the idle term: the same fake-device forecast, a real device's higher by 1/(1-p)
    monkeypatch.setattr(device_plan, "readout_idle_dephasing", lambda isa, backend: None)
    uncharged = plan(fast_forward_walk(), fake_config(True), SHOTS)["circuits"][0]
    assert uncharged["fidelity"] == early["fidelity"]
    assert early["fidelity_real_device"] == pytest.approx(
        uncharged["fidelity_real_device"] * (1 - early["readout_idle_dephasing"]), rel=1e-12)
    (note,) = report["notes"]
    assert note.startswith("measure_early: a real device dephases")
    print_plan(report, as_json=False)
    assert "note: measure_early: a real device dephases" in capsys.readouterr().out


def test_auto_prices_the_constructions_measured_early():
    """The line QFT has no controlled phase to drop, so measuring early turns auto's choice
    at 64 sites, 8 steps on fake_fez from fourier-line to fourier (the same compiler prices
    and runs)."""
    from qwalk_circuits.execution.targets import make_target

    choices = {}
    for early in (False, True):
        config = load_config("fake_fez").with_run(measure_early=early)
        experiment = get_experiment("coined-walk").from_settings(
            {"position_qubits": 6, "steps": 8, "times": [8]})
        choices[early] = experiment.constructions(make_target(config).compiler)
    assert choices == {False: ["fourier-line"], True: ["fourier"]}


def test_an_ensemble_binds_its_members_into_the_dynamic_template(server, tmp_path):
    """anderson-walk by the fourier step: one template measured early, its members bound as
    PUB parameters (through the service double's client-side sampler, an ideal device):
    the member-averaged counts are the exact ensemble's within what the shots allow."""
    path = tmp_path / "ibm_double_early.toml"
    path.write_text(service_double.IBM_CONFIG.replace(
        "readout_mitigation = true", "readout_mitigation = true\nmeasure_early = true"))
    experiment = get_experiment("anderson-walk").from_settings(
        {"position_qubits": 3, "steps": 3, "realisations": 3, "times": [3],
         "shift": "fourier"})
    store = ResultStore(tmp_path / "s.sqlite")
    run_id = submit(experiment, load_config(str(path)), SHOTS, 5, store)
    record = service_double.fetched(run_id, store)
    templates = stored_circuits(store, run_id)  # (the double's job limits split the PUBs)
    assert all("if_else" in t.count_ops() and t.num_parameters > 0 for t in templates)
    exact = np.asarray(experiment.reference_distributions()[0])
    members = SHOTS * 3  # the average of 3 members' frequencies: at most this one's spread
    expected = expected_sampled_tvd(exact, exact, members)
    spread = 0.5 * np.sqrt(exact * (1 - exact) / members).sum()
    assert record.summary["comparison"]["hardware"]["tvd"][0] < expected + 4 * spread


def test_the_trajectories_ideal_members_read_the_dynamic_circuits_right():
    """The dry run and the analysis read phase-kick trajectories' ideal distributions off the
    sent circuits (``ideal_members``, Aer's exact run).  Measured early, those circuits
    switch phases on mid-circuit bits: they must give the plain circuits' distributions
    (dropping the measurements, as before deferred measurement, left every switch off)."""
    from qwalk_circuits.device_plan import time_indices
    from qwalk_circuits.execution.submission_build import build_submission
    from qwalk_circuits.execution.targets import device_target
    from qwalk_circuits.ideal_members import ideal_members
    from qwalk_circuits.pipeline import prepare

    experiment = get_experiment("dephasing").from_settings(
        {"position_qubits": 3, "time": 1.5, "time_steps": 3, "gamma": 1.0,
         "kick_trajectories": 4, "kick_seed": 1})
    members = []
    for early in (False, True):
        config = load_config("fake_fez").with_run(measure_early=early)
        target = device_target(config)
        prepared = prepare(experiment, target)
        built = build_submission(prepared, config, 100, target)
        indices = time_indices(built)
        last = max(i for i in indices if i is not None)
        group = [i for i, t in enumerate(indices) if t == last]
        sent = [from_qpy_text(built.infos[i]["qpy"]) for i in group]
        assert all(("if_else" in c.count_ops()) == early for c in sent)
        members.append(ideal_members(prepared, built.infos, group))
    assert np.ptp(members[0], axis=0).max() > 0.05  # the trajectories differ
    assert np.abs(members[1] - members[0]).max() < 1e-10


@pytest.mark.parametrize("name,kick,kbar", [("sawtooth-map", 2.0, 1.5), ("kicked-rotor", 7.0, 3.0)])
def test_the_maps_templates_measured_early_keep_every_quasi_momentum(name, kick, kbar):
    """The dynamical-localization rows measured early (BENCHMARKS §24): the last kick's
    inverse QFT and free rotation end in the readout, so both leave the compacted ISA
    template on fake_fez, and each quasi-momentum bound into it keeps its exact
    distribution, every branch followed."""
    experiment = get_experiment(name).from_settings(
        {"momentum_qubits": 4, "kick_strength": kick, "kbar": kbar, "kicks": 2,
         "times": [2], "quasi_momenta": 3, "construction": "quadratic"})  # the device's
    templates = experiment.templates("all-to-all")
    template = templates[-1]
    manager = pass_manager(fake_backend("fake_fez"),
                           load_config("fake_fez").with_run(measure_early=True))
    small = compact(manager.run(template)).circuit
    plain = compact(pass_manager(fake_backend("fake_fez"), load_config("fake_fez"))
                    .run(template)).circuit
    assert "if_else" in small.count_ops()
    gates = [sum(1 for i in c.data if i.operation.num_qubits == 2) for c in (plain, small)]
    assert gates[1] < 0.8 * gates[0]
    values = experiment.template_values(len(templates) - 1, template)
    names = [p.name for p in template.parameters]
    for row in values:
        bound = template.assign_parameters(dict(zip(template.parameters, row, strict=True)))
        early = small.assign_parameters({p: row[names.index(p.name)]
                                         for p in small.parameters})
        assert np.abs(branch_distribution(early) - final_distribution(bound)).max() < 1e-10
