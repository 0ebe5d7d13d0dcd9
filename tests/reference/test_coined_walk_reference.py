"""The exact solvers against closed forms (no circuits involved)."""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest

from qwalk_circuits import analysis
from qwalk_circuits.core.coins import HADAMARD, NAMED_COIN_STATES_1D
from qwalk_circuits.reference import (
    classical_walk_distributions,
    coined_walk_density_matrices,
    coined_walk_distributions,
    coined_walk_states,
)
from tests.conftest import random_state, random_unitary

# Hadamard walk: sigma/t -> sqrt(1 - 1/sqrt 2) (Ambainis et al., STOC 2001; Konno 2002)
BALLISTIC_SLOPE = np.sqrt(1 - 1 / np.sqrt(2))


def hadamard_start(num: int, coin_name: str = "symmetric") -> np.ndarray:
    psi = np.zeros((2, num), dtype=complex)
    psi[:, num // 2] = NAMED_COIN_STATES_1D[coin_name]
    return psi


def test_one_step_moves_coin_zero_right_and_coin_one_left():
    psi = np.zeros((2, 8), dtype=complex)
    psi[0, 3] = 1.0
    out = coined_walk_states(np.eye(2), psi, [1])[1]
    assert out[0, 4] == 1.0
    psi = np.zeros((2, 8), dtype=complex)
    psi[1, 3] = 1.0
    assert coined_walk_states(np.eye(2), psi, [1])[1][1, 2] == 1.0


def test_2d_moves_follow_the_coin_convention():
    """c = 0: +x, 1: -x, 2: +y, 3: -y on psi[c, y, x]."""
    moves = {0: (0, 1), 1: (0, -1), 2: (1, 0), 3: (-1, 0)}
    for c, (dy, dx) in moves.items():
        psi = np.zeros((4, 4, 4), dtype=complex)
        psi[c, 1, 1] = 1.0
        out = coined_walk_states(np.eye(4), psi, [1], dimension=2)[1]
        assert out[c, 1 + dy, 1 + dx] == 1.0


def test_unitarity_and_batch_of_times():
    rng = np.random.default_rng(3)
    psi = random_state(rng, 2 * 16).reshape(2, 16)
    states = coined_walk_states(random_unitary(rng, 2), psi, [0, 5, 11])
    assert set(states) == {0, 5, 11}
    for s in states.values():
        assert np.isclose(np.linalg.norm(s), 1.0, atol=1e-12)


@pytest.mark.parametrize("dimension", [1, 2])
def test_density_matrix_of_a_pure_state_matches_the_pure_evolution(dimension):
    rng = np.random.default_rng(5)
    shape = (2 * dimension,) + (4,) * dimension
    psi = random_state(rng, int(np.prod(shape))).reshape(shape)
    coin = random_unitary(rng, 2 * dimension)
    rho0 = np.multiply.outer(psi, psi.conj())
    rho = coined_walk_density_matrices(coin, rho0, [6], dimension)[6]
    pure = coined_walk_states(coin, psi, [6], dimension)[6]
    np.testing.assert_allclose(rho, np.multiply.outer(pure, pure.conj()), atol=1e-12)


def test_classical_walk_sigma_is_sqrt_t_and_origin_is_binomial():
    num = 256
    start = np.zeros(num)
    start[num // 2] = 1
    times = [0, 1, 2, 9, 40, 100]
    dists = classical_walk_distributions(start, times)
    for t in times:
        obs = analysis.observables(dists[t], num // 2)
        assert obs["sigma"] == pytest.approx(np.sqrt(t), abs=1e-12)
        expected = comb(t, t // 2) / 2**t if t % 2 == 0 else 0.0
        assert obs["p_origin"] == pytest.approx(expected, abs=1e-15)


def test_classical_2d_walk_sigma_is_sqrt_t():
    start = np.zeros((32, 32))
    start[16, 16] = 1
    dists = classical_walk_distributions(start, [10], dimension=2)
    assert analysis.observables(dists[10], 16 + 32 * 16, 2)["sigma"] == pytest.approx(
        np.sqrt(10), abs=1e-12)


def test_hadamard_walk_is_ballistic_for_any_coin_start():
    """<x^2>/t^2 -> 1 - 1/sqrt 2 whatever the initial coin; sigma itself for the symmetric
    start, whose distribution is centred (REFERENCES.md)."""
    num, t = 1024, 400
    for name in ("symmetric", "0", "1"):
        p = coined_walk_distributions(HADAMARD, hadamard_start(num, name), [t])[t]
        obs = analysis.observables(p, num // 2)
        rms = np.sqrt(obs["sigma"] ** 2 + obs["mean"] ** 2)
        assert rms / t == pytest.approx(BALLISTIC_SLOPE, abs=2e-3)
        if name == "symmetric":
            assert obs["sigma"] / t == pytest.approx(BALLISTIC_SLOPE, abs=2e-3)


def test_hadamard_walk_matches_konno_limit_density():
    """Coarse-grained P(x, t) ~ f(x/t)/t with Konno's density (lambda = 0, symmetric start)."""
    num, t = 2048, 800
    p = coined_walk_distributions(HADAMARD, hadamard_start(num), [t])[t]
    x = analysis.displacements(num, num // 2)[0]
    edges = np.linspace(-0.6, 0.6, 13)
    v = x / t
    for lo, hi in itertools.pairwise(edges):
        mass = p[(v >= lo) & (v < hi)].sum()
        grid = np.linspace(lo, hi, 2001)
        f = 1 / (np.pi * (1 - grid**2) * np.sqrt(1 - 2 * grid**2))
        expected = np.trapezoid(f, grid)
        assert mass == pytest.approx(expected, rel=0.05)


@pytest.mark.parametrize("dimension", [1, 2])
def test_momentum_method_equals_stepping(dimension):
    rng = np.random.default_rng(8)
    shape = (2 * dimension,) + (8,) * dimension
    psi = random_state(rng, int(np.prod(shape))).reshape(shape)
    coin = random_unitary(rng, 2 * dimension)
    times = [0, 1, 5, 13]
    steps = coined_walk_states(coin, psi, times, dimension)
    fast = coined_walk_states(coin, psi, times, dimension, method="momentum")
    for t in times:
        np.testing.assert_allclose(fast[t], steps[t], atol=1e-12)
