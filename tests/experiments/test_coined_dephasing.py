"""coin- and position-dephasing report the model's exact long-time D beside the run's fit,
and warn when the window is not yet diffusive or the walk reaches around the ring."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.analysis.theory import unnamed_theory_values
from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import coined_dephasing_diffusion as diffusion
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run
from qwalk_circuits.reference.dephased_walk_diffusion import (
    hadamard_coin_dephasing_diffusion,
    hadamard_position_dephasing_diffusion,
)

NAMES = ["coin-dephasing", "position-dephasing"]
#: position dephasing's circuits carry an environment qubit on a density matrix: 10-100 s
#: at these sizes, so those cases are slow
HEAVY = ["coin-dephasing", pytest.param("position-dephasing", marks=pytest.mark.slow)]
CLOSED = {"coin-dephasing": hadamard_coin_dephasing_diffusion,
          "position-dephasing": hadamard_position_dephasing_diffusion}


def _run(name, settings, shots=None):
    experiment = get_experiment(name).from_settings(settings)
    return experiment, run(experiment, load_config("aer_ideal"), shots=shots, seed=3).summary


@pytest.mark.parametrize("name", NAMES)
def test_d_is_the_model_value_and_d_fit_is_named_a_fit(name):
    _, summary = _run(name, {"position_qubits": 4, "steps": 6, "p": 0.5})
    theory = summary["diffusion_theory"]
    assert unnamed_theory_values(summary) == []
    assert theory["D"]["kind"] == "model" and "no fit" in theory["D"]["source"]
    assert theory["D"]["value"] == pytest.approx(CLOSED[name](0.5), rel=1e-11)
    assert theory["D_fit"]["kind"] == "fit"
    assert theory["D_fit_window_bias"]["kind"] == "difference"
    assert theory["relaxation_time"]["kind"] == "model"


@pytest.mark.parametrize("name", HEAVY)
def test_sigma_squared_grows_as_two_d_t(name):
    """The experiment's sigma is sqrt(total variance): its sigma^2 slope is 2 D (tau = 2.9
    and 3.5 at p = 0.5, so after 40 steps the transient is below 2 D e^{-39/3.5} ~ 3e-5)."""
    _, summary = _run(name, {"position_qubits": 7, "steps": 40, "times": [39, 40], "p": 0.5})
    sigma = np.asarray(summary["observables"]["sigma"])
    d = summary["diffusion_theory"]["D"]["value"]
    tau = summary["diffusion_theory"]["relaxation_time"]["value"]
    assert abs((sigma[1] ** 2 - sigma[0] ** 2) / 2 - d) <= 2 * d * np.exp(-39 / tau)


@pytest.mark.parametrize("name", HEAVY)
def test_the_default_window_is_not_diffusive_and_says_how_many_steps(name):
    """p = 0.1 at the default 24 steps: the model's own late-half slope is 34 % (coin) and
    46 % (position) low; D_fit's error holds that bias, and a warning names the steps."""
    _, summary = _run(name, {"p": 0.1})
    theory = summary["diffusion_theory"]
    d, fit = theory["D"]["value"], theory["D_fit"]
    assert fit["value"] < 0.7 * d
    assert abs(fit["value"] - d) <= fit["error"] * (1 + 1e-9)  # exact run: the bias covered
    warning = [w for w in summary["warnings"] if "diffusive regime" in w]
    assert len(warning) == 1 and "run more steps (steps >= " in warning[0]
    steps = int(warning[0].split("steps >= ")[1].split()[0])
    # the suggestion is honest: the model's window at that many steps is within 1 %
    experiment = get_experiment(name).from_settings({"p": 0.1, "steps": steps,
                                                      "position_qubits": 9})
    times = experiment.times()
    sigma = list(np.sqrt(diffusion.line_variance(experiment, times)))
    fitted = diffusion._fit([float(t) for t in times], sigma, None)
    assert fitted is not None and abs(fitted.diffusion / d - 1) <= diffusion.PRE_ASYMPTOTIC
    half = get_experiment(name).from_settings({"p": 0.1, "steps": steps // 2})
    half_sigma = list(np.sqrt(diffusion.line_variance(half, half.times())))
    half_fit = diffusion._fit([float(t) for t in half.times()], half_sigma, None)
    assert half_fit is not None and abs(half_fit.diffusion / d - 1) > diffusion.PRE_ASYMPTOTIC


@pytest.mark.parametrize("name", HEAVY)
def test_a_long_enough_window_gives_d_without_a_warning(name):
    """p = 0.5, 48 steps on 128 sites: the late-half window (t >= 24, seven relaxation
    times) fits D to well under 1 %."""
    _, summary = _run(name, {"position_qubits": 7, "steps": 48, "p": 0.5})
    theory = summary["diffusion_theory"]
    assert theory["D_fit"]["value"] == pytest.approx(theory["D"]["value"], rel=1e-3)
    assert summary["warnings"] == []


@pytest.mark.parametrize("name", NAMES)
def test_the_ring_warning_when_the_walk_reaches_around(name):
    """16 sites and 24 steps at p = 0.5: the ring, not the walk, sets sigma at the end."""
    _, summary = _run(name, {"position_qubits": 4, "steps": 24, "p": 0.5})
    shift = summary["diffusion_theory"]["D_fit_lattice_shift"]["value"]
    assert shift < 0
    assert any("reaches around the ring of 16 sites" in w and "position_qubits" in w
               for w in summary["warnings"])


def test_a_run_that_does_not_follow_the_model_is_warned():
    """A D_fit many error bars off D beyond the known biases (here: sigma scaled by 1.2
    with tight error bars, as a miscalibrated device might give)."""
    experiment, summary = _run("coin-dephasing", {"position_qubits": 7, "steps": 48, "p": 0.5})
    sigma = [1.2 * s for s in summary["observables"]["sigma"]]
    faked = {**summary, "observables": {**summary["observables"], "sigma": sigma},
             "observable_errors": {"sigma": [1e-3] * len(sigma)}}
    faked["diffusion_theory"] = {**summary["diffusion_theory"],
                                 **diffusion.fitted_theory(experiment, faked)}
    warnings = diffusion.diffusion_warnings(experiment, faked)
    assert any("does not follow the model" in w for w in warnings)
    assert not any("does not follow" in w for w in summary["warnings"])


def test_sampled_d_fit_error_covers_d():
    _, summary = _run("position-dephasing", {"position_qubits": 5, "steps": 12, "p": 0.6},
                      shots=4000)
    theory = summary["diffusion_theory"]
    assert theory["D_fit"]["error"] > theory["D_fit"]["error"] - 1  # defined
    assert abs(theory["D_fit"]["value"] - theory["D"]["value"]) <= 3 * theory["D_fit"]["error"]


def test_p_zero_has_no_model_d_and_says_so():
    _, summary = _run("coin-dephasing", {"position_qubits": 4, "steps": 6, "p": 0.0})
    theory = summary["diffusion_theory"]
    assert theory["D"]["value"] is None and "ballistic" in theory["D"]["source"]
    assert any("not diffusive" in w for w in summary["warnings"])


def test_notes_print_d_model_and_d_fit_with_their_kinds():
    experiment, summary = _run("coin-dephasing", {"position_qubits": 4, "steps": 6, "p": 0.5})
    notes = experiment.summary_notes(summary)
    assert any(n.startswith("D (model, exact long-time") for n in notes)
    assert any(n.startswith("D (fit, late window)") and "±" in n for n in notes)


def test_a_gaussian_start_gets_its_own_coin_channel_d():
    """Coin dephasing conserves momentum: a moving packet's D is its momentum-weighted one."""
    _, summary = _run("coin-dephasing", {"position_qubits": 6, "steps": 6, "p": 0.3,
                                         "initial_state": "gaussian", "packet_width": 2,
                                         "packet_momentum": 0.6})
    d = summary["diffusion_theory"]["D"]["value"]
    assert d != pytest.approx(hadamard_coin_dephasing_diffusion(0.3), rel=1e-2)
