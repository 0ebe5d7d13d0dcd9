"""Decoherence experiments: circuits (Aer noise models) vs exact twins; classical limits."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits import pipeline
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.reference.ctqw import hopping_hamiltonian
from qwalk_circuits.reference.dephasing import trotter_dephasing_evolution

SMALL_CTQW = {"position_qubits": 5, "time": 4.0, "time_steps": 8}


def run(name, settings, shots=None, seed=3):
    experiment = get_experiment(name).from_settings(settings)
    return experiment, pipeline.run(experiment, load_config(), shots=shots, seed=seed)


def test_ctqw_circuit_is_ballistic_sqrt2_j_t():
    _, record = run("ctqw", {"position_qubits": 6, "hopping": 0.5, "time": 12.0,
                             "time_steps": 6})
    s = record.summary
    assert max(s["distance"]["tvd"]) < 1e-10
    np.testing.assert_allclose(s["observables"]["sigma"], np.sqrt(2) * 0.5 *
                               np.asarray(s["times"]), rtol=1e-8, atol=1e-10)
    # (atol: at t = 0 the classical solver's point mass carries ~1e-13 of rounding spread,
    # whose square root is ~5e-7 -- numpy-build dependent)
    np.testing.assert_allclose(s["classical"]["sigma"], np.sqrt(2 * 0.5 * np.asarray(s["times"])),
                               rtol=1e-8, atol=1e-6)


@pytest.mark.parametrize("gamma", [0.5, 1.0, 3.0])
def test_dephasing_density_matrix_equals_exact_twin_and_tracks_hsr(gamma):
    experiment, record = run("dephasing", {**SMALL_CTQW, "time_steps": 32, "gamma": gamma})
    s = record.summary
    assert max(s["distance"]["tvd"]) < 1e-8
    # the circuit's slices against the continuous HSR closed form: the splitting error of
    # sigma^2 falls like dt^2 (tested on the reference), so the twin at dt/2 estimates it
    # (Richardson: error(dt) ~ 4/3 |sigma^2(dt) - sigma^2(dt/2)|); allow 1.5 times that
    spec = experiment.spec
    half = trotter_dephasing_evolution(
        hopping_hamiltonian(spec.side, spec.hopping), np.diag(spec.start_distribution()),
        spec.dt / 2, [2 * k for k in spec.measured_slices()], "site", gamma)
    x2 = (np.arange(spec.side) - spec.side // 2) ** 2
    fine = np.array([np.real(np.diag(half[2 * k])) @ x2 for k in spec.measured_slices()])
    got = np.asarray(s["observables"]["sigma"]) ** 2
    want = np.asarray(s["hsr_closed_form"]["sigma"]) ** 2
    estimate = 4 / 3 * np.abs(got - fine)
    assert np.all(np.abs(got - want) <= 1.5 * estimate + 1e-9)
    np.testing.assert_allclose(s["continuum"]["sigma"], s["hsr_closed_form"]["sigma"], rtol=1e-6)


def test_dephasing_trajectories_agree_within_shot_noise():
    _, record = run("dephasing", {"position_qubits": 4, "time": 2.0, "time_steps": 4,
                                  "gamma": 1.0, "method": "trajectories"}, shots=1500, seed=5)
    d = record.summary["distance"]
    assert all(tvd <= bound for tvd, bound in zip(d["tvd"], d["tvd_shot_noise_bound"],
                                                   strict=True))


def test_phase_damping_channel_differs_from_site_dephasing():
    _, site = run("dephasing", {**SMALL_CTQW, "gamma": 1.0})
    _, damping = run("dephasing", {**SMALL_CTQW, "gamma": 1.0, "channel": "phase_damping"})
    assert max(damping.summary["distance"]["tvd"]) < 1e-8  # its own exact twin
    sigmas = [r.summary["observables"]["sigma"][-1] for r in (site, damping)]
    assert abs(sigmas[0] - sigmas[1]) > 0.1


STRONG = {"position_qubits": 6, "gamma": 4.0, "time": 6.0, "time_steps": 24}


def _transient_bound(gamma, dt, t0, hopping=1.0):
    """Largest shift of a late-window slope of sigma^2 = 2 D t - K (1 - e^(-gamma t)) over
    t >= t0: K gamma e^(-gamma t0) / 2, K = 4 J^2 q dt^2/(1-q)^2 (reference/sliced_dephasing)."""
    q = np.exp(-gamma * dt)
    return 4 * hopping**2 * q * dt**2 / (1 - q) ** 2 * gamma * np.exp(-gamma * t0) / 2


def test_strong_dephasing_diffuses_with_the_sliced_models_d():
    """gamma = 4, dt = 0.25: the circuits' D is the sliced channel's J^2 dt coth(gamma dt/2)
    = 0.54099, within the window's transient bound (3e-6 here; a 64-site ring adds < 1e-12)."""
    experiment, record = run("dephasing", STRONG)
    fit = experiment.diffusion_fit(record.summary["observables"]["sigma"])
    d_model = 1.0**2 * 0.25 / np.tanh(4.0 * 0.25 / 2)
    assert record.summary["diffusion_theory"]["D_model"]["value"] == pytest.approx(d_model,
                                                                                   rel=1e-14)
    assert abs(fit["D"] - d_model) <= _transient_bound(4.0, 0.25, 3.0) + 1e-12


def test_strong_dephasing_approaches_hsr_two_j2_over_gamma_up_to_the_slicing_error():
    """The continuum (HSR) 2J^2/gamma = 0.5 is missed by the slicing error x coth x - 1 =
    (gamma dt)^2/12 - (gamma dt)^4/720 + ... = +8.2 % at gamma dt = 1, and the gap shrinks
    like dt^2: at dt/2 it is +2.1 %."""
    for steps, excess in ((24, 0.0820), (48, 0.0208)):
        experiment, record = run("dephasing", {**STRONG, "time_steps": steps})
        fit = experiment.diffusion_fit(record.summary["observables"]["sigma"])
        theory = record.summary["diffusion_theory"]
        assert theory["slicing_error_relative"]["value"] == pytest.approx(excess, abs=1e-4)
        dt = 6.0 / steps
        assert abs(fit["D"] / 0.5 - 1 - excess) <= 1e-4 + _transient_bound(4.0, dt, 3.0) / 0.5


@pytest.mark.parametrize("name", ["coin-dephasing", "position-dephasing"])
def test_full_dephasing_every_step_is_the_classical_walk(name):
    """p = 1: sigma^2 = t exactly (Brun, Carteret, Ambainis 2003)."""
    _, record = run(name, {"position_qubits": 5, "steps": 10, "p": 1.0})
    s = record.summary
    np.testing.assert_allclose(np.asarray(s["observables"]["sigma"]) ** 2, s["times"], atol=1e-9)
    assert max(s["distance"]["tvd"]) < 1e-8


@pytest.mark.parametrize("name", ["coin-dephasing", "position-dephasing"])
def test_partial_dephasing_matches_twin_and_lies_between_limits(name):
    _, record = run(name, {"position_qubits": 5, "steps": 10, "p": 0.3})
    s = record.summary
    assert max(s["distance"]["tvd"]) < 1e-8
    classical, quantum = s["times"][-1], 0.5412**2 * s["times"][-1] ** 2
    assert classical < s["observables"]["sigma"][-1] ** 2 < quantum + 1


def test_two_dimensional_coin_dephasing():
    _, record = run("coin-dephasing", {"dimension": 2, "position_qubits": 2, "steps": 4,
                                       "p": 0.5})
    assert max(record.summary["distance"]["tvd"]) < 1e-8


def test_free_packet_follows_the_spreading_law_and_the_si_example():
    _, record = run("free-packet", {"position_qubits": 7, "sigma0": 3.0, "time": 18.0,
                                    "time_steps": 6})
    s = record.summary
    assert max(s["distance"]["tvd"]) < 1e-10
    got, law = np.asarray(s["observables"]["sigma"]), np.asarray(s["lattice_formula"]["sigma"])
    # approached from below, corrections ~ 1/sigma0^2
    assert np.all(got <= law + 1e-12)
    assert np.all(law - got <= law / 3.0**2)
    # 1 nm electron, 1 keV, 1 m: millimetres (the overview's example)
    assert 1e-3 < s["si"]["width_final_m"] < 1e-2


def test_moving_free_packet_spreads_with_the_effective_mass_at_k0():
    """Around k0 the lattice mass is 1/(2 J cos k0): a moving packet spreads more slowly."""
    _, record = run("free-packet", {"position_qubits": 7, "sigma0": 4.0, "momentum": 0.8,
                                    "time": 16.0, "time_steps": 4})  # moves 23 sites: no wrap
    s = record.summary
    got, law = np.asarray(s["observables"]["sigma"]), np.asarray(s["lattice_formula"]["sigma"])
    assert np.all(np.abs(got - law) <= law / 4.0**2)


def test_free_packet_lattice_corrections_shrink_like_one_over_sigma0_squared():
    deviations = []
    for sigma0 in (2.0, 4.0):
        _, record = run("free-packet", {"position_qubits": 8, "sigma0": sigma0,
                                        "time": 2 * sigma0**2, "time_steps": 1})
        s = record.summary
        law = s["lattice_formula"]["sigma"][-1]
        deviations.append((law - s["observables"]["sigma"][-1]) / law)
    assert deviations[1] == pytest.approx(deviations[0] / 4, rel=0.35)


@pytest.mark.parametrize(("name", "settings", "message"), [
    ("dephasing", {"gamma": -1}, "gamma"),
    ("dephasing", {"time_steps": 0}, "time_steps"),
    ("coin-dephasing", {"p": 1.2}, "'p'"),
    ("position-dephasing", {"shift": "fourier"}, "shift"),
])
def test_bad_noise_parameters(name, settings, message):
    with pytest.raises(QwalkError, match=message):
        experiment = get_experiment(name).from_settings(settings)
        experiment.constructions("all-to-all")


def test_exact_probabilities_with_trajectories_are_refused():
    experiment = get_experiment("dephasing").from_settings(
        {"position_qubits": 3, "time_steps": 2, "method": "trajectories"})
    with pytest.raises(QwalkError, match="density_matrix"):
        pipeline.run(experiment, load_config(), shots=None)
