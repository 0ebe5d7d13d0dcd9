"""Analysis on plain arrays: bit order, relabelling, moments, distances, bounds, fits."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits import analysis


def test_counts_keys_are_register_values_and_offset_relabels():
    counts = {0b011: 3, 0b100: 1}
    p = analysis.distribution_from_counts(counts, 8)
    assert p[3] == 0.75 and p[4] == 0.25
    shifted = analysis.distribution_from_counts(counts, 8, site_offset=2)
    assert shifted[1] == 0.75 and shifted[2] == 0.25
    np.testing.assert_allclose(analysis.relabel(analysis.distribution_from_counts(counts, 8), 2),
                               shifted)


def test_observables_on_a_cycle_use_signed_displacement():
    p = np.zeros(16)
    p[[6, 10]] = 0.5  # +-2 around origin 8
    obs = analysis.observables(p, 8)
    assert obs == {"mean": 0.0, "sigma": 2.0, "p_origin": 0.0}
    q = np.zeros(16)
    q[[15, 1]] = 0.5  # +-1 around origin 0, across the wrap
    assert analysis.observables(q, 0)["sigma"] == 1.0


def test_distances():
    p, q = np.array([1.0, 0, 0]), np.array([0, 1.0, 0])
    assert analysis.total_variation(p, q) == 1.0
    assert analysis.hellinger(p, q) == 1.0
    assert analysis.total_variation(p, p) == 0.0
    assert analysis.hellinger(p, p) == 0.0


def test_tvd_bound_holds_for_sampled_distributions_and_shrinks():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(32))
    for shots in (100, 1000, 10000):
        bound = analysis.tvd_shot_noise_bound(p, shots)
        tvds = [analysis.total_variation(rng.multinomial(shots, p) / shots, p)
                for _ in range(300)]
        assert max(tvds) <= bound
        assert np.mean(tvds) > 0.3 * bound  # not vacuous: the bound is of the right size
    assert analysis.tvd_shot_noise_bound(p, 400) == pytest.approx(
        2 * analysis.tvd_shot_noise_bound(p, 1600))


def test_sigma_error_bar_matches_the_sampling_spread():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(21))
    shots = 2000
    err = analysis.observable_errors(p, 10, shots)["sigma"]
    samples = [analysis.observables(rng.multinomial(shots, p) / shots, 10)["sigma"]
               for _ in range(2000)]
    assert np.std(samples) == pytest.approx(err, rel=0.1)


def test_power_law_fit_recovers_exponent_and_uncertainty():
    rng = np.random.default_rng(2)
    t = np.arange(5, 60, 5, dtype=float)
    truth = 0.7 * t**0.83
    errors = 0.01 * truth
    fits = [analysis.fit_power_law(t, truth * (1 + 0.01 * rng.normal(size=t.size)), errors)
            for _ in range(400)]
    exponents = np.array([f.exponent for f in fits])
    assert np.mean(exponents) == pytest.approx(0.83, abs=0.003)
    assert np.std(exponents) == pytest.approx(fits[0].exponent_error, rel=0.15)
    exact = analysis.fit_power_law(t, truth)
    assert exact.exponent == pytest.approx(0.83, abs=1e-12)


def test_power_law_fit_needs_three_points():
    with pytest.raises(ValueError, match="three points"):
        analysis.fit_power_law([0, 1, 2], [0, 1, 2])


def test_power_law_fit_treats_rounding_level_error_bars_as_no_measurement():
    """An ensemble whose members agree at early times has error bars of 1e-16 there; taken
    at face value they weigh 1e32 and make the exponent's error a rounding artefact."""
    from qwalk_circuits.analysis import fit_power_law

    t = np.array([1.0, 2.0, 4.0, 8.0])
    y = t ** 0.5 * np.array([1.0, 1.0, 1.02, 0.98])
    errors = y * np.array([1e-16, 2e-16, 0.02, 0.02])
    fit = fit_power_law(t, y, errors)
    honest = fit_power_law(t, y, y * 0.02)
    assert fit.exponent_error == pytest.approx(honest.exponent_error, rel=1e-9)
    assert fit.exponent_error > 1e-3


def test_a_point_mass_with_rounding_noise_has_no_sigma_error():
    """qwalk run ctqw printed sigma = 0.000 ± 0.186 at t = 0: the delta method divided the
    rounding noise's spread by its tiny sigma.  The sampled sigma is never wider than sigma."""
    from qwalk_circuits.analysis.distributions import observable_errors

    p = np.full(64, 1e-33)
    p[32] = 1 - 63e-33
    errors = observable_errors(p, 32, 4096)
    sigma = np.sqrt(p @ (np.arange(64) - 32.0) ** 2)
    assert 0 < errors["sigma"] <= sigma < 1e-14
    assert errors["p_origin"] == 0.0  # p0 rounded just below 1: no sqrt of a negative
    q = np.zeros(64)
    q[30], q[34] = 0.5, 0.5  # a spread distribution keeps the delta-method error
    shots = 100
    # var 4 and no first-order spread: (var / S) / (2 sigma) = (4 / 100) / 4
    assert observable_errors(q, 32, shots)["sigma"] == pytest.approx(0.01, rel=1e-12)
