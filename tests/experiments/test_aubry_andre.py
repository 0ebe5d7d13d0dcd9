"""anderson-ctqw with potential=aubry-andre: eps_x = W cos(2 pi beta x + phi).

The physics is checked in the reference solver first (Aubry & Andre, Ann. Israel Phys. Soc.
3, 133 (1980): every eigenstate extended for W < 2J, localized for W > 2J with
xi = 1/ln(W/2J), |psi|^2 ~ exp(-2|x|/xi) -- the tail fit's own convention,
``analysis/tails.py``), then the circuits are checked exact against that solver."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qwalk_circuits.analysis import tails
from qwalk_circuits.analysis.theory import unnamed_theory_values
from qwalk_circuits.circuits.anderson_ctqw import AndersonCtqwTemplate
from qwalk_circuits.core.disorder import GOLDEN_CONJUGATE, aubry_andre_energies
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.core.lattice import signed_displacement
from qwalk_circuits.core.states import site_state
from qwalk_circuits.execution import load_config
from qwalk_circuits.execution.runner import simulate_statevector
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run
from qwalk_circuits.reference.aubry_andre import (
    aubry_andre_length,
    commensurate_period,
    eigenstate_iprs,
)
from qwalk_circuits.reference.disordered import anderson_split_states

from ..claims.claims import quoted
from .ensemble_checks import assert_every_member_equals_its_reference

AA = {"potential": "aubry-andre", "hopping": 1.0}


def make(settings):
    return get_experiment("anderson-ctqw").from_settings({**AA, **settings})


def jackknife(estimate, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """estimate(average over realisations) and its jackknife error over the realisations
    (axis 0 of ``members``): every point of a curve or a tail shares the realisations."""
    r = len(members)
    full = np.asarray(estimate(members.mean(axis=0)))
    leave_one_out = np.array([estimate(np.delete(members, i, axis=0).mean(axis=0))
                              for i in range(r)])
    spread = leave_one_out - leave_one_out.mean(axis=0)
    return full, np.sqrt((r - 1) / r * np.sum(spread**2, axis=0))


def widths(experiment, p: np.ndarray) -> np.ndarray:
    """sigma of each distribution in ``p`` (..., N) about the start site (the runs' sigma,
    ``analysis.observables``, vectorised)."""
    d = signed_displacement(experiment.spec.num_sites, experiment.spec.origin())
    mean = p @ d
    return np.sqrt(np.maximum(p @ d**2 - mean**2, 0.0))


# -- the draw ------------------------------------------------------------------------------


def test_energies_are_w_cos_with_one_phase_per_realisation_from_seed_and_r():
    sites, width = 32, 3.0
    static = aubry_andre_energies(7, 2, sites, width)
    phase = np.random.default_rng((7, 2)).uniform(0, 2 * np.pi)  # DESIGN.md's convention
    np.testing.assert_allclose(
        static, width * np.cos(2 * np.pi * GOLDEN_CONJUGATE * np.arange(sites) + phase),
        atol=1e-12)
    dynamic = aubry_andre_energies(7, 2, sites, width, layers=6)
    np.testing.assert_array_equal(dynamic[0], static)  # the static draw is the first layer
    np.testing.assert_array_equal(aubry_andre_energies(7, 2, sites, width, layers=3),
                                  dynamic[:3])  # layers are prefixes
    assert len({round(float(row[0]), 12) for row in dynamic}) == 6  # a phase per slice
    assert not np.allclose(aubry_andre_energies(7, 3, sites, width), static)
    assert GOLDEN_CONJUGATE == pytest.approx((math.sqrt(5) - 1) / 2, abs=1e-15)


def test_the_experiment_draws_its_energies_from_the_potential():
    experiment = make({"position_qubits": 4, "W": 2.5, "quasi_period": 0.3,
                       "realisations": 3})
    np.testing.assert_array_equal(experiment.energies(1)[0],
                                  aubry_andre_energies(0, 1, 16, 2.5, 0.3))
    dynamic = make({"position_qubits": 4, "W": 2.5, "disorder": "dynamic", "time_steps": 5,
                    "realisations": 3})
    np.testing.assert_array_equal(dynamic.energies(2),
                                  aubry_andre_energies(0, 2, 16, 2.5, layers=5))


# -- physics of the reference: below, above and across W = 2J -----------------------------


def test_below_threshold_every_state_is_extended_and_the_packet_spreads_ballistically():
    """W = J: sigma(t) grows linearly, sigma = v t + c at late times, so sigma(t)/t settles
    to the velocity v: at T = 80 it is r = 0.98-0.99 of its value at T/2, where diffusion
    (sigma ~ sqrt t) gives 1/sqrt 2 = 0.71.  The offset c (the transient before the
    asymptotic velocity) makes r = (v + c/T) / (v + 2c/T) < 1: the tolerance is that
    offset's, from the late-time line, plus 3 jackknife errors over the realisations (every
    time shares them).  A fitted power law is no test here: a t^alpha + c trades alpha
    against c (1.02, 0.98, 0.92 over t >= T/4, T/2, 3T/4, with jackknife errors of 5e-4).
    512 sites, t <= 80: the front (2Jt = 160) stays short of the far side (256)."""
    experiment = make({"position_qubits": 9, "W": 1.0, "time": 80.0, "time_steps": 800,
                       "realisations": 40, "measured_points": 21})
    members = np.array(experiment.reference_ensemble()).transpose(1, 0, 2)  # (R, times, N)
    times = np.array(experiment.times())
    half = int(np.argmin(np.abs(times - times[-1] / 2)))
    assert times[half] == pytest.approx(times[-1] / 2)

    def settling(p: np.ndarray) -> float:
        sigma = widths(experiment, p)
        return float((sigma[-1] / times[-1]) / (sigma[half] / times[half]))

    ratio, ratio_error = (float(x) for x in jackknife(settling, members))
    sigma = widths(experiment, members.mean(axis=0))
    late = times >= times[-1] / 4
    velocity, offset = np.polyfit(times[late], sigma[late], 1)
    expected = (velocity + offset / times[-1]) / (velocity + offset / times[half])
    assert abs(ratio - expected) < 3 * ratio_error + 0.01  # what the line leaves (< 1 %)
    assert ratio - 1 / math.sqrt(2) > 0.25 and velocity > 0.5
    quoted("README.md", f"σ(t)/t at t = 80 is {ratio:.3f} of its value at t = 40")
    quoted("README.md", f"velocity {velocity:.2f} J")
    far = np.abs(signed_displacement(512, experiment.spec.origin())) >= 256 - 16
    assert members.mean(axis=0)[-1][far].sum() < tails.EXACT_FLOOR  # never met the seam


def test_above_threshold_sigma_saturates():
    """W = 4J: sigma(T) equals sigma(T/2) within 3 jackknife errors of their difference,
    while the clean walk's doubles (sigma = sqrt(2) J t; its front 2JT = 40 stays on the
    near side of the 128-site ring)."""
    settings = {"position_qubits": 7, "W": 4.0, "time": 20.0, "time_steps": 200,
                "realisations": 40, "measured_points": 13}
    experiment = make(settings)
    members = np.array(experiment.reference_ensemble()).transpose(1, 0, 2)
    times = experiment.times()
    half = times.index(times[-1] / 2)
    growth, error = jackknife(lambda p: widths(experiment, p[-1]) - widths(experiment, p[half]),
                              members)
    assert abs(growth) < 3 * error
    clean = make({**settings, "disorder": "none"})
    clean_sigma = widths(clean, np.array(clean.reference_distributions()))
    assert clean_sigma[-1] / clean_sigma[half] == pytest.approx(2.0, rel=1e-3)


@pytest.mark.parametrize("width", [3.0, 4.0, 6.0])
def test_above_threshold_the_tail_fit_gives_the_exact_localization_length(width):
    """The late-time average (t in [T/2, T]) of the ensemble, fitted by the runs' own tail
    procedure (``tails.tail_procedure``, p ~ exp(-2|x|/xi) from |x| = 2 to the exact floor
    1e-10), against xi = 1/ln(W/2J) (exact, infinite chain; same convention).

    Error: the jackknife over the phases (the tail's points share them) (+) the cut-off
    systematic (half the range of xi as the window's end moves; the finite-time tail is not
    one exponential).  What it leaves out is smaller: halving dt moves xi by 0.01-0.02
    (split-step vs exp(-iHt)); the 128-site ring's seam is 48 sites beyond the window.
    Measured: 2.34 +- 0.16 (W = 3, xi 2.47), 1.43 +- 0.05 (W = 4, 1.44), 0.88 +- 0.04
    (W = 6, 0.91).  The bar excludes xi/2 and 2 xi: the convention matters.  Its power,
    checked by hand once: with W scaled by 0.9 the fits gave 2.92 (W = 3) and 1.65
    (W = 4), 2.8 and 4.1 of the bars above from the exact 2.47 and 1.44."""
    experiment = make({"position_qubits": 7, "W": width, "time": 40.0, "time_steps": 800,
                       "realisations": 40, "measured_points": 13})
    ensemble = np.array(experiment.reference_ensemble())  # (times, R, N)
    times = np.array(experiment.times())
    members = ensemble[times >= times[-1] / 2].mean(axis=0)  # (R, N): time-averaged
    p = members.mean(axis=0)
    displacement = signed_displacement(p.size, experiment.spec.origin())
    procedure = tails.tail_procedure(p, displacement, members.std(axis=0, ddof=1)
                                     / np.sqrt(len(members)), tails.EXACT_FLOOR)
    xi, jack = jackknife(lambda q: procedure(q)["localization_length"], members)
    error = float(np.hypot(jack, procedure.systematic(p)))
    exact = aubry_andre_length(width, 1.0)
    assert exact == pytest.approx(1 / math.log(width / 2))
    assert abs(xi - exact) < 3 * error
    assert abs(xi - 2 * exact) > 3 * error and abs(xi - exact / 2) > 3 * error
    assert procedure.end < experiment.spec.num_sites // 2 - tails.FAR_SIDE_MARGIN
    theory = experiment.extra_results()["aubry_andre_theory"]["localization_length"]
    assert theory["value"] == pytest.approx(exact) and theory["kind"] == "continuum"
    quoted("README.md", {3.0: f"{xi:.2f} ± {error:.2f} vs {exact:.2f} at W = 3J",
                         4.0: f"ξ = {xi:.2f} ± {error:.2f} against 1/ln 2 = {exact:.2f}",
                         6.0: f"{xi:.2f} ± {error:.2f} vs {exact:.2f} at 6J"}[width])


def test_eigenstate_ipr_jumps_across_w_2j():
    """Extended (W = 1.8J): the mean IPR halves when the ring doubles; localized
    (W = 2.2J, xi = 10.5): it does not change.  Errors: over 8 phases."""
    def ratio(width):
        means = []
        for sites in (128, 256):
            iprs = np.array([eigenstate_iprs(1.0, aubry_andre_energies(0, r, sites, width))
                             .mean() for r in range(8)])
            means.append((iprs.mean(), iprs.std(ddof=1) / np.sqrt(len(iprs))))
        (small, small_error), (large, large_error) = means
        value = large / small
        return value, value * np.hypot(small_error / small, large_error / large)

    extended, extended_error = ratio(1.8)
    localized, localized_error = ratio(2.2)
    assert 1 - extended > 3 * extended_error and abs(extended - 0.5) < abs(extended - 1)
    assert abs(localized - 1) < 3 * localized_error and localized_error < 0.05  # (power)
    assert abs(extended - 0.5) < 3 * extended_error + 0.05  # "halves"


# -- circuits exact against the reference --------------------------------------------------


@pytest.mark.parametrize("static", [True, False])
@pytest.mark.parametrize("slices", [1, 2, 5])
def test_template_statevector_equals_the_split_step_reference(static, slices):
    """Amplitudes, not only probabilities: the bound template against the reference's psi."""
    n, dt = 4, 0.37
    position = site_state(1 << n, 5)
    template = AndersonCtqwTemplate.build(position, 0.8, dt, slices, n, static)
    energies = aubry_andre_energies(3, 1, 1 << n, 2.5, 0.3, None if static else slices)
    layers = energies[None] if static else energies
    circuit = template.circuit.assign_parameters(
        dict(zip(template.circuit.parameters, template.values(layers, dt), strict=True)))
    expected = anderson_split_states(position, 0.8, layers, dt, [slices])[slices]
    np.testing.assert_allclose(simulate_statevector(circuit), expected, atol=1e-10)


@pytest.mark.parametrize("disorder", ["static", "dynamic"])
def test_every_realisation_of_the_bound_template_equals_its_reference(disorder):
    experiment = make({"position_qubits": 5, "time": 4.0, "time_steps": 8, "W": 3.0,
                       "realisations": 4, "disorder": disorder})
    assert_every_member_equals_its_reference(experiment, atol=1e-10)


# -- the summary: the exact xi, not Kappus-Wegner ------------------------------------------

SMALL = {"position_qubits": 3, "time": 2.0, "time_steps": 4, "realisations": 3}


def test_summary_gives_the_exact_xi_above_and_says_extended_below():
    above = make({**SMALL, "W": 4.0})
    summary = run(above, load_config(), shots=None, seed=1, save=False).summary
    assert max(summary["distance"]["tvd"]) < 1e-10
    assert "anderson_theory" not in summary  # Kappus-Wegner is the uniform potential's
    assert unnamed_theory_values(summary) == []
    theory = summary["aubry_andre_theory"]
    assert theory["regime"] == "localized"
    assert theory["localization_length"]["value"] == pytest.approx(1 / math.log(2))
    assert theory["localization_length"]["source"].startswith("exact, infinite chain")
    notes = above.summary_notes(summary)
    assert any("Aubry-Andre, exact, infinite chain" in n and "1.443" in n for n in notes)
    assert summary["params"]["potential"] == "aubry-andre"

    below = make({**SMALL, "W": 1.0})
    summary = run(below, load_config(), shots=None, seed=1, save=False).summary
    assert summary["aubry_andre_theory"] == {"regime": "extended"}
    assert any("eigenstate extended" in n for n in below.summary_notes(summary))
    assert make({**SMALL, "W": 2.0}).extra_results()["aubry_andre_theory"] == {
        "regime": "critical"}
    uniform = get_experiment("anderson-ctqw").from_settings({**SMALL, "W": 4.0})
    assert "anderson_theory" in uniform.extra_results()
    assert "aubry_andre_theory" not in uniform.extra_results()


def test_a_fraction_for_quasi_period_is_a_periodic_potential_with_no_localization_length():
    """beta = 1/2 (or 3/8) repeats on the ring: Bloch states, extended at W = 4J (their mean
    IPR halves with the ring, as the quasi-periodic one's does not, above threshold), so the
    summary gives no xi; the golden-ratio default resolves to no fraction up to 2^12."""
    for beta, fraction in ((0.5, "1/2"), (0.375, "3/8")):
        experiment = make({**SMALL, "W": 4.0, "quasi_period": beta})
        summary = run(experiment, load_config(), shots=None, seed=1, save=False).summary
        assert summary["aubry_andre_theory"] == {"regime": "periodic",
                                                 "quasi_period_fraction": fraction}
        assert unnamed_theory_values(summary) == []
        notes = experiment.summary_notes(summary)
        assert any("a periodic potential" in n and "extended at any W" in n for n in notes)
    assert commensurate_period(GOLDEN_CONJUGATE, 4096) is None
    small, large = (np.mean([eigenstate_iprs(1.0, aubry_andre_energies(0, r, n, 4.0, 0.5))
                             .mean() for r in range(4)]) for n in (128, 256))
    assert large / small == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize("settings,field", [
    ({"quasi_period": 0.0}, "quasi_period"),
    ({"quasi_period": 1.0}, "quasi_period"),
    ({"quasi_period": -0.2}, "quasi_period"),
    ({"potential": "gaussian"}, "potential"),
])
def test_bad_input_names_the_parameter(settings, field):
    with pytest.raises(QwalkError, match=field):
        make(settings)
