"""Ensembles of distributions: averages with error bars, jackknife errors, exponential tails.

Realisations are independent samples, so the spread between them carries
both the disorder fluctuations and the shot noise: standard errors come from
that spread (the standard error of a mean, or the jackknife for a quantity
computed from the averaged distribution).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def mean_and_error(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over the first axis and its standard error (zero for a single sample)."""
    samples = np.asarray(samples, dtype=float)
    mean = samples.mean(axis=0)
    if samples.shape[0] < 2:
        return mean, np.zeros_like(mean)
    return mean, samples.std(axis=0, ddof=1) / np.sqrt(samples.shape[0])


def jackknife_errors(samples: np.ndarray, statistic: Callable[[np.ndarray], dict[str, float]]
                     ) -> dict[str, float]:
    """Jackknife standard error of each value of ``statistic(mean of samples)``."""
    count = samples.shape[0]
    if count < 2:
        return {key: 0.0 for key in statistic(samples.mean(axis=0))}
    total = samples.sum(axis=0)
    leave_one_out = [statistic((total - s) / (count - 1)) for s in samples]
    errors = {}
    for key in leave_one_out[0]:
        values = np.array([v[key] for v in leave_one_out], dtype=float)
        finite = values[np.isfinite(values)]
        errors[key] = (float(np.sqrt((count - 1) / count * np.sum((finite - finite.mean()) ** 2)))
                       if finite.size == count else float("nan"))
    return errors


@dataclass(frozen=True)
class TailFit:
    """|psi|^2 ~ exp(-2 |d| / xi) fitted on the tails: xi and its standard error."""

    length: float
    error: float
    points: int


def fit_exponential_tails(p: np.ndarray, displacement: np.ndarray, errors: np.ndarray | None = None,
                          min_distance: int = 2, floor: float = 1e-12) -> TailFit:
    """Weighted fit of log p against |d| for |d| >= min_distance and p > floor (both sides).

    ``errors`` are the standard errors of p (their relative size weights the
    logarithms); without them every point weighs the same.  Fewer than three
    usable points give NaN.
    """
    d = np.abs(np.asarray(displacement, dtype=float))
    p = np.asarray(p, dtype=float)
    use = (d >= min_distance) & (p > floor)
    if errors is not None:
        use &= np.asarray(errors) < p  # a point within one error of zero says nothing
    if use.sum() < 3 or np.ptp(d[use]) == 0:
        return TailFit(float("nan"), float("nan"), int(use.sum()))
    x, y = d[use], np.log(p[use])
    if errors is None:
        weights = np.ones_like(x)
    else:
        relative = np.maximum(np.asarray(errors, dtype=float)[use] / p[use], 1e-6)
        weights = 1 / relative
    coefficients, covariance = np.polyfit(x, y, 1, w=weights, cov="unscaled" if errors is not None
                                          else True)
    slope = coefficients[0]
    slope_error = float(np.sqrt(covariance[0, 0])) if np.all(np.isfinite(covariance)) else np.nan
    if slope >= 0:
        return TailFit(float("inf"), float("nan"), int(use.sum()))
    length = -2 / slope
    return TailFit(float(length), float(2 * slope_error / slope**2), int(use.sum()))


def inverse_participation_ratio(p: np.ndarray) -> float:
    """IPR = sum p^2: 1 on one site, 1/N spread evenly; 1/IPR counts the occupied sites."""
    p = np.asarray(p, dtype=float)
    return float(p @ p)
