"""From counts or exact probabilities to distributions, observables, distances and fits.

Everything works on plain numpy arrays, so the analysis is tested without a backend.
Bit order is handled once, here: counts keys are integers (the value of the
measured ``position`` register, qubit 0 the least significant bit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..core.lattice import signed_displacement

OBSERVABLES = ("mean", "sigma", "p_origin")


def distribution_from_counts(counts: Mapping[int, int], num_sites: int, site_offset: int = 0
                             ) -> np.ndarray:
    """Empirical distribution over sites; a register value v is site (v - site_offset) mod N."""
    p = np.zeros(num_sites)
    for value, count in counts.items():
        p[(int(value) - site_offset) % num_sites] += count
    total = p.sum()
    if total <= 0:
        raise ValueError("no counts to build a distribution from")
    return p / total


def relabel(probabilities: np.ndarray, site_offset: int) -> np.ndarray:
    """Exact register distribution -> site distribution (undo a deferred translation)."""
    return np.roll(np.asarray(probabilities, dtype=float), -site_offset)


def displacements(num_sites: int, origin: int, dimension: int = 1) -> list[np.ndarray]:
    """Signed displacement of every flat site from ``origin``, one array per axis."""
    if dimension == 1:
        return [signed_displacement(num_sites, origin)]
    side = round(np.sqrt(num_sites))
    ox, oy = origin % side, origin // side
    dx = np.tile(signed_displacement(side, ox), side)
    dy = np.repeat(signed_displacement(side, oy), side)
    return [dx, dy]


def observables(p: np.ndarray, origin: int, dimension: int = 1) -> dict[str, float]:
    """Mean displacement (along x), sigma = sqrt(total variance) and P(origin)."""
    ds = displacements(p.size, origin, dimension)
    means = [float(p @ d) for d in ds]
    variance = sum(float(p @ d**2) - m**2 for d, m in zip(ds, means, strict=True))
    return {"mean": means[0], "sigma": float(np.sqrt(max(variance, 0.0))),
            "p_origin": float(p[origin])}


def observable_errors(p: np.ndarray, origin: int, shots: int, dimension: int = 1
                      ) -> dict[str, float]:
    """Shot-noise standard errors of :func:`observables` for ``shots`` samples of p."""
    ds = displacements(p.size, origin, dimension)
    centred = [d - float(p @ d) for d in ds]
    var = sum(float(p @ c**2) for c in centred)
    var_of_var = float(p @ (sum(c**2 for c in centred) - var) ** 2)  # Var of one sample
    sigma = np.sqrt(max(var, 0.0))
    # first-order spread (mu4 - sigma^4)/S plus the O(1/S) bias of the plug-in variance,
    # which dominates when the first order vanishes (e.g. all mass at +-1)
    se_var = np.sqrt(var_of_var / shots + (var / shots) ** 2)
    # the delta method divides by sigma: for a point mass up to rounding noise (1e-32 far
    # out) it gives O(1) nonsense.  The sampled sigma is never spread wider than sigma
    # itself (its second moment is the plug-in variance, biased low), so cap it there
    se_sigma = min(float(se_var / (2 * sigma)), float(sigma)) if sigma > 0 else 0.0
    p0 = min(max(float(p[origin]), 0.0), 1.0)  # rounding can put it just outside [0, 1]
    return {
        "mean": float(np.sqrt(max(float(p @ centred[0] ** 2), 0.0) / shots)),
        "sigma": se_sigma,
        "p_origin": float(np.sqrt(p0 * (1 - p0) / shots)),
    }


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """TVD = 1/2 sum |p - q|."""
    return 0.5 * float(np.abs(np.asarray(p) - np.asarray(q)).sum())


def hellinger(p: np.ndarray, q: np.ndarray) -> float:
    """Hellinger distance sqrt(1 - sum sqrt(p q)), in [0, 1]."""
    bc = float(np.sqrt(np.clip(p, 0, None) * np.clip(q, 0, None)).sum())
    return float(np.sqrt(max(1.0 - bc, 0.0)))


def tvd_shot_noise_bound(p_true: np.ndarray, shots: int, failure_probability: float = 1e-6
                         ) -> float:
    """Bound that the TVD of a ``shots``-sample empirical distribution exceeds rarely.

    E||p_hat - p||_1 <= sum_i sqrt(p_i (1 - p_i) / S) (Cauchy-Schwarz), and
    ||p_hat - p||_1 concentrates around its mean with deviation at most
    sqrt(2 ln(1/delta) / S) with probability >= 1 - delta (McDiarmid).  Both
    shrink like 1/sqrt(S).
    """
    p = np.clip(np.asarray(p_true, dtype=float), 0, 1)
    mean_l1 = float(np.sqrt(p * (1 - p) / shots).sum())
    deviation = float(np.sqrt(2 * np.log(1 / failure_probability) / shots))
    return 0.5 * (mean_l1 + deviation)


@dataclass(frozen=True)
class PowerLawFit:
    """sigma ~ amplitude * t**exponent, fitted in log-log space."""

    exponent: float
    exponent_error: float
    amplitude: float

    def as_dict(self) -> dict[str, float]:
        return {"exponent": self.exponent, "exponent_error": self.exponent_error,
                "amplitude": self.amplitude}


#: relative error bars below this are floating-point rounding, not statistics
ROUNDOFF_RELATIVE_ERROR = 1e-12


def fit_power_law(times: Sequence[float], values: Sequence[float],
                  errors: Sequence[float] | None = None) -> PowerLawFit:
    """Weighted least-squares fit of log(value) = log(a) + alpha log(t) with its uncertainty.

    With error bars the uncertainty comes from them; without (exact mode), or when
    every error bar is at rounding level (below ``ROUNDOFF_RELATIVE_ERROR`` of its value),
    it is the scatter of the residuals.  Points with t <= 0 or value <= 0 are skipped.
    """
    t = np.asarray(times, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = (t > 0) & (y > 0)
    if keep.sum() < 3:
        raise ValueError("a power-law fit needs at least three points with t > 0")
    x, ly = np.log(t[keep]), np.log(y[keep])
    design = np.stack([np.ones_like(x), x], axis=1)
    rel = None if errors is None else np.asarray(errors, dtype=float)[keep] / y[keep]
    real = None if rel is None else rel > ROUNDOFF_RELATIVE_ERROR
    if rel is not None and real is not None and np.any(real):
        # an error bar at rounding level (an ensemble whose members all agree there) is not
        # a measurement: such points get the smallest real error bar, not a weight of 1e32
        rel = np.where(real, rel, np.min(rel[real]))
        w = 1 / rel**2
        cov = np.linalg.inv(design.T @ (design * w[:, None]))
        coef = cov @ design.T @ (w * ly)
    else:
        coef, *_ = np.linalg.lstsq(design, ly, rcond=None)
        dof = max(len(x) - 2, 1)
        residual_var = float(((ly - design @ coef) ** 2).sum()) / dof
        cov = residual_var * np.linalg.inv(design.T @ design)
    return PowerLawFit(exponent=float(coef[1]), exponent_error=float(np.sqrt(cov[1, 1])),
                       amplitude=float(np.exp(coef[0])))


@dataclass(frozen=True)
class DiffusionFit:
    """sigma^2 ~ 2 D t + c at late times, ~ a t^2 at early times; they cross at 2 D / a.

    ``diffusion_error`` is the total: the statistical error of the late-window slope and
    the window systematic (``window_systematic``, the late-half against late-quarter
    spread) in quadrature; ``crossover_time_error`` propagates it and ``ballistic_error``.
    """

    diffusion: float
    diffusion_error: float
    ballistic: float
    crossover_time: float
    crossover_time_error: float
    diffusion_statistical_error: float = float("nan")
    window_systematic: float = float("nan")
    ballistic_error: float = float("nan")
    window_start: float = float("nan")

    def as_dict(self) -> dict[str, float | None]:
        """JSON-ready: an undefined value (no ballistic regime seen) is None, not NaN."""
        values = {"D": self.diffusion, "D_error": self.diffusion_error,
                  "D_statistical_error": self.diffusion_statistical_error,
                  "D_window_systematic": self.window_systematic,
                  "ballistic_a": self.ballistic, "ballistic_a_error": self.ballistic_error,
                  "crossover_time": self.crossover_time,
                  "crossover_time_error": self.crossover_time_error,
                  "window_start": self.window_start}
        return {k: None if np.isnan(v) else float(v) for k, v in values.items()}


def _late_slope(t: np.ndarray, s2: np.ndarray, sigma: np.ndarray, errors: np.ndarray | None,
                late: np.ndarray) -> tuple[float, float]:
    """D = slope / 2 of a straight line through sigma^2 on the ``late`` points, and its
    statistical error (from the error bars when given, else the residual scatter)."""
    design = np.stack([np.ones(late.sum()), t[late]], axis=1)
    if errors is not None:
        e2 = 2 * sigma[late] * errors[late]
        e2 = np.where(e2 > 0, e2, np.min(e2[e2 > 0]) if np.any(e2 > 0) else 1.0)
        w = 1 / e2**2
        cov = np.linalg.inv(design.T @ (design * w[:, None]))
        coef = cov @ design.T @ (w * s2[late])
    else:
        coef, *_ = np.linalg.lstsq(design, s2[late], rcond=None)
        dof = max(int(late.sum()) - 2, 1)
        residual_var = float(((s2[late] - design @ coef) ** 2).sum()) / dof
        cov = residual_var * np.linalg.inv(design.T @ design)
    return float(coef[1] / 2), float(np.sqrt(cov[1, 1])) / 2


def _ballistic(t: np.ndarray, s2: np.ndarray, sigma: np.ndarray, errors: np.ndarray | None,
               ballistic_until: float | None) -> tuple[float, float]:
    """a of sigma^2 = a t^2 at early times, and its error.

    Where sigma^2 = a t^2 holds exactly up to ``ballistic_until`` (the sliced channel's
    first, coherent slice) and a time t > 0 is measured there: the mean of sigma^2/t^2 over
    those times, error from the error bars only.  Otherwise the t = 0 value of the
    polynomial through the first (up to) three ratios sigma^2/t^2 (smooth in t: HSR gives
    2 J^2 (1 - gamma t / 3 + ...)), its error the shift from the polynomial one degree
    lower (the extrapolation's systematic) and the error bars' propagated in quadrature.
    """
    positive = np.flatnonzero(t > 0)
    early = positive[np.argsort(t[positive])][:3]
    ratio = s2[early] / t[early] ** 2
    ratio_err = (np.zeros_like(ratio) if errors is None
                 else 2 * sigma[early] * errors[early] / t[early] ** 2)
    if ballistic_until is not None:
        exact = t[early] <= ballistic_until * (1 + 1e-12)
        if np.any(exact):
            return (float(np.mean(ratio[exact])),
                    float(np.sqrt(np.sum(ratio_err[exact] ** 2)) / exact.sum()))

    def extrapolate(k: int) -> tuple[float, np.ndarray]:
        """t = 0 value through the first k ratios, and its weights on them (linear)."""
        if k == 1:
            return float(ratio[0]), np.array([1.0])
        vander = np.vander(t[early[:k]], k)
        weights = np.linalg.solve(vander.T, np.eye(k)[-1])  # value at t = 0 = w . ratio
        return float(weights @ ratio[:k]), weights

    a, weights = extrapolate(early.size)
    lower, _ = extrapolate(max(early.size - 1, 1))
    statistical = float(np.sqrt(np.sum((weights * ratio_err[: early.size]) ** 2)))
    return a, float(np.hypot(a - lower, statistical))


def fit_diffusion(times: Sequence[float], sigma: Sequence[float],
                  errors: Sequence[float] | None = None, late_fraction: float = 0.5,
                  ballistic_until: float | None = None) -> DiffusionFit:
    """Diffusion coefficient from the long-time slope of sigma^2, with its uncertainty.

    Late window: t >= (1 - late_fraction) t_max, weighted by the sigma^2 error bars
    2 sigma err(sigma) when given, else by the residual scatter.  The window systematic is
    the shift of D when the window is halved (t >= (1 - late_fraction/2) t_max, when that
    holds three points): a slope still rising (not yet diffusive) or bending (a walker
    reaching around the ring) moves it.  It is a lower estimate of the pre-asymptotic bias
    (the slope approaches 2D exponentially, so the halved window is biased too); an
    experiment that knows its model's exact D adds the model's own window bias.
    Early law sigma^2 = a t^2 (:func:`_ballistic`).  The asymptotes a t^2 and 2 D t meet
    at t* = 2 D / a (HSR: a = 2 J^2, t* = 2 / gamma); its error propagates both.
    """
    t = np.asarray(times, dtype=float)
    sig = np.asarray(sigma, dtype=float)
    err = None if errors is None else np.asarray(errors, dtype=float)
    s2 = sig**2
    late = t >= (1 - late_fraction) * t.max()
    if late.sum() < 3:
        raise ValueError("a diffusion fit needs at least three late-time points")
    diffusion, statistical = _late_slope(t, s2, sig, err, late)
    later = t >= (1 - late_fraction / 2) * t.max()
    window = (abs(diffusion - _late_slope(t, s2, sig, err, later)[0])
              if later.sum() >= 3 else float("nan"))
    total = float(np.hypot(statistical, 0.0 if np.isnan(window) else window))
    a, a_error = _ballistic(t, s2, sig, err, ballistic_until)
    if a > 0:
        crossover = 2 * diffusion / a
        crossover_error = abs(crossover) * float(np.hypot(
            total / diffusion if diffusion else float("inf"), a_error / a))
    else:
        crossover = crossover_error = float("nan")
    return DiffusionFit(diffusion, total, a, float(crossover), float(crossover_error),
                        statistical, window, a_error, float(t[late].min()))
