"""Exponential tails p ~ A exp(-2|d|/xi) by ONE procedure, chosen from a run's measured data.

A localization length is only comparable between two distributions fitted the same way:
over the same sites, with the same weights.  At a finite time the averaged tail is not a
pure exponential -- it falls faster towards the light cone -- so xi depends on where the fit
stops (the audit of issue 13 saw 3.2 to 5.2 for one run, and 4.78 for the circuits beside
2.68 for their exact ensemble, fitted with different cut-offs).  So :func:`tail_procedure`:

- starts the window at ``|d| = start`` and ends it where the *measured* tail meets its noise
  floor: ``significance**2`` draws out of all the run's draws (shots x realisations), below
  which a site's relative shot error exceeds ``1/significance``; in exact mode at
  ``EXACT_FLOOR`` (far above the float noise of the probabilities).  The window is
  contiguous: it ends before the first two shells ``|d|`` in a row with no site above the
  floor (one empty shell is the walk's parity);
- weighs each site by ``1/relative error`` of the measured average (its spread over
  realisations), and keeps those weights, so that the exact ensemble -- and every jackknife
  sample -- is fitted by the very same linear estimator of ``log p``;
- estimates the cut-off systematic as half the range of xi as the window's end moves from
  its middle to its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .theory import theory_value

#: exact mode: the lowest probability a tail fit uses
EXACT_FLOOR = 1e-10
#: a site enters the sampled window when seen significance**2 times in all draws
SIGNIFICANCE = 3.0
#: fewest sites a fit (or a point of the cut-off scan) uses
MIN_POINTS = 3
#: a window ending this close to the ring's antipode has met the lattice, not the floor
FAR_SIDE_MARGIN = 2
#: a cut-off systematic above this fraction of xi (and above its statistical error) warns
NOT_EXPONENTIAL = 0.1


@dataclass(frozen=True)
class TailFit:
    """One fit of log p = log A - 2|d|/xi: xi, its own (residual) error, log A."""

    length: float
    error: float
    log_amplitude: float


@dataclass(frozen=True)
class TailProcedure:
    """The fit of one time: which sites (``mask``), how weighted (``weights``), up to where.

    Called on a distribution it gives ``{name, name_error, name_systematic}``: xi, the fit's
    own error and the cut-off systematic (NaN where there are too few sites)."""

    distance: np.ndarray
    mask: np.ndarray
    weights: np.ndarray
    start: int
    end: int
    floor: float
    name: str = "localization_length"

    def fit(self, p: np.ndarray, end: float | None = None) -> TailFit:
        """The weighted fit over the window (up to ``end``, default its own end)."""
        p = np.asarray(p, dtype=float)
        use = self.mask & (p > 0) & (self.distance <= (self.end if end is None else end))
        nan = TailFit(float("nan"), float("nan"), float("nan"))
        if use.sum() < MIN_POINTS or np.ptp(self.distance[use]) == 0:
            return nan
        x, y, w = self.distance[use], np.log(p[use]), self.weights[use]
        coefficients, covariance = np.polyfit(x, y, 1, w=w, cov="unscaled")
        slope = float(coefficients[0])
        if slope >= 0:
            return TailFit(float("inf"), float("nan"), float(coefficients[1]))
        slope_error = float(np.sqrt(covariance[0, 0]))
        return TailFit(-2 / slope, 2 * slope_error / slope**2, float(coefficients[1]))

    def scan_ends(self) -> list[int]:
        """The ends the cut-off scan tries: every shell from the window's middle to its end."""
        shells = sorted({int(d) for d in self.distance[self.mask]})
        middle = self.start + (self.end - self.start) / 2
        return [d for d in shells if d >= middle]

    def scan(self, p: np.ndarray) -> list[tuple[int, float]]:
        """(end, xi) for each end of :meth:`scan_ends` whose fit exists."""
        out = []
        for end in self.scan_ends():
            length = self.fit(p, end).length
            if np.isfinite(length):
                out.append((end, length))
        return out

    def systematic(self, p: np.ndarray) -> float:
        """Half the range of xi over the cut-off scan (NaN with fewer than two ends)."""
        lengths = [length for _, length in self.scan(p)]
        return float(np.ptp(lengths) / 2) if len(lengths) >= 2 else float("nan")

    def __call__(self, p: np.ndarray) -> dict[str, float]:
        fit = self.fit(p)
        return {self.name: fit.length, f"{self.name}_error": fit.error,
                f"{self.name}_systematic": self.systematic(p)}

    def describe(self) -> dict[str, Any]:
        """What was chosen, for the JSON summary: the window, the floor, how many sites."""
        return {"quantity": self.name, "start": self.start, "end": self.end,
                "floor": self.floor, "sites": int(self.mask.sum())}

    def curve(self, p: np.ndarray, distance: np.ndarray) -> np.ndarray:
        """The fitted exponential A exp(-2|d|/xi) at ``distance`` (for figures)."""
        fit = self.fit(p)
        return np.exp(fit.log_amplitude - 2 * np.abs(distance) / fit.length)


def noise_floor(shots: int | None, members: int, significance: float = SIGNIFICANCE) -> float:
    """The probability below which a site of the averaged distribution is shot noise:
    ``significance**2`` draws out of ``shots * members`` (``EXACT_FLOOR`` when exact)."""
    if shots is None:
        return EXACT_FLOOR
    return max(significance**2 / (shots * members), EXACT_FLOOR)


def tail_procedure(p: np.ndarray, displacement: np.ndarray, errors: np.ndarray | None,
                   floor: float, start: int = 2, name: str = "localization_length"
                   ) -> TailProcedure:
    """The tail fit of the measured average ``p`` (standard errors ``errors``), to be
    applied alike to it and to its exact ensemble: see the module."""
    p = np.asarray(p, dtype=float)
    distance = np.abs(np.asarray(displacement, dtype=float))
    above = (p > floor) & (distance >= start)
    end, empty = start, 0
    for shell in range(start, int(distance.max()) + 1):
        if above[distance == shell].any():
            end, empty = shell, 0
        else:
            empty += 1
            if empty == 2:
                break
    mask = above & (distance <= end)
    if errors is None:
        weights = np.ones_like(p)
    else:
        relative = np.asarray(errors, dtype=float) / np.where(p > 0, p, 1.0)
        weights = 1 / np.maximum(relative, 1e-6)
    return TailProcedure(distance, mask, np.where(mask, weights, 0.0), start, end, floor, name)


def _last(block: dict[str, Any], key: str) -> float:
    value = (block.get(key) or [None])[-1]
    return float("nan") if value is None else float(value)


def localization_results(summary: dict[str, Any], name: str = "localization_length"
                         ) -> dict[str, Any]:
    """The final time's tail fit as named values (``localization_theory``: the circuits'
    xi and the exact ensemble's, both kind ``fit`` with the realisations' jackknife and the
    cut-off systematic added in quadrature, and their paired ``difference``), and what the
    fit chose (``localization_fit``).  Empty where the run has no tail fit."""
    ensemble = summary.get("ensemble", {})
    procedures = ensemble.get("fit_procedure") or [None]
    window = procedures[-1]
    if window is None or name not in summary["observables"]:
        return {}
    obs, err = summary["observables"], summary["observable_errors"]
    ref, ref_err = summary["reference"], summary["reference_errors"]
    xi, stat, cut = _last(obs, name), _last(err, name), _last(obs, f"{name}_systematic")
    xi_ref, stat_ref = _last(ref, name), _last(ref_err, name)
    cut_ref = _last(ref, f"{name}_systematic")
    gap_error = _last(ensemble.get("fit_difference_error", {}), name)
    t = summary["times"][-1]
    where = (f"p ~ exp(-2|x|/xi) at t = {t:g} over {window['start']} <= |x| <= "
             f"{window['end']} (above the measured noise floor {window['floor']:.2g})")
    theory = {
        "circuits": theory_value("fit", xi, float(np.hypot(stat, cut)), source=(
            f"tail fit {where}; error: jackknife over realisations (+) cut-off systematic")),
        "exact_ensemble": theory_value("fit", xi_ref, float(np.hypot(stat_ref, cut_ref)),
                                       source="the same window and weights on the exact "
                                       "ensemble of the same realisations"),
        "circuits_minus_exact": theory_value("difference", xi - xi_ref, gap_error, source=(
            "paired over the same realisations: jackknife of the difference")),
    }
    fit = {"time": t, "window": [window["start"], window["end"]], "floor": window["floor"],
           "sites": window["sites"], "statistical_error": stat, "cutoff_systematic": cut,
           "exact_statistical_error": stat_ref, "exact_cutoff_systematic": cut_ref}
    return {"localization_theory": theory,
            "localization_fit": {k: (None if isinstance(v, float) and not np.isfinite(v)
                                     else v) for k, v in fit.items()}}


def localization_note(summary: dict[str, Any]) -> str | None:
    """One line for the run's notes: both xi, their errors, what the fit chose."""
    theory, fit = summary.get("localization_theory"), summary.get("localization_fit")
    if not theory or not fit or theory["circuits"]["value"] is None:
        return None

    def shown(x: float | None) -> str:
        return "-" if x is None else f"{x:.2f}"

    c, e, d = theory["circuits"], theory["exact_ensemble"], theory["circuits_minus_exact"]
    return (f"localization length at t = {fit['time']:g} (tail fit over {fit['window'][0]} "
            f"<= |x| <= {fit['window'][1]}, noise floor {fit['floor']:.2g}): circuits "
            f"{shown(c['value'])} ± {shown(c['error'])} (realisations ± "
            f"{shown(fit['statistical_error'])}, cut-off ± {shown(fit['cutoff_systematic'])}); "
            f"exact ensemble, same fit, {shown(e['value'])} ± {shown(e['error'])}; paired "
            f"difference {shown(d['value'])} ± {shown(d['error'])}")


def tail_warnings(summary: dict[str, Any], sites: int) -> list[str]:
    """What the final tail fit does not mean: a tail above the noise floor out to the
    ring's far side (xi set by the lattice), or a xi that moves with the cut-off by more
    than its statistical error (the tail is not one exponential yet)."""
    fit, theory = summary.get("localization_fit"), summary.get("localization_theory")
    if not fit or not theory or theory["circuits"]["value"] is None:
        return []
    out = []
    end, half, t = fit["window"][1], sites // 2, fit["time"]
    if end >= half - FAR_SIDE_MARGIN:
        out.append(f"the localized tail is above the noise floor out to |x| = {end}, the far "
                   f"side of the {sites}-site ring (|x| <= {half}): xi is bounded by the "
                   "lattice, not the disorder; use more position_qubits")
    stat, cut, xi = fit["statistical_error"], fit["cutoff_systematic"], theory["circuits"]["value"]
    if stat is not None and cut is not None and cut > max(stat, NOT_EXPONENTIAL * xi):
        out.append(f"xi = {xi:.2f} moves by ± {cut:.2f} as the fit's cut-off moves (± {stat:.2f} "
                   f"from the realisations): the averaged tail is not one exponential at "
                   f"t = {t:g} (it steepens towards the light cone); quote xi with its cut-off "
                   "systematic, or run more steps")
    return out

