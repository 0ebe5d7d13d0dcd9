"""The coin- and position-dephased walks' diffusion constant, each value named for what it is
(``analysis/theory.py``), and the warnings that say when the fit cannot be trusted.

- ``D`` (model): the exact long-time D of the simulated model (Hadamard or any coin, the
  channel after every step), sigma^2 ~ 2 D t with sigma^2 the total variance, on the
  infinite lattice, from the model's transfer superoperator in momentum space
  (``reference/dephased_walk_diffusion.py``; no fit);
- ``D_fit`` (fit): the late-half slope of the run's own sigma^2(t) / 2; its error holds the
  statistical one and the window systematic -- the model's own bias over the same window
  (its exact infinite-lattice sigma^2(t) fitted the same way, ``D_fit_window_bias``) plus
  the ring's (the exact reference on the ring against the infinite lattice, same fit,
  ``D_fit_lattice_shift``) -- in quadrature.  Where the model has no finite D (p = 0,
  a coin that never mixes) the late-half / late-quarter spread stands in;
- ``relaxation_time`` (model): the steps over which the velocity correlations fall by e;
  the late-half window is diffusive (within 1 %) only some ten of them in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import analysis
from ..analysis.fitted_diffusion import fitted_diffusion
from ..analysis.theory import theory_value
from ..core.lattice_spec import sample_steps
from ..reference.dephased_walk_diffusion import (
    DiffusionConstant,
    dephased_walk_diffusion,
    dephased_walk_variance,
)

if TYPE_CHECKING:
    from .coined_dephasing import DephasedCoinedWalk

#: warn when the model's own slope over the fit window is this far from D
PRE_ASYMPTOTIC = 0.01
#: warn when the ring shifts the fitted D by this much (D is the infinite lattice's)
LATTICE_SHIFT = 0.001
#: a measured D_fit this many error bars from D: the run does not follow the model
DISAGREEMENT = 2.0
#: how far the suggested steps are searched (doublings of the run's steps)
MAX_DOUBLINGS = 8


def model_diffusion(experiment: DephasedCoinedWalk) -> DiffusionConstant | str:
    """The model's D, or why it has none (a one-line reason)."""
    s = experiment.spec
    try:
        return dephased_walk_diffusion(
            experiment._coin, experiment.channel, s.p, s.dimension,  # type: ignore[attr-defined]
            experiment._initial_array(), _displacements(experiment))
    except ValueError as error:
        return str(error)


def _displacements(experiment: DephasedCoinedWalk) -> list[np.ndarray]:
    s = experiment.spec
    return analysis.displacements(s.num_sites, s.origin(), s.dimension)


def line_variance(experiment: DephasedCoinedWalk, times: list[int]) -> np.ndarray:
    """The model's exact sigma^2 on the infinite lattice at ``times``."""
    s = experiment.spec
    return dephased_walk_variance(experiment._coin, experiment.channel,
                                  s.p, experiment._initial_array(),  # type: ignore[attr-defined]
                                  _displacements(experiment), times, s.dimension)


def _fit(times: list[float], sigma: list[float], errors: list[float] | None
         ) -> analysis.DiffusionFit | None:
    try:
        return analysis.fit_diffusion(times, sigma, errors)
    except ValueError:  # too few late-time points
        return None


def model_theory(experiment: DephasedCoinedWalk) -> dict[str, Any]:
    """``D`` and ``relaxation_time`` from the spec alone."""
    s = experiment.spec
    model = experiment._diffusion_model
    where = ("infinite lattice" if s.dimension == 1 else "infinite torus, D = D_x + D_y")
    if isinstance(model, str):
        out: dict[str, Any] = {"D": theory_value("model", None, source=(
            f"exact long-time D of the {experiment.channel}-dephased walk: none ({model})"))}
    else:
        out = {"D": theory_value("model", model.value, model.quadrature_error, source=(
            f"exact long-time D of the simulated {experiment.channel}-dephased walk "
            f"(sigma^2 ~ 2 D t, {where}): Green-Kubo sum of its momentum-space transfer "
            f"superoperator, no fit; error: the k quadrature ({model.grid} points per axis)"))}
    tau = experiment._relaxation_time
    if tau is not None:
        out["relaxation_time"] = theory_value("model", tau, None, source=(
            "-1/ln|mu|, mu the slowest non-stationary eigenvalue of the q = 0 transfer map "
            "(steps)"))
    return out


def fitted_theory(experiment: DephasedCoinedWalk, summary: dict[str, Any]) -> dict[str, Any]:
    """``D_fit`` from the run's own sigma(t), with the model's window bias and the ring's
    shift (both ``difference``) where the model has a D."""
    times = [float(t) for t in summary["times"]]
    errors = summary.get("observable_errors", {}).get("sigma")
    fit = _fit(times, summary["observables"]["sigma"], errors)
    if fit is None:
        return {}
    biases = None
    model = experiment._diffusion_model
    if isinstance(model, DiffusionConstant):
        line = experiment._line_variance
        # weighted like the run's own fit: the bias is that of the fit actually made
        line_fit = _fit(times, list(np.sqrt(np.maximum(line, 0.0))), errors)
        ring_fit = _fit(times, summary["reference"]["sigma"], errors)
        assert line_fit is not None and ring_fit is not None  # same times as ``fit``
        biases = (line_fit.diffusion - model.value, ring_fit.diffusion - line_fit.diffusion)
    return fitted_diffusion(fit, biases, "the model's exact infinite-lattice sigma^2",
                            "the exact reference on the ring minus the infinite lattice")


def suggested_steps(experiment: DephasedCoinedWalk) -> int | None:
    """The fewest steps (the run's, doubled) whose default late-half window the model
    fits within :data:`PRE_ASYMPTOTIC` of D; None if not within :data:`MAX_DOUBLINGS`."""
    model = experiment._diffusion_model
    if not isinstance(model, DiffusionConstant):
        return None
    steps = max(int(experiment.spec.steps), 8)
    for _ in range(MAX_DOUBLINGS):
        steps *= 2
        times = sample_steps(steps)
        fit = _fit([float(t) for t in times],
                   list(np.sqrt(np.maximum(line_variance(experiment, times), 0.0))), None)
        if fit is not None and abs(fit.diffusion / model.value - 1) <= PRE_ASYMPTOTIC:
            return steps
    return None


def diffusion_warnings(experiment: DephasedCoinedWalk, summary: dict[str, Any]) -> list[str]:
    """A fit window not yet diffusive, a walk reaching around the ring, a run that does not
    follow the model."""
    theory = summary.get("diffusion_theory", {})
    fit, model = theory.get("D_fit"), theory.get("D")
    name = experiment.name
    if fit is None or fit["value"] is None:
        return []
    times = np.asarray(summary["times"], dtype=float)
    start = float(times[times >= 0.5 * times.max()].min())  # fit_diffusion's late half
    if model is None or model["value"] is None:
        return [f"{name}: the model has no finite D (p = {experiment.spec.p:g}), so D_fit "  # type: ignore[attr-defined]
                "is a slope of a walk that is not diffusive"]
    d = model["value"]
    out = []
    bias = theory["D_fit_window_bias"]["value"] / d
    if abs(bias) > PRE_ASYMPTOTIC:
        tau = theory.get("relaxation_time", {}).get("value")
        steps = suggested_steps(experiment)
        out.append(
            f"{name}: the fit window t >= {start:g} has not reached the diffusive regime: the "
            f"model's own slope there is {bias:+.1%} off its long-time D = {d:.4g}"
            + (f" (velocity correlations decay over {tau:.1f} steps)" if tau else "")
            + "; run more steps" + (f" (steps >= {steps} brings the model's window within "
                                    f"{PRE_ASYMPTOTIC:.0%}, with position_qubits to fit)"
                                    if steps else ""))
    shift = theory["D_fit_lattice_shift"]["value"] / d
    if abs(shift) > LATTICE_SHIFT:
        out.append(f"{name}: the walk reaches around the ring of {experiment.spec.side} sites "
                   f"per axis: the ring shifts the fitted D by {shift:+.2%} from the infinite "
                   "lattice's; raise position_qubits")
    gap = fit["value"] - d - theory["D_fit_window_bias"]["value"] - theory[
        "D_fit_lattice_shift"]["value"]
    spread = fit["error"] or 0.0
    if spread > 0 and abs(fit["value"] - d) > DISAGREEMENT * spread and abs(gap) > spread:
        out.append(f"{name}: D_fit = {fit['value']:.4g} ± {spread:.2g} is "
                   f"{abs(fit['value'] - d) / spread:.1f} error bars from the model's D = "
                   f"{d:.4g} beyond the window's and the ring's known biases: the run does "
                   "not follow the model (noise, or too few shots)")
    return out


def notes(summary: dict[str, Any]) -> list[str]:
    """D model and D fit, each with its kind, for the CLI."""
    theory = summary.get("diffusion_theory") or {}

    def value(key: str) -> str:
        entry = theory[key]
        if entry["value"] is None:
            return "none"
        error = entry["error"]
        return f"{entry['value']:.4f}" + (f" ± {error:.4f}" if error else "")

    lines = []
    if "D" in theory:
        line = f"D (model, exact long-time, sigma^2 ~ 2 D t): {value('D')}"
        if "relaxation_time" in theory:
            line += f"; relaxation time {theory['relaxation_time']['value']:.1f} steps"
        lines.append(line)
    if "D_fit" in theory:
        line = f"D (fit, late window): {value('D_fit')}"
        if "D_fit_window_bias" in theory and theory["D"]["value"]:
            line += (f"; the model's own bias over that window "
                     f"{theory['D_fit_window_bias']['value'] / theory['D']['value']:+.1%}")
        lines.append(line)
    return lines
