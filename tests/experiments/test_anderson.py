"""Anderson experiments: ensembles through the circuits equal their references; the physics
of clean (ballistic), static (localized) and dynamic (diffusive, classical) disorder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qwalk_circuits import analysis
from qwalk_circuits.cli import main
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run

from .ensemble_checks import assert_every_member_equals_its_reference

SMALL_WALK = {"position_qubits": 5, "steps": 8, "realisations": 4}
SMALL_CTQW = {"position_qubits": 5, "time": 4.0, "time_steps": 8, "realisations": 4}



def make(name, settings):
    return get_experiment(name).from_settings(settings)


@pytest.mark.parametrize("name,settings", [
    ("anderson-walk", {**SMALL_WALK, "disorder": "static", "shift": "increment"}),
    ("anderson-walk", {**SMALL_WALK, "disorder": "dynamic", "disorder_kind": "coin"}),
    ("anderson-walk", {**SMALL_WALK, "disorder": "static", "disorder_kind": "coin-phase",
                       "shift": "fourier"}),
    ("anderson-walk", {**SMALL_WALK, "disorder": "static", "disorder_kind": "walsh-phase",
                       "shift": "fourier-line"}),
    ("anderson-walk", {**SMALL_WALK, "disorder": "dynamic", "shift": "fourier-line"}),
    ("anderson-ctqw", {**SMALL_CTQW, "disorder": "static"}),
    ("anderson-ctqw", {**SMALL_CTQW, "disorder": "dynamic", "W": 3.0}),
])
def test_every_realisation_of_the_bound_template_equals_its_reference(name, settings):
    experiment = make(name, settings)
    assert_every_member_equals_its_reference(experiment)


def test_run_summary_holds_ensemble_means_errors_and_valid_json():
    experiment = make("anderson-walk", {**SMALL_WALK, "realisations": 5})
    summary = run(experiment, load_config(), shots=None, seed=2).summary
    assert max(summary["distance"]["tvd"]) < 1e-10
    for key in ("sigma", "p_origin", "ipr", "localization_length"):
        assert len(summary["observables"][key]) == len(summary["times"])
        assert len(summary["observable_errors"][key]) == len(summary["times"])
    assert summary["ensemble"]["realisations"] == 5
    assert len(summary["ensemble"]["per_realisation"]["ipr"][-1]) == 5
    ipr = summary["ensemble"]["per_realisation"]["ipr"][-1]
    assert summary["observables"]["ipr"][-1] == pytest.approx(np.mean(ipr))
    assert summary["observable_errors"]["ipr"][-1] == pytest.approx(
        np.std(ipr, ddof=1) / np.sqrt(5))
    json.dumps(summary, allow_nan=False)  # an undefined fit is null, not NaN


def test_sampled_ensemble_average_is_within_the_shot_noise_bound():
    shots = 400
    experiment = make("anderson-walk", {**SMALL_WALK, "realisations": 6})
    summary = run(experiment, load_config(), shots=shots, seed=5).summary
    # R realisations x S shots are R*S independent samples of the averaged distribution
    for tvd, bound in zip(summary["distance"]["tvd"], summary["distance"]["tvd_shot_noise_bound"],
                          strict=True):
        assert tvd <= bound


def _sigma_ratio(experiment):
    """sigma(T) / sigma(T/2) of the ensemble-averaged exact distribution."""
    averaged = experiment.reference_distributions()
    sigma = [experiment.observables(p)["sigma"] for p in averaged]
    times = experiment.times()
    return sigma[-1] / sigma[times.index(times[-1] // 2)], sigma


def test_clean_ballistic_static_localized_dynamic_classical_on_one_cycle():
    """One experiment, three disorders, a cycle of 128 sites that T = 40 steps never wraps."""
    base = {"position_qubits": 7, "steps": 40, "times": list(range(0, 41, 4)),
            "realisations": 400}
    clean, _ = _sigma_ratio(make("anderson-walk", {**base, "disorder": "none"}))
    static, _ = _sigma_ratio(make("anderson-walk", {**base, "disorder": "static"}))
    dynamic_experiment = make("anderson-walk", {**base, "disorder": "dynamic"})
    dynamic, sigma = _sigma_ratio(dynamic_experiment)
    assert clean == pytest.approx(2.0, rel=0.03)  # sigma ~ t
    assert static < 1.2  # saturates
    # dynamic full-strength phases are a position measurement every step: sigma^2 = t exactly
    # in the average, so the ensemble's D = 1/2 within its statistical error
    fit = analysis.fit_diffusion(dynamic_experiment.times(), sigma)
    assert fit.diffusion == pytest.approx(0.5, abs=0.03)
    assert dynamic == pytest.approx(np.sqrt(2), rel=0.05)
    ensembles = dynamic_experiment.reference_ensemble()
    for samples, classical in zip(ensembles, dynamic_experiment.classical_distributions(),
                                  strict=True):
        mean = samples.mean(axis=0)
        error = samples.std(axis=0, ddof=1) / np.sqrt(len(samples))
        assert np.all(np.abs(mean - classical) <= 5 * error + 1e-12)


def test_partial_dynamic_disorder_averages_to_site_dephasing():
    """Phases uniform in s*[-pi, pi) redrawn each step: coherences shrink by sinc(s)^2."""
    experiment = make("anderson-walk", {"position_qubits": 6, "steps": 16, "disorder": "dynamic",
                                        "strength": 0.4, "realisations": 600})
    equivalent = experiment.dephasing_equivalent()
    assert equivalent is not None
    for samples, expected in zip(experiment.reference_ensemble(), equivalent, strict=True):
        error = samples.std(axis=0, ddof=1) / np.sqrt(len(samples))
        assert np.all(np.abs(samples.mean(axis=0) - expected) <= 5 * error + 1e-12)


def test_circuit_path_shows_the_three_regimes():
    base = {"position_qubits": 6, "steps": 20, "times": [0, 10, 20], "realisations": 6}
    ratios = {}
    for disorder in ("none", "static", "dynamic"):
        experiment = make("anderson-walk", {**base, "disorder": disorder})
        summary = run(experiment, load_config(), shots=None, seed=1,
                                 save=False).summary
        assert max(summary["distance"]["tvd"]) < 1e-10
        sigma = summary["observables"]["sigma"]
        ratios[disorder] = sigma[2] / sigma[1]
    assert ratios["static"] < ratios["dynamic"] < ratios["none"]


def test_anderson_ctqw_localizes_with_static_disorder_and_reports_the_splitting():
    experiment = make("anderson-ctqw", {"position_qubits": 7, "W": 4.0, "time": 30.0,
                                        "time_steps": 120, "realisations": 200})
    ratio, _ = _sigma_ratio(experiment)
    assert ratio < 1.15
    clean = make("anderson-ctqw", {"position_qubits": 7, "W": 4.0, "time": 30.0,
                                   "time_steps": 120, "disorder": "none"})
    assert _sigma_ratio(clean)[0] == pytest.approx(2.0, rel=0.05)
    assert 0 < experiment.splitting_error() < 0.15  # dt = 0.25 at W = 4


@pytest.mark.parametrize("name,settings,field", [
    ("anderson-walk", {"strength": -0.1}, "strength"),
    ("anderson-walk", {"realisations": 0}, "realisations"),
    ("anderson-walk", {"dimension": 2}, "dimension"),
    ("anderson-ctqw", {"W": -1.0}, "W"),
    ("anderson-ctqw", {"realisations": 0}, "realisations"),
    ("anderson-walk", {"realisations": 1}, "realisations"),
    ("anderson-ctqw", {"realisations": 1, "disorder": "dynamic"}, "realisations"),
])
def test_bad_input_names_the_parameter(name, settings, field):
    with pytest.raises(QwalkError, match=field):
        make(name, settings)


def test_cli_runs_an_ensemble_and_refuses_bad_input(capsys):
    assert main(["run", "anderson-walk", "--set", "position_qubits=4", "--set", "steps=4",
                 "--set", "realisations=3", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["experiment"] == "anderson-walk"
    assert main(["run", "anderson-ctqw", "--set", "W=-2"]) == 2
    assert "W" in capsys.readouterr().err


def test_resources_state_the_disorder_layer_cost():
    from qwalk_circuits.resource_report import resource_report

    report = resource_report(make("anderson-walk", {"position_qubits": 4, "steps": 4}),
                             "all-to-all")
    assert {row["construction"] for row in report["constructions"]} == {
        "increment", "fourier", "fourier-line"}
    assert report["layers"] == [{"layer": "phase disorder layer",
                                 "two_qubit_gates": 2**4 - 2}]  # a generic n-qubit diagonal
    ctqw = resource_report(make("anderson-ctqw", {"position_qubits": 4}), "all-to-all")
    assert ctqw["layers"][0]["two_qubit_gates"] == 2**4 - 2


def test_a_single_sampled_realisation_reports_shot_noise_errors():
    experiment = make("anderson-walk", {**SMALL_WALK, "disorder": "none"})
    summary = run(experiment, load_config(), shots=500, seed=4, save=False).summary
    assert summary["ensemble"]["realisations"] == 1
    assert all(e > 0 for e in summary["observable_errors"]["sigma"][1:])
    assert all(e > 0 for e in summary["observable_errors"]["ipr"][1:])


def test_averaged_distributions_carry_their_standard_errors():
    experiment = make("anderson-walk", {**SMALL_WALK, "realisations": 5})
    record = run(experiment, load_config(), shots=None, seed=2, save=False)
    samples = experiment.reference_ensemble()[-1]  # exact mode: the members are these
    np.testing.assert_allclose(record.distribution_errors[-1],
                               samples.std(axis=0, ddof=1) / np.sqrt(5), atol=1e-10)


def test_sampled_ipr_is_unbiased():
    """sum p_hat^2 of S shots overestimates the IPR by (1 - IPR)/S; the run corrects it."""
    from qwalk_circuits.analysis.summary import ensemble_observables

    experiment = make("anderson-walk", {**SMALL_WALK, "realisations": 2000})
    exact = experiment.reference_ensemble()[-1]
    shots, rng = 20, np.random.default_rng(0)
    sampled = np.array([rng.multinomial(shots, p / p.sum()) / shots for p in exact])
    true_ipr = float(np.mean(np.sum(exact**2, axis=1)))
    values, errors, _ = ensemble_observables(experiment, sampled, shots)
    assert abs(values["ipr"] - true_ipr) < 4 * errors["ipr"]
    naive, naive_errors, _ = ensemble_observables(experiment, sampled, None)
    assert naive["ipr"] - true_ipr > 4 * naive_errors["ipr"]  # the bias the correction removes


# -- the localization length: one procedure for circuits and exact ensemble (issue 13) ---

TAIL_WALK = {"position_qubits": 6, "steps": 24, "realisations": 8, "times": [24]}


def test_exact_circuits_and_exact_ensemble_give_one_xi_to_1e_6():
    summary = run(make("anderson-walk", TAIL_WALK), load_config(), shots=None, seed=1).summary
    theory = summary["localization_theory"]
    assert theory["circuits"]["kind"] == theory["exact_ensemble"]["kind"] == "fit"
    assert theory["circuits_minus_exact"]["kind"] == "difference"
    assert abs(theory["circuits"]["value"] - theory["exact_ensemble"]["value"]) < 1e-6
    assert abs(theory["circuits_minus_exact"]["value"]) < 1e-6
    fit = summary["localization_fit"]
    assert fit["floor"] == analysis.tails.EXACT_FLOOR
    # the error holds the cut-off systematic: here the tail bends towards the light cone
    assert theory["circuits"]["error"] == pytest.approx(
        np.hypot(fit["statistical_error"], fit["cutoff_systematic"]))
    assert fit["cutoff_systematic"] > 3 * fit["statistical_error"]
    assert any("not one exponential" in w and "run more steps" in w
               for w in summary["warnings"])


def test_sampled_circuits_agree_with_their_exact_ensemble_within_the_error_bar():
    """Shots on the same realisations: the exact ensemble is fitted over the sampled data's
    window with its weights, so the two differ by shot noise only -- within the circuits'
    error bar and within 3 sigma of the paired difference.  (Fitted each its own way, the
    audit saw 5.43 +- 0.22 against 3.77.)"""
    summary = run(make("anderson-walk", TAIL_WALK), load_config(), shots=2000,
                  seed=3).summary
    theory = summary["localization_theory"]
    circuits, exact = theory["circuits"], theory["exact_ensemble"]
    gap = theory["circuits_minus_exact"]
    assert gap["value"] == pytest.approx(circuits["value"] - exact["value"])
    assert abs(gap["value"]) < circuits["error"]
    assert abs(gap["value"]) < 3 * gap["error"]
    # the pairing removes the disorder: its error is well below the circuits' own
    assert gap["error"] < summary["localization_fit"]["statistical_error"]
    # the window stops at the sampled noise floor, 9 draws of 2000 x 8
    assert summary["localization_fit"]["floor"] == pytest.approx(9 / (2000 * 8))
    assert summary["localization_fit"]["window"][1] < 24
    assert summary["warnings"] == []


@pytest.mark.slow
def test_the_audited_run_agrees_with_its_exact_ensemble():
    """Issue 13's command: 5.43 +- 0.22 against 3.77 before; one procedure now."""
    summary = run(make("anderson-walk", {"position_qubits": 7, "steps": 48,
                                         "realisations": 16}),
                  load_config(), shots=4096, seed=None).summary
    theory = summary["localization_theory"]
    gap = theory["circuits_minus_exact"]
    assert abs(gap["value"]) < theory["circuits"]["error"]
    assert abs(gap["value"]) < 3 * gap["error"]


def test_a_tail_out_to_the_far_side_of_the_ring_warns():
    summary = run(make("anderson-walk", {"position_qubits": 4, "steps": 16,
                                         "realisations": 4}),
                  load_config(), shots=None, seed=1).summary
    assert summary["localization_fit"]["window"][1] >= 8 - 2
    assert any("far side of the 16-site ring" in w and "position_qubits" in w
               for w in summary["warnings"])


def test_the_run_plot_draws_the_fitted_tails_on_a_log_scale():
    from matplotlib.figure import Figure

    experiment = make("anderson-walk", TAIL_WALK)
    record = run(experiment, load_config(), shots=2000, seed=3)
    axis = Figure().subplots()
    assert experiment.plot_final_distribution(axis, record)
    labels = axis.get_legend_handles_labels()[1]
    xi = record.summary["localization_theory"]["circuits"]
    assert f"tail fit, circuits: ξ = {xi['value']:.2f} ± {xi['error']:.2f}" in labels
    assert any(label.startswith("tail fit, exact ensemble") for label in labels)
    assert any(label.startswith("fit cut-off: noise floor") for label in labels)
    assert axis.get_yscale() == "log"
    clean = make("anderson-walk", {**TAIL_WALK, "disorder": "none"})
    assert not clean.plot_final_distribution(Figure().subplots(),
                                             run(clean, load_config(), shots=None, seed=1))
