"""The sliced HSR channel's exact D = J^2 dt coth(gamma dt/2) and sigma^2(t) closed form
(reference/sliced_dephasing.py) against long runs of the density-matrix twin; its continuum
limit; the symmetric (Strang) placements of the channel."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qwalk_circuits.reference.ctqw import hopping_hamiltonian
from qwalk_circuits.reference.dephasing import (
    hsr_sigma_squared,
    site_dephasing,
    trotter_dephasing_evolution,
)
from qwalk_circuits.reference.sliced_dephasing import (
    continuum_diffusion_constant,
    sliced_diffusion_constant,
    sliced_sigma_squared,
    slices_for_slicing_error,
    slicing_excess,
)

NUM, J = 128, 1.0
X = np.arange(NUM) - NUM // 2
#: float64 rounding of sigma^2 ~ 1e2 after ~1e2 dense slices (measured ~1e-13 relative)
ROUNDING = 1e-10


def start() -> np.ndarray:
    rho = np.zeros((NUM, NUM), dtype=complex)
    rho[NUM // 2, NUM // 2] = 1
    return rho


def sigma2(rho: np.ndarray) -> float:
    p = np.real(np.diag(rho))
    return float(p @ X**2 - (p @ X) ** 2)


def twin(gamma: float, dt: float, slices: list[int]) -> np.ndarray:
    out = trotter_dephasing_evolution(hopping_hamiltonian(NUM, J), start(), dt, slices,
                                      "site", gamma)
    return np.array([sigma2(out[k]) for k in slices])


@pytest.mark.parametrize(("gamma", "dt"), [(4.0, 0.25), (2.0, 0.25), (4.0, 0.5), (0.5, 0.25)])
def test_closed_form_sigma2_is_the_twin_before_the_ring_wraps(gamma, dt):
    """sigma^2(n dt) = 2J^2 dt^2 n + 4J^2 q dt^2/(1-q) (n - (1-q^n)/(1-q)), to rounding."""
    slices = [0, 1, 2, 3, 10, 40]  # sigma <= 9 sites on a ring of 128: no wrap to 1e-30
    got, want = twin(gamma, dt, slices), sliced_sigma_squared(J, gamma, dt, slices)
    np.testing.assert_allclose(got, want, rtol=ROUNDING, atol=1e-14)
    assert want[1] == pytest.approx(2 * J**2 * dt**2, rel=1e-14)  # one coherent slice


@pytest.mark.parametrize(("gamma", "dt"), [(4.0, 0.25), (2.0, 0.25), (4.0, 0.5)])
def test_d_model_is_the_long_time_slope_of_long_twin_runs(gamma, dt):
    """The twin's slope between slices n1 and n2 is D_model up to the transient
    K q^n1 / (2 dt (n2 - n1)), K = 4 J^2 q dt^2/(1-q)^2 (from the closed form): a tolerance
    set by the run's length, 1e-9 or less here -- not the continuum's 2 J^2/gamma (+2-31 %).
    n1 gamma dt = 30 (transient e^-30); n2 keeps sigma below N/16 (no wrap to 1e-15)."""
    n1 = round(30 / (gamma * dt))
    n2 = n1 + 40
    s1, s2 = twin(gamma, dt, [n1, n2])
    slope = (s2 - s1) / (2 * dt * (n2 - n1))
    q = math.exp(-gamma * dt)
    transient = 4 * J**2 * q * dt**2 / (1 - q) ** 2 * q**n1 / (2 * dt * (n2 - n1))
    d_model = sliced_diffusion_constant(J, gamma, dt)
    assert abs(slope - d_model) <= transient + ROUNDING * d_model
    assert d_model == pytest.approx(J**2 * dt / math.tanh(gamma * dt / 2), rel=1e-14)
    # the continuum value is far outside that tolerance: the test can tell them apart
    assert abs(slope - continuum_diffusion_constant(J, gamma)) > 100 * (transient + 1e-9)


@pytest.mark.parametrize("gamma", [0.5, 2.0, 4.0])
def test_continuum_limit_dt_to_zero(gamma):
    """D_model -> 2J^2/gamma with the relative excess (gamma dt)^2/12 - (gamma dt)^4/720 +
    ...; the closed-form sigma^2 -> HSR's at fixed t with an O(dt^2) gap (D and the offset
    4J^2 q dt^2/(1-q)^2 = (4J^2/gamma^2)(x / sinh x)^2 are both even in dt)."""
    for g_dt in (1.0, 0.3, 0.1, 1e-3, 1e-6):
        dt = g_dt / gamma
        excess = sliced_diffusion_constant(J, gamma, dt) / continuum_diffusion_constant(
            J, gamma) - 1
        assert excess == pytest.approx(slicing_excess(gamma, dt), rel=1e-12)
        # alternating series: the error is below the next term, 2 x^6/945 (x = gamma dt/2),
        # plus the rounding of x / tanh x - 1 (a few ulp of 1)
        assert abs(excess - (g_dt**2 / 12 - g_dt**4 / 720)) <= (
            2 * (g_dt / 2) ** 6 / 945 * 1.01 + 1e-15)
    t = 3.0
    gaps = [abs(sliced_sigma_squared(J, gamma, t / n, [n])[0] - hsr_sigma_squared(J, gamma, t))
            for n in (100, 200, 400)]
    assert gaps[1] == pytest.approx(gaps[0] / 4, rel=0.01)  # second order in dt
    assert gaps[2] == pytest.approx(gaps[1] / 4, rel=0.01)


def test_slices_for_a_slicing_error_target_are_the_fewest_that_meet_it():
    for gamma, time, target in [(4.0, 8.0, 0.01), (1.0, 6.0, 1e-4), (0.5, 8.0, 0.2)]:
        steps = slices_for_slicing_error(gamma, time, target)
        assert slicing_excess(gamma, time / steps) <= target
        assert steps == 1 or slicing_excess(gamma, time / (steps - 1)) > target
    assert slices_for_slicing_error(4.0, 8.0, 0.01) == 93
    with pytest.raises(ValueError, match="gamma > 0"):
        slices_for_slicing_error(0.0, 8.0, 0.01)


def test_strang_channel_placement_leaves_every_distribution_unchanged():
    """[half channel, U, half channel]^n = D_sqrt(q) (U D_q)^(n-1) U D_sqrt(q): from a site
    start the populations equal the plain placement's at every slice (to rounding)."""
    gamma, dt, slices = 4.0, 0.25, 20
    energies, vectors = np.linalg.eigh(hopping_hamiltonian(NUM, J))
    step = vectors @ np.diag(np.exp(-1j * energies * dt)) @ vectors.conj().T
    half = 1 - math.exp(-gamma * dt / 2)  # coherences x sqrt(q)
    plain = trotter_dephasing_evolution(hopping_hamiltonian(NUM, J), start(), dt,
                                        range(slices + 1), "site", gamma)
    rho = start()
    for k in range(1, slices + 1):
        rho = site_dephasing(step @ site_dephasing(rho, half) @ step.conj().T, half)
        np.testing.assert_allclose(np.diag(rho).real, np.diag(plain[k]).real, atol=1e-12)


def test_strang_unitary_split_has_the_same_long_time_d():
    """[U_1/2, channel, U_1/2]^n is the sliced channel conjugated by U_1/2: sigma^2 differs
    from the plain placement's by a constant once the transient q^n has died (q^30 = 1e-13
    here), so the long-time D is the same J^2 dt coth(gamma dt/2)."""
    gamma, dt = 4.0, 0.25
    energies, vectors = np.linalg.eigh(hopping_hamiltonian(NUM, J))
    half_step = vectors @ np.diag(np.exp(-0.5j * energies * dt)) @ vectors.conj().T
    p = 1 - math.exp(-gamma * dt)
    rho, gaps = start(), {}
    plain = twin(gamma, dt, [30, 60])
    for k in range(1, 61):
        rho = half_step @ site_dephasing(half_step @ rho @ half_step.conj().T, p) @ (
            half_step.conj().T)
        if k in (30, 60):
            gaps[k] = sigma2(rho)
    split_gap = np.array([gaps[30], gaps[60]]) - plain
    assert abs(split_gap[1] - split_gap[0]) <= ROUNDING * plain[1]
    assert abs(split_gap[0]) > 1e-3  # it is a different placement at finite t
