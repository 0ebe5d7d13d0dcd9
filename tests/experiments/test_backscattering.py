"""Coherent backscattering: the circuit ensemble equals its reference member by member; the
ratio r = P(-k0)/background rises to 2 with time-reversal symmetry, stays near 1 with random
flux and falls to 1/2 with weak spin-orbit coupling (Cherroret et al., PRA 85, 011604(R)
(2012); REFERENCES.md, weak localization).  Physics runs on the exact reference ensemble;
every tolerance is a multiple of the ensemble's jackknife standard error (of the shot noise,
where a sampled run is compared with the exact one on the same members)."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from qwalk_circuits.analysis.backscattering import (
    SLOTS,
    point_group_images,
    ratio_observables,
    ratio_shot_errors,
    shell_momenta,
    slot_probabilities,
    symmetry_line_problem,
)
from qwalk_circuits.analysis.ensembles import jackknife_errors
from qwalk_circuits.cli import main
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run
from qwalk_circuits.reference.lattice_2d import (
    lattice_2d_states,
    momentum_distribution,
    plane_wave,
)
from qwalk_circuits.sweeps import sweep

from .ensemble_checks import assert_every_member_equals_its_reference

SMALL = {"lattice_qubits_per_axis": 3, "time": 1.5, "realisations": 9}
#: the CBS regime of the 16 x 16 torus: W = 3 J, dt = 0.5 (bandwidth 8 J + W < 2 pi / dt,
#: no quasi-energy folding), k0 = (3, 1) at E = -2.6 J; scattering time ~ 1-2 / J
PHYSICS = {"lattice_qubits_per_axis": 4, "W": 3.0, "dt": 0.5, "k0": [3, 1]}



def make(settings):
    return get_experiment("backscattering").from_settings(settings)


def ratio_table(experiment):
    """(time, r, standard error) of the exact reference ensemble, as the runner computes them."""
    rows = []
    for t, samples in zip(experiment.times(), experiment.reference_ensemble(), strict=True):
        r = experiment.observables(samples.mean(axis=0))["ratio"]
        rows.append((t, r, jackknife_errors(samples, experiment.observables)["ratio"]))
    return rows


# -- bookkeeping ------------------------------------------------------------------------------
def test_point_group_images_and_symmetry_lines():
    images = point_group_images((3, 1), 16)
    assert [tuple(p) for p in images] == [(3, 1), (13, 15), (13, 1), (3, 15), (1, 3), (15, 13),
                                          (15, 3), (1, 13)]
    assert len({tuple(p) for p in images}) == 8
    for k0 in [(0, 3), (8, 3), (3, 3), (3, 13), (5, 0)]:
        assert symmetry_line_problem(k0, 16) is not None
        assert len({tuple(p) for p in point_group_images(k0, 16)}) < 8
    assert symmetry_line_problem((5, 2), 16) is None


def test_shell_picks_distinct_orbits_nearest_the_energy():
    momenta = shell_momenta(16, -2.5, 4)
    energies = [-2 * (np.cos(2 * np.pi * a / 16) + np.cos(2 * np.pi * b / 16)) for a, b in momenta]
    assert len(set(momenta)) == 4 and all(0 < b < a < 8 for a, b in momenta)
    others = [-2 * (np.cos(2 * np.pi * a / 16) + np.cos(2 * np.pi * b / 16))
              for a in range(1, 8) for b in range(1, a) if (a, b) not in momenta]
    assert max(abs(e + 2.5) for e in energies) <= min(abs(e + 2.5) for e in others)


def test_slots_follow_each_members_own_k0():
    side = 8
    grid = np.arange(side * side, dtype=float).reshape(side, side)  # P[p_y, p_x]
    slots = slot_probabilities(grid, (2, 1))
    assert slots[0] == grid[1, 2] and slots[1] == grid[7, 6] and slots[4] == grid[2, 1]
    values = ratio_observables(np.array([5.0, 4.0, 1, 1, 2, 2, 2, 2]))
    assert values["ratio"] == pytest.approx(4 / 1.6666666666666667)
    assert values["forward_ratio"] == pytest.approx(3.0)
    assert values["anisotropy"] == pytest.approx(0.5)
    assert np.isnan(ratio_observables(np.zeros(8))["ratio"])  # no background yet: undefined


def test_shot_errors_match_the_spread_of_sampled_ratios():
    rng = np.random.default_rng(3)
    p = np.array([0.05, 0.06, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03])
    full = np.append(p, 1 - p.sum())
    shots = 20000
    ratios = [ratio_observables(rng.multinomial(shots, full)[:8] / shots)["ratio"]
              for _ in range(2000)]
    predicted = ratio_shot_errors(p, shots)["ratio"]
    # the spread of 2000 sampled ratios estimates the error to about 1.6 % (1/sqrt(2 * 2000))
    assert np.std(ratios, ddof=1) == pytest.approx(predicted, rel=5 / np.sqrt(2 * 2000))


def test_members_cycle_over_k0_and_spin_with_their_own_disorder():
    experiment = make({**SMALL, "spin_orbit": 0.3, "shell": 2, "realisations": 3})
    assert experiment.realisations() == 3 * 2 * 2
    members = [experiment.member(i) for i in range(experiment.realisations())]
    assert members[:4] == [(experiment.k0s[0], 0), (experiment.k0s[0], 1),
                           (experiment.k0s[1], 0), (experiment.k0s[1], 1)]
    energies = [d.energies for d in experiment._disorders]
    assert not np.allclose(energies[0], energies[1])
    assert not experiment.with_map  # several k0: slots only


# -- circuits ---------------------------------------------------------------------------------
@pytest.mark.parametrize("settings", [
    {**SMALL},
    {**SMALL, "flux": "random", "flux_strength": 0.7, "realisations": 5, "spin_orbit": 0.4},
    {**SMALL, "flux": "uniform", "flux_strength": 1, "shell": 3, "realisations": 3},
    {**SMALL, "spin_orbit": 0.25, "realisations": 5, "time": 1.0},
])
def test_every_member_of_the_bound_template_equals_its_reference(settings):
    experiment = make(settings)
    assert_every_member_equals_its_reference(experiment)


def test_reference_slots_are_the_spin_summed_momentum_distribution():
    """Independent of the experiment's bookkeeping: member 1's slots from a direct evolution."""
    experiment = make({**SMALL, "spin_orbit": 0.3, "realisations": 5})
    k0, spin = experiment.member(1)
    assert spin == 1
    model = experiment.spec.model
    steps = experiment.spec.measured_steps()[-1]
    psi = lattice_2d_states(model, experiment._disorders[1], plane_wave(model, k0, spin),
                            [steps])[steps]
    summed = momentum_distribution(model, psi).sum(axis=0)
    row = experiment.reference_ensemble()[-1][1]
    np.testing.assert_allclose(row[:8], slot_probabilities(summed, k0), atol=1e-14)
    np.testing.assert_allclose(row[8:], summed.reshape(-1), atol=1e-14)


def test_run_summary_holds_ratio_with_errors_the_map_and_valid_json():
    experiment = make({**SMALL, "realisations": 10})
    summary = run(experiment, load_config(), shots=None, seed=2, save=False).summary
    assert max(summary["distance"]["tvd"]) < 1e-10
    assert summary["times"] == [0.5, 1.0, 1.5]
    for key in ("ratio", "p_forward", "p_backward", "background", "forward_ratio",
                "anisotropy"):
        assert len(summary["observables"][key]) == 3
        assert len(summary["observable_errors"][key]) == 3
    assert all(e > 0 for e in summary["observable_errors"]["ratio"])
    assert summary["k0"] == [[2, 1]] and summary["members"]["total"] == 10
    symmetry = summary["symmetry_class"]
    assert (symmetry["class"], symmetry["long_time_ratio"], symmetry["kind"]) == (
        "orthogonal", 2.0, "asymptotic")
    grid = np.array(summary["momentum_map"]["reference"])
    assert grid.shape == (8, 8) and grid.sum() == pytest.approx(1.0)
    assert grid[7, 6] == pytest.approx(summary["reference"]["p_backward"][-1])  # -k0 = (6, 7)
    json.dumps(summary, allow_nan=False)


def test_sampled_ratio_differs_from_the_exact_one_by_shot_noise_only():
    """Sampled and exact ensembles share their disorder member by member, so their ratios
    differ by shot noise alone.  Its error, to first order: r - r_exact = g . (mean of the
    sampled slots - mean of the exact ones), g the gradient of r = P(-k0) / background, each
    member an independent multinomial sample of ``shots`` draws from its exact distribution.
    Over 90 seeds the spread of r - r_exact matched this error to within its 8 % uncertainty
    at every time.  (The run's own jackknife error carries the disorder spread too, 6, 12 and
    23 times this one at t = 0.5, 1, 1.5: four of those would pass r = 1.8 for the exact
    0.87; four of these catch a 5 % excess on every member's -k0 slot.)"""
    shots = 40000
    experiment = make({**SMALL, "realisations": 12})
    summary = run(experiment, load_config(), shots=shots, seed=7, save=False).summary
    per_member = summary["ensemble"]["per_realisation"]
    for j, members in enumerate(experiment.reference_ensemble()):
        slots = members[:, :SLOTS]
        mean = slots.mean(axis=0)
        background = mean[2:].mean()
        exact = mean[1] / background
        assert summary["reference"]["ratio"][j] == pytest.approx(exact, rel=1e-12)
        gradient = np.concatenate([[0, 1 / background], np.full(6, -exact / (6 * background))])
        variance = ((slots * gradient**2).sum(axis=1) - (slots @ gradient) ** 2) / shots
        error = np.sqrt(variance.sum()) / len(slots)
        sampled = summary["observables"]["ratio"][j]
        # a ratio of member averages: the sampled members' own slots give the same value
        assert sampled == pytest.approx(np.mean(per_member["p_backward"][j])
                                        / np.mean(per_member["background"][j]), rel=1e-9)
        assert abs(sampled - exact) < 4 * error


# -- physics (exact reference ensembles) ------------------------------------------------------
def test_time_reversal_symmetry_ratio_rises_from_one_to_two():
    """Orthogonal class: after a few scattering times the -k0 peak is twice the background."""
    experiment = make({**PHYSICS, "time": 16, "times": [1, 2, 4, 8, 12, 16],
                       "realisations": 400})
    rows = ratio_table(experiment)
    (_, r1, e1), (_, r16, e16) = rows[0], rows[-1]
    assert abs(r1 - 1) < 3 * e1  # single scattering: no enhancement yet
    assert r16 - r1 > 5 * np.hypot(e1, e16)
    for t, r, e in rows:
        if t >= 12:
            assert abs(r - 2) < 3 * e


def test_random_flux_keeps_the_ratio_near_one():
    """Unitary class: random flux f = 0.3 (plaquette flux std 0.77 rad) removes the peak.

    (Before a few scattering times r < 1: the random bond phases scatter like a current
    vertex, which vanishes for exact backscattering.)"""
    flux = make({**PHYSICS, "time": 16, "times": [8, 12, 16], "realisations": 400,
                 "flux": "random", "flux_strength": 0.3})
    trs = make({**PHYSICS, "time": 16, "times": [8, 12, 16], "realisations": 400})
    for (_, r, e), (_, r_trs, e_trs) in zip(ratio_table(flux), ratio_table(trs), strict=True):
        assert abs(r - 1) < 3 * e
        assert r_trs - r > 5 * np.hypot(e, e_trs)


def test_weak_spin_orbit_coupling_drives_the_ratio_to_one_half():
    """Symplectic class, unpolarised start, spin-summed detection: theta = 0.07 (spin-orbit
    splitting 4 J sin(theta) ~ 0.3 J, below the scattering rate).  First the orthogonal-like
    rise (spin not yet relaxed), then r falls below 1 to the plateau 1/2."""
    experiment = make({**PHYSICS, "time": 64, "times": [8, 32, 48, 64], "realisations": 150,
                       "spin_orbit": 0.07})
    rows = ratio_table(experiment)
    _, r8, e8 = rows[0]
    assert r8 - 1 > 3 * e8
    for _, r, e in rows[1:]:
        assert 1 - r > 10 * e
        assert abs(r - 0.5) < 3 * e


@pytest.mark.slow
def test_ratio_falls_with_flux_and_with_spin_orbit_strength():
    """The magnetoconductance-like sweeps, at t = 12 (flux) and t = 32 (spin-orbit)."""
    def final_ratio(settings):
        return ratio_table(make({**PHYSICS, "realisations": 400, **settings}))[-1]

    flux = [final_ratio({"time": 12, "times": [12], "flux": "random", "flux_strength": f})
            if f else final_ratio({"time": 12, "times": [12]}) for f in (0.0, 0.15, 0.3)]
    # r = 1.97, 1.42, 1.12 (+- 0.11, 0.08, 0.06): monotone, and the whole drop is clear
    for (_, a, ea), (_, b, eb) in itertools.pairwise(flux):
        assert a - b > 2 * np.hypot(ea, eb)
    assert flux[0][1] - flux[-1][1] > 5 * np.hypot(flux[0][2], flux[-1][2])
    soc = [final_ratio({"time": 32, "times": [32], "realisations": 150, "spin_orbit": theta})
           for theta in (0.07, 0.15, 0.3)]
    for (_, a, ea), (_, b, eb) in itertools.pairwise(soc):  # r = 0.50, 0.25, 0.10
        assert a - b > 3 * np.hypot(ea, eb)  # stronger coupling drives r lower


# -- sweep, CLI, bad input ---------------------------------------------------------------------
def test_sweep_over_flux_strength_reports_the_ratio():
    rows = sweep("backscattering", "flux_strength", [0.0, 1.0],
                 {**SMALL, "flux": "random", "time": 1.0}, load_config(), None, 3)
    assert [row["flux_strength"] for row in rows] == [0.0, 1.0]
    for row in rows:
        assert row["observable"] == "ratio"
        assert len(row["ratio"]) == len(row["ratio_error"]) == len(row["times"]) == 2
        np.testing.assert_allclose(row["ratio"], row["ratio_reference"], atol=1e-9)
        assert "fit" not in row


@pytest.mark.parametrize("settings,field,hint", [
    ({"k0": [0, 3]}, "k0", "symmetry line"),
    ({"k0": [3, 3]}, "k0", "diagonal"),
    ({"k0": [3, 1, 2]}, "k0", "pair"),
    ({"k0": [3, 1], "shell": 2}, "shell", "drop"),
    ({"lattice_qubits_per_axis": 2}, "lattice_qubits_per_axis", ">= 3"),
    ({"shell": 99}, "shell", "lower shell"),
    ({"flux": "uniform", "flux_strength": 1.5}, "flux_strength", "whole number of flux quanta"),
    ({"flux": "random", "flux_strength": 2.0}, "flux_strength", r"\[0, 1\]"),
    ({"flux_strength": 0.5}, "flux_strength", "set flux"),
    ({"realisations": 1}, "realisations", "at least two"),
    ({"time": 1.2}, "time", "whole number of steps"),
    ({"times": [20.0]}, "times", "must lie in"),
    ({"W": -1}, "W", "greater than or equal to 0"),
])
def test_bad_input_names_the_parameter_and_says_what_to_change(settings, field, hint):
    with pytest.raises(QwalkError, match=f"'{field}'") as info:
        make(settings)
    assert re.search(hint, str(info.value))


def test_few_members_warn_that_the_error_bar_is_rough():
    with pytest.warns(UserWarning, match="realisations >= 9"):
        make({**SMALL, "realisations": 4})


def test_cli_runs_backscattering_and_reports_flux_errors(capsys):
    assert main(["run", "backscattering", "--set", "lattice_qubits_per_axis=3", "--set",
                 "time=1", "--set", "realisations=9", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["experiment"] == "backscattering" and "ratio" in summary["observables"]
    assert main(["run", "backscattering", "--set", "flux=uniform", "--set",
                 "flux_strength=0.5"]) == 2
    err = capsys.readouterr().err
    assert "flux_strength" in err and "whole number of flux quanta" in err
    assert main(["run", "backscattering", "--set", "k0=[4,2]", "--set",
                 "lattice_qubits_per_axis=3"]) == 2
    assert "symmetry line" in capsys.readouterr().err


def test_resources_report_the_split_step_cost():
    from qwalk_circuits.resource_report import resource_report

    report = resource_report(make({**SMALL, "time": 1.0}), "all-to-all")
    assert report["num_qubits"] == 6
    assert report["layers"][0]["layer"] == "split step"
    assert report["layers"][0]["two_qubit_gates"] > 0


# -- the split step against exp(-iHt); where the symplectic 1/2 applies (issue 13) -----------

def test_the_split_steps_shift_of_r_is_a_paired_difference_that_falls_as_dt_squared():
    """Same realisations, starts and times: r(split step) - r(exp(-iHt)) and its jackknife
    over the pairs both fall ~4x per halving of dt (the splitting is second order)."""
    shifts = []
    for dt in (0.5, 0.25):
        experiment = make({"lattice_qubits_per_axis": 3, "W": 3.0, "dt": dt, "time": 4.0,
                           "times": [2.0, 4.0], "realisations": 12, "k0": [2, 1],
                           "spin_orbit": 0.3})
        theory = experiment.hamiltonian_theory()
        shift, exact = theory["split_step_shift"], theory["ratio_exact_hamiltonian"]
        assert shift["kind"] == "difference" and exact["kind"] == "continuum"
        split = [r for _, r, _ in ratio_table(experiment)]
        np.testing.assert_allclose(np.array(split) - exact["value"], shift["value"],
                                   atol=1e-12)
        shifts.append(shift)
    assert abs(shifts[0]["value"][0]) > 3 * abs(shifts[1]["value"][0])
    assert shifts[0]["error"][0] > 3 * shifts[1]["error"][0]
    # the pairing removes the disorder: far below r's own spread over members
    assert shifts[0]["error"][0] < 0.2 * ratio_table(experiment)[0][2]


def test_summary_and_notes_report_the_split_step_shift_and_the_class_limit(capsys):
    assert main(["run", "backscattering", "--set", "lattice_qubits_per_axis=3", "--set",
                 "time=2", "--set", "realisations=9", "--shots", "exact"]) == 0
    out = capsys.readouterr().out
    assert "split-step shift of r (paired)" in out
    assert "long-time r of the orthogonal class: 2 (asymptotic)" in out
    summary = run(make({**SMALL, "time": 1.0}), load_config(), shots=None, seed=1).summary
    theory = summary["backscattering_theory"]
    assert theory["long_time_ratio"] == {**theory["long_time_ratio"], "kind": "asymptotic",
                                         "value": 2.0}
    assert len(theory["split_step_shift"]["value"]) == len(summary["times"])


def test_the_spin_orbit_regime_is_the_born_rate_and_the_helicity_splitting():
    from scipy.special import ellipk

    from qwalk_circuits.analysis.backscattering import band_energy, spin_orbit_regime

    regime = spin_orbit_regime(0.07, (3, 1), 16, 3.0)
    energy = band_energy((3, 1), 16)
    rho = ellipk(1 - (energy / 4) ** 2) / (2 * np.pi**2)   # square-lattice DOS per site
    assert regime["scattering_rate"] == pytest.approx(2 * np.pi * rho * 9 / 12, rel=1e-12)
    kx, ky = 2 * np.pi * 3 / 16, 2 * np.pi / 16
    assert regime["splitting"] == pytest.approx(4 * np.sin(0.07) * np.hypot(np.sin(kx),
                                                                            np.sin(ky)))
    # the splitting is the gap between the two bands of H(k) at k0, computed by hand
    h = -2 * np.cos(0.07) * (np.cos(kx) + np.cos(ky)) * np.eye(2) - 2 * np.sin(0.07) * (
        np.sin(kx) * np.array([[0, 1], [1, 0]]) + np.sin(ky) * np.array([[0, -1j], [1j, 0]]))
    assert np.ptp(np.linalg.eigvalsh(h)) == pytest.approx(regime["splitting"], rel=1e-12)
    assert regime["weak"] and not spin_orbit_regime(0.1, (3, 1), 16, 3.0)["weak"]


def test_the_density_of_states_counts_the_clean_band_levels():
    from qwalk_circuits.analysis.backscattering import density_of_states

    side = 512
    k = 2 * np.pi * np.arange(side) / side
    levels = (-2 * (np.cos(k)[:, None] + np.cos(k)[None, :])).ravel()
    for energy in (-3.0, -2.5, -1.0):
        inside = np.abs(levels - energy) < 0.05
        assert inside.mean() / 0.1 == pytest.approx(density_of_states(energy), rel=0.01)
    assert density_of_states(-4.5) == 0.0


def test_strong_spin_orbit_coupling_warns_that_one_half_does_not_apply():
    summary = run(make({"lattice_qubits_per_axis": 3, "time": 2.0, "realisations": 9,
                        "spin_orbit": 0.25}), load_config(), shots=None, seed=1).summary
    assert any("strong" in w and "spin_orbit <= 0.0" in w for w in summary["warnings"])
    assert summary["backscattering_theory"]["long_time_ratio"]["value"] is None
    assert not summary["spin_orbit_regime"]["weak"]


def test_weak_coupling_before_the_spin_relaxes_warns_and_names_the_time():
    summary = run(make({"lattice_qubits_per_axis": 3, "time": 2.0, "realisations": 9,
                        "spin_orbit": 0.05}), load_config(), shots=None, seed=1).summary
    assert summary["spin_orbit_regime"]["weak"]
    assert any("not relaxed" in w and "use time >=" in w for w in summary["warnings"])
    assert summary["backscattering_theory"]["long_time_ratio"]["value"] == 0.5


def test_a_torus_too_small_for_the_time_warns_and_a_large_one_does_not():
    small = make({"lattice_qubits_per_axis": 3, "time": 24.0, "times": [24.0],
                  "realisations": 9})
    assert small.heisenberg_time() < 3 * 24
    summary = run(small, load_config(), shots=None, seed=1).summary
    assert any("torus is too small" in w and "lattice_qubits_per_axis = 4" in w
               for w in summary["warnings"])
    large = make({**PHYSICS, "time": 16.0, "realisations": 9})
    assert large.heisenberg_time() > 3 * 16
    assert large.result_warnings({"times": [16.0], "reference": {}}) == []
