"""Published Hadamard-walk numbers, reproduced on circuits (Aer, exact and sampled).

References: Ambainis, Bach, Nayak, Vishwanath, Watrous, STOC 2001; Konno, QIP 1,
345 (2002); Kempe, Contemp. Phys. 44, 307 (2003) -- see shared/REFERENCES.md.
"""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits import analysis
from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run

BALLISTIC_SLOPE = np.sqrt(1 - 1 / np.sqrt(2))  # 0.5412
TIMES = [8, 16, 32, 48, 62, 64]


@pytest.fixture(scope="module")
def exact_walk():
    """n = 8 (256 sites): the front at |x| = t never wraps for t <= 64."""
    experiment = get_experiment("coined-walk").from_settings(
        {"position_qubits": 8, "steps": 64, "times": TIMES, "shift": "fast-forward"})
    return experiment, run(experiment, load_config("aer_ideal"), shots=None, seed=1)


def test_sigma_grows_ballistically(exact_walk):
    """sigma(t)/t -> sqrt(1 - 1/sqrt 2); the finite-t correction falls like 1/t^2."""
    _, record = exact_walk
    for t, sigma in zip(TIMES, record.summary["observables"]["sigma"], strict=True):
        assert abs(sigma / t - BALLISTIC_SLOPE) <= 0.6 / t**2


def test_peaks_sit_near_plus_minus_t_over_sqrt2(exact_walk):
    """The two peaks approach +-t/sqrt 2 within the Airy width ~ t^(1/3)."""
    experiment, record = exact_walk
    x = analysis.displacements(experiment.spec.num_sites, experiment.spec.origin())[0]
    for t, p in zip(TIMES, record.distributions, strict=True):
        right = x[np.argmax(np.where(x > 0, p, 0))]
        left = x[np.argmax(np.where(x < 0, p, 0))]
        assert abs(right - t / np.sqrt(2)) <= t ** (1 / 3)
        assert abs(left + t / np.sqrt(2)) <= t ** (1 / 3)


def test_return_probability_decays_like_2_over_pi_t(exact_walk):
    _, record = exact_walk
    for t, p0 in zip(TIMES, record.summary["observables"]["p_origin"], strict=True):
        assert abs(p0 * np.pi * t / 2 - 1) <= 1.5 / t


def test_return_probability_vanishes_on_odd_steps():
    experiment = get_experiment("coined-walk").from_settings(
        {"position_qubits": 6, "steps": 9, "times": [1, 3, 5, 7, 9]})
    record = run(experiment, load_config(), shots=None, seed=1)
    assert max(record.summary["observables"]["p_origin"]) < 1e-12


def test_classical_walk_sigma_is_exactly_sqrt_t(exact_walk):
    _, record = exact_walk
    np.testing.assert_allclose(record.summary["classical"]["sigma"], np.sqrt(TIMES), atol=1e-12)


def test_fitted_exponents_separate_quantum_from_classical(exact_walk):
    _, record = exact_walk
    fits = record.summary["fits"]["sigma_power_law"]
    assert fits["observables"]["exponent"] == pytest.approx(1.0, abs=0.01)
    assert fits["classical"]["exponent"] == pytest.approx(0.5, abs=1e-9)


def test_every_construction_gives_the_reference_distribution():
    for shift in ("increment", "fourier", "fast-forward"):
        experiment = get_experiment("coined-walk").from_settings(
            {"position_qubits": 5, "steps": 9, "shift": shift, "initial_coin": "0"})
        record = run(experiment, load_config(), shots=None, seed=1)
        assert max(record.summary["distance"]["tvd"]) < 1e-10


def test_2d_grover_walk_circuit_matches_reference():
    experiment = get_experiment("coined-walk").from_settings(
        {"dimension": 2, "position_qubits": 3, "steps": 3})
    record = run(experiment, load_config(), shots=None, seed=1)
    assert max(record.summary["distance"]["tvd"]) < 1e-10
    assert record.summary["classical"]["sigma"][-1] == pytest.approx(np.sqrt(3), abs=1e-12)


def test_gaussian_packet_with_momentum_drifts():
    experiment = get_experiment("coined-walk").from_settings(
        {"position_qubits": 6, "steps": 10, "times": [0, 10], "initial_state": "gaussian",
         "packet_width": 3, "packet_momentum": 1.0, "initial_coin": "0", "coin": "identity"})
    record = run(experiment, load_config(), shots=None, seed=1)
    # coin |0> with identity coin: a rigid translation by +t
    mean = record.summary["observables"]["mean"]
    # (the Gaussian tail reaching across the cycle boundary shifts the mean by ~1e-9)
    assert mean[1] - mean[0] == pytest.approx(10.0, abs=1e-7)
    assert max(record.summary["distance"]["tvd"]) < 1e-10


@pytest.mark.parametrize("shots", [500, 8000])
def test_sampled_distance_is_within_shot_noise(shots):
    """TVD to the exact distribution stays under a bound shrinking like 1/sqrt(shots)."""
    experiment = get_experiment("coined-walk").from_settings({"position_qubits": 5, "steps": 12})
    record = run(experiment, load_config(), shots=shots, seed=11)
    distance = record.summary["distance"]
    for tvd, bound in zip(distance["tvd"], distance["tvd_shot_noise_bound"], strict=True):
        assert tvd <= bound
    obs, ref = record.summary["observables"], record.summary["reference"]
    errors = record.summary["observable_errors"]
    for key in ("sigma", "p_origin"):
        for got, want, err in zip(obs[key], ref[key], errors[key], strict=True):
            assert abs(got - want) <= 5 * err + 1e-12
