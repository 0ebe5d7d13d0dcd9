"""What a kicked-rotor run's numbers mean: the plateau test, the quadrature error of the
quasi-momentum average, and the register's edges.

Plateau.  The beta-averaged <m^2> approaches its plateau slowly (over hundreds of kicks at
K = 5, kbar = 1), so a mean over a fixed late window can sit far below it (kicks 30-40:
31-41 % below at K = 5, kbar = 1 and K = 10, kbar = 2).  :func:`plateau` fits <m^2> against
ln t over kicks [T/4, T] -- the approach is slow in log t -- and reads the growth per
doubling of t, with its error from the scatter about the line: the walk counts as
saturated when that growth is at most :data:`SATURATION_TOLERANCE` of the mean over
[T/2, T] (the value); twice the growth plus its error then enters the value's error as the
systematic of the approach (the doublings still to come, if each adds at most 2/3 of the
one before: checked against exact runs of 2000-4000 kicks).
Otherwise the value is a lower bound and says so.

Quadrature.  The average over quasi-momenta is a midpoint rule of R points; narrow,
near-resonant peaks in beta make it converge erratically until R ~ 100s (at K = 10,
kbar = 2 and R = 16 it is 26.9 off at kicks 30-40, where the spread over beta / sqrt(R)
says 15.5).  :func:`quadrature_refinement` doubles R on the exact reference until every
measured <m^2>(t) changes by at most :data:`QUADRATURE_CONVERGED` of itself, and reports
the run's R-point error against that converged average (plus the last change).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..core.errors import ParameterError
from ..reference.kicked_rotor import KickPotential, midpoint_betas, momentum_grid, p2_per_beta

#: the late window may exceed the window before it by this fraction and count as a plateau
SATURATION_TOLERANCE = 0.05
#: a doubling of R that moves every measured <m^2>(t) by at most this fraction: converged
QUADRATURE_CONVERGED = 1e-3
#: the plateau's error holds this many times the last doubling's growth (see the module)
APPROACH_FACTOR = 2.0
#: the most R' x max(times) x 2^n amplitude-kicks the refinement may step (~10 s)
QUADRATURE_WORK = 150_000_000
#: the register's outer 1/16 on each side may carry this share of <m^2> before a warning
EDGE_SHARE = 1e-3
#: ... and this probability (the register check's escape tolerance)
EDGE_WEIGHT = 1e-4


def _window_mean(values: np.ndarray, errors: np.ndarray, use: np.ndarray
                 ) -> tuple[float, float]:
    """Mean of ``values`` over ``use`` and its error (independent per-time errors)."""
    return float(values[use].mean()), float(np.sqrt(np.sum(errors[use] ** 2)) / use.sum())


def plateau(times: list[int], p2: list[float], errors: list[float] | None = None,
            quadrature: list[float] | None = None,
            tolerance: float = SATURATION_TOLERANCE) -> dict[str, Any]:
    """The plateau test on a <m^2>(t) series (see the module): value, error, saturated.

    ``errors``: statistical errors per time (shot noise; none in exact mode);
    ``quadrature``: each time's quadrature error, whose window mean enters the error."""
    t = np.asarray(times, dtype=float)
    values = np.asarray(p2, dtype=float)
    stat = np.zeros_like(values) if errors is None else np.asarray(errors, dtype=float)
    quad = np.zeros_like(values) if quadrature is None else np.abs(quadrature)
    end = float(t.max()) if t.size else 0.0
    late = (t >= end / 2) & (t > 0)
    fitted = (t >= end / 4) & (t > 0)
    out: dict[str, Any] = {"window": [end / 2, end], "fit_window": [end / 4, end],
                           "tolerance": tolerance}
    if late.sum() < 2 or fitted.sum() < 4:
        last = int(np.argmax(t)) if t.size else 0
        value = float(values[last]) if t.size else 0.0
        error = float(np.hypot(stat[last], quad[last])) if t.size else 0.0
        return {**out, "value": value, "error": error, "saturated": False,
                "lower_bound": True, "growth": None, "growth_error": None,
                "reason": "too few measured kicks to test for a plateau (four in [T/4, T], "
                          "two of them in [T/2, T])"}
    value, value_stat = _window_mean(values, stat, late)
    # <m^2> against ln t over [T/4, T]: the growth per doubling of t, its error from the
    # scatter about the line (the beta average still fluctuates) and the shot noise
    x = np.log(t[fitted])
    slope, _ = np.polyfit(x, values[fitted], 1)
    residual = values[fitted] - np.polyval([slope, _], x)
    spread = float(np.sum(residual**2) / max(fitted.sum() - 2, 1))
    leverage = float(np.sum((x - x.mean()) ** 2))
    slope_error = np.sqrt((spread + float(np.mean(stat[fitted] ** 2))) / leverage)
    growth, growth_error = float(slope * np.log(2)), float(slope_error * np.log(2))
    saturated = bool(growth <= tolerance * abs(value))
    quad_error = float(quad[late].mean())
    approach = APPROACH_FACTOR * (abs(growth) + growth_error) if saturated else 0.0
    error = float(np.sqrt(value_stat**2 + quad_error**2 + approach**2))
    reason = (f"<m^2> grows by {growth / value:+.1%} ± {growth_error / value:.1%} per doubling "
              f"of t over kicks [T/4, T], {'within' if saturated else 'over'} the "
              f"{tolerance:.0%} tolerance" if value else "<m^2> = 0")
    return {**out, "value": value, "error": error, "saturated": saturated,
            "lower_bound": not saturated, "growth": growth, "growth_error": growth_error,
            "reason": reason}


@lru_cache(maxsize=16)
def _refinement(kick: float, kbar: float, times: tuple[int, ...], momentum_qubits: int,
                quasi_momenta: int, potential: KickPotential = "cos"
                ) -> tuple[dict[int, np.ndarray], bool]:
    """{R: beta-averaged <m^2> per time} for R = quasi_momenta, 2R, ... up to the first
    doubling that converged (True) or the work cap (False)."""
    steps = max(max(times, default=0), 1) << momentum_qubits
    averages = {quasi_momenta: p2_per_beta(kick, kbar, times, momentum_qubits,
                                           midpoint_betas(quasi_momenta),
                                           potential=potential).mean(axis=1)}
    count = quasi_momenta
    while 2 * count * steps <= QUADRATURE_WORK:
        count *= 2
        averages[count] = p2_per_beta(kick, kbar, times, momentum_qubits,
                                      midpoint_betas(count), potential=potential).mean(axis=1)
        change = np.abs(averages[count] - averages[count // 2])
        if np.all(change <= QUADRATURE_CONVERGED * np.abs(averages[count]) + 1e-12):
            return averages, True
    return averages, False


def quadrature_refinement(kick: float, kbar: float, times: list[int], momentum_qubits: int,
                          quasi_momenta: int, potential: KickPotential = "cos"
                          ) -> dict[str, Any]:
    """The R-point midpoint rule's error at each time, against R' = 2^j R points refined
    until converged: ``error`` = |Q_R - Q_R'| + |Q_R' - Q_R'/2| (the last change bounds
    R''s own error once converged); ``converged`` False when the work cap stopped it."""
    averages, converged = _refinement(kick, kbar, tuple(times), momentum_qubits,
                                      quasi_momenta, potential)
    counts = sorted(averages)
    best = averages[counts[-1]]
    residual = (np.abs(best - averages[counts[-2]]) if len(counts) > 1
                else np.full_like(best, np.nan))
    signed = averages[quasi_momenta] - best
    return {"quasi_momenta": quasi_momenta, "reference_quasi_momenta": counts[-1],
            "converged": converged, "p2_difference": signed.tolist(),
            "error": (np.abs(signed) + residual).tolist(), "refined_p2": best.tolist()}


def quasi_momenta_for(kick: float, kbar: float, times: list[int], momentum_qubits: int,
                      quasi_momenta: int, target: float, potential: KickPotential = "cos"
                      ) -> int:
    """The fewest R = 2^j quasi_momenta whose quadrature error on every measured <m^2>(t)
    is at most ``target`` (relative) against the converged refinement."""
    averages, converged = _refinement(kick, kbar, tuple(times), momentum_qubits,
                                      quasi_momenta, potential)
    counts = sorted(averages)
    best = averages[counts[-1]]
    residual = np.abs(best - averages[counts[-2]]) if len(counts) > 1 else 0 * best
    for count in counts:
        if np.all(np.abs(averages[count] - best) + residual <= target * np.abs(best) + 1e-12):
            if count == counts[-1] and not converged:
                break
            return count
    raise ParameterError("quadrature_target", f"{counts[-1]} quasi-momenta do not reach a "
                         f"relative quadrature error of {target:g} within the refinement's "
                         "work cap; loosen quadrature_target, or lower kicks or "
                         "momentum_qubits")


def edge_load(distributions: np.ndarray, momentum_qubits: int) -> tuple[float, float]:
    """(largest probability, largest share of <m^2>) over the times on the register's outer
    1/16 on each side, |m| >= N/2 - N/16, of (times, N) distributions in register order."""
    m = momentum_grid(momentum_qubits)
    size = m.size
    edge = np.abs(m) >= size // 2 - max(1, size // 16)
    p = np.asarray(distributions, dtype=float).reshape(-1, size)
    weight = p[:, edge].sum(axis=1)
    total = p @ m**2
    share = np.divide((p[:, edge] @ m[edge] ** 2), total, out=np.zeros_like(total),
                      where=total > 0)
    return float(weight.max(initial=0.0)), float(share.max(initial=0.0))
