"""README's numbers on the anderson-walk localization length: one tail fit for the circuits
and their exact ensemble, each rerun from the stated command."""

from __future__ import annotations

import pytest

from .claims import quoted, qwalk_json, within

COMMAND = ("qwalk run anderson-walk --set position_qubits=7 --set steps=48 "
           "--set realisations=16")


@pytest.mark.slow
def test_sampled_circuits_and_exact_ensemble_fitted_alike():
    quoted("README.md", "`qwalk run anderson-walk --set position_qubits=7 --set steps=48 --set "
           "realisations=16 --shots 4096` gives ξ = 5.44 ± 0.46 (cut-off ± 0.07) for the "
           "circuits and 5.41 for the exact ensemble, a paired difference of 0.03 ± 0.06.")
    summary = qwalk_json(f"{COMMAND} --shots 4096")
    theory, fit = summary["localization_theory"], summary["localization_fit"]
    assert within(theory["circuits"]["value"], 5.44, 0.005)  # seeded: rounding only
    assert within(theory["circuits"]["error"], 0.46, 0.005)
    assert within(fit["cutoff_systematic"], 0.07, 0.005)
    assert within(theory["exact_ensemble"]["value"], 5.41, 0.005)
    gap = theory["circuits_minus_exact"]
    assert within(gap["value"], 0.03, 0.005) and within(gap["error"], 0.06, 0.005)
    # what issue 13 asked: agreement within the circuits' error bar
    assert abs(gap["value"]) < theory["circuits"]["error"]


@pytest.mark.slow
def test_exact_mode_agrees_and_warns_that_the_cutoff_dominates():
    quoted("README.md", "With `--shots exact` the two agree to 1e-11, but the window reaches "
           "|x| = 40 and ξ = 4.08 ± 0.60: the cut-off systematic (± 0.59) dominates and the run "
           "warns that the tail is not one exponential at t = 48.")
    summary = qwalk_json(f"{COMMAND} --shots exact")
    theory, fit = summary["localization_theory"], summary["localization_fit"]
    assert abs(theory["circuits"]["value"] - theory["exact_ensemble"]["value"]) < 1e-11
    assert fit["window"][1] == 40
    assert within(theory["circuits"]["value"], 4.08, 0.005)
    assert within(theory["circuits"]["error"], 0.60, 0.005)
    assert within(fit["cutoff_systematic"], 0.59, 0.005)
    assert any("not one exponential at t = 48" in w for w in summary["warnings"])


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1234, 11])  # the largest and smallest of four seeds tried
def test_the_jackknife_error_of_the_tail_fit_is_twice_the_fits_own(seed):
    """The tail's points share the realisations, so the weighted fit's own error treats
    correlated points as independent: the jackknife over members is about 2x larger
    (2.25, 2.24, 2.05, 1.83 at seeds 1234, 7, 3, 11)."""
    from qwalk_circuits import pipeline
    from qwalk_circuits.analysis.tails import noise_floor, tail_procedure
    from qwalk_circuits.core.lattice import signed_displacement
    from qwalk_circuits.execution import load_config
    from qwalk_circuits.experiments import get_experiment

    quoted("README.md", "so the fit's own error is about 2x too small: 1.8–2.3x over seeds at "
                        "`--set position_qubits=7 --set steps=48 --set realisations=16 "
                        "--shots 4096`")
    walk = get_experiment("anderson-walk").from_settings(
        {"position_qubits": 7, "steps": 48, "realisations": 16})
    record = pipeline.run(walk, load_config("aer_ideal"), shots=4096, seed=seed, save=False)
    p, errors = record.distributions[-1], record.distribution_errors[-1]
    fit = tail_procedure(p, signed_displacement(p.size, walk.spec.origin()), errors,
                         noise_floor(4096, 16)).fit(p)
    ratio = record.summary["localization_fit"]["statistical_error"] / fit.error
    assert 1.75 <= ratio <= 2.35
