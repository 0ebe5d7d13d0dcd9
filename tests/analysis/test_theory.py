"""Theory values are named for what they are: the form and the check that finds the rest."""

import math

import numpy as np
import pytest

from qwalk_circuits.analysis.theory import is_theory_value, theory_value, unnamed_theory_values


def test_a_theory_value_carries_kind_value_error_and_source():
    entry = theory_value("model", 0.54, -1e-3, source="J^2 dt coth(gamma dt / 2)")
    assert entry == {"kind": "model", "value": 0.54, "error": 1e-3,
                     "source": "J^2 dt coth(gamma dt / 2)"}
    assert is_theory_value(entry)


def test_non_finite_numbers_become_none_and_unknown_kinds_are_refused():
    entry = theory_value("fit", math.nan, math.inf, source="late-half fit")
    assert entry["value"] is None and entry["error"] is None
    with pytest.raises(ValueError, match="unknown theory kind"):
        theory_value("exact", 1.0, source="x")  # type: ignore[arg-type]


def test_bare_numbers_in_a_theory_block_are_found_wherever_they_sit():
    named = theory_value("continuum", 0.5, source="2 J^2 / gamma")
    summary = {"diffusion_theory": {"D_continuum": named, "D": 0.5,
                                    "per_point": [named, {"value": 1.0}], "note": "ok",
                                    "saturated": True},
               "observables": {"sigma": [1.0]},  # not a theory block: not checked
               "anderson_theory": 2.68}
    assert sorted(unnamed_theory_values(summary)) == [
        "anderson_theory", "diffusion_theory.D", "diffusion_theory.per_point[1].value"]
    assert unnamed_theory_values({"diffusion_theory": {"D": named}}) == []


def test_a_series_is_one_theory_value_with_an_error_per_time():
    assert theory_value("fit", np.float64(2.5), np.float64(-0.5),
                        source="x")["error"] == 0.5  # numpy scalars are numbers
    entry = theory_value("continuum", np.array([1.0, math.nan, 2.0]), [-0.1, 0.1, math.inf],
                         source="sigma0 sqrt(1 + tau^2)")
    assert entry["value"] == [1.0, None, 2.0] and entry["error"] == [0.1, 0.1, None]
    assert is_theory_value(entry)
    assert not is_theory_value({**entry, "value": [1.0, "x"]})
    assert not is_theory_value({**entry, "kind": "exact"})


def test_a_named_curve_keeps_its_series_and_says_what_it_is():
    from qwalk_circuits.analysis.theory import named_curve, unnamed_blocks

    curve = named_curve("continuum", "HSR closed form", sigma=np.array([0.0, 1.0]))
    assert curve == {"kind": "continuum", "source": "HSR closed form", "sigma": [0.0, 1.0]}
    summary = {"hsr_closed_form": curve, "diffusion_theory": {}, "observables": {},
               "bare": {"sigma": [1.0]}, "labelled": {"kind": "exact", "source": "x"}}
    assert unnamed_blocks(summary, frozenset({"observables"})) == ["bare", "labelled"]
    with pytest.raises(ValueError, match="unknown theory kind"):
        named_curve("closed form", "x")  # type: ignore[arg-type]
