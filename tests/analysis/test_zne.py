"""Zero-noise extrapolation's math: exact on data that follow each model, and a bootstrap
error that matches the spread of repeated experiments."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.analysis.zne import (
    check_scales,
    exponential,
    extrapolate,
    richardson,
    richardson_weights,
    zne_estimate,
)


@pytest.mark.parametrize("scales", [[1, 3], [1, 3, 5], [1, 3, 5, 7], [1, 5, 9]])
def test_richardson_is_exact_for_polynomials_of_its_degree(scales):
    rng = np.random.default_rng(len(scales))
    coefficients = rng.normal(size=len(scales))  # degree len - 1: the polynomial's own
    values = [np.polyval(coefficients, x) for x in scales]
    assert richardson(scales, values) == pytest.approx(coefficients[-1], abs=1e-12)


def test_richardson_weights_of_one_three_five():
    """The Lagrange weights at 0 (15/8, -5/4, 3/8): they sum to 1 and amplify independent
    errors by 2.28."""
    weights = richardson_weights([1, 3, 5])
    assert weights == pytest.approx([15 / 8, -5 / 4, 3 / 8], abs=1e-14)
    assert np.sqrt(np.sum(weights**2)) == pytest.approx(2.2845, abs=1e-4)


@pytest.mark.parametrize("scales", [[1, 3, 5], [1, 3, 7], [1, 3, 5, 9], [1, 3, 5, 7, 9]])
@pytest.mark.parametrize("rate", [0.4, 0.1, 0.0, -0.08])
def test_exponential_is_exact_on_an_exponential(scales, rate):
    """y = a + b exp(-c lambda) within the rate bound: the fit gives a + b (closed form for
    three equally spaced scales, the profiled fit otherwise; c = 0 is the straight line)."""
    a, b = 2.0, 1.5
    values = [a + b * np.exp(-rate * x) for x in scales]
    assert exponential(scales, values) == pytest.approx(a + b, abs=1e-10)


def test_exponential_needs_three_scales_and_richardson_differs_from_it():
    with pytest.raises(ValueError, match="three"):
        exponential([1, 3], [1.0, 0.5])
    values = [0.2 + 0.8 * np.exp(-0.3 * x) for x in (1, 3, 5)]
    # (the quadratic through an exponential's points misses its value at 0)
    assert abs(richardson([1, 3, 5], values) - 1.0) > 1e-3
    assert extrapolate([1, 3, 5], values, "exponential") == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError, match="unknown extrapolation"):
        extrapolate([1, 3, 5], values, "linear")


@pytest.mark.parametrize(("scales", "match"), [
    ([1], "at least two"), ([1, 2], "odd integers"), ([3, 5], "first scale factor must be 1"),
    ([1, 5, 3], "must increase"), ([1, 23], "odd integers"), ([1, 3.0], "odd integers"),
    ([1, True], "odd integers")])
def test_bad_scales_are_refused_with_what_to_give(scales, match):
    with pytest.raises(ValueError, match=match):
        check_scales(scales)


# --- the bootstrap error against repeated synthetic experiments ------------------------

SITES = np.arange(8)
TRUE = np.array([0.02, 0.05, 0.3, 0.26, 0.2, 0.1, 0.05, 0.02])
UNIFORM = np.full(8, 1 / 8)
SCALES = [1, 3, 5]
RATE = 0.15  # the depolarising fidelity exp(-RATE lambda)


def _observables(frequencies: np.ndarray) -> dict[str, float]:
    """<x^2> (linear in the distribution: exponential in lambda under depolarising noise)
    and P(3)."""
    return {"x2": float(frequencies @ SITES**2), "p3": float(frequencies[3])}


def _one_experiment(rng: np.random.Generator, shots: int, method: str,
                    replicas: int = 100) -> tuple[dict[str, float], dict[str, float]]:
    """Counts at each scale from the noisy distribution, extrapolated, with the bootstrap."""
    counts = [rng.multinomial(shots, np.exp(-RATE * s) * TRUE + (1 - np.exp(-RATE * s))
                              * UNIFORM) for s in SCALES]
    point = [_observables(c / shots) for c in counts]
    again = [rng.multinomial(shots, c / shots, size=replicas) / shots for c in counts]
    x2 = [a @ SITES**2 for a in again]
    drawn = [[{"x2": float(x2[s][r]), "p3": float(again[s][r, 3])}
              for s in range(len(SCALES))] for r in range(replicas)]
    values, errors, _ = zne_estimate(SCALES, point, drawn, method)
    return values, errors


@pytest.mark.parametrize("method", ["richardson", "exponential"])
def test_the_bootstrap_error_is_the_spread_of_repeated_experiments(method):
    """Repeat the whole experiment M times: the standard deviation of its zero-noise values
    is the error its bootstrap gives, within the standard deviation's own sampling error
    (relative 1/sqrt(2(M - 1))) and the bootstrap's (1/sqrt(2(R - 1)) per experiment,
    averaged over M), at three of their combined standard errors."""
    rng = np.random.default_rng(2024)
    experiments, replicas, shots = 200, 100, 2000
    runs = [_one_experiment(rng, shots, method, replicas) for _ in range(experiments)]
    tolerance = 3 * np.sqrt(1 / (2 * (experiments - 1))
                            + 1 / (2 * (replicas - 1) * experiments))
    for key in ("x2", "p3"):
        spread = np.std([v[key] for v, _ in runs], ddof=1)
        bootstrap = np.mean([e[key] for _, e in runs])
        assert bootstrap / spread == pytest.approx(1.0, abs=tolerance), key
    # Richardson is linear in the data: its mean is its value on the noisy distributions'
    # exact observables, within 3 standard errors
    if method == "richardson":
        exact = [_observables(np.exp(-RATE * s) * TRUE + (1 - np.exp(-RATE * s)) * UNIFORM)
                 for s in SCALES]
        for key in ("x2", "p3"):
            values = [v[key] for v, _ in runs]
            expected = richardson(SCALES, [e[key] for e in exact])
            assert abs(np.mean(values) - expected) < 3 * np.std(values) / np.sqrt(experiments)


def test_the_zero_noise_error_exceeds_the_raw_one():
    """The extrapolation amplifies the shot noise: its error is larger than any scale's."""
    rng = np.random.default_rng(5)
    counts = [rng.multinomial(4000, np.exp(-RATE * s) * TRUE + (1 - np.exp(-RATE * s))
                              * UNIFORM) for s in SCALES]
    point = [_observables(c / 4000) for c in counts]
    drawn = [[_observables(rng.multinomial(4000, c / 4000) / 4000) for c in counts]
             for _ in range(100)]
    _, errors, per_scale = zne_estimate(SCALES, point, drawn, "richardson")
    for key in ("x2", "p3"):
        assert errors[key] > 1.5 * max(per_scale[key])
