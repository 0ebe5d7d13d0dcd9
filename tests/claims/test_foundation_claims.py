"""Claims of the foundation chapters (coined walk, free packet, shot noise, the Anderson
CTQW's split step), each rerun as the document states it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import constants

from qwalk_circuits.analysis import total_variation
from qwalk_circuits.core.coins import resolve_coin
from qwalk_circuits.reference.anderson import band_centre_length
from qwalk_circuits.reference.coined_walk import coined_walk_states, position_distribution

from .claims import quoted, qwalk_json

README = "README.md"
NOTEBOOK_01 = "notebooks/01_quantum_vs_classical_walk.ipynb"
NOTEBOOK_02 = "notebooks/02_decoherence_and_classical_limit.ipynb"
NOTEBOOK_05 = "notebooks/05_running_on_ibm_hardware.ipynb"


def test_hadamard_walk_spreads_at_the_stated_asymptotic_speed():
    """sigma/t -> sqrt(1 - 1/sqrt 2) ~ 0.5412 (Konno's limit law), checked on the exact
    reference: at T steps sigma/T sits within 1/T^2 of the limit (measured: 0.47/T^2)."""
    quoted(NOTEBOOK_01, r"\sigma(t)/t \to \sqrt{1 - 1/\sqrt{2}} \approx 0.5412")
    limit = np.sqrt(1 - 1 / np.sqrt(2))
    assert round(limit, 4) == 0.5412
    steps = 1024
    sites = 4 * steps
    start = np.zeros((2, sites), dtype=complex)  # the symmetric coin state at the centre
    start[:, sites // 2] = [1 / np.sqrt(2), 1j / np.sqrt(2)]
    psi = coined_walk_states(resolve_coin("hadamard", 1), start, [steps], 1,
                             method="momentum")[steps]
    p = position_distribution(psi)
    x = np.arange(sites) - sites // 2
    sigma = np.sqrt(p @ x**2 - (p @ x) ** 2)
    assert abs(sigma / steps - limit) < 1 / steps**2


def test_ten_kev_electron_moves_at_a_fifth_of_light_speed():
    quoted(NOTEBOOK_02, r"fine up to about 10 keV, where $v \approx 0.2c$")
    rest = constants.m_e * constants.c**2 / constants.e  # eV
    gamma = 1 + 1e4 / rest
    assert np.sqrt(1 - 1 / gamma**2) == pytest.approx(0.2, abs=0.01)  # relativistic: 0.195


def test_electron_example_is_about_three_millimetres_wide():
    quoted(README, "prints the electron example: 1 nm at 1 keV after 1 m is about 3 mm wide")
    si = qwalk_json("qwalk run free-packet --shots exact --set time_steps=2")["si"]
    assert (si["width_initial_m"], si["kinetic_energy_ev"], si["distance_m"]) == (1e-9, 1e3, 1)
    assert si["width_final_m"] == pytest.approx(3e-3, rel=0.05)


def test_shot_noise_tvd_of_a_perfect_device_is_about_the_stated_floor():
    """E[TVD] of N shots of L equal outcomes is sqrt(L/(2 pi N)) sqrt(1 - 1/L) for large N
    (each |p_hat - p| is half-normal): 0.018 for 8 sites and 4000 shots, up to about."""
    quoted(NOTEBOOK_05, r"about $\sqrt{L/(2\pi N)}$ ($L$ sites; 0.018 for 8 sites and 4000 shots)")
    sites, shots = 8, 4000
    assert round(np.sqrt(sites / (2 * np.pi * shots)), 3) == 0.018
    rng = np.random.default_rng(5)
    uniform = np.full(sites, 1 / sites)
    tvds = [total_variation(rng.multinomial(shots, uniform) / shots, uniform)
            for _ in range(4000)]
    mean, error = np.mean(tvds), np.std(tvds) / np.sqrt(len(tvds))
    expected = np.sqrt(sites / (2 * np.pi * shots)) * np.sqrt(1 - 1 / sites)
    assert abs(mean - expected) < 4 * error + 0.01 * expected  # (a 1/N correction left)
    assert mean < 0.018


def test_kappus_wegner_band_centre_length():
    quoted(README, "band centre 105.045/W² of Kappus–Wegner/Derrida–Gardner")
    assert band_centre_length(1.0) == pytest.approx(105.045, abs=5e-4)


@pytest.mark.slow
def test_anderson_ctqw_split_step_error_and_its_dt_squared_fall():
    """The default run's TVD between the split step and exp(-iHt) is the stated 0.03
    (W = 2, dt = 0.25, t = 20), and a second-order splitting's error quarters when dt is
    halved (within 10 %: the next order)."""
    quoted(README, "reports its TVD to exp(−iHt) (0.03 at W = 2, dt = 0.25, t = 20; it falls "
                   "as dt²)")
    run = "qwalk run anderson-ctqw --shots exact --set realisations=2"
    coarse = qwalk_json(run)
    assert (coarse["params"]["W"], coarse["params"]["time"],
            coarse["params"]["time"] / coarse["params"]["time_steps"]) == (2.0, 20.0, 0.25)
    assert round(coarse["splitting_error_tvd"], 2) == 0.03
    fine = qwalk_json(run + " --set time_steps=160")["splitting_error_tvd"]
    assert coarse["splitting_error_tvd"] / fine == pytest.approx(4, rel=0.1)


def _walk_fits(qubits: int, steps: int) -> dict:
    return qwalk_json(f"qwalk run coined-walk --set position_qubits={qubits} "
                      f"--set steps={steps} --shots exact")["fits"]["sigma_power_law"]


def test_notebook_01_fitted_exponents_at_its_defaults():
    """Notebook 01's defaults (6 qubits, 24 steps): the exact walk's late-half fit, and the
    classical walk's exact sigma^2 = t."""
    quoted(NOTEBOOK_01, r"$\alpha = 1/2$ with $a = 1$ exactly ($\sigma^2 = t$). The exact "
                        r"quantum walk gives $\alpha = 0.994$ and $a = 0.553$ at the default "
                        r"6 qubits and 24 steps")
    fits = _walk_fits(6, 24)
    assert round(fits["reference"]["exponent"], 3) == 0.994
    assert round(fits["reference"]["amplitude"], 3) == 0.553
    assert fits["reference"]["exponent_error"] < 0.0015  # the "± 0.001" of the text
    assert fits["classical"]["exponent"] == pytest.approx(0.5, abs=1e-9)
    assert fits["classical"]["amplitude"] == pytest.approx(1.0, abs=1e-9)


@pytest.mark.slow
def test_the_exponent_approaches_one_with_more_steps():
    quoted(NOTEBOOK_01, "(0.9999 at 200 steps on 9 qubits)")
    assert round(_walk_fits(9, 200)["reference"]["exponent"], 4) == 0.9999
