"""Zero-noise extrapolation (ZNE): an observable measured at noise scales lambda (the
circuit's two-qubit gates folded to run lambda times, ``execution/folding.py``), carried
to lambda = 0.

Two models:

- ``richardson``: the polynomial of degree (number of scales - 1) through the points,
  evaluated at 0 (Lagrange weights; for lambda = 1, 3, 5 they are 15/8, -5/4, 3/8, which
  amplify independent errors by sqrt(sum w^2) = 2.28);
- ``exponential``: y = a + b exp(-c lambda), what a depolarising channel whose strength
  grows with lambda does to an observable linear in the distribution, fitted by least
  squares (exact through three points) and read at a + b.  It is written
  y = alpha + beta (1 - exp(-c lambda)) / c, which is smooth through c = 0 (the straight
  line), and c is profiled over :data:`EXP_RATE_BOUND` / (lambda_max - lambda_min) either
  side of 0 (a signal that falls by more than e^5 between the smallest and largest
  scale is gone: no extrapolation can bring it back).

The error is a bootstrap: the caller gives the point values at each scale and, per
replica, the values from counts resampled at each scale (and the readout calibration
with them), and each replica is extrapolated again, so the error holds the
extrapolation's amplification of the shot noise.  The exponential is nonlinear in the
values, so at finite shots it is biased (its mean is not its value on the mean values);
Richardson is linear and is not.  numpy only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np

#: ZNE models a config may ask for
METHODS = ("richardson", "exponential")
#: the largest scale factor (beyond it the signal is gone on any device)
MAX_SCALE = 21
#: |c| (lambda_max - lambda_min) at most this in the exponential fit
EXP_RATE_BOUND = 5.0
#: tenfold narrowings of the rate's bracket after the first grid (before its parabola)
REFINEMENTS = 4


def check_scales(scales: Sequence[int]) -> list[int]:
    """The scale factors of a ZNE run, checked: odd integers 1..:data:`MAX_SCALE`, at least
    two, increasing, starting with 1 (the unfolded circuit, which is the raw result);
    ValueError naming what to change otherwise."""
    values = list(scales)
    if len(values) < 2:
        raise ValueError(f"give at least two scale factors (e.g. [1, 3, 5]), got {values}")
    bad = [s for s in values if isinstance(s, bool) or not isinstance(s, int)
           or s % 2 == 0 or not 1 <= s <= MAX_SCALE]
    if bad:
        raise ValueError(f"scale factors are odd integers 1..{MAX_SCALE} (a gate folded k "
                         f"times runs 2k + 1 times), got {bad}")
    if values[0] != 1:
        raise ValueError(f"the first scale factor must be 1 (the unfolded circuit), got "
                         f"{values}")
    if any(b <= a for a, b in pairwise(values)):
        raise ValueError(f"scale factors must increase, got {values}")
    return values


def richardson_weights(scales: Sequence[float]) -> np.ndarray:
    """Lagrange weights w with sum_i w_i y_i the interpolating polynomial's value at 0."""
    x = np.asarray(scales, dtype=float)
    return np.array([np.prod([x[j] / (x[j] - x[i]) for j in range(x.size) if j != i])
                     for i in range(x.size)])


def richardson(scales: Sequence[float], values: Sequence[float]) -> float:
    """The polynomial through (scales, values), of degree len - 1, at lambda = 0 (linear in
    the values: unbiased where the values are)."""
    return float(richardson_weights(scales) @ np.asarray(values, dtype=float))


def _basis(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    """(1 - exp(-c x)) / c, and x at c = 0 (the series where |c x| is small)."""
    cx = c * x
    small = np.abs(cx) < 1e-6
    safe = np.where(small, 1.0, cx)
    return np.where(small, x * (1 - cx / 2 + cx**2 / 6), -np.expm1(-safe) / safe * x)


def _linear_fit(x: np.ndarray, y: np.ndarray, c: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """(alpha, residual sum of squares) of y = alpha + beta g_c(x) by least squares, for
    rows y (R, S) and rates c (R, G): both (R, G) (the 2x2 normal equations in closed
    form)."""
    g = _basis(x[None, None, :], c[:, :, None])
    gm = g.mean(axis=2, keepdims=True)
    ym = y.mean(axis=1)[:, None, None]
    yc = (y[:, None, :] - ym)
    sgg = ((g - gm) ** 2).sum(axis=2)
    sgy = ((g - gm) * yc).sum(axis=2)
    beta = np.where(sgg > 0, sgy / np.where(sgg > 0, sgg, 1.0), 0.0)
    alpha = ym[:, :, 0] - beta * gm[:, :, 0]
    rss = ((yc - beta[:, :, None] * (g - gm)) ** 2).sum(axis=2)
    return alpha, rss


def _profiled(x: np.ndarray, y: np.ndarray, bound: float) -> np.ndarray:
    """a + b of the least-squares exponential of each row of y (R, S): the rate c
    profiled on a grid over [-bound, bound], its bracket narrowed tenfold
    :data:`REFINEMENTS` times, then the parabola through the last three residuals'
    vertex."""
    rows = np.arange(y.shape[0])
    grid = np.broadcast_to(np.linspace(-bound, bound, 101), (y.shape[0], 101))
    for _ in range(REFINEMENTS + 1):
        rss = _linear_fit(x, y, grid)[1]
        best = np.clip(np.argmin(rss, axis=1), 1, grid.shape[1] - 2)
        low, high = grid[rows, best - 1], grid[rows, best + 1]
        centre, step = grid[rows, best], (high - low) / 2
        f0, f1, f2 = rss[rows, best - 1], rss[rows, best], rss[rows, best + 1]
        grid = low[:, None] + (high - low)[:, None] * np.linspace(0.0, 1.0, 21)[None, :]
    curvature = f0 - 2 * f1 + f2
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature > 0, step * (f0 - f2) / (2 * curvature), 0.0)
    vertex = centre + np.clip(shift, -step, step)
    return _linear_fit(x, y, vertex[:, None])[0][:, 0]


def exponential_rows(scales: Sequence[float], rows: np.ndarray) -> np.ndarray:
    """:func:`exponential` of each row of ``rows`` (R, S), vectorised over the rows
    (non-finite rows give NaN)."""
    x = np.asarray(scales, dtype=float)
    y = np.atleast_2d(np.asarray(rows, dtype=float))
    if x.size < 3:
        raise ValueError("the exponential model needs at least three scale factors")
    bound = EXP_RATE_BOUND / (x.max() - x.min())
    out = np.full(y.shape[0], np.nan)
    finite = np.all(np.isfinite(y), axis=1)
    exact = _three_equally_spaced(x, y, bound) if x.size == 3 else np.full(y.shape[0], np.nan)
    done = finite & np.isfinite(exact)
    out[done] = exact[done]
    todo = finite & ~done
    if todo.any():
        out[todo] = _profiled(x, y[todo], bound)
    return out


def exponential(scales: Sequence[float], values: Sequence[float]) -> float:
    """a + b of the least-squares fit y = a + b exp(-c lambda) (see the module docstring)."""
    return float(exponential_rows(scales, np.asarray(values, dtype=float)[None, :])[0])


def _three_equally_spaced(x: np.ndarray, y: np.ndarray, bound: float) -> np.ndarray:
    """The exponential through three equally spaced points in closed form, per row of y
    (the fit is then exact, the least-squares optimum): q = exp(-c h) = (y3 - y2) /
    (y2 - y1), and y(0) = y1 + (y2 - y1) (q^(-x1/h) - 1) / (q - 1).  NaN where it does not
    apply (other scales, a rate outside the bound, points no exponential passes through)."""
    out = np.full(y.shape[0], np.nan)
    if not np.isclose(x[2] - x[1], x[1] - x[0]):
        return out
    h = float(x[1] - x[0])
    d1, d2 = y[:, 1] - y[:, 0], y[:, 2] - y[:, 1]
    flat = (d1 == 0.0) & (d2 == 0.0)
    out[flat] = y[flat, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = d2 / d1
        log_q = np.log(np.where(q > 0, q, 1.0))
        ok = (d1 != 0.0) & (q > 0) & (np.abs(log_q) <= bound * h)
        m = float(x[0]) / h
        ratio = np.where(log_q == 0.0, -m,
                         np.expm1(-m * log_q) / np.where(log_q == 0.0, 1.0, np.expm1(log_q)))
    out[ok] = y[ok, 0] + d1[ok] * ratio[ok]
    return out


def richardson_rows(scales: Sequence[float], rows: np.ndarray) -> np.ndarray:
    """:func:`richardson` of each row of ``rows`` (R, S)."""
    return np.atleast_2d(np.asarray(rows, dtype=float)) @ richardson_weights(scales)


ROWS: dict[str, Callable[[Sequence[float], np.ndarray], np.ndarray]] = {
    "richardson": richardson_rows, "exponential": exponential_rows}


def extrapolate_rows(scales: Sequence[float], rows: np.ndarray, method: str) -> np.ndarray:
    """The zero-noise value of each row of ``rows`` (R, S), measured at ``scales``."""
    if method not in ROWS:
        raise ValueError(f"unknown extrapolation {method!r}; one of {', '.join(METHODS)}")
    return ROWS[method](scales, rows)


def extrapolate(scales: Sequence[float], values: Sequence[float], method: str) -> float:
    """The zero-noise value of ``values`` measured at ``scales``, by ``method``."""
    return float(extrapolate_rows(scales, np.asarray(values, dtype=float)[None, :],
                                  method)[0])


Values = dict[str, float]


def zne_estimate(scales: Sequence[float], point: Sequence[Values],
                 replicas: Sequence[Sequence[Values]], method: str
                 ) -> tuple[Values, Values, dict[str, list[float]]]:
    """(zero-noise values, their bootstrap errors, per-scale errors) of named observables.

    ``point[s]``: the observables measured at ``scales[s]``; ``replicas[r][s]``: the same
    from bootstrap replica r (counts resampled at every scale).  Each replica is
    extrapolated again; the error is the standard deviation over replicas (non-finite
    replicas left out).  A single point (a circuit with no two-qubit gate, sent at scale
    1 only: nothing to fold) is its own zero-noise value."""
    names = list(point[0])
    if len(point) == 1:
        alone = np.array([[r[0][k] for k in names] for r in replicas]).reshape(-1, len(names))
        spread = {k: finite_std(alone[:, j]) for j, k in enumerate(names)}
        return dict(point[0]), spread, {k: [spread[k]] for k in names}
    values = {k: extrapolate(scales, [p[k] for p in point], method) for k in names}
    errors: Values = {}
    per_scale: dict[str, list[float]] = {}
    for k in names:
        drawn = np.array([[r[s][k] for s in range(len(scales))] for r in replicas])
        zero = extrapolate_rows(scales, drawn, method)
        errors[k] = finite_std(zero)
        per_scale[k] = [finite_std(drawn[:, s]) for s in range(len(scales))]
    return values, errors, per_scale


def finite_std(samples: Sequence[float] | np.ndarray) -> float:
    """The sample standard deviation of the finite values (NaN with fewer than two): a
    bootstrap error with its failed replicas left out."""
    values = np.asarray(samples, dtype=float)
    finite = values[np.isfinite(values)]
    return float(np.std(finite, ddof=1)) if finite.size > 1 else float("nan")
