"""README's and notebook 04's numbers on coherent backscattering: r in the three classes,
where the spin-orbit 1/2 applies and why strong coupling drives r lower, the split step's
shift of r against exp(-iHt), the torus's Heisenberg time.  Each is rerun on the exact
reference ensemble with the stated settings (L = 16, W = 3, dt = 0.5, k0 = (3, 1))."""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np
import pytest

from qwalk_circuits.analysis.backscattering import spin_orbit_regime
from qwalk_circuits.analysis.ensembles import jackknife_errors
from qwalk_circuits.demo.weak_localization import DEMO_BACKSCATTERING
from qwalk_circuits.experiments import get_experiment

from .claims import quoted, within

SETTINGS = {"lattice_qubits_per_axis": 4, "W": 3.0, "dt": 0.5, "k0": [3, 1]}
NOTEBOOK = "notebooks/04_weak_localization.ipynb"


def experiment(**settings):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return get_experiment("backscattering").from_settings(settings)


@cache
def ratios(frozen: tuple) -> list[tuple[float, float, float]]:
    """(t, r, jackknife error) of the exact ensemble at each time."""
    e = experiment(**dict(frozen))
    return [(t, e.observables(s.mean(axis=0))["ratio"],
             jackknife_errors(s, e.observables)["ratio"])
            for t, s in zip(e.times(), e.reference_ensemble(), strict=True)]


def table(**settings):
    return ratios(tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                               for k, v in settings.items())))


def theta_run(theta):
    return table(**SETTINGS, time=64.0, times=[32.0, 48.0, 64.0], realisations=150,
                 spin_orbit=theta)


@pytest.mark.slow
def test_the_three_classes():
    quoted("README.md", "r rises to 1.9–2.0 by t ≈ 12 with time-reversal symmetry, stays at "
           "1.0–1.1 with random flux f = 0.3, and falls to 0.50 ± 0.03 at t = 32 with θ = 0.07 "
           "(stronger coupling drives it lower: 0.13 at θ = 0.25).")
    for _, r, e in table(**SETTINGS, time=16.0, times=[12.0, 16.0], realisations=400):
        assert 1.9 - e <= r <= 2.0 + e
    for _, r, e in table(**SETTINGS, time=16.0, times=[12.0, 16.0], realisations=400,
                         flux="random", flux_strength=0.3):
        assert 1.0 - e <= r <= 1.1 + e
    (_, r07, e07), *_ = theta_run(0.07)
    assert within(r07, 0.50, 0.03) and e07 < 0.035
    (_, r25, e25), = table(**SETTINGS, time=32.0, times=[32.0], realisations=150,
                           spin_orbit=0.25)
    assert within(r25, 0.13, 0.005 + e25)


def test_the_spin_orbit_regime_numbers():
    quoted("README.md", "scatters at the Born rate 1/τ = 2πρ(E)W²/12 (0.46 J at k0 = (3, 1), "
           "W = 3)")
    quoted("README.md", "θ = 0.07 (Δτ = 0.61, τ_so ≈ 5.9) holds 0.50 from t = 32; θ = 0.05 "
           "(Δτ = 0.44, τ_so ≈ 11.5) is still at 0.57 ± 0.03 at t = 64; θ = 0.1 (Δτ = 0.87) "
           "levels off at 0.37 ± 0.02 (t = 48–64), θ = 0.25 (Δτ = 2.16) at 0.13.")
    quoted("README.md", "So the weak-coupling ½ applies for Δτ ≲ 0.6 (θ ≲ 0.07 here)")

    def regime(theta):
        return spin_orbit_regime(theta, (3, 1), 16, 3.0)

    assert within(regime(0.07)["scattering_rate"], 0.46, 0.005)
    for theta, product in ((0.07, 0.61), (0.05, 0.44), (0.1, 0.87), (0.25, 2.16)):
        assert within(regime(theta)["splitting_times_tau"], product, 0.005)
    assert within(regime(0.07)["spin_relaxation_time"], 5.9, 0.05)
    assert within(regime(0.05)["spin_relaxation_time"], 11.5, 0.05)
    assert regime(0.07)["weak"] and not regime(0.1)["weak"]


@pytest.mark.slow
def test_where_one_half_applies_and_below_it():
    for _, r, e in theta_run(0.07):          # "holds 0.50 from t = 32"
        assert abs(r - 0.5) < 2 * e
    t, r, e = theta_run(0.05)[-1]             # "still at 0.57 +- 0.03 at t = 64"
    assert t == 64 and within(r, 0.57, 0.03) and within(e, 0.03, 0.005)
    for _, r, e in theta_run(0.1)[1:]:        # "levels off at 0.37 +- 0.02 (t = 48-64)"
        assert within(r, 0.37, 0.02) and 0.5 - r > 5 * e


def shift(**settings):
    e = experiment(**SETTINGS, **settings)
    value = e.hamiltonian_theory()["split_step_shift"]
    return value["value"][-1], value["error"][-1]


@pytest.mark.slow
@pytest.mark.parametrize("settings,claimed,error", [
    ({"time": 16.0, "times": [16.0], "realisations": 400}, -0.013, 0.027),
    ({"time": 16.0, "times": [16.0], "realisations": 400, "flux": "random",
      "flux_strength": 0.3}, 0.018, 0.020),
    ({"time": 32.0, "times": [32.0], "realisations": 150, "spin_orbit": 0.07}, 0.005, 0.013),
    ({"time": 32.0, "times": [32.0], "realisations": 150, "spin_orbit": 0.25}, 0.004, 0.005),
], ids=["trs", "flux", "soc-0.07", "soc-0.25"])
def test_the_split_steps_shift_of_r(settings, claimed, error):
    quoted("README.md", "At dt = 0.5 (exact ensembles, settings above): −0.013 ± 0.027 with "
           "time-reversal symmetry and +0.018 ± 0.020 with random flux f = 0.3 (t = 16, 400 "
           "members each), +0.005 ± 0.013 at θ = 0.07 and +0.004 ± 0.005 at θ = 0.25 (t = 32, "
           "300 members each): below 0.05 everywhere")
    value, value_error = shift(**settings)
    assert within(value, claimed, 0.0005) and within(value_error, error, 0.0005)
    assert abs(value) < 0.05


def test_the_heisenberg_times():
    quoted("README.md", "2πρ(E)L² (50 on the 8×8 torus at k0 = (2, 1), 157 on the 16×16 at "
           "(3, 1))")
    assert within(experiment(lattice_qubits_per_axis=3, k0=[2, 1]).heisenberg_time(), 50, 0.5)
    assert within(experiment(**SETTINGS).heisenberg_time(), 157, 0.5)


def test_the_demo_torus_known_limit():
    quoted("README.md", "on the demo's 8×8 torus r only falls to 0.67 ± 0.09 by its last time "
           "t = 16: the spin has not relaxed (τ_so ≈ 5, the ½ needs t ≳ 25), and past t ≈ 17, a "
           "third of that torus's Heisenberg time, a forward peak grows (the runs warn).")
    demo = {**DEMO_BACKSCATTERING, "spin_orbit": 0.07}
    (t, r, e), = table(**{**demo, "times": [demo["time"]]})
    assert t == 16 and within(r, 0.67, 0.09) and within(e, 0.09, 0.01)
    e07 = experiment(**demo)
    regime = e07.spin_orbit_regime()
    assert within(regime["spin_relaxation_time"], 5, 0.1)
    assert within(5 * regime["spin_relaxation_time"], 25, 0.5)
    assert within(e07.heisenberg_time() / 3, 17, 0.5)


@pytest.mark.slow
def test_notebook_04_small_torus_numbers():
    """Notebook 04's 8 x 8 torus (its default k0 = (2, 1)), REALISATIONS_EXACT = 400."""
    quoted(NOTEBOOK, "At the default $\\theta = 0.07$ on an 8 × 8 torus, $r$ is still falling "
           "at $t = 16$ and only reaches about 0.6–0.7 by $t \\approx 24$")
    quoted(NOTEBOOK, "about 5 here, and ½ needs $t \\gtrsim 5\\tau_{so}$.")
    quoted(NOTEBOOK, "$2\\pi\\rho(E)L^2$ (about 50 for 8 × 8)")
    quoted(NOTEBOOK, "(On this small torus $r$ without spin-orbit coupling sags to about 1.8 by "
           "$t = 24$, past a third of its Heisenberg time.)")
    quoted(NOTEBOOK, "with the larger ensemble, $r$ rises from about 1 to within about 10 % of "
           "2 after $t \\approx 8$")
    small = {"lattice_qubits_per_axis": 3, "W": 3.0, "dt": 0.5}
    rows = table(**small, time=24.0, times=[8.0, 12.0, 16.0, 24.0], realisations=400)
    for t, r, e in rows[:3]:                  # within about 10 % of 2 from t = 8 to 16
        assert abs(r - 2) <= 0.2 + 2 * e, (t, r, e)
    _, r24, e24 = rows[-1]
    assert abs(r24 - 1.8) <= 0.05 + 2 * e24   # "sags to about 1.8 by t = 24"
    assert experiment(**small, time=24.0).heisenberg_time() / 3 < 24
    soc = table(**small, time=24.0, times=[16.0, 24.0], realisations=200, spin_orbit=0.07)
    (_, r16, _), (_, r24, e24) = soc
    assert r16 - r24 > 0 and 0.6 - 2 * e24 <= r24 <= 0.7 + 2 * e24
    assert within(experiment(**small, time=24.0, spin_orbit=0.07).spin_orbit_regime()[
        "spin_relaxation_time"], 5, 0.1)
    assert within(experiment(**small, time=24.0).heisenberg_time(), 50, 1)
    assert np.isfinite(r16)
