"""The finite-size guard's measure and rule (analysis/finite_size.py): the far side's filling
is 0 before the walk gets there and 1 at equilibrium, and its 2 % limit is where a folded
Gaussian's variance is still within 0.25 % (its return probability within 2e-10) of the
infinite line's, as the module says."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from qwalk_circuits.analysis.finite_size import (
    FILLING_LIMIT,
    far_side_filling,
    far_side_mask,
    finite_size_warning,
)


def test_the_far_side_is_the_antipode_band_of_a_ring_and_the_far_rows_and_columns_of_a_torus():
    ring = far_side_mask(16, 1, 8)  # margin 16 // 16 = 1: |x - 8| >= 7 (x = 0, 1, 15)
    assert sorted(np.flatnonzero(ring)) == [0, 1, 15]
    torus = far_side_mask(16, 2, 8 + 16 * 8).reshape(16, 16)
    assert torus.sum() == 256 - 13**2  # three far rows and three far columns
    assert torus[0, 8] and torus[8, 0] and not torus[8, 8] and not torus[2, 2]
    assert far_side_mask(8, 1, 0).sum() == 3  # around site 0: 3, 4, 5


@pytest.mark.parametrize("dimension,side", [(1, 64), (2, 16)])
def test_filling_is_zero_before_the_walk_arrives_and_one_at_equilibrium(dimension, side):
    sites = side**dimension
    origin = sites // 2 if dimension == 1 else side // 2 + side * (side // 2)
    point = np.zeros(sites)
    point[origin] = 1.0
    assert far_side_filling(point, origin, dimension) == 0.0
    assert far_side_filling(np.full(sites, 1 / sites), origin, dimension) == pytest.approx(1.0)
    mask = far_side_mask(side, dimension, origin)
    far = np.where(mask, 1.0, 0.0) / mask.sum()
    assert far_side_filling(far, origin, dimension) == pytest.approx(sites / mask.sum())


def test_a_distribution_that_is_not_a_lattice_is_refused():
    with pytest.raises(ValueError, match="2D lattice"):
        far_side_filling(np.full(10, 0.1), 0, 2)


@pytest.mark.parametrize("sites", [16, 128, 1024])
def test_at_the_limit_a_folded_gaussian_is_still_the_infinite_lines(sites):
    """The ring's distribution of a Gaussian walk is the infinite line's folded onto it; at
    the sigma where its far side reaches FILLING_LIMIT the fold has moved the variance by
    under 0.25 % and the return probability by under 2e-10 (so the limit warns early, never
    late, for a diffusive walk)."""
    x = np.arange(sites) - sites // 2

    def folded(sigma):
        p = sum(np.exp(-(x + m * sites) ** 2 / (2 * sigma**2)) for m in range(-3, 4))
        return p / p.sum()

    sigma = brentq(lambda s: far_side_filling(folded(s), sites // 2, 1) - FILLING_LIMIT,
                   0.5, sites)
    p = folded(sigma)
    assert abs(p @ x**2 / sigma**2 - 1) < 2.5e-3
    assert abs(p[sites // 2] * np.sqrt(2 * np.pi) * sigma - 1) < 2e-10


def test_the_warning_names_the_first_time_over_the_limit_and_what_to_change():
    times = [1.0, 2.0, 3.0, 4.0]
    assert finite_size_warning(times, [0, 0.001, 0.01, 0.019], what="exact walk",
                               size_parameter="position_qubits", size=5) is None
    warning = finite_size_warning(times, [0, 0.001, 0.3, 0.9], what="exact walk",
                                  size_parameter="position_qubits", size=5,
                                  time_parameter="steps")
    assert warning is not None
    assert "from t = 3 " in warning and "30.0%" in warning
    assert "position_qubits=6" in warning and "steps <= 2" in warning
    first = finite_size_warning(times, [0.5, 0.6, 0.7, 0.8], what="walk",
                                size_parameter="lattice_qubits_per_axis", size=3)
    assert first is not None and "lattice_qubits_per_axis=4 or a shorter time" in first
