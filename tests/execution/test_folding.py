"""Local folding of an ISA circuit's two-qubit gates: the same unitary, lambda times the
two-qubit gates, kept apart by barriers that the device path carries."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import Operator

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution.config import parse_config
from qwalk_circuits.execution.devices import compact, expand, fake_backend, transpile_for_device
from qwalk_circuits.execution.folding import fold_two_qubit_gates
from qwalk_circuits.execution.resources import circuit_stats


def isa_like() -> QuantumCircuit:
    """Every two-qubit ISA gate an IBM device offers: CZ (Heron), ECR (Eagle), CX, and the
    fractional RZZ, between single-qubit rotations."""
    circuit = QuantumCircuit(3)
    circuit.sx(0)
    circuit.rz(0.3, 1)
    circuit.cz(0, 1)
    circuit.rx(0.7, 2)
    circuit.ecr(1, 2)
    circuit.rzz(0.4, 0, 2)
    circuit.cx(2, 1)
    circuit.rz(1.1, 0)
    return circuit


@pytest.mark.parametrize("scale", [1, 3, 5, 7])
def test_a_folded_circuit_is_the_same_unitary_with_scale_times_the_two_qubit_gates(scale):
    circuit = isa_like()
    folded = fold_two_qubit_gates(circuit, scale)
    assert Operator(folded).equiv(Operator(circuit), atol=1e-10)
    assert abs(Operator(folded).data - Operator(circuit).data).max() < 1e-10  # phase too
    assert circuit_stats(folded)["two_qubit_gates"] == scale * 4
    assert folded.metadata["noise_scale"] == scale
    # the folds are separated on the gate's own qubits: two barriers per fold pair
    assert folded.count_ops().get("barrier", 0) == (0 if scale == 1 else 4 * (scale - 1) + 4)


def test_rzz_is_inverted_inside_a_fractional_devices_angle_range():
    """RZZ(theta)^dag is X RZZ(theta) X, never RZZ(-theta) (outside 0 < theta <= pi/2)."""
    circuit = QuantumCircuit(2)
    circuit.rzz(0.5, 0, 1)
    folded = fold_two_qubit_gates(circuit, 5)
    angles = [inst.operation.params[0] for inst in folded.data if inst.operation.name == "rzz"]
    assert angles == [0.5] * 5
    assert Operator(folded).equiv(Operator(circuit), atol=1e-10)


def test_a_transpiled_circuit_folds_on_its_device_qubits_and_survives_compact_and_expand():
    """A real ISA circuit (fake_manila): folding keeps its layout and qubits; compacted (as
    sent to a fake device) and expanded (as rebuilt from the ledger) it is the same."""
    config = parse_config({"backend": {"kind": "fake", "device": "fake_manila"},
                           "run": {"seed": 3}}, "t", "test")
    logical = QuantumCircuit(3)
    logical.h(0)
    logical.cx(0, 1)
    logical.cx(1, 2)
    logical.ry(0.3, 2)
    logical.cx(0, 2)
    isa = transpile_for_device([logical], fake_backend("fake_manila"), config)[0]
    folded = fold_two_qubit_gates(isa, 3)
    assert circuit_stats(folded)["two_qubit_gates"] == 3 * circuit_stats(isa)["two_qubit_gates"]
    small, small_folded = compact(isa), compact(folded)
    assert small_folded.physical == small.physical
    assert Operator(small_folded.circuit).equiv(Operator(small.circuit), atol=1e-10)
    back = expand(small_folded.circuit, small_folded.physical, isa.num_qubits)
    assert back.count_ops() == {k: v for k, v in folded.count_ops().items()}


def test_gates_with_no_isa_inverse_are_refused_in_one_line():
    circuit = QuantumCircuit(2)
    circuit.cp(0.3, 0, 1)
    with pytest.raises(QwalkError, match="not its own inverse"):
        fold_two_qubit_gates(circuit, 3)
    circuit = QuantumCircuit(2)
    circuit.cp(Parameter("a"), 0, 1)
    with pytest.raises(QwalkError, match="parametrised"):
        fold_two_qubit_gates(circuit, 3)
    with pytest.raises(ValueError, match="odd"):
        fold_two_qubit_gates(QuantumCircuit(2), 2)


def test_a_zne_submission_sends_each_time_at_every_scale_with_its_own_metadata():
    """The folded copies of each time go one after another, each info naming its circuit,
    metadata, time and noise scale; t = 0 (no two-qubit gate) goes once.  A fake device
    is sent the compacted circuits, a device that runs full width the device-wide ones."""
    from qwalk_circuits.execution.submission_build import folded_submission

    config = parse_config({"backend": {"kind": "fake", "device": "fake_manila"},
                           "run": {"seed": 3}}, "t", "test")
    still = QuantumCircuit(2, 2, name="t0", metadata={"time": 0})
    still.measure([0, 1], [0, 1])
    moved = QuantumCircuit(2, 2, name="t1", metadata={"time": 1})
    moved.h(0)
    moved.cx(0, 1)
    moved.measure([0, 1], [0, 1])
    backend = fake_backend("fake_manila")
    isa = transpile_for_device([still, moved], backend, config)
    gates = circuit_stats(isa[1])["two_qubit_gates"]
    infos, small = folded_submission([still, moved], isa, [1, 3, 5], full_width=False)
    assert [(i["label"], i["metadata"], i["time_index"], i["noise_scale"]) for i in infos] == [
        ("t0", {"time": 0}, 0, 1), ("t1", {"time": 1}, 1, 1), ("t1", {"time": 1}, 1, 3),
        ("t1", {"time": 1}, 1, 5)]
    assert [i["stats"]["two_qubit_gates"] for i in infos] == [0, gates, 3 * gates, 5 * gates]
    assert [c.num_qubits for c in small] == [len(i["physical"]) for i in infos] == [2] * 4
    _, wide = folded_submission([still, moved], isa, [1, 3, 5], full_width=True)
    assert [c.num_qubits for c in wide] == [backend.num_qubits] * 4
    assert [circuit_stats(c)["two_qubit_gates"] for c in wide] == [0, gates, 3 * gates,
                                                                   5 * gates]


def test_scale_one_sends_the_transpiled_circuit_itself_and_lengths_must_match():
    """At scale 1 nothing is folded: the device gets the ISA circuit as transpiled (not a
    rebuilt copy whose metadata says noise_scale 1); logical and ISA lists of different
    lengths are a caller's bug, refused rather than cut short."""
    from qwalk_circuits.execution.submission_build import folded_submission

    logical = QuantumCircuit(2, 2, name="t1")
    logical.cx(0, 1)
    logical.measure([0, 1], [0, 1])
    isa = logical.copy()
    isa.metadata = {"time": 1}
    infos, wide = folded_submission([logical], [isa], [1, 3], full_width=True)
    assert [i["noise_scale"] for i in infos] == [1, 3]
    assert wide[0] is isa and wide[0].metadata == {"time": 1}
    assert wide[1].metadata == {"time": 1, "noise_scale": 3}
    with pytest.raises(ValueError):
        folded_submission([logical, logical], [isa], [1, 3], full_width=True)
