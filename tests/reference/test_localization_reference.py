"""Groundwork for strong localization (issue 4): Anderson transfer matrices, kicked rotor."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.core.disorder import onsite_energies
from qwalk_circuits.reference.anderson import (
    band_centre_length,
    lyapunov_exponent,
    thouless_length,
)
from qwalk_circuits.reference.kicked_rotor import (
    classical_moments,
    classical_p2,
    classical_p2_errors,
    quantum_p2,
    rechester_white_diffusion,
)

# the closed forms are W -> 0 limits; at W = 1 their O(W^2) corrections are ~1-2 %
PERTURBATIVE = 0.02


def test_disorder_realisations_are_reproducible_and_distinct():
    a = onsite_energies(7, 0, 64, 2.0)
    np.testing.assert_array_equal(a, onsite_energies(7, 0, 64, 2.0))
    assert not np.allclose(a, onsite_energies(7, 1, 64, 2.0))
    assert np.all(np.abs(a) <= 1.0)


def test_band_centre_anomaly():
    """xi(0) = 105.045 t^2/W^2 (Kappus & Wegner 1981; Derrida & Gardner 1984)."""
    assert band_centre_length(1.0) == pytest.approx(105.045, abs=1e-3)
    lyap = lyapunov_exponent(1.0, 0.0, seed=1)
    xi, err = lyap.localization_length, lyap.localization_length_error
    assert abs(xi - band_centre_length(1.0)) <= 3 * err + PERTURBATIVE * xi


def test_thouless_away_from_the_band_centre():
    """xi = 24 (4 t^2 - E^2) / W^2 (Thouless 1979): 72 at E = t, W = t."""
    lyap = lyapunov_exponent(1.0, 1.0, seed=2)
    xi, err = lyap.localization_length, lyap.localization_length_error
    assert abs(xi - thouless_length(1.0, 1.0)) <= 3 * err + PERTURBATIVE * xi


def test_quantum_resonance_is_ballistic():
    """kbar = 4 pi, beta = 0: <m^2> = k^2 t^2 / 2 exactly, k = K / kbar (REFERENCES.md)."""
    kick, kbar = 2.5, 4 * np.pi
    p2 = quantum_p2(kick, kbar, 12, 8)
    k = kick / kbar
    np.testing.assert_allclose(p2, k**2 * np.arange(13) ** 2 / 2, atol=1e-10)


def test_anti_resonance_alternates():
    kick, kbar = 2.5, 2 * np.pi
    p2 = quantum_p2(kick, kbar, 6, 8)
    k = kick / kbar
    np.testing.assert_allclose(p2[1::2], k**2 / 2, atol=1e-10)
    np.testing.assert_allclose(p2[2::2], 0.0, atol=1e-10)


def test_classical_standard_map_diffuses_at_the_rechester_white_rate():
    kick, particles = 10.0, 20_000
    p2 = classical_p2(kick, 200, particles=particles, seed=3)
    slope = np.polyfit(np.arange(50, 201), p2[50:], 1)[0]
    # shot noise of a mean of p^2 over the ensemble (p^2 ~ chi^2: relative sd sqrt(2/M))
    # plus the neglected higher Bessel terms (~K^-3/2 ~ 3 % at K = 10)
    tolerance = (3 * np.sqrt(2 / particles) + 0.03) * rechester_white_diffusion(kick)
    assert abs(slope - rechester_white_diffusion(kick)) <= tolerance


def test_the_classical_maps_p2_error_is_the_spread_of_its_own_particles():
    """After one kick p = K sin(theta): p^2 has standard deviation K^2 / sqrt(8), so the
    mean's error is K^2 / sqrt(8 M); the error of a later kick is that of the particles
    :func:`classical_moments` averages (repeated seeds scatter by it)."""
    kick, particles = 3.0, 4000
    errors = classical_p2_errors(kick, 3, particles, seed=1)
    assert errors[0] == 0.0
    # the sample sd of sin^2 over 4000 draws is within 3 % of 1/sqrt(8)
    assert errors[1] == pytest.approx(kick**2 / np.sqrt(8 * particles), rel=0.03)
    spread = np.std([classical_moments(kick, 3, particles, seed)[1][3] for seed in range(200)],
                    ddof=1)
    # 200 seeds know the scatter to ~5 %
    assert errors[3] == pytest.approx(spread, rel=0.2)


def test_dynamical_localization_freezes_quantum_spreading():
    """K = 10, kbar = 0.5: localization length l ~ D / (2 kbar^2) ~ 62; <m^2> saturates near
    a few l^2 while the classical <m^2> = D t / kbar^2 keeps growing (Shepelyansky 1986)."""
    kick, kbar = 10.0, 0.5
    quantum = quantum_p2(kick, kbar, 300, 9, betas=np.linspace(0, 1, 12, endpoint=False))
    classical_rate = rechester_white_diffusion(kick) / kbar**2
    ell = rechester_white_diffusion(kick) / (2 * kbar**2)
    assert quantum[300] < 0.5 * classical_rate * 300
    assert quantum[300] - quantum[200] < 0.1 * classical_rate * 100
    assert ell**2 < quantum[300] < 5 * ell**2
