"""Deferred measurement: the exact outcome distribution of a dynamic circuit, checked against
following every branch (``branch_distribution``) and against the circuit before it was
measured early; and the exact Aer path that the dry run and the trajectories' analysis use
reads a measured-early circuit right."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter
from qiskit.circuit.classical import expr
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import Statevector

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution.config import load_config
from qwalk_circuits.execution.deferred_measurement import deferred, needs_deferral
from qwalk_circuits.execution.devices import compact, fake_backend, pass_manager
from qwalk_circuits.execution.ensemble import execute_ensemble
from qwalk_circuits.execution.measure_early import measure_early
from qwalk_circuits.execution.runner import exact_variant, execute

from .test_measure_early import branch_distribution, final_distribution, walk

EXACT = 1e-12


def deferred_distribution(circuit: QuantumCircuit) -> np.ndarray:
    unitary, holders = deferred(circuit)
    return Statevector(unitary).probabilities([unitary.find_bit(q).index for q in holders])


@pytest.mark.parametrize("construction", ["fast-forward", "fourier"])
@pytest.mark.parametrize("qubits,steps", [(3, 1), (4, 5), (5, 8)])
def test_the_walk_measured_early_reads_its_exact_distribution(construction, qubits, steps):
    circuit = walk(qubits, steps, construction)
    early = measure_early(circuit)
    assert needs_deferral(early)
    assert np.abs(deferred_distribution(early) - final_distribution(circuit)).max() < EXACT


@pytest.mark.parametrize("seed", range(6))
def test_random_dynamic_circuits_agree_with_every_branch_followed(seed):
    """Mid-circuit measurements into shuffled bits, conditions on 0 and on 1, an else
    block, a qubit measured twice into two bits and a bit written twice."""
    rng = np.random.default_rng(seed)
    circuit = QuantumCircuit(QuantumRegister(4), ClassicalRegister(4))
    circuit.compose(random_circuit(4, 3, max_operands=2, seed=seed), inplace=True)
    bits = [int(b) for b in rng.permutation(4)]
    circuit.measure(0, bits[0])
    with circuit.if_test((circuit.clbits[bits[0]], int(rng.integers(2)))) as otherwise:
        circuit.rx(float(rng.uniform(-3, 3)), 1)
        circuit.cx(1, 2)
    with otherwise:
        circuit.p(float(rng.uniform(-3, 3)), 2)
    circuit.swap(0, 3)  # a live state moves through the measured qubit
    circuit.compose(random_circuit(4, 2, max_operands=2, seed=seed + 100), inplace=True)
    circuit.measure(0, bits[1])
    circuit.measure(1, bits[2])
    with circuit.if_test((circuit.clbits[bits[1]], 1)):
        circuit.ry(float(rng.uniform(-3, 3)), 3)
    circuit.measure(3, bits[3])
    circuit.h(2)
    circuit.measure(2, bits[2])  # bit written twice: the later value is read out
    assert needs_deferral(circuit)
    assert np.abs(deferred_distribution(circuit) - branch_distribution(circuit)).max() < EXACT


def copy_when(value: int, register: QuantumRegister | None = None) -> QuantumCircuit:
    """Qubit 0 in |+>, measured; qubit 1 flipped when that bit reads ``value``; measured."""
    circuit = QuantumCircuit(register or QuantumRegister(2), ClassicalRegister(2))
    circuit.h(0)
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], value)):
        circuit.x(1)
    circuit.measure(1, 1)
    return circuit


def test_the_check_can_fail_on_a_condition_read_the_wrong_way():
    """The same check, with one condition's value flipped, sees the change."""
    circuit, flipped = copy_when(1), copy_when(0)
    assert np.allclose(deferred_distribution(circuit), [0.5, 0, 0, 0.5])
    assert np.abs(deferred_distribution(flipped) - deferred_distribution(circuit)).max() > 0.4


def test_a_plainly_measured_circuit_needs_no_deferral_and_keeps_its_fast_path():
    circuit = walk(3, 2, "fourier")
    assert not needs_deferral(circuit)
    assert "save_probabilities" in exact_variant(circuit).count_ops()
    assert exact_variant(circuit).num_qubits == circuit.num_qubits


def test_conditions_it_cannot_follow_are_refused_with_what_to_do():
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.measure(0, 0)
    circuit.measure(1, 1)
    with circuit.if_test(expr.logic_and(circuit.clbits[0], circuit.clbits[1])):
        circuit.x(1)
    with pytest.raises(QwalkError, match="run it with shots"):
        deferred(circuit)
    inner = QuantumCircuit(2, 2)
    inner.measure(0, 0)
    with inner.if_test((inner.clbits[0], 1)):
        inner.measure(1, 1)
    with pytest.raises(QwalkError, match="run it with shots"):
        deferred(inner)


@pytest.mark.parametrize("device", ["fake_fez", "fake_torino"])
def test_the_exact_aer_run_of_the_compacted_isa_circuit_is_the_walk(device):
    """What the dry run and the analysis do with a sent circuit: Aer's exact run of the
    compacted ISA circuit, measured early.  Dropping its measurements (the old exact path)
    would leave every conditional phase off."""
    config = load_config(device).with_run(measure_early=True)
    logical = walk(4, 5, "fast-forward")
    small = compact(pass_manager(fake_backend(device), config)
                    .run(logical)).circuit
    assert "if_else" in small.count_ops()
    exact = final_distribution(logical)
    result = execute([small], load_config("aer_ideal"), shots=None, seed=None).results[0]
    assert np.abs(result.probabilities - exact).max() < 1e-10
    unconditioned = small.copy_empty_like()
    for inst in small.data:
        if inst.operation.name != "if_else":
            unconditioned.append(inst)
    assert np.abs(deferred_distribution(unconditioned) - exact).max() > 0.01


def test_an_ensemble_template_binds_its_parameters_in_the_deferred_circuit():
    """A parameter inside a conditioned block and one outside, bound per member."""
    theta, phi = Parameter("theta"), Parameter("phi")
    template = QuantumCircuit(2, 2)
    template.h([0, 1])
    template.rz(phi, 1)
    template.measure(0, 0)
    with template.if_test((template.clbits[0], 1)):
        template.p(theta, 1)
    template.h(1)
    template.measure(1, 1)
    values = np.array([[0.3, 1.1], [2.0, -0.4]])  # columns in template.parameters order
    results = execute_ensemble([template], [values], load_config("aer_ideal"), None, None)[0]
    for row, result in zip(values, results, strict=True):
        bound = template.assign_parameters(dict(zip(template.parameters, row, strict=True)))
        assert np.abs(result.probabilities - branch_distribution(bound)).max() < 1e-10


def test_a_parameterized_controlled_gate_outside_the_blocks_is_bound_too():
    """Aer's binding leaves a parameterized CP unapplied wherever it sits (qiskit-aer 2403):
    the deferred circuit writes it as its definition, top level included."""
    theta, phi = Parameter("theta"), Parameter("phi")
    template = QuantumCircuit(2, 2)
    template.h([0, 1])
    template.cp(theta, 0, 1)
    template.rz(phi, 1)
    template.measure(0, 0)
    with template.if_test((template.clbits[0], 1)):
        template.x(1)
    template.h(1)
    template.measure(1, 1)
    values = np.array([[0.4, np.pi], [1.0, np.pi / 2]])  # (phi, theta) per member
    results = execute_ensemble([template], [values], load_config("aer_ideal"), None, None)[0]
    for row, result in zip(values, results, strict=True):
        bound = template.assign_parameters(dict(zip(template.parameters, row, strict=True)))
        assert np.abs(result.probabilities - branch_distribution(bound)).max() < 1e-10


def test_what_it_cannot_defer_is_refused_not_answered_wrongly():
    """A reset after a measurement (Aer would sample it, collapsing the ancillas too), a
    delay or reset inside a block, a store: each a clear error."""
    reset = QuantumCircuit(2, 2)
    reset.h(0)
    reset.measure(0, 0)
    reset.reset(0)
    reset.measure(1, 1)
    in_block = QuantumCircuit(2, 2)
    in_block.h(0)
    in_block.measure(0, 0)
    with in_block.if_test((in_block.clbits[0], 1)):
        in_block.delay(100, 1)
    in_block.measure(1, 1)
    for circuit in (reset, in_block):
        with pytest.raises(QwalkError, match="run it with shots"):
            execute([circuit], load_config("aer_ideal"), shots=None, seed=None)


def test_a_dynamic_circuit_under_a_noise_model_is_refused_for_exact_probabilities():
    """The deferred form's extra gates (the copies, the controlled blocks) would be charged
    by a gate-wide noise model; the circuit has none of them."""
    early = measure_early(walk(3, 2, "fast-forward"))
    with pytest.raises(QwalkError, match="under a noise model"):
        execute([early], load_config("aer_dephasing"), shots=None, seed=None)


def test_an_ancilla_register_name_already_taken_gets_another():
    circuit = copy_when(1, QuantumRegister(2, "deferred"))
    assert np.allclose(deferred_distribution(circuit), [0.5, 0, 0, 0.5])


def test_a_for_loop_without_mid_circuit_measurement_keeps_the_plain_path():
    circuit = QuantumCircuit(1, 1)
    with circuit.for_loop(range(3)):
        circuit.rx(0.4, 0)
    circuit.measure(0, 0)
    assert not needs_deferral(circuit)
    result = execute([circuit], load_config("aer_ideal"), shots=None, seed=None).results[0]
    assert np.allclose(result.probabilities, [np.cos(0.6) ** 2, np.sin(0.6) ** 2])
