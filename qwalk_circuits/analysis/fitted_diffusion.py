"""A fitted diffusion constant beside the model's: D_fit with its window and ring biases.

Where the model's long-time D is known exactly, fitting the model's own sigma(t) over the
run's window (with the run's weights) gives the window's bias, and fitting the exact
reference on the ring against the infinite-lattice model gives the ring's shift.  D_fit's
error holds both (added) and its statistical error in quadrature; ``D_fit_corrected``
removes the two known biases and keeps the statistical error alone, so it is the value to
compare with the model's D (in exact mode it equals it by construction; with shots it tests
the fit).  Without a model D the late-half against late-quarter spread is the systematic.
Used by the dephased CTQW (``dephasing_diffusion.py``) and the dephased coined walks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .distributions import DiffusionFit
from .theory import theory_value


def fitted_diffusion(fit: DiffusionFit, biases: tuple[float, float] | None, model: str,
                     ring: str) -> dict[str, Any]:
    """``D_fit`` (and with ``biases`` = (window bias, ring shift): the two as ``difference``
    values and ``D_fit_corrected``); ``model`` / ``ring`` name the series the biases come
    from, for the sources."""
    start = f"t >= {fit.window_start:g}"
    out: dict[str, Any] = {}
    statistical = fit.diffusion_statistical_error
    if biases is not None:
        bias, shift = biases
        systematic = abs(bias) + abs(shift)  # known biases of this window and ring: added
        out["D_fit_window_bias"] = theory_value("difference", bias, 0.0, source=(
            f"{model} fitted over {start} like the run, minus the model's D"))
        out["D_fit_lattice_shift"] = theory_value("difference", shift, 0.0, source=(
            f"{ring}, same fit"))
        out["D_fit_corrected"] = theory_value(
            "fit", fit.diffusion - bias - shift, statistical, source=(
                "D_fit minus the window bias and the ring shift; error: statistical only"))
        how = "the model's window bias plus the ring's shift"
    else:
        systematic = 0.0 if np.isnan(fit.window_systematic) else fit.window_systematic
        how = "the late-half / late-quarter spread"
    out["D_fit"] = theory_value("fit", fit.diffusion, math.hypot(statistical, systematic),
                                source=(f"late-window slope of sigma^2 / 2 ({start}); error: "
                                        f"the statistical one and {how} in quadrature"))
    return out
