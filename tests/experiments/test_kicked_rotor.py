"""Kicked rotor experiments: dynamical localization, the resonance, sampled runs, bad input.

The classical Rechester-White rate, the reference resonance/anti-resonance
and the reference localization are tested in tests/reference/; here the
circuit path and the experiment's summary.
"""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits import pipeline
from qwalk_circuits.core.errors import ParameterError
from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.experiments.kicked_rotor import resonance
from qwalk_circuits.reference.kicked_rotor import classical_p2, momentum_grid

EXACT = 1e-9
# what the unguarded check would take is minutes; 5 s leaves a loaded 2-core CI its scatter
REFUSED_AT_ONCE_S = 5.0
# K = 5, kbar = 1 (l ~ D/(2 kbar^2) ~ 6): 8 qubits hold 40 kicks
LOCALIZED = {"kick_strength": 5.0, "kbar": 1.0, "kicks": 40, "momentum_qubits": 8,
             "quasi_momenta": 8, "times": [0, 10, 15, 20, 30, 40]}
#: the true plateau of the beta-averaged <m^2> at K = 5, kbar = 1 (kicks 1000-4000 of an
#: exact run with 512 quasi-momenta on 10 qubits; 256 give 241: +- 8 for the quadrature)
PLATEAU_K5_KBAR1 = 233.0
SMALL = {"kick_strength": 2.5, "kbar": 1.0, "kicks": 10, "momentum_qubits": 6,
         "quasi_momenta": 4, "times": [0, 5, 10]}


def run(name, settings, shots=None, seed=1):
    experiment = get_experiment(name).from_settings(settings)
    return experiment, pipeline.run(experiment, load_config(None), shots=shots, seed=seed,
                                      save=False)


def test_quantum_p2_saturates_while_the_standard_map_diffuses():
    """Dynamical localization (Shepelyansky 1986): the circuits equal the exact map, and over
    the last quarter <m^2> grows far slower than the classical D t / kbar^2."""
    _, record = run("kicked-rotor", LOCALIZED)
    s = record.summary
    assert max(s["distance"]["tvd"]) < EXACT
    np.testing.assert_allclose(s["observables"]["p2"], s["reference"]["p2"], rtol=EXACT)
    rate = s["diffusion_theory"]["classical_rate"]["value"]
    quantum, classical = np.asarray(s["observables"]["p2"]), np.asarray(s["classical"]["p2"])
    assert quantum[-1] - quantum[-2] < 0.1 * rate * 10  # ~9 % of the classical growth
    assert classical[-1] - classical[-2] > 0.8 * rate * 10
    assert quantum[-1] < 0.5 * classical[-1]
    # at 40 kicks <m^2> still grows: the plateau test says so, and the value is a lower
    # bound of the true plateau (233 +- 8: 4000 kicks, 512 quasi-momenta, module doc of
    # kicked_rotor_analysis), of order a few l^2 (REFERENCES.md)
    saturation = s["saturation"]
    assert not saturation["saturated"] and saturation["lower_bound"]
    assert saturation["window"] == [20, 40] and saturation["growth"] > 0.05 * 150
    ell = s["localization_theory"]["length"]["value"]
    assert ell**2 < saturation["value"] < PLATEAU_K5_KBAR1 - 8
    assert s["break_time"]["lower_bound"] and 0 < s["break_time"]["value"] < 40
    assert any("lower bound" in w for w in s["warnings"])
    # exponential tails: a finite localization length at the last kick
    xi = s["observables"]["localization_length"][-1]
    assert s["localization_theory"]["tail_fit"]["value"] == xi
    # the beta-average of exponentials has heavier tails than l ~ D_q/(2 kbar^2), and at
    # 40 kicks they still grow: xi = 12.4 here against l = 5.8
    assert np.isfinite(xi) and ell < xi < 3 * ell
    assert s["resonance"] is None
    assert set(s["params"]) >= {"kick_strength", "kbar", "kicks", "momentum_qubits",
                                "quasi_momenta", "beta", "times", "construction",
                                "quadrature_target"}


def test_the_plain_length_misses_the_quantum_correction_the_tails_show():
    """Shepelyansky 1987: D at K_q = 2 k sin(kbar/2).  The tails fitted at 40 kicks are the
    same multiple of l = D_q/(2 kbar^2) at kbar = 1 and 2 (2.14 and 2.06); of the plain
    D(K)/(2 kbar^2) they would be 2.06 and 3.31 -- the 1.6x of issue 13."""
    ratios, plain = [], []
    for kick, kbar in ((5.0, 1.0), (10.0, 2.0)):
        _, record = run("kicked-rotor", {**LOCALIZED, "kick_strength": kick, "kbar": kbar,
                                         "quasi_momenta": 16,
                                         "times": [0, 10, 15, 20, 30, 40]})
        loc, d = record.summary["localization_theory"], record.summary["diffusion_theory"]
        xi = loc["tail_fit"]["value"]
        ratios.append(xi / loc["length"]["value"])
        plain.append(xi / (d["rechester_white_D"]["value"] / (2 * kbar**2)))
        assert loc["length"]["kind"] == "asymptotic" and loc["tail_fit"]["kind"] == "fit"
    assert abs(ratios[1] / ratios[0] - 1) < 0.1
    assert plain[1] / plain[0] > 1.5


def test_rechester_white_sits_below_the_simulated_map_printed_beside_it():
    """Rechester-White is a truncated series: 4 % below the simulated standard map's D at
    K = 5 (issue 13: 3.9 %), more than three of the simulation's standard errors."""
    _, record = run("kicked-rotor", SMALL | {"kick_strength": 5.0, "momentum_qubits": 7})
    d = record.summary["diffusion_theory"]
    gap = d["rechester_white_minus_classical"]
    assert d["classical_D"]["kind"] == d["rechester_white_D"]["kind"] == "asymptotic"
    assert gap["kind"] == "difference" and gap["error"] == d["classical_D"]["error"]
    assert gap["value"] < -3 * gap["error"]
    assert 0.02 < -gap["value"] / d["classical_D"]["value"] < 0.08


def test_auto_simulates_the_fused_form_and_compiles_quadratic_for_devices():
    experiment = get_experiment("kicked-rotor").from_settings(SMALL)
    assert experiment.construction("all-to-all") == "fused"
    assert experiment.construction("fake_fez") == "quadratic"
    assert {t.metadata["construction"] for t in experiment.templates("all-to-all")} == {"fused"}
    assert experiment.allowed_constructions() == ["quadratic", "multiplexor", "diagonal-gate"]


def test_classical_summary_is_the_standard_map_in_integer_units():
    experiment = get_experiment("kicked-rotor").from_settings({**SMALL, "kbar": 0.7,
                                                               "momentum_qubits": 7})
    classical = experiment.classical_p2()
    want = classical_p2(2.5, 10)[[0, 5, 10]] / 0.7**2
    np.testing.assert_allclose(classical["p2"], want)


def test_resonance_is_ballistic_k2_t2_over_2_on_the_circuits():
    """kbar = 4 pi, beta = 0: <m^2> = k^2 t^2 / 2 exactly, k = K/kbar (REFERENCES.md)."""
    _, record = run("kicked-rotor-resonance", {"momentum_qubits": 5, "kick_strength": 2.5,
                                               "kicks": 12, "construction": "quadratic"})
    s = record.summary
    # the device form, through the runner (exact mode: one timeline of it, saved per kick)
    assert set(s["construction"]) == {"quadratic (timeline)"}
    k = 2.5 / (4 * np.pi)
    t = np.asarray(s["times"])
    assert s["times"] == list(range(13))
    np.testing.assert_allclose(s["observables"]["p2"], k**2 * t**2 / 2, rtol=EXACT, atol=EXACT)
    np.testing.assert_allclose(s["ballistic"]["p2"], k**2 * t**2 / 2)
    assert s["resonance"]["kbar_over_4pi"] == "1"
    assert s["break_time"]["value"] is None
    assert not any("saturated" in w for w in s["warnings"])  # ballistic on purpose


def test_sampled_run_agrees_within_shot_noise():
    shots = 2000
    experiment, record = run("kicked-rotor", SMALL, shots=shots, seed=7)
    s = record.summary
    d = s["distance"]
    assert all(tvd <= bound for tvd, bound in zip(d["tvd"], d["tvd_shot_noise_bound"],
                                                   strict=True))
    # <m^2> of the average of R independently sampled realisations: variance
    # sum_r Var_r(m^2) / (shots R^2); five standard errors
    m2 = momentum_grid(6) ** 2
    for i, ensemble in enumerate(experiment.reference_ensemble()):
        var = ensemble @ m2**2 - (ensemble @ m2) ** 2
        sigma = np.sqrt(var.sum() / (shots * len(ensemble) ** 2))
        assert abs(s["observables"]["p2"][i] - s["reference"]["p2"][i]) <= 5 * sigma + 1e-12


def test_single_quasi_momentum_with_beta():
    experiment = get_experiment("kicked-rotor").from_settings(
        {**SMALL, "quasi_momenta": 1, "beta": 0.3})
    assert experiment.spec.betas() == [0.3]
    assert experiment.realisations() == 1
    default = get_experiment("kicked-rotor").from_settings({**SMALL, "quasi_momenta": 4})
    assert default.spec.betas() == [0.125, 0.375, 0.625, 0.875]


def test_rational_kbar_over_4pi_warns_of_the_resonance():
    assert resonance(4 * np.pi) == 1 and str(resonance(2 * np.pi)) == "1/2"
    assert str(resonance(4 * np.pi * 3 / 7)) == "3/7"
    assert resonance(1.0) is None and resonance(4 * np.pi + 1e-3) is None
    with pytest.warns(UserWarning, match="resonance"):
        experiment = get_experiment("kicked-rotor").from_settings({**SMALL,
                                                                   "kbar": 2 * np.pi})
    assert experiment.ensemble_extra(_fake_summary(experiment))["resonance"][
        "kbar_over_4pi"] == "1/2"


def _fake_summary(experiment):
    """The parts of a run summary ensemble_extra reads, from the exact reference."""
    ensembles = experiment.reference_ensemble()
    p2 = [[experiment.observables(p)["p2"] for p in e] for e in ensembles]
    mean = [float(np.mean(v)) for v in p2]
    return {"ensemble": {"per_realisation": {"p2": p2}}, "times": experiment.times(),
            "shots": "exact", "observables": {"p2": mean}, "observable_errors": {},
            "reference": {"p2": mean}}


@pytest.mark.parametrize(("settings", "parameter", "hint"), [
    ({"kbar": 0.0}, "kbar", "greater than 0"),
    ({"kbar": -1.0}, "kbar", "greater than 0"),
    ({"kick_strength": -1.0}, "kick_strength", "greater than or equal to 0"),
    ({"quasi_momenta": 0}, "quasi_momenta", "greater than or equal to 1"),
    ({"beta": 0.3}, "beta", "quasi_momenta=1"),
    ({"times": [0, 11]}, "times", "0..kicks=10"),
    ({"construction": "fourier"}, "construction", "quadratic"),
])
def test_bad_input_names_the_parameter(settings, parameter, hint):
    with pytest.raises(ParameterError, match=hint) as error:
        get_experiment("kicked-rotor").from_settings({**SMALL, **settings})
    assert error.value.parameter == parameter


def test_too_small_register_suggests_the_size_that_holds_the_momenta():
    with pytest.raises(ParameterError, match="use momentum_qubits=8") as error:
        get_experiment("kicked-rotor").from_settings({**LOCALIZED, "momentum_qubits": 6})
    assert error.value.parameter == "momentum_qubits"
    assert "wrap around" in str(error.value)


@pytest.mark.parametrize(("settings", "parameter"), [({"kbar": 1.0}, "kbar"),
                                                     ({"beta": 0.25}, "beta")])
def test_resonance_experiment_refuses_non_resonant_settings(settings, parameter):
    with pytest.raises(ParameterError) as error:
        get_experiment("kicked-rotor-resonance").from_settings({"momentum_qubits": 5,
                                                                "kicks": 4, **settings})
    assert error.value.parameter == parameter


def test_a_huge_number_of_kicks_is_refused_at_once_naming_kicks():
    import time

    from qwalk_circuits.core.errors import QwalkError
    from qwalk_circuits.experiments import get_experiment

    start = time.perf_counter()
    with pytest.raises(QwalkError, match=r"parameter 'kicks'.*lower kicks"):
        get_experiment("kicked-rotor").from_settings({"kicks": 10**9})
    assert time.perf_counter() - start < REFUSED_AT_ONCE_S


@pytest.mark.parametrize("settings", [{"quasi_momenta": 8000, "kicks": 400},
                                      {"momentum_qubits": 20, "kicks": 200}])
def test_a_register_check_that_would_take_minutes_is_refused_at_once(settings):
    import time

    from qwalk_circuits.core.errors import QwalkError
    from qwalk_circuits.experiments import get_experiment

    start = time.perf_counter()
    with pytest.raises(QwalkError, match="kicks x quasi_momenta x 2\\*\\*momentum_qubits"):
        get_experiment("kicked-rotor").from_settings(settings)
    assert time.perf_counter() - start < REFUSED_AT_ONCE_S


def test_no_localization_theory_at_a_quantum_resonance():
    """At hbar = 4 pi the walk is ballistic: D_q (K_q = 2k sin(2 pi) = 0) and the
    localization length would be meaningless numbers, so they are None."""
    from qwalk_circuits.experiments.kicked_rotor_report import rotor_theory

    summary = {"observables": {"localization_length": [1.0]},
               "observable_errors": {"localization_length": [0.1]},
               "reference": {"localization_length": [1.0]}, "times": [10]}
    at = rotor_theory(5.0, 4 * np.pi, summary)
    assert at["localization_theory"]["length"]["value"] is None
    assert at["diffusion_theory"]["quantum_D"]["value"] is None
    assert "resonance" in at["localization_theory"]["comparison"]
    off = rotor_theory(5.0, 1.0, summary)
    assert off["localization_theory"]["length"]["value"] > 0
