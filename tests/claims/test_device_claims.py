"""Claims about the device path's costs, rerun as stated."""

from __future__ import annotations

import pytest

from qwalk_circuits.circuits import build_ctqw
from qwalk_circuits.execution.resources import circuit_stats, transpile_to_target
from qwalk_circuits.experiments import get_experiment

from .claims import quoted, qwalk_json


@pytest.mark.slow
def test_kicks_between_slices_stop_the_qft_cancelling():
    """The unravelled sliced CTQW at its last time on fake_fez, against the same slices with
    nothing between them (the transpiler folds QFT-dagger QFT away).  Transpiler versions
    move counts a little: within 10 %."""
    quoted("README.md", "(3 qubits, 4 slices on fake_fez: 88 two-qubit gates against 16 "
                        "without the kicks)")
    settings = "--set position_qubits=3 --set time_steps=4 --set time=2"
    summary = qwalk_json(f"qwalk run dephasing --backend fake_fez {settings} "
                         "--set kick_trajectories=2 --shots 100")
    kicked = summary["resources"][-1]["two_qubit_gates"]
    experiment = get_experiment("dephasing").from_settings(
        {"position_qubits": 3, "time_steps": 4, "time": 2})
    s = experiment.spec
    plain = build_ctqw(experiment._position, s.hopping, 2.0, 3, 1, slices=4)
    unkicked = circuit_stats(transpile_to_target(plain, "fake_fez"))["two_qubit_gates"]
    assert abs(kicked - 88) <= 9 and abs(unkicked - 16) <= 2, (kicked, unkicked)
