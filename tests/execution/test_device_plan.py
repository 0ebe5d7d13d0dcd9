"""``qwalk submit --dry-run``: the plan is the submission's own circuits, and nothing is sent
or stored; its fidelity, QPU time, TVD and 3-sigma verdict follow their stated formulas."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit_ibm_runtime.fake_provider import FakeManilaV2

from qwalk_circuits.cli.render_plan import print_plan
from qwalk_circuits.device_plan import circuit_fidelity, expected_sampled_tvd
from qwalk_circuits.execution.device_submission import submit_experiment
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.execution.store import ResultStore
from qwalk_circuits.execution.targets import device_target
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, prepare


def walk(**settings):
    return get_experiment("coined-walk").from_settings(
        {"position_qubits": 2, "steps": 2, **settings})


def test_dry_run_sends_nothing_stores_nothing_and_shows_the_circuits_a_submission_sends(
        server, config, tmp_path):
    report = plan(walk(), config, 200)
    assert server.uploaded() == 0
    assert not list(tmp_path.glob("*.sqlite"))
    store = ResultStore(tmp_path / "s.sqlite")
    run_id = submit_experiment(prepare(walk(), device_target(config)), config, 200, 5, store)
    infos = [i for i in Ledger(store).submission(run_id)["circuits"] if i["role"] == "circuits"]
    assert [c["two_qubit_gates"] for c in report["circuits"]] == [
        i["stats"]["two_qubit_gates"] for i in infos]
    assert [c["depth"] for c in report["circuits"]] == [i["stats"]["depth"] for i in infos]
    assert report["jobs"] == len(Ledger(store).jobs(run_id)) == 2
    assert report["pub_rows"] == len(Ledger(store).submission(run_id)["circuits"])


def test_fidelity_is_the_product_of_the_calibrated_errors():
    backend = FakeManilaV2()
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    isa = transpile(circuit, backend, seed_transpiler=1, optimization_level=0,
                    initial_layout=[0, 1])
    target = backend.target
    gates = readout = 1.0
    two = 0.0
    for inst in isa.data:
        qargs = tuple(isa.find_bit(q).index for q in inst.qubits)
        props = target[inst.operation.name].get(qargs)
        error = props.error or 0.0 if props is not None else 0.0
        if inst.operation.name == "measure":
            readout *= 1 - error
        elif inst.operation.name != "barrier":
            gates *= 1 - error
            two += error if len(qargs) == 2 else 0.0
    found = circuit_fidelity(isa, target)
    assert found.gates == pytest.approx(gates, rel=1e-12)
    assert found.readout == pytest.approx(readout, rel=1e-12)
    assert 0 < found.total < 1 and two > 0
    assert found.with_two_qubit_errors_times(4.0) == pytest.approx(
        found.total * math.exp(-3 * two), rel=1e-12)


def test_expected_sampled_tvd_matches_sampling():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(16))
    q = 0.8 * p + 0.2 / 16
    shots, trials = 500, 4000
    draws = rng.multinomial(shots, q, size=trials) / shots
    sampled = 0.5 * np.abs(draws - p).sum(axis=1)
    predicted = expected_sampled_tvd(q, p, shots)
    # the normal approximation of each site's frequency: within 3 % of the mean, far
    # beyond the Monte Carlo error (sampled.std() / sqrt(trials) ~ 0.2 %)
    assert predicted == pytest.approx(sampled.mean(), rel=0.03)
    assert expected_sampled_tvd(p, p, 10**12) == pytest.approx(0.0, abs=1e-5)
    assert expected_sampled_tvd(q, p, 10**12) == pytest.approx(0.5 * np.abs(q - p).sum(),
                                                               rel=1e-4)


def test_qpu_time_and_prediction_follow_their_formulas(server, config):
    report = plan(walk(), config, 200)
    rows = report["pub_rows"]
    durations = [c["duration_s"] for c in report["circuits"]]
    assert all(d is not None and 0 < d < 1e-3 for d in durations[1:])
    lower = 200 * rows * report["rep_delay_s"]
    assert lower < report["qpu_seconds_lower_bound"] < lower + 200 * rows * max(durations)
    for c in report["circuits"]:
        # F p + (1 - F) u is (1 - F) of the way from p to u
        assert c["tvd_predicted"] == pytest.approx((1 - c["fidelity"]) * c["tvd_uniform"],
                                                   rel=1e-9)
        assert c["fidelity_real_device"] <= c["fidelity"]


def test_shots_for_three_sigma_make_the_signature_stand(server, config):
    first = plan(walk(steps=1), config, 200)["signature"]
    needed = first["shots_for_3_sigma"]
    assert first["no_effect_is"].startswith("a device that returns only noise")
    assert needed > 1
    again = plan(walk(steps=1), config, needed)["signature"]
    assert again["stands"] and again["standard_errors"] > 3
    fewer = plan(walk(steps=1), config, needed - 1)["signature"]
    assert not fewer["stands"] and fewer["standard_errors"] <= 3
    assert again["shots_for_3_sigma"] == fewer["shots_for_3_sigma"] == needed


def test_json_plan_is_one_object(server, config, capsys):
    report = plan(walk(steps=1), config, 100)
    print_plan(report, as_json=True)
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(report))


def test_cli_dry_run_prints_the_plan_and_stores_nothing(tmp_path):
    env_store = tmp_path / "runs.sqlite"
    base = [sys.executable, "-m", "qwalk_circuits.cli", "--store", str(env_store), "submit",
            "coined-walk", "--backend", "fake_fez", "--set", "position_qubits=2",
            "--set", "steps=1", "--shots", "100", "--dry-run"]
    text = subprocess.run(base, capture_output=True, text=True, check=True).stdout
    assert "nothing submitted, nothing stored" in text and "QPU time >=" in text
    assert "two-qubit errors x 4" in text and text.count("\n") == 10
    assert not env_store.exists()
    wrong = subprocess.run([*base[:-1], "--json"], capture_output=True, text=True)
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1
    assert "--dry-run" in wrong.stderr and not env_store.exists()


def test_shots_needed_is_none_without_a_finite_margin():
    from qwalk_circuits.device_plan import shots_needed

    assert shots_needed(lambda n: math.nan) is None
    assert shots_needed(lambda n: math.inf) == 1
    assert shots_needed(lambda n: 0.0) is None
    assert shots_needed(lambda n: math.sqrt(n) / 10) == 901  # sqrt(n)/10 > 3 from n = 901


def test_the_plan_is_strict_json(server, config):
    json.dumps(plan(walk(), config, 200), allow_nan=False)


def test_the_dry_run_checks_the_lease_as_a_submission_does(server, tmp_path, monkeypatch):
    from qwalk_circuits.core.errors import QwalkError
    from qwalk_circuits.execution.config import load_config

    from . import service_double

    monkeypatch.setenv("QWALK_STORE_TIMEOUT_S", "30")
    short = load_config(str(service_double.ibm_config(tmp_path, lease_s=10)))
    with pytest.raises(QwalkError, match="lease_s = 10 s is too short"):
        plan(walk(), short, 200)


def test_phenomena_name_their_own_no_effect_value():
    rotor = get_experiment("kicked-rotor").from_settings(
        {"momentum_qubits": 6, "kicks": 4, "quasi_momenta": 2})
    value, what = rotor.no_effect_value()
    assert value == rotor.classical_p2()["p2"][-1] and "classical standard map" in what
    sawtooth = get_experiment("sawtooth-map").from_settings({"kicks": 4, "quasi_momenta": 2})
    assert "classical sawtooth map" in sawtooth.no_effect_value()[1]
    assert get_experiment("backscattering").no_effect_value(None) == (  # type: ignore[arg-type]
        1.0, "no coherent backscattering (r = 1)")
    assert walk().no_effect_value() is None


def test_the_classical_maps_own_error_counts_in_the_verdict(server, config, capsys):
    """<m^2> of the classical map is a Monte-Carlo estimate: its standard error (the same
    particles, at the last kick) is added to the signature's error, and no shot count
    removes it; a walk's no-effect value (the uniform distribution's) is exact."""
    from qwalk_circuits.experiments.kicked_rotor import CLASSICAL_PARTICLES, CLASSICAL_SEED
    from qwalk_circuits.reference.kicked_rotor import classical_p2_errors

    rotor = get_experiment("kicked-rotor").from_settings(
        {"momentum_qubits": 4, "kicks": 2, "kick_strength": 7, "kbar": 3, "quasi_momenta": 4})
    s = rotor.spec
    expected = classical_p2_errors(7, 2, CLASSICAL_PARTICLES, CLASSICAL_SEED, s.potential
                                   )[-1] / 3**2
    assert rotor.no_effect_error() == pytest.approx(expected, rel=1e-12) and expected > 0.01
    assert walk().no_effect_error() == 0.0
    report = plan(rotor, config, 400)
    signature = report["signature"]
    assert signature["no_effect_error"] == pytest.approx(expected, rel=1e-12)
    fidelity = report["circuits"][-1]["fidelity"]
    members = np.asarray(rotor.reference_ensemble()[-1], dtype=float)
    mixed = fidelity * members.mean(axis=0) + (1 - fidelity) / members.shape[1]
    shot_only = rotor.observable_errors(mixed, 400 * members.shape[0])["p2"]
    assert signature["error"] == pytest.approx(
        math.hypot(shot_only, signature["member_spread_error"], expected), rel=1e-9)
    print_plan(report, as_json=False)
    assert f"± {expected:.2g} for the classical standard map" in capsys.readouterr().out
    # the members that would do at any shots: the scatter's share shrinks as 1/sqrt(M), the
    # classical map's does not, so they are the fewest with hypot(...) below gap / 3 (at
    # F = 0.95: this double's device puts <m^2> on the wrong side, where no count would do)
    from qwalk_circuits.device_plan import _signature

    time = report["circuits"][-1]["time"]
    good = _signature(rotor, members.mean(axis=0), 0.95, time, 400, len(members), members)
    gap = good["no_effect"] - good["predicted"]  # (localization: below it)
    spread, count = good["member_spread_error"], members.shape[0]
    needed = good["members_for_3_sigma_at_any_shots"]
    assert gap > 0 and spread > 0 and needed is not None

    def floor_error(m: int) -> float:
        return math.hypot(spread * math.sqrt(count / m), expected)

    assert floor_error(needed) < gap / 3
    assert needed == 1 or floor_error(needed - 1) >= gap / 3
    # a no-effect value known worse than gap / 3: no shots and no members would do
    rotor.no_effect_error = lambda: gap  # type: ignore[method-assign]
    hopeless = _signature(rotor, members.mean(axis=0), 0.95, time, 400, len(members), members)
    assert hopeless["members_for_3_sigma_at_any_shots"] is None
    assert hopeless["shots_for_3_sigma"] is None and not hopeless["stands"]


def test_static_disorder_is_read_against_the_clean_walk():
    settings = {"position_qubits": 4, "steps": 6, "disorder": "static", "realisations": 4}
    static = get_experiment("anderson-walk").from_settings(settings)
    value, what = static.no_effect_value()
    clean = get_experiment("coined-walk").from_settings(
        {"position_qubits": 4, "steps": 6})
    assert value == pytest.approx(clean.observables(clean.reference_distributions()[-1])[
        "sigma"], rel=1e-12) and what.startswith("the clean walk")
    dynamic = get_experiment("anderson-walk").from_settings({**settings, "disorder": "dynamic"})
    assert dynamic.no_effect_value() is None


def test_an_ensembles_error_holds_its_members_scatter_as_the_run_reads_it(server, config):
    """The plan's error of an ensemble's observable is the shot noise and the members' own
    scatter (the jackknife over the exact members, mixed by the calibration model) in
    quadrature; more shots cannot bring it below the scatter, more members can."""
    from qwalk_circuits.analysis.ensembles import jackknife_errors
    from qwalk_circuits.device_plan import member_spread

    disordered = get_experiment("anderson-walk").from_settings(
        {"position_qubits": 3, "steps": 6, "disorder": "static", "realisations": 6})
    report = plan(disordered, config, 400)
    signature, fidelity = report["signature"], report["circuits"][-1]["fidelity"]
    members = disordered.reference_ensemble()[-1]
    mixed = fidelity * members + (1 - fidelity) / members.shape[1]
    spread = jackknife_errors(mixed, lambda q: {"sigma": disordered.observables(q)["sigma"]}
                              )["sigma"]
    assert spread > 0.02  # above the shot noise of 6 x 400 shots here
    assert signature["member_spread_error"] == pytest.approx(spread, rel=1e-12)
    shot_only = disordered.observable_errors(_mix(report, disordered), 400 * 6)["sigma"]
    assert signature["error"] == pytest.approx(math.hypot(shot_only, spread), rel=1e-9)
    assert signature["error"] > shot_only
    gap = abs(signature["predicted"] - signature["no_effect"])
    if signature["shots_for_3_sigma"] is None:  # the scatter alone is past gap / 3
        assert 3 * spread >= gap
    needed = signature["members_for_3_sigma_at_any_shots"]
    fewer = 3 * spread * math.sqrt(6 / (needed - 1)) if needed > 1 else math.inf
    assert 3 * spread * math.sqrt(6 / needed) < gap <= fewer
    # a single circuit (one member) has no scatter
    assert member_spread(disordered, members[:1], fidelity) == 0.0
    assert plan(walk(), config, 200)["signature"]["member_spread_error"] == 0.0


def test_trajectories_scatter_is_read_from_their_own_circuits(server, config):
    """Phase-kick trajectories share one exact reference (the channel's), but each is a pure
    walk with its own kicks: the dry run reads their scatter from the sent circuits on
    Aer's statevector, the same as from the logical templates, and counts it in the error
    (BENCHMARKS §24: at 16 sites the crossover's error was mostly this scatter)."""
    from qwalk_circuits.analysis.ensembles import jackknife_errors
    from qwalk_circuits.execution.config import load_config
    from qwalk_circuits.execution.ensemble import execute_ensemble
    from qwalk_circuits.experiments.unravelled import unravelled

    experiment = get_experiment("coin-dephasing").from_settings(
        {"position_qubits": 3, "steps": 5, "p": 0.5, "kick_trajectories": 12})
    report = plan(experiment, config, 400)
    signature, fidelity = report["signature"], report["circuits"][-1]["fidelity"]
    trajectories = unravelled(experiment)
    templates = trajectories.templates("all-to-all")
    last = len(templates) - 1
    values = trajectories.template_values(last, templates[last])
    results = execute_ensemble([templates[last]], [values], load_config("aer_ideal"), None,
                               None)[0]
    members = np.array([trajectories.member_distribution(templates[last], r, x.probabilities,
                                                         None)
                        for r, x in enumerate(results)])
    assert np.ptp(members, axis=0).max() > 0.05  # the trajectories differ
    mixed = fidelity * members + (1 - fidelity) / members.shape[1]
    key = trajectories.main_observable
    spread = jackknife_errors(mixed, lambda q: {key: trajectories.observables(q)[key]})[key]
    assert spread > 0.01
    assert signature["member_spread_error"] == pytest.approx(spread, rel=1e-8)
    # an ideal device returns the trajectories' average, not the channel: the forecast
    # mixes that average, and its TVD to the channel holds the finite ensemble's floor
    device = fidelity * members.mean(axis=0) + (1 - fidelity) / members.shape[1]
    shot_only = trajectories.observable_errors(device, 400 * 12)[key]
    assert signature["error"] == pytest.approx(math.hypot(shot_only, spread), rel=1e-8)
    assert signature["predicted"] == pytest.approx(trajectories.observables(device)[key],
                                                   rel=1e-9)
    channel = np.asarray(trajectories.reference_distributions()[-1], dtype=float)
    last = report["circuits"][-1]
    assert last["tvd_predicted"] == pytest.approx(0.5 * np.abs(device - channel).sum(),
                                                  rel=1e-9)
    # (12 trajectories are 0.09 from the channel here: the two forecasts differ)
    assert 0.5 * np.abs(members.mean(axis=0) - channel).sum() > 0.05
    assert abs(signature["predicted"]
               - trajectories.observables(_mix(report, trajectories))[key]) > 0.01


def _mix(report, experiment):
    p = np.asarray(experiment.reference_distributions()[-1], dtype=float)
    fidelity = report["circuits"][-1]["fidelity"]
    return fidelity * p + (1 - fidelity) / p.size


def test_the_verdict_counts_only_the_phenomenons_side(server, config):
    """Noise that moves the observable away from its no-effect value on the wrong side is
    no signature: an 8-site static walk at t = 3 (exact sigma = the clean walk's to 2e-4,
    the noisy prediction above it) and a kicked rotor before its break time (exact <m^2>
    above the classical map's: no localization in the model) do not stand out, at any
    shots; the clean walk against noise counts on its exact value's side."""
    static = get_experiment("anderson-walk").from_settings(
        {"position_qubits": 3, "steps": 3, "disorder": "static", "realisations": 6})
    assert static.signature_side() == -1
    signature = plan(static, config, 400)["signature"]
    assert signature["predicted"] > signature["no_effect"] and not signature["stands"]
    assert signature["standard_errors"] == 0 and signature["shots_for_3_sigma"] is None
    rotor = get_experiment("kicked-rotor").from_settings(
        {"momentum_qubits": 4, "kicks": 3, "kick_strength": 1, "quasi_momenta": 4})
    signature = plan(rotor, config, 400)["signature"]
    assert signature["exact"] > signature["no_effect"] and not signature["exact_shows_it"]
    assert not signature["stands"]
    clean = plan(walk(position_qubits=3, steps=3), config, 4000)["signature"]
    assert clean["exact_shows_it"] and clean["stands"]
    for settings, side in (({}, 1), ({"spin_orbit": 0.4}, -1),
                           ({"flux": "uniform", "flux_strength": 1.0}, 0)):
        torus = get_experiment("backscattering").from_settings(settings)
        assert torus.signature_side() == side, settings


def test_without_readout_mitigation_jobs_hold_only_the_circuits(server, tmp_path):
    """readout_mitigation = false: no calibration circuits are sent, and none of a job's
    room is kept for them (3 circuits fill one job of max_circuits_per_job = 4)."""
    from qwalk_circuits.execution.config import load_config
    from qwalk_circuits.execution.submission_build import build_submission

    from . import service_double

    path = service_double.ibm_config(tmp_path)
    path.write_text(path.read_text().replace("readout_mitigation = true",
                                             "readout_mitigation = false"))
    config = load_config(str(path))
    built = build_submission(walk(), config, 200, device_target(config))
    assert [i["role"] for i in built.infos] == ["circuits"] * 3
    assert built.plan == [[0, 1, 2]] and [i["job"] for i in built.infos] == [0, 0, 0]
    report = plan(walk(), config, 200)
    assert (report["jobs"], report["pub_rows"]) == (1, 3)


def test_noise_on_the_torus_puts_every_momentum_at_one_over_l_squared():
    """The backscattering outcome is eight momentum slots (and the map), not a distribution
    over its own entries: a device returning only noise gives 1/L^2 in each, not 1/size,
    and the calibration model mixes towards that."""
    from qwalk_circuits.device_plan import _mixed, member_spread

    torus = get_experiment("backscattering").from_settings({})
    members = np.asarray(torus.reference_ensemble()[-1], dtype=float)
    side = torus.spec.side
    noise = torus.noise_outcome(members.shape[1])
    assert members.shape[1] != side**2 and np.allclose(noise, 1 / side**2, atol=1e-15)
    mixed, uniform, kept = _mixed(torus, members[0], 0.25)
    assert kept == 1.0
    assert np.allclose(mixed, 0.25 * members[0] + 0.75 / side**2, atol=1e-15)
    assert torus.observables(uniform)["ratio"] == pytest.approx(1.0, abs=1e-12)
    assert member_spread(torus, members, 0.0) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="entries"):
        torus.noise_outcome(members.shape[1] + 1)
    assert np.array_equal(walk().noise_outcome(4), np.full(4, 0.25))
