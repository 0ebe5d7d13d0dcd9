"""A sweep's rows carry the named D and t* values (sweeps.diffusion_columns), and
``qwalk sweep``'s table prints them: D fit ± err, D model, D continuum, t* fit ± err,
t* continuum."""

from __future__ import annotations

import json

from qwalk_circuits.analysis.theory import theory_value
from qwalk_circuits.cli import main
from qwalk_circuits.sweeps import diffusion_columns

SWEEP = ["sweep", "dephasing", "--over", "gamma=2,4", "--set", "position_qubits=4",
         "--set", "time=4", "--set", "time_steps=16", "--shots", "exact"]


def test_sweep_rows_carry_the_named_diffusion_values(capsys):
    assert main([*SWEEP, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    for row in rows:
        assert {"D_fit", "D_model", "D_continuum", "crossover_time_fit",
                "crossover_time_model", "crossover_time_continuum"} <= set(row)
        assert [row[k]["kind"] for k in ("D_fit", "D_model", "D_continuum")] == [
            "fit", "model", "continuum"]
        assert row["D_continuum"]["value"] == 2 / row["gamma"]
        assert row["D_model"]["value"] > row["D_continuum"]["value"]  # the slicing error
        assert isinstance(row["warnings"], list)
        assert len(row["sigma_model"]) == len(row["sigma_continuum"]) == len(row["times"])


def test_sweep_table_prints_fit_model_and_continuum(capsys):
    assert main(SWEEP) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0]
    for column in ("D fit ± err", "D model", "D continuum", "t* fit ± err", "t* continuum"):
        assert column in header
    gamma4 = next(line for line in lines[1:] if line.split()[0] == "4")
    fields = gamma4.split()
    # 4 | D fit ± err | D model | D continuum | t* fit ± err | t* continuum | run
    assert fields[2] == "±" and fields[7] == "±"
    assert fields[4] == "0.5410" and fields[5] == "0.5000" and fields[9] == "0.500"
    # 16 sites: the ring shifts the fit, and its error bar (which holds that shift) says so
    assert abs(float(fields[1]) - 0.5410) <= float(fields[3]) + 5e-5
    assert abs(float(fields[6]) - 0.541) <= float(fields[8]) + 5e-4  # t* of the sliced model


def test_coined_walk_theory_names_d_for_the_model_value():
    """coin- and position-dephasing write diffusion_theory = {"D": model, "D_fit": fit}."""
    row = {"theory": {"D": theory_value("model", 0.8, 0.001, source="Green-Kubo"),
                      "D_fit": theory_value("fit", 0.7, 0.05, source="late window")},
           "fit": {"D": 0.7, "D_error": 0.01, "crossover_time": 3.0,
                   "crossover_time_error": 0.2}}
    columns = diffusion_columns(row)
    assert columns["D_model"]["value"] == 0.8 and columns["D_fit"]["value"] == 0.7
    assert "D_continuum" not in columns
    assert columns["crossover_time_fit"]["value"] == 3.0  # from the row's own fit


def test_a_sweep_without_diffusion_shows_its_own_observables(capsys):
    """anderson-walk's sweep printed the D/t* table as dashes: a sweep whose rows carry no
    diffusion constant prints each value's main and second observable instead."""
    from qwalk_circuits.cli import main

    assert main(["sweep", "anderson-walk", "--over", "strength=0.2,1", "--set",
                 "position_qubits=3", "--set", "steps=3", "--set", "realisations=2",
                 "--shots", "exact"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["value", "sigma", "(last"] and "p_origin" in out[0]
    assert "D fit" not in out[0]
    for line, value in zip(out[1:], ("0.2", "1"), strict=True):
        cells = line.split()
        assert cells[0] == value and cells[2] == "±"  # sigma ± error, exact, p_origin ...
        assert cells[1] == cells[4]  # exact mode: the circuits' sigma is the exact one


def test_a_warning_every_swept_value_shares_is_printed_once(capsys):
    from qwalk_circuits.cli.render import print_sweep_warnings

    rows = [{"gamma": 1, "warnings": ["thin grid", "window"]}, {"gamma": 2,
                                                              "warnings": ["thin grid"]}]
    print_sweep_warnings(rows, "gamma")
    assert capsys.readouterr().err.splitlines() == ["warning: every gamma: thin grid",
                                                    "warning: gamma = 1: window"]
