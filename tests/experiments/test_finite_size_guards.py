"""The finite-size guard of every lattice walk (analysis/finite_size.py): a small lattice whose
walk reaches the far side warns, with what to change; the default does not."""

from __future__ import annotations

import pytest

from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run

#: (experiment, settings whose walk reaches the far side, the parameters the warning names)
SMALL = [
    ("ctqw", {"position_qubits": 3, "time": 2.0, "time_steps": 4}, ("position_qubits=4",
                                                                    "time <= 0.5")),
    ("ctqw", {"position_qubits": 3, "dimension": 2, "time": 2.0, "time_steps": 4},
     ("position_qubits=4", "time <=")),
    ("free-packet", {"position_qubits": 4, "sigma0": 1.5, "time": 4.0, "time_steps": 4},
     ("position_qubits=5", "time <= 2")),
    ("coined-walk", {"position_qubits": 3, "steps": 4}, ("position_qubits=4", "steps <= 2")),
    ("coined-walk", {"position_qubits": 4, "steps": 24, "dimension": 2},
     ("position_qubits=5", "steps <= 8")),
    ("anderson-ctqw", {"position_qubits": 3, "time": 2.0, "time_steps": 4, "realisations": 3},
     ("position_qubits=4", "time <= 0.5")),
    ("return-probability", {"dimension": 1, "lattice_qubits_per_axis": 4, "time": 4.0,
                            "realisations": 9}, ("lattice_qubits_per_axis=5", "time <=")),
    ("return-probability", {"lattice_qubits_per_axis": 4, "time": 16.0, "realisations": 9},
     ("lattice_qubits_per_axis=5", "from t = 2.5 ", "time <= 1.5")),
]


def make(name, settings):
    return get_experiment(name).from_settings(settings)


@pytest.mark.filterwarnings("ignore:only 9 ensemble members")
@pytest.mark.parametrize("name,settings,advice", SMALL)
def test_a_walk_that_reaches_the_far_side_warns_with_what_to_change(name, settings, advice):
    warnings = make(name, settings).result_warnings({})
    assert len(warnings) == 1 and warnings[0].startswith("finite size: from t = ")
    assert all(text in warnings[0] for text in advice)


@pytest.mark.parametrize("name,settings", [
    ("ctqw", {}), ("ctqw", {"dimension": 2, "position_qubits": 4, "time": 2.0}),
    ("free-packet", {}), ("coined-walk", {}), ("coined-walk", {"dimension": 2}),
    ("anderson-ctqw", {}), ("anderson-ctqw", {"disorder": "none"}),
    ("anderson-ctqw", {"disorder": "dynamic"}), ("return-probability", {"dimension": 1}),
])
def test_the_default_stays_off_the_far_side(name, settings):
    assert make(name, settings).result_warnings({}) == []


@pytest.mark.slow
def test_the_2d_return_probability_default_stays_off_the_far_side():
    """The 32 x 32 torus to t = 6: the coherent walk (the fastest) fills the far side past
    the limit only between t = 6 and 7 (a 16 x 16 torus: by t = 2.5)."""
    assert make("return-probability", {}).result_warnings({}) == []


def test_the_run_summary_carries_the_warning():
    experiment = make("coined-walk", {"position_qubits": 3, "steps": 4})
    summary = run(experiment, load_config(), shots=None, seed=1, save=False).summary
    assert len(summary["warnings"]) == 1 and "position_qubits=4" in summary["warnings"][0]
