"""BENCHMARKS §15's (and README's) numbers for the coin- and position-dephased walks, rerun
from BENCHMARKS' commands."""

from __future__ import annotations

import pytest

from qwalk_circuits import analysis

from .claims import quoted, qwalk_json, within

DOC = "BENCHMARKS.md"
DEFAULT = "qwalk run {name} --set p=0.1 --shots exact --json"
LONGER = "qwalk run {name} --set p=0.1 --shots exact --json --set steps=48 --set position_qubits=7"
ROWS = {"coin-dephasing": "| coin-dephasing | 4.7632 | 3.150 (**−33.9 %**) | 4.184 (**−12.2 %**) "
                          "| −8.2 % |",
        "position-dephasing": "| position-dephasing | 6.7268 | 3.642 (**−45.9 %**) | 5.287 "
                              "(**−21.4 %**) | −16.1 % |"}
CLAIMED = {"coin-dephasing": (4.7632, 3.150, -0.339, 4.184, -0.122, -0.082, 19.0),
           "position-dephasing": (6.7268, 3.642, -0.459, 5.287, -0.214, -0.161, 22.9)}


def _check_default(name: str) -> None:
    d, fit24, rel24, *_, tau = CLAIMED[name]
    summary = qwalk_json(DEFAULT.format(name=name))
    theory = summary["diffusion_theory"]
    assert theory["D"]["kind"] == "model" and theory["D_fit"]["kind"] == "fit"
    assert within(theory["D"]["value"], d, 5e-5)
    assert within(theory["D_fit"]["value"], fit24, 5e-4)
    assert within(theory["D_fit"]["value"] / theory["D"]["value"] - 1, rel24, 5e-4)
    assert within(theory["relaxation_time"]["value"], tau, 0.05)
    assert any("not reached the diffusive regime" in w and "steps >= 192" in w
               for w in summary["warnings"])


def _check_longer(name: str) -> None:
    d, *_, fit48, rel48, quarter48, _ = CLAIMED[name]
    summary = qwalk_json(LONGER.format(name=name))
    theory = summary["diffusion_theory"]
    assert within(theory["D_fit"]["value"], fit48, 5e-4)
    assert within(theory["D_fit"]["value"] / d - 1, rel48, 5e-4)
    quarter = analysis.fit_diffusion(summary["times"], summary["observables"]["sigma"],
                                     late_fraction=0.25).diffusion
    assert within(quarter / theory["D"]["value"] - 1, quarter48, 5e-4)
    # exact mode: removing the window bias and the ring shift gives D back (by construction:
    # the sampled test of the correction is in tests/experiments/test_dephasing_diffusion.py)
    assert within(theory["D_fit_corrected"]["value"], theory["D"]["value"], 1e-9)
    assert any("steps >= 192" in w for w in summary["warnings"])


def test_the_quoted_text():
    quoted(DOC, "**D = 4.7632 (coin) and 6.7268 (position) at p = 0.1**")
    quoted(DOC, "(τ = 19.0 and 22.9 steps, the relaxation times)")
    quoted(DOC, "naming **steps >= 192**")
    quoted(DOC, "The issue's −8 % (coin) and −15 % (position) are the late-quarter fit at 48 "
                "steps")
    quoted(DOC, "−8.2 % and −16.1 %); the package's late-half fit is worse, −12.2 % and "
                "−21.4 %, and at the default 24 steps −33.9 % and −45.9 %")
    for row in ROWS.values():
        quoted(DOC, row)
    # README quotes the 24-step rows rounded, and the suggested steps
    quoted("README.md", "at p = 0.1 the fit is 34 % (coin) and 46 % (position) low "
                        "(BENCHMARKS §15), and the run warns with the steps that would do (192)")
    assert round(-100 * CLAIMED["coin-dephasing"][2]) == 34
    assert round(-100 * CLAIMED["position-dephasing"][2]) == 46


def test_coin_dephasing_default_window():
    _check_default("coin-dephasing")


@pytest.mark.slow
def test_position_dephasing_default_window():
    _check_default("position-dephasing")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["coin-dephasing", "position-dephasing"])
def test_48_steps(name):
    _check_longer(name)
