"""Circuit statistics: the one-pass counter agrees with Qiskit's own depth and counts."""

from __future__ import annotations

import pytest

from qwalk_circuits.execution.resources import circuit_stats, transpile_to_target
from qwalk_circuits.experiments import get_experiment


def _two_qubit(instruction) -> bool:
    return (instruction.operation.num_qubits == 2
            and instruction.operation.name not in ("barrier", "measure"))


@pytest.mark.parametrize("name,settings", [
    ("coined-walk", {"position_qubits": 4, "steps": 3, "shift": "increment"}),
    ("anderson-walk", {"position_qubits": 4, "steps": 3, "realisations": 2}),
    ("dephasing", {"position_qubits": 3, "time_steps": 4}),
])
@pytest.mark.parametrize("target", ["all-to-all", "fake_fez"])
def test_stats_match_qiskit_depth_and_counts(name, settings, target):
    circuit = get_experiment(name).from_settings(settings).circuits("all-to-all")[-1]
    compiled = transpile_to_target(circuit, target)
    compiled.barrier()
    stats = circuit_stats(compiled)
    assert stats["depth"] == compiled.depth()
    assert stats["two_qubit_depth"] == compiled.depth(_two_qubit)
    assert stats["two_qubit_gates"] == sum(1 for i in compiled.data if _two_qubit(i))
    assert stats["ops"] == dict(compiled.count_ops())
