"""A thinned-out time grid is said, never silent: a continuous-time walk that measures fewer
points than its time_steps says how many, and how to choose them."""

from __future__ import annotations

import pytest

from qwalk_circuits.core.errors import ParameterError
from qwalk_circuits.experiments import get_experiment

#: (experiment, settings that thin the grid, the setting that chooses the points)
THINNED = [
    ("ctqw", {"time_steps": 100}, {"measured_points": 101}),
    ("dephasing", {"time_steps": 60, "position_qubits": 3}, {"measured_points": 61}),
    ("anderson-ctqw", {"time_steps": 40}, {"measured_points": 41}),
]


@pytest.mark.parametrize(("name", "thin", "chosen"), THINNED, ids=[c[0] for c in THINNED])
def test_a_thinned_grid_warns_and_chosen_points_do_not(name, thin, chosen):
    experiment_type = get_experiment(name)
    thinned = experiment_type.from_settings(thin)
    (warning,) = [w for w in thinned.spec.warnings() if w.startswith("measured at")]
    measured = len(thinned.times())
    assert f"measured at {measured} of the " in warning
    assert "measured_points=" in warning
    assert measured < int(warning.split(" of the ")[1].split()[0])
    assert experiment_type.from_settings({**thin, **chosen}).spec.warnings() == []


def test_measured_points_measures_every_slice_and_is_bounded():
    ctqw = get_experiment("ctqw")
    spec = ctqw.from_settings({"time_steps": 100, "measured_points": 101}).spec
    assert spec.measured_slices() == list(range(101))
    assert ctqw.from_settings({"time_steps": 100, "measured_points": 5}).spec.measured_slices() \
        == [0, 25, 50, 75, 100]
    with pytest.raises(ParameterError, match="measured_points"):
        ctqw.from_settings({"measured_points": 1})


def test_a_stepped_walk_thins_its_documented_default_quietly():
    """A walk's steps are its length, not a grid request: its default grid (up to 25
    points, ``times`` to choose) is documented and not warned about."""
    walk = get_experiment("coined-walk").from_settings({"steps": 40})
    assert len(walk.times()) == 25 and walk.spec.warnings() == []


def test_the_defaults_measure_every_point():
    for name in ("ctqw", "dephasing", "coined-walk"):
        assert get_experiment(name).from_settings({}).spec.warnings() == []


def test_a_run_prints_the_grid_warning(capsys):
    from qwalk_circuits.cli import main

    assert main(["run", "ctqw", "--set", "position_qubits=3", "--set", "time=1",
                 "--set", "time_steps=30", "--shots", "exact"]) == 0
    assert "warning: measured at 25 of the 31 slice times" in capsys.readouterr().err
