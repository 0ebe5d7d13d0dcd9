"""D_fit beside the model's D: the known biases go into its error and out of the corrected
value, which keeps the statistical error alone."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qwalk_circuits.analysis import fit_diffusion
from qwalk_circuits.analysis.fitted_diffusion import fitted_diffusion


def test_known_biases_enter_the_error_and_leave_the_corrected_value():
    times = np.linspace(0, 20, 21)
    fit = fit_diffusion(times, list(np.sqrt(2 * 1.5 * times + 0.3)),
                        list(np.full(times.size, 0.01)))
    out = fitted_diffusion(fit, (-0.2, 0.05), "the model", "the ring")
    statistical = fit.diffusion_statistical_error
    assert out["D_fit"]["value"] == pytest.approx(fit.diffusion)
    assert out["D_fit"]["error"] == pytest.approx(math.hypot(statistical, 0.25))
    corrected = out["D_fit_corrected"]
    assert corrected["kind"] == "fit" and corrected["value"] == pytest.approx(
        fit.diffusion + 0.2 - 0.05)
    assert corrected["error"] == pytest.approx(statistical)
    assert out["D_fit_window_bias"]["value"] == -0.2
    assert out["D_fit_lattice_shift"]["value"] == 0.05


def test_without_a_model_the_window_spread_is_the_systematic():
    times = np.linspace(0, 20, 21)
    fit = fit_diffusion(times, list(np.sqrt(2 * 1.5 * times + 0.3)), None)
    out = fitted_diffusion(fit, None, "the model", "the ring")
    assert set(out) == {"D_fit"}
    spread = 0.0 if np.isnan(fit.window_systematic) else fit.window_systematic
    assert out["D_fit"]["error"] == pytest.approx(
        math.hypot(fit.diffusion_statistical_error, spread))
