"""Zero-noise extrapolation of a whole distribution: the simplex projection, the per-outcome
extrapolation and the ``tvd`` block, against closed forms and a brute-force optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from qwalk_circuits.analysis.zne import richardson_weights
from qwalk_circuits.analysis.zne_distribution import (
    nearest_distribution,
    run_tvds,
    zero_noise_rows,
    zne_tvd_block,
)

SCALES = [1, 3, 5]


def test_the_projection_of_a_quasi_distribution_by_hand():
    # theta = 0.1: (0.6, 0.6, -0.2) -> (0.5, 0.5, 0)
    assert nearest_distribution(np.array([0.6, 0.6, -0.2]))[0] == pytest.approx(
        [0.5, 0.5, 0.0], abs=1e-15)
    # a vector that does not sum to 1 (the exponential model's) is shifted, not rescaled
    assert nearest_distribution(np.array([0.4, 0.3, 0.1]))[0] == pytest.approx(
        [0.4 + 0.2 / 3, 0.3 + 0.2 / 3, 0.1 + 0.2 / 3], abs=1e-15)


def test_a_distribution_is_its_own_projection():
    p = np.random.default_rng(1).dirichlet(np.ones(16), size=5)
    assert nearest_distribution(p) == pytest.approx(p, abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-0.5, 1.0), min_size=2, max_size=7))
def test_the_projection_is_the_nearest_distribution(values):
    """Against the constrained least-squares optimum found by SLSQP."""
    q = np.array(values)
    p = nearest_distribution(q)[0]
    assert np.all(p >= 0) and p.sum() == pytest.approx(1.0, abs=1e-12)
    best = minimize(lambda x: ((x - q) ** 2).sum(), np.full(q.size, 1 / q.size),
                    jac=lambda x: 2 * (x - q), method="SLSQP", bounds=[(0, None)] * q.size,
                    constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1}],
                    options={"ftol": 1e-14, "maxiter": 500})
    assert ((p - q) ** 2).sum() <= best.fun + 1e-10
    assert p == pytest.approx(best.x, abs=1e-5)


def depolarised(p: np.ndarray, fidelity: float) -> np.ndarray:
    """p at every scale under a global depolarising channel of fidelity F per scale:
    F^lambda p + (1 - F^lambda) u, shape (1, S, K)."""
    u = np.full(p.size, 1 / p.size)
    return np.array([[fidelity**s * p + (1 - fidelity**s) * u for s in SCALES]])


def test_the_exponential_model_undoes_global_depolarisation_exactly():
    p = np.random.default_rng(2).dirichlet(np.ones(32))
    zero = zero_noise_rows(SCALES, depolarised(p, 0.7), "exponential")
    assert zero[0] == pytest.approx(p, abs=1e-10)


def test_richardson_is_each_outcome_weighted_by_its_lagrange_weights():
    rng = np.random.default_rng(3)
    per_scale = rng.dirichlet(np.ones(8), size=(4, 3))  # (R, S, K)
    expected = np.einsum("rsk,s->rk", per_scale, richardson_weights(SCALES))
    assert zero_noise_rows(SCALES, per_scale, "richardson") == pytest.approx(expected,
                                                                            abs=1e-14)
    # under depolarisation it leaves (1 - sum_s w_s F^s) of the uniform mixed in
    p = rng.dirichlet(np.ones(8))
    left = 1 - richardson_weights(SCALES) @ (0.7 ** np.array(SCALES))
    zero = zero_noise_rows(SCALES, depolarised(p, 0.7), "richardson")[0]
    assert zero == pytest.approx((1 - left) * p + left / 8, abs=1e-14)


def test_the_block_holds_scale_one_per_scale_and_zero_noise_tvds_with_errors():
    rng = np.random.default_rng(4)
    p = rng.dirichlet(np.ones(16))
    point = depolarised(p, 0.6)[0]
    shots = 4000
    drawn = [[rng.multinomial(shots, q) / shots for q in point] for _ in range(200)]
    exact = [p, p]
    block = zne_tvd_block(
        {"raw": run_tvds(SCALES, "exponential", [list(point), [p]], exact)},
        {"raw": [run_tvds(SCALES, "exponential", [r, [p]], exact) for r in drawn]},
        "exponential")
    raw = block["raw"]
    u_tvd = 0.5 * np.abs(p - 1 / 16).sum()
    assert raw["per_scale"][0] == pytest.approx([(1 - 0.6**s) * u_tvd for s in SCALES],
                                                abs=1e-12)
    assert raw["tvd"] == [raw["per_scale"][0][0], 0.0]
    assert raw["zne"][0] == pytest.approx(0.0, abs=1e-10)  # the exact model: nothing left
    # the bootstrap error holds the extrapolation's amplification of the shot noise
    assert raw["zne_error"][0] > raw["per_scale_errors"][0][0] > 0
    # a time measured at scale 1 only (no two-qubit gate) is its own zero-noise value
    assert raw["zne"][1] == raw["tvd"][1] == 0.0 and raw["per_scale"][1] == [0.0]
    assert raw["negative_mass"] == [0.0, 0.0]


def test_negative_mass_is_reported_where_the_projection_removed_some():
    p = np.array([0.5, 0.5, 0.0, 0.0])
    # scale 1 shows outcome 2 a little, scale 3 and 5 more: Richardson overshoots below 0
    point = [np.array([0.48, 0.48, 0.04, 0.0]), np.array([0.40, 0.40, 0.20, 0.0]),
             np.array([0.35, 0.35, 0.30, 0.0])]
    found = run_tvds(SCALES, "richardson", [point], [p])
    block = zne_tvd_block({"raw": found}, {"raw": [found] * 3}, "richardson")
    quasi = richardson_weights(SCALES) @ np.array(point)
    assert quasi[2] < 0
    assert block["raw"]["negative_mass"][0] == pytest.approx(-quasi[2], abs=1e-15)
    projected = nearest_distribution(quasi)[0]
    assert block["raw"]["zne"][0] == pytest.approx(0.5 * np.abs(projected - p).sum(),
                                                   abs=1e-15)
