"""The one tail-fit procedure: its window from the measured noise floor, fixed weights applied
alike to another distribution, the cut-off systematic."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.analysis.tails import (
    EXACT_FLOOR,
    SIGNIFICANCE,
    noise_floor,
    tail_procedure,
)

D = np.arange(-40, 41)


def exponential(xi, amplitude=0.3):
    return amplitude * np.exp(-2 * np.abs(D) / xi)


def test_a_pure_exponential_gives_its_length_and_no_cutoff_systematic():
    p = exponential(3.0)
    procedure = tail_procedure(p, D, 0.2 * p, floor=1e-9)
    values = procedure(p)
    assert values["localization_length"] == pytest.approx(3.0, rel=1e-10)
    assert values["localization_length_systematic"] == pytest.approx(0.0, abs=1e-9)
    assert procedure.fit(p).log_amplitude == pytest.approx(np.log(0.3), rel=1e-10)


def test_the_window_ends_at_the_last_shell_above_the_floor():
    p = exponential(3.0)
    floor = 1e-5
    procedure = tail_procedure(p, D, None, floor)
    last = int(np.max(np.abs(D)[p > floor]))
    assert procedure.end == last
    assert procedure.start == 2
    assert set(np.abs(D)[procedure.mask]) == set(range(2, last + 1))


def test_one_empty_shell_is_parity_two_end_the_window():
    """The walk reaches every other site: one empty shell is skipped; an isolated site
    above the floor after two empty shells (a fluke count) is not in the window."""
    p = exponential(4.0)
    p[np.abs(D) % 2 == 1] = 0.0           # parity: odd shells empty
    p[np.abs(D) >= 20] = 0.0              # beyond the floor
    p[D == 26] = 1e-3                     # a fluke far out
    procedure = tail_procedure(p, D, None, floor=1e-6)
    assert procedure.end == 18
    assert not procedure.mask[D == 26].any()


def test_another_distribution_is_fitted_with_the_same_sites_and_weights():
    rng = np.random.default_rng(0)
    measured = exponential(3.0) * rng.uniform(0.7, 1.3, D.size)
    errors = 0.1 * measured * rng.uniform(0.5, 2, D.size)
    other = exponential(5.0)
    procedure = tail_procedure(measured, D, errors, floor=1e-4)
    use = procedure.mask
    slope = np.polyfit(np.abs(D[use]), np.log(other[use]), 1, w=measured[use] / errors[use])[0]
    assert procedure(other)["localization_length"] == pytest.approx(-2 / slope, rel=1e-12)
    assert procedure(other)["localization_length"] == pytest.approx(5.0, rel=1e-10)


def test_a_bent_tail_has_the_half_range_of_its_cutoff_scan_as_systematic():
    """Steeper beyond |d| = 12 (a light cone): xi depends on where the fit stops."""
    d = np.abs(D)
    p = np.where(d <= 12, np.exp(-2 * d / 6.0), np.exp(-24 / 6.0 - 2 * (d - 12) / 2.0))
    procedure = tail_procedure(p, D, None, floor=1e-12)
    scan = procedure.scan(p)
    lengths = [xi for _, xi in scan]
    middle = procedure.start + (procedure.end - procedure.start) / 2
    assert [end for end, _ in scan] == [e for e in range(2, procedure.end + 1) if e >= middle]
    assert procedure.systematic(p) == pytest.approx((max(lengths) - min(lengths)) / 2)
    assert procedure.systematic(p) > 0.5


def test_the_floor_is_significance_squared_draws_of_all_shots():
    assert noise_floor(None, 16) == EXACT_FLOOR
    assert noise_floor(4096, 16) == pytest.approx(SIGNIFICANCE**2 / (4096 * 16))


def test_too_few_sites_give_no_length():
    p = exponential(1.0)
    procedure = tail_procedure(p, D, None, floor=0.01)
    assert np.isnan(procedure(p)["localization_length"])
