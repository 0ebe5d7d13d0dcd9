"""Measuring early keeps every outcome's probability (exact, by enumerating the branches of
the dynamic circuit) and removes the closing inverse QFT's two-qubit gates."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit.library import UnitaryGate
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import Operator, Statevector, random_unitary
from qiskit.synthesis import synth_qft_full

from qwalk_circuits.circuits.coined_walk import build_coined_walk, measure_position
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution.devices import fake_backend, pass_manager
from qwalk_circuits.execution.measure_early import measure_early
from qwalk_circuits.pipeline import resolve_config

EXACT = 1e-12
HADAMARD = np.array([[1, 1], [1, -1]]) / np.sqrt(2)


def branch_distribution(circuit: QuantumCircuit) -> np.ndarray:
    """P(clbit string) of a circuit with mid-circuit measurements and ``if_test`` blocks,
    every branch followed exactly (no sampling): index = the clbits little-endian."""
    n = circuit.num_qubits
    index = np.arange(1 << n)
    branches = [(Statevector.from_int(0, 1 << n), 0, 1.0)]  # (state, clbits, weight)

    def apply(state: Statevector, inst, qubits) -> Statevector:  # type: ignore[no-untyped-def]
        return state.evolve(Operator(inst.operation), [circuit.find_bit(q).index
                                                       for q in qubits])

    def run(instructions, qubit_map, branches):  # type: ignore[no-untyped-def]
        for inst in instructions:
            qubits = [qubit_map.get(q, q) for q in inst.qubits]
            name = inst.operation.name
            grown = []
            for state, bits, weight in branches:
                if name == "measure":
                    k = circuit.find_bit(qubits[0]).index
                    c = circuit.find_bit(inst.clbits[0]).index
                    for bit in (0, 1):
                        kept = np.where(((index >> k) & 1) == bit, state.data, 0)
                        p = float(np.vdot(kept, kept).real)
                        if p > 1e-15:
                            grown.append((Statevector(kept / np.sqrt(p)),
                                          (bits & ~(1 << c)) | (bit << c), weight * p))
                elif name == "if_else":
                    clbit, value = inst.operation.condition
                    c = circuit.find_bit(clbit).index
                    blocks = [*inst.operation.blocks, None]  # no else: nothing
                    body = blocks[0] if ((bits >> c) & 1) == value else blocks[1]
                    if body is None:
                        grown.append((state, bits, weight))
                    else:
                        inner = dict(zip(body.qubits, qubits, strict=True))
                        grown.extend(run(body.data, inner, [(state, bits, weight)]))
                elif name == "barrier":
                    grown.append((state, bits, weight))
                else:
                    grown.append((apply(state, inst, qubits), bits, weight))
            branches = grown
        return branches

    out = np.zeros(1 << circuit.num_clbits)
    for _, bits, weight in run(circuit.data, {}, branches):
        out[bits] += weight
    return out


def final_distribution(circuit: QuantumCircuit) -> np.ndarray:
    """P(clbit string) of a circuit measured only at its end (its statevector)."""
    measures = {circuit.find_bit(i.clbits[0]).index: circuit.find_bit(i.qubits[0]).index
                for i in circuit.data if i.operation.name == "measure"}
    state = Statevector(circuit.remove_final_measurements(inplace=False))
    return state.probabilities([measures[c] for c in sorted(measures)])


def walk(qubits: int, steps: int, construction: str, coin_state: tuple[complex, ...] = (1, 0)
         ) -> QuantumCircuit:
    """The Hadamard walk from the middle; the coin |0> spreads it asymmetrically (a
    mirrored distribution would hide a sign error)."""
    sites = 1 << qubits
    start = np.zeros(sites)
    start[sites // 2 - 1] = 1
    return measure_position(build_coined_walk(HADAMARD, start, np.array(coin_state), steps,
                                              qubits, construction=construction))


def two_qubit_gates(circuit: QuantumCircuit) -> int:
    return sum(1 for inst in circuit.data if inst.operation.num_qubits == 2
               and inst.operation.name != "measure")


@pytest.mark.parametrize("construction", ["fast-forward", "fourier"])
@pytest.mark.parametrize("qubits,steps", [(3, 1), (4, 5), (5, 8)])
def test_the_walk_measured_early_has_the_exact_distribution(construction, qubits, steps):
    circuit = walk(qubits, steps, construction)
    early = measure_early(circuit)
    assert "if_else" in early.count_ops()
    assert np.abs(branch_distribution(early) - final_distribution(circuit)).max() < EXACT


@pytest.mark.parametrize("construction", ["fast-forward-line", "fourier-line"])
def test_the_line_qft_has_no_controlled_phase_to_gain_from(construction):
    """Its CP-SWAP ladder is CX and phases: no qubit ends in diagonal gates only."""
    circuit = walk(4, 5, construction)
    assert measure_early(circuit) is circuit


def test_the_closing_inverse_qft_loses_all_its_controlled_phases():
    circuit = walk(5, 8, "fast-forward")
    early = measure_early(circuit)
    assert two_qubit_gates(circuit) - two_qubit_gates(early) == 5 * 4 // 2  # n(n-1)/2 CP
    assert early.count_ops()["if_else"] == 10 and early.count_ops()["measure"] == 5


def test_the_branch_enumeration_sees_wrong_conditional_phases():
    """The check above can fail: with every conditional phase's sign flipped (the walk's
    lowest bit is fixed by its parity, so one flip alone may change nothing) it does."""
    early = measure_early(walk(4, 5, "fast-forward"))
    broken = early.copy_empty_like()
    for inst in early.data:
        if inst.operation.name == "if_else":
            (clbit, value), body = inst.operation.condition, inst.operation.blocks[0]
            with broken.if_test((clbit, value)):
                broken.p(-float(body.data[0].operation.params[0]), inst.qubits[0])
        else:
            broken.append(inst)
    exact = final_distribution(walk(4, 5, "fast-forward"))
    assert np.abs(branch_distribution(broken) - exact).max() > 0.1


@pytest.mark.parametrize("seed", range(8))
def test_random_circuits_ending_in_an_inverse_qft_keep_their_distribution(seed):
    """Random gates, then an inverse QFT with CZ, single-qubit phases and barriers mixed in
    on part of the register, measured in a shuffled clbit order: one qubit is left out."""
    rng = np.random.default_rng(seed)
    n = 5
    circuit = QuantumCircuit(QuantumRegister(n), ClassicalRegister(n - 1))
    circuit.compose(random_circuit(n, 4, max_operands=2, seed=seed), inplace=True)
    circuit.compose(synth_qft_full(n - 1, do_swaps=False).inverse(), range(n - 1), inplace=True)
    circuit.cz(0, 1)
    circuit.t(2)
    circuit.barrier()
    circuit.cp(float(rng.uniform(-np.pi, np.pi)), 3, 4)  # qubit 4 stays in play
    circuit.append(UnitaryGate(random_unitary(2, seed=seed)), [4])
    for qubit, clbit in enumerate(rng.permutation(n - 1)):
        circuit.measure(qubit, int(clbit))
    early = measure_early(circuit)
    assert "if_else" in early.count_ops()
    assert np.abs(branch_distribution(early) - final_distribution(circuit)).max() < EXACT


def test_a_qubit_with_a_later_non_diagonal_gate_or_a_reused_clbit_stays_as_it_is():
    circuit = QuantumCircuit(3, 2)
    circuit.h([0, 1, 2])
    circuit.cp(0.3, 0, 1)
    circuit.h(1)          # qubit 1: not diagonal after the phase
    circuit.cp(0.7, 0, 2)
    circuit.measure(0, 0)
    circuit.measure(1, 1)
    circuit.measure(2, 1)  # clbit 1 written twice: qubit 2's outcome is not final
    early = measure_early(circuit)
    assert early.count_ops()["if_else"] == 2  # qubit 0 early: both its phases conditional
    assert [early.find_bit(i.qubits[0]).index for i in early.data
            if i.operation.name == "measure"] == [0, 1, 2]  # qubits 1 and 2 at the end
    assert np.abs(branch_distribution(early) - branch_distribution(circuit)).max() < EXACT


def test_an_earlier_measurement_of_a_moved_qubit_stays():
    """Qubit 0 is measured mid-circuit into clbit 2, then gains (a phase onto qubit 1): the
    first measurement and its collapse are kept (a reviewer's counterexample)."""
    circuit = QuantumCircuit(2, 3)
    circuit.h([0, 1])
    circuit.measure(0, 2)
    circuit.cp(0.7, 0, 1)
    circuit.h(1)
    circuit.measure(0, 0)
    circuit.measure(1, 1)
    early = measure_early(circuit)
    assert early.count_ops()["if_else"] == 1 and early.count_ops()["measure"] == 3
    assert np.abs(branch_distribution(early) - branch_distribution(circuit)).max() < EXACT


def with_store() -> QuantumCircuit:
    circuit = QuantumCircuit(2, 2)
    circuit.h([0, 1])
    circuit.store(circuit.clbits[0], True)  # writes clbit 0 without listing it
    circuit.cp(0.7, 0, 1)
    circuit.h(1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def with_hand_built_branch() -> QuantumCircuit:
    body = QuantumCircuit(1)
    body.x(0)
    circuit = QuantumCircuit(3, 3)
    circuit.h([0, 1])
    circuit.if_test((circuit.clbits[0], 1), body, [2], [])  # reads clbit 0, lists none
    circuit.cp(0.7, 0, 1)
    circuit.h(1)
    circuit.measure([0, 1, 2], [0, 1, 2])
    return circuit


@pytest.mark.parametrize("build", [with_store, with_hand_built_branch])
def test_a_circuit_with_classical_logic_is_left_alone(build):
    """A store or a branch may read or write a final clbit without listing it: not followed,
    so not touched (both changed the distribution before this guard)."""
    circuit = build()
    assert measure_early(circuit) is circuit


def test_a_circuit_without_gain_is_returned_unchanged():
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    assert measure_early(circuit) is circuit


def fez_config(measure_early: bool):  # type: ignore[no-untyped-def]
    return resolve_config("fake_fez").with_run(measure_early=measure_early)


def test_the_device_pass_manager_measures_early_when_the_config_asks():
    backend = fake_backend("fake_fez")
    circuit = walk(6, 32, "fast-forward")
    plain = pass_manager(backend, fez_config(False)).run(circuit)
    early = pass_manager(backend, fez_config(True)).run(circuit)
    assert "if_else" in early.count_ops() and "if_else" not in plain.count_ops()
    # 15 controlled phases (30 CZ before routing) and their routing gone
    assert two_qubit_gates(early) <= two_qubit_gates(plain) - 30


def test_a_target_without_dynamic_circuits_is_refused_with_what_to_do():
    backend = fake_backend("fake_fez")
    config = fez_config(True)
    backend_without = type("NoDynamic", (), {"name": "fake_nodyn", "target": type(
        "T", (), {"operation_names": ["cz", "rz", "sx", "x", "measure"]})()})()
    with pytest.raises(QwalkError, match=r"no dynamic circuits.*measure_early.*false"):
        pass_manager(backend_without, config)  # type: ignore[arg-type]
    assert pass_manager(backend, config) is not None


def test_measure_early_is_off_in_the_shipped_configs_and_refused_on_the_local_simulator():
    from qwalk_circuits.execution.config import HardwareConfig, load_config

    for name in ("fake_fez", "fake_torino", "ibm_fez", "ibm_torino", "ibm_kingston"):
        assert load_config(name).run.measure_early is False

    with pytest.raises(ValueError, match=r"measure_early.*kind = 'fake' or 'ibm'"):
        HardwareConfig.model_validate({"name": "x", "run": {"measure_early": True}})
    with pytest.raises(ValueError, match=r"fractional gates.*fractional_gates and "
                                         r"measure_early"):
        HardwareConfig.model_validate({
            "name": "x", "backend": {"kind": "ibm", "device": "ibm_fez",
                                     "fractional_gates": True},
            "run": {"measure_early": True}})


def test_the_pass_goes_before_the_presets_own_pre_init_not_in_its_place():
    """The preset's pre_init checks the control flow against the target; it stays, after
    MeasureEarly (a refused while loop is caught later anyway, so the stage is read)."""
    from qwalk_circuits.execution.measure_early import MeasureEarly

    backend = fake_backend("fake_fez")
    preset = [type(t).__name__ for t in pass_manager(backend, fez_config(False))
              .pre_init.to_flow_controller().tasks]
    early = pass_manager(backend, fez_config(True)).pre_init.to_flow_controller().tasks
    assert isinstance(early[0], MeasureEarly) and "ContainsInstruction" in preset
    assert [type(t).__name__ for t in early[1:]] == preset
