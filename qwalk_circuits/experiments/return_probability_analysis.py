"""The return probability's analysis: power-law fits of P(origin, t) with their window and
jackknife errors, the infinite-lattice laws they are read against, and the finite-size guard
over its three walks (split from ``return_probability.py``, which builds and runs them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import ive

from .. import analysis
from ..analysis.ensembles import mean_and_error
from ..analysis.finite_size import FILLING_LIMIT, far_side_filling, finite_size_warning
from ..analysis.theory import named_curve, theory_value

if TYPE_CHECKING:
    from .return_probability import ReturnProbability


def return_fit(experiment: ReturnProbability, values: Sequence[float | None],
               errors: Sequence[float | None] | None, *, window: bool = True
               ) -> dict[str, float] | None:
    """P(origin, t) ~ a t^alpha over t >= fit_start (None when it cannot be fitted), with
    ``exponent_window_error``: the exponent's shift when only the later half of the
    window's times is fitted, beyond what that fit's own larger noise explains (None
    below three of them) -- a regime that is not yet asymptotic drifts, so a lower
    estimate of the window's systematic error."""
    times, points, bars = [], [], []
    for i, (t, value) in enumerate(zip(experiment.times(), values, strict=True)):
        error = None if errors is None else errors[i]
        if (t >= experiment.spec.fit_start() and value is not None
                and (errors is None or error is not None)):
            times.append(t)
            points.append(value)
            bars.append(0.0 if error is None else error)
    try:
        fit: dict[str, Any] = analysis.fit_power_law(
            times, points, None if errors is None else bars).as_dict()
    except ValueError:  # fewer than three times to fit
        return None
    if window:
        late = len(times) // 2
        try:
            drift = analysis.fit_power_law(times[late:], points[late:],
                                           None if errors is None else bars[late:])
            # nested fits of measured points: their difference has the variance
            # sigma_late^2 - sigma^2 from noise alone, only a drift beyond that is the
            # window's (exact values have no noise: their residuals are the drift)
            noise = (0.0 if errors is None
                     else drift.exponent_error**2 - fit["exponent_error"] ** 2)
            shift = (drift.exponent - fit["exponent"]) ** 2
            fit["exponent_window_error"] = float(np.sqrt(max(shift - max(noise, 0.0), 0.0)))
        except ValueError:
            fit["exponent_window_error"] = None
    return fit

def infinite_classical_returns(experiment: ReturnProbability) -> list[float]:
    """P(origin, t) of the classical walk (rate J per bond) on the infinite lattice:
    (e^{-2Jt} I_0(2Jt))^d exactly."""
    s = experiment.spec
    return [float(ive(0, 2 * s.hopping * t) ** s.dimension) for t in experiment.times()]

def return_results(experiment: ReturnProbability, summary: dict[str, Any]) -> dict[str, Any]:
    s = experiment.spec
    key = "p_origin"
    fits: dict[str, Any] = {
        "observables": return_fit(experiment, summary["observables"][key],
                                       summary["observable_errors"][key]),
        "reference": return_fit(experiment, summary["reference"][key],
                                     summary["reference_errors"][key]),
        "classical": return_fit(experiment, summary["classical"][key], None),
    }
    out: dict[str, Any] = {"classical_law": named_curve(
                               "asymptotic", "classical walk (rate J per bond), infinite "
                               "lattice: P ~ (4 pi J t)^(-d/2)", exponent=-s.dimension / 2,
                               rate=s.hopping),
                           "origin": list(s.start()[: s.dimension])}
    dephased = experiment.dephased_ensemble()
    if dephased is not None:
        averaged = [mean_and_error(samples) for samples in dephased]
        series = [experiment.observables(mean) for mean, _ in averaged]
        values = {k: [v[k] for v in series] for k in series[0]}
        errors = [float(error[s.origin()]) for _, error in averaged]
        out["dephased"] = {"gamma": s.dephasing, "observables": values,
                           "observable_errors": {key: errors}}
        fits["dephased"] = return_fit(experiment, values[key], errors)
    circuit_fit = fits["observables"]
    if circuit_fit is not None:
        spread = jackknife_exponent(experiment, summary["ensemble"]["per_realisation"][key],
                                         summary["observable_errors"][key])
        if spread is not None:
            circuit_fit["exponent_error"] = spread
    for fit in fits.values():
        if fit is not None:
            fit["exponent_total_error"] = float(np.hypot(
                fit["exponent_error"], fit["exponent_window_error"] or 0.0))
    out["fits"] = {**summary.get("fits", {}), "return_power_law": fits}
    out["return_theory"] = return_theory(experiment)
    return out

def return_theory(experiment: ReturnProbability) -> dict[str, Any]:
    """The infinite-lattice laws the fitted exponents are read against (module doc)."""
    s = experiment.spec
    d = s.dimension
    window = return_fit(experiment, infinite_classical_returns(experiment), None, window=False)
    out: dict[str, Any] = {
        "classical_exponent": theory_value(
            "asymptotic", -d / 2, source="classical walk, infinite lattice, t -> inf: "
            "P ~ (4 pi J t)^(-d/2)"),
        "classical_window_exponent": theory_value(
            "asymptotic", None if window is None else window["exponent"],
            None if window is None else window["exponent_error"],
            source=f"(e^(-2Jt) I_0(2Jt))^d, the infinite lattice's classical walk, fitted "
                   f"over t >= {s.fit_start():g} like the runs (its local exponent is "
                   "-d/2 - d/(16 J t))"),
    }
    if s.dephasing:
        out["dephased_exponent"] = theory_value(
            "asymptotic", -d / 2, source="dephased walk, infinite lattice: diffusion, "
            "P ~ t^(-d/2) for t >> 2/gamma")
    if d == 1 and s.W > 0:
        out["coherent_exponent"] = theory_value(
            "asymptotic", 0.0, source="Anderson localization in 1D: P -> const for "
            "t >> xi/v (xi(0) ~ 105 J^2/W^2)")
    else:
        out["coherent_note"] = ("no closed form for the coherent walk here: ballistic "
                                "t^(-d) at W = 0, diffusive t^(-d/2) (with the echo's "
                                "factor 2 at the origin) for t >> the scattering time")
    return out

def finite_size_warnings(experiment: ReturnProbability, summary: dict[str, Any]) -> list[str]:
    """The finite-size guard (``analysis/finite_size.py``) on the coherent walk's exact
    ensemble, the dephased walk and the classical walk: the earliest to fill the far
    side past its limit."""
    s = experiment.spec
    origin, d = s.origin(), s.dimension
    walks = {"coherent walk (exact ensemble)": experiment.reference_distributions(),
             "classical walk": experiment.classical_distributions()}
    dephased = experiment.dephased_ensemble()
    if dephased is not None:
        walks["dephased walk"] = [samples.mean(axis=0) for samples in dephased]
    fillings = {name: [far_side_filling(p, origin, d) for p in series]
                for name, series in walks.items()}
    first = {name: next((i for i, f in enumerate(series) if f > FILLING_LIMIT), None)
             for name, series in fillings.items()}
    over = [name for name in fillings if first[name] is not None]
    if not over:
        return []
    name = min(over, key=lambda n: first[n])  # type: ignore[arg-type, return-value]
    warning = finite_size_warning(experiment.times(), fillings[name], what=name,
                                  size_parameter="lattice_qubits_per_axis",
                                  size=s.axis_qubits)
    return [warning] if warning else []

def jackknife_exponent(experiment: ReturnProbability, per_time: list[list[float]],
                       errors: Sequence[float | None]) -> float | None:
    """Jackknife error of the fitted exponent over members: every time point comes from
    the same members, so the weighted fit's own error treats correlated points as
    independent (too small)."""
    members = np.array(per_time, dtype=float).T  # (members, times)
    count = len(members)
    if count < 2:
        return None
    total = members.sum(axis=0)
    exponents = []
    for member in members:
        fit = return_fit(experiment, list((total - member) / (count - 1)), errors)
        if fit is None:
            return None
        exponents.append(fit["exponent"])
    spread = np.array(exponents)
    return float(np.sqrt((count - 1) / count * np.sum((spread - spread.mean()) ** 2)))
