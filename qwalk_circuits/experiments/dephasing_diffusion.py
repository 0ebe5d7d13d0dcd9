"""The ``dephasing`` experiment's diffusion constant and crossover time, each named for what
it is (``analysis/theory.py``), and the warnings that say when a fit cannot be trusted.

- ``D_model`` (model): J^2 dt coth(gamma dt/2), the exact long-time D of the sliced channel
  the circuits implement, on the infinite line (``reference/sliced_dephasing.py``);
- ``D_continuum`` (continuum): Haken-Strobl-Reineker's 2 J^2/gamma (dt -> 0);
- ``slicing_error`` / ``slicing_error_relative`` (difference): D_model - D_continuum;
- ``D_fit`` (fit): the late-window slope of the run's own sigma^2(t); its error holds the
  statistical error and the window systematic -- the model's own bias over the same window
  (its closed form sigma^2(t) fitted the same way, ``D_fit_window_bias``) plus the ring's
  (the exact twin against the infinite-line closed form, ``D_fit_lattice_shift``); where
  no model D is known (phase damping, a Gaussian start), the late-half / late-quarter
  spread;
- crossover times: ``crossover_time_continuum`` 2/gamma, ``crossover_time_model``
  D_model/J^2 (where the model's asymptotes 2 J^2 t^2 and 2 D_model t meet), and
  ``crossover_time_fit`` 2 D_fit / a, a from the first (coherent) slice, its error
  propagating both.

The per-qubit phase-damping channel is not translation invariant (a coherence decays at
d_H gamma, d_H the Hamming distance of the sites' bit strings), so it has no closed-form D:
only the fit applies there.  All of this is 1D (σ is the width along the line).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import analysis
from ..analysis.fitted_diffusion import fitted_diffusion
from ..analysis.theory import theory_value
from ..reference.sliced_dephasing import (
    continuum_diffusion_constant,
    sliced_crossover_time,
    sliced_diffusion_constant,
    sliced_sigma_squared,
)

if TYPE_CHECKING:
    from .dephasing import DephasingSpec

#: warn when the model's own slope over the fit window is this far from D_model
PRE_ASYMPTOTIC = 0.01
#: warn when the ring shifts the fitted D by this much (D_model is the infinite line's)
LATTICE_SHIFT = 0.001
#: without a model: warn while exp(-gamma t_window) exceeds 1 % (gamma t < ln 100)
DIFFUSIVE_GAMMA_T = math.log(100)
#: without a model: the reference's mass within N/8 of the antipode that counts as wrapping
WRAPPED_MASS = 1e-3

PHASE_DAMPING_NOTE = ("phase_damping: no closed-form D (a coherence decays at d_H gamma, "
                      "d_H the Hamming distance of the sites' bit strings: not translation "
                      "invariant); only the fit applies")


def has_model(spec: DephasingSpec) -> bool:
    """Whether D_model applies: the site channel in 1D with gamma > 0."""
    return spec.channel == "site" and spec.dimension == 1 and spec.gamma > 0


def model_sigma_squared(spec: DephasingSpec) -> np.ndarray | None:
    """The sliced model's sigma^2 at the measured times on the infinite line (site start)."""
    if not has_model(spec) or spec.initial_state != "site":
        return None
    return sliced_sigma_squared(spec.hopping, spec.gamma, spec.dt, spec.measured_slices())


def model_theory(spec: DephasingSpec) -> dict[str, Any]:
    """The values known before any run: model, continuum and their difference."""
    if spec.dimension != 1 or spec.gamma == 0:
        return {}
    if spec.channel != "site":
        return {"note": PHASE_DAMPING_NOTE}
    j, gamma, dt = spec.hopping, spec.gamma, spec.dt
    d_model = sliced_diffusion_constant(j, gamma, dt)
    d_continuum = continuum_diffusion_constant(j, gamma)
    return {
        "D_model": theory_value("model", d_model, 0.0, source=(
            "sliced channel exp(-iH dt), then p = 1 - exp(-gamma dt): J^2 dt coth(gamma dt/2), "
            "infinite line")),
        "D_continuum": theory_value("continuum", d_continuum, 0.0, source=(
            "Haken-Strobl-Reineker 2 J^2/gamma (continuous dephasing, dt -> 0)")),
        "slicing_error": theory_value("difference", d_model - d_continuum, 0.0,
                                      source="D_model - D_continuum"),
        "slicing_error_relative": theory_value(
            "difference", d_model / d_continuum - 1, 0.0,
            source="D_model / D_continuum - 1 = x coth x - 1, x = gamma dt/2 ~ (gamma dt)^2/12"),
        "crossover_time_model": theory_value("model", sliced_crossover_time(gamma, dt), 0.0,
                                             source="D_model / J^2 = dt coth(gamma dt/2)"),
        "crossover_time_continuum": theory_value("continuum", 2 / gamma, 0.0,
                                                 source="HSR: 2/gamma"),
    }


def _fit(spec: DephasingSpec, times: list[float], sigma: list[float],
         errors: list[float] | None) -> analysis.DiffusionFit | None:
    try:
        return analysis.fit_diffusion(times, sigma, errors, ballistic_until=spec.dt)
    except ValueError:  # too few late-time points
        return None


def fitted_theory(spec: DephasingSpec, summary: dict[str, Any]) -> dict[str, Any]:
    """D_fit and crossover_time_fit from the run's own sigma(t), with their systematics."""
    if spec.dimension != 1 or spec.gamma == 0:
        return {}
    times = list(summary["times"])
    errors = summary.get("observable_errors", {}).get("sigma")
    fit = _fit(spec, times, summary["observables"]["sigma"], errors)
    if fit is None:
        return {}
    biases = None
    modelled = model_sigma_squared(spec)
    if modelled is not None:
        d_model = sliced_diffusion_constant(spec.hopping, spec.gamma, spec.dt)
        # weighted like the run's own fit: the bias is that of the fit actually made
        model_fit = _fit(spec, times, list(np.sqrt(modelled)), errors)
        twin_fit = _fit(spec, times, summary["reference"]["sigma"], errors)
        assert model_fit is not None and twin_fit is not None  # same times as ``fit``
        biases = (model_fit.diffusion - d_model, twin_fit.diffusion - model_fit.diffusion)
    out = fitted_diffusion(fit, biases, "the sliced channel's closed-form sigma^2",
                           "the exact twin on the ring minus the infinite-line model")
    error = out["D_fit"]["error"]
    a, a_error = fit.ballistic, fit.ballistic_error
    if a > 0 and fit.diffusion > 0:
        t_star = 2 * fit.diffusion / a
        t_error = t_star * math.hypot(error / fit.diffusion, a_error / a)
        out["crossover_time_fit"] = theory_value("fit", t_star, t_error, source=(
            "2 D_fit / a, a = sigma^2/t^2 at the first (coherent) slice; errors of both "
            "propagated"))
    return out


def diffusion_warnings(spec: DephasingSpec, summary: dict[str, Any]) -> list[str]:
    """A fit window not yet diffusive, or a walker reaching around the ring."""
    theory = summary.get("diffusion_theory", {})
    fit = theory.get("D_fit")
    if fit is None or spec.dimension != 1:
        return []
    times = np.asarray(summary["times"], dtype=float)
    start = float(times[times >= 0.5 * times.max()].min())  # fit_diffusion's late half
    out = []
    if "D_fit_window_bias" in theory:
        d_model = theory["D_model"]["value"]
        bias = theory["D_fit_window_bias"]["value"] / d_model
        if abs(bias) > PRE_ASYMPTOTIC:
            out.append(f"dephasing: the fit window t >= {start:g} is not yet diffusive "
                       f"(gamma t = {spec.gamma * start:.2f}): the model's own slope there is "
                       f"{bias:+.1%} off D_model; raise time (and position_qubits)")
        shift = theory["D_fit_lattice_shift"]["value"] / d_model
        if abs(shift) > LATTICE_SHIFT:
            out.append(f"dephasing: the walker reaches around the ring of {spec.side} sites: "
                       f"the ring shifts the fitted D by {shift:+.2%} from the infinite line "
                       "(D_model); raise position_qubits")
        return out
    if spec.gamma * start < DIFFUSIVE_GAMMA_T:
        out.append(f"dephasing: the fit window t >= {start:g} may not be diffusive yet "
                   f"(gamma t = {spec.gamma * start:.2f} < ln 100); raise time")
    reference = summary["reference"]["sigma"]
    if reference and _wrapped_mass(spec, reference[-1]) > WRAPPED_MASS:
        out.append(f"dephasing: the walker reaches around the ring of {spec.side} sites "
                   "(sigma at the last time is a sizeable part of the ring); raise "
                   "position_qubits")
    return out


def _wrapped_mass(spec: DephasingSpec, sigma: float) -> float:
    """Gaussian estimate of the mass within N/8 of the antipode for a width sigma."""
    if sigma <= 0:
        return 0.0
    return float(math.erfc(3 * spec.side / 8 / (math.sqrt(2) * sigma)))
