"""The coin/position-dephased walk's exact long-time D against long exact reference runs.

The reference runs are ``reference/dephasing.py``'s density-matrix twin (independent code:
it shares nothing with the momentum-space theory but the model).  No fit: the slope
(<x^2>(t+1) - <x^2>(t)) / 2 approaches D as the velocity correlations die out, over the
model's relaxation time tau; the tolerance is 2 D e^{-t/tau} (the transient's size at step
t is c e^{-t/tau} with c between 0.3 D and 1.02 D along these runs: checked below) plus the
rounding of a run of t steps.
"""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.analysis import displacements, observables
from qwalk_circuits.core.coins import resolve_coin
from qwalk_circuits.reference.dephased_walk_diffusion import (
    dephased_walk_diffusion,
    dephased_walk_variance,
    hadamard_coin_dephasing_diffusion,
    hadamard_position_dephasing_diffusion,
    relaxation_time,
)
from qwalk_circuits.reference.dephasing import coined_walk_dephasing_distributions

HADAMARD = resolve_coin("hadamard", 1)
GROVER = resolve_coin("grover", 2)
CLOSED_FORMS = {"coin": hadamard_coin_dephasing_diffusion,
                "position": hadamard_position_dephasing_diffusion}


def _start(side: int, coin: tuple[complex, complex] = (2**-0.5, 1j * 2**-0.5)) -> np.ndarray:
    psi = np.zeros((2, side), dtype=complex)
    psi[:, side // 2] = coin
    return psi


def _variances(psi: np.ndarray, channel: str, p: float, times: list[int]) -> np.ndarray:
    """sigma^2 of the density-matrix twin on the ring at each time."""
    side = psi.shape[1]
    out = coined_walk_dephasing_distributions(HADAMARD, psi, times, 1, channel, p)
    return np.array([observables(out[t], side // 2)["sigma"] ** 2 for t in times])


def _slope_tolerance(d: float, tau: float, t: int, variance: float) -> float:
    """The transient left at step t (at most 2 D e^{-t/tau}) plus rounding over t steps."""
    return 2 * d * np.exp(-t / tau) + 1e-12 * t * max(variance, 1.0)


@pytest.mark.parametrize("channel", ["coin", "position"])
@pytest.mark.parametrize("p", [0.02, 0.1, 0.3, 0.5, 0.9, 1.0])
def test_general_solver_matches_the_hadamard_closed_form(channel, p):
    d = dephased_walk_diffusion(HADAMARD, channel, p)
    assert d.value == pytest.approx(CLOSED_FORMS[channel](p), rel=1e-11)
    assert d.quadrature_error <= 1e-12 * d.value


@pytest.mark.parametrize("channel", ["coin", "position"])
def test_p_one_is_the_classical_walk(channel):
    """Measured every step, the walk is classical: sigma^2 = t, D = 1/2 (1D and 2D)."""
    assert dephased_walk_diffusion(HADAMARD, channel, 1.0).value == pytest.approx(0.5, abs=1e-14)
    assert dephased_walk_diffusion(GROVER, channel, 1.0, 2).value == pytest.approx(0.5, abs=1e-13)


@pytest.mark.parametrize(("channel", "limit"), [("coin", 0.5), ("position", 2**-0.5)])
def test_weak_dephasing_diverges_like_one_over_p(channel, limit):
    """The coherent walk is ballistic: D ~ limit / p, approached linearly in p."""
    for p in (1e-2, 1e-3):
        d = dephased_walk_diffusion(HADAMARD, channel, p).value
        assert abs(p * d - limit) <= p  # the closed forms' O(p) correction is < p
    with pytest.raises(ValueError, match="ballistic"):
        dephased_walk_diffusion(HADAMARD, channel, 0.0)


def test_a_coin_that_never_mixes_has_no_finite_d():
    with pytest.raises(ValueError, match="no finite diffusion constant"):
        dephased_walk_diffusion(np.eye(2), "coin", 0.3)


@pytest.mark.parametrize("channel", ["coin", "position"])
@pytest.mark.parametrize("p", [0.3, 0.5])
def test_d_is_the_slope_of_a_long_exact_twin_run(channel, p):
    """60 steps on a 128-site ring (the light cone |x| <= t never wraps)."""
    steps = 60
    variance = _variances(_start(128), channel, p, [steps - 1, steps])
    d = dephased_walk_diffusion(HADAMARD, channel, p).value
    tau = relaxation_time(HADAMARD, channel, p)
    slope = (variance[1] - variance[0]) / 2
    assert abs(slope - d) <= _slope_tolerance(d, tau, steps - 1, variance[1])


@pytest.mark.slow
@pytest.mark.parametrize("channel", ["coin", "position"])
def test_d_at_p_one_tenth_is_the_slope_of_a_250_step_twin_run(channel):
    """p = 0.1, where the default 24-step fit is 34-46 % low: 250 steps on 512 sites
    (13 relaxation times of the coin channel, 11 of the position channel)."""
    steps = 250
    variance = _variances(_start(512), channel, 0.1, [steps - 1, steps])
    d = dephased_walk_diffusion(HADAMARD, channel, 0.1).value
    tau = relaxation_time(HADAMARD, channel, 0.1)
    assert abs((variance[1] - variance[0]) / 2 - d) <= _slope_tolerance(
        d, tau, steps - 1, variance[1])


@pytest.mark.parametrize("channel", ["coin", "position"])
def test_infinite_lattice_variance_is_the_twin_before_the_walk_wraps(channel):
    """The momentum-space sigma^2(t) against the density-matrix twin, t < L/2, from one site
    and from a moving Gaussian packet with a coin state entangled to nothing."""
    side, times = 64, list(range(0, 17))
    x = np.arange(side) - side // 2
    packet = np.exp(-((x - 0.5) ** 2) / 6 + 0.8j * x)
    packet /= np.linalg.norm(packet)
    for psi in (_start(side), np.array([0.6 * packet, 0.8j * packet])):
        want = _variances(psi, channel, 0.3, times)
        got = dephased_walk_variance(HADAMARD, channel, 0.3, psi, displacements(side, side // 2),
                                     times)
        np.testing.assert_allclose(got, want, atol=1e-10)


def test_coin_dephasing_d_follows_the_start_momentum():
    """The coin channel conserves momentum: a packet moving at k0 diffuses with the k-weighted
    D(k) = (1 + r^2 + 2 r cos 2k) / (2 (1 - r^2)) -- checked by the slope of the exact
    infinite-lattice sigma^2 over 600 steps (tau = 5.6 at p = 0.3)."""
    side = 64
    x = np.arange(side) - side // 2
    packet = np.exp(-(x**2) / 4 + 0.6j * x)
    packet /= np.linalg.norm(packet)
    psi = np.array([packet, 1j * packet]) / np.sqrt(2)
    ds = displacements(side, side // 2)
    d = dephased_walk_diffusion(HADAMARD, "coin", 0.3, 1, psi, ds).value
    grid = 2 * np.pi * np.arange(4096) / 4096
    amplitude = np.abs(np.fft.fft(np.roll(np.pad(packet, (0, 4096 - side)), -side // 2))) ** 2
    mean_cos = float(amplitude @ np.cos(2 * grid) / amplitude.sum())
    assert d == pytest.approx(hadamard_coin_dephasing_diffusion(0.3, mean_cos), rel=1e-11)
    assert d != pytest.approx(hadamard_coin_dephasing_diffusion(0.3), rel=1e-2)  # it matters
    variance = dephased_walk_variance(HADAMARD, "coin", 0.3, psi, ds, [199, 200])
    tau = relaxation_time(HADAMARD, "coin", 0.3)
    assert abs((variance[1] - variance[0]) / 2 - d) <= _slope_tolerance(d, tau, 199, variance[1])


@pytest.mark.slow
@pytest.mark.parametrize("channel", ["coin", "position"])
def test_weak_dephasing_d_is_the_slope_after_thousands_of_steps(channel):
    """p = 0.02 (tau = 99 and 119 steps): the exact infinite-lattice sigma^2 after 3000."""
    steps = 3000
    variance = dephased_walk_variance(HADAMARD, channel, 0.02, _start(8),
                                      [np.arange(8) - 4], [steps - 1, steps])
    d = dephased_walk_diffusion(HADAMARD, channel, 0.02).value
    tau = relaxation_time(HADAMARD, channel, 0.02)
    assert abs((variance[1] - variance[0]) / 2 - d) <= _slope_tolerance(
        d, tau, steps - 1, variance[1])


@pytest.mark.parametrize("channel", ["coin", "position"])
def test_the_transient_is_bounded_by_d_exp_minus_t_over_tau(channel):
    """What the slope tolerance rests on: |slope(t) - D| <= 2 D e^{-t/tau} along a run."""
    p = 0.1
    d = dephased_walk_diffusion(HADAMARD, channel, p).value
    tau = relaxation_time(HADAMARD, channel, p)
    times = list(range(0, 201))
    variance = dephased_walk_variance(HADAMARD, channel, p, _start(8), [np.arange(8) - 4],
                                      times)
    deviation = np.abs(np.diff(variance) / 2 - d)
    t = np.arange(len(deviation))
    assert np.all(deviation <= 2 * d * np.exp(-t / tau) + 1e-12 * variance[1:])
    # and tau is the decay rate, not a loose bound: the transient at 200 is within 10x of it
    assert deviation[-1] >= 0.1 * d * np.exp(-t[-1] / tau)
    assert np.all(deviation[10:] <= 1.02 * d * np.exp(-t[10:] / tau))


def _grover_start(side: int) -> tuple[np.ndarray, list[np.ndarray]]:
    psi = np.zeros((4, side, side), dtype=complex)
    psi[:, side // 2, side // 2] = 0.5
    return psi, displacements(side * side, side // 2 + side * (side // 2), 2)


@pytest.mark.parametrize("channel", ["coin", "position"])
def test_2d_infinite_torus_variance_is_the_twin_before_the_walk_wraps(channel):
    """Grover coin, p = 0.5 on a 16 x 16 torus, 7 steps (t < L/2: no wrap)."""
    side, times = 16, list(range(8))
    psi, ds = _grover_start(side)
    origin = side // 2 + side * (side // 2)
    out = coined_walk_dephasing_distributions(GROVER, psi, times, 2, channel, 0.5)
    twin = [observables(out[t], origin, 2)["sigma"] ** 2 for t in times]
    line = dephased_walk_variance(GROVER, channel, 0.5, psi, ds, times, 2)
    np.testing.assert_allclose(line, twin, atol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("channel", ["coin", "position"])
def test_2d_grover_d_is_the_slope_of_the_exact_torus_run(channel):
    """sigma^2 = var_x + var_y ~ 2 D t with D = D_x + D_y, equal for the symmetric Grover coin;
    the slope after 40 steps (tau ~ 3) is D."""
    psi, ds = _grover_start(16)
    d = dephased_walk_diffusion(GROVER, channel, 0.5, 2)
    assert d.per_axis[0] == pytest.approx(d.per_axis[1], rel=1e-10)
    variance = dephased_walk_variance(GROVER, channel, 0.5, psi, ds, [39, 40], 2)
    assert (variance[1] - variance[0]) / 2 == pytest.approx(d.value, abs=1e-6)
