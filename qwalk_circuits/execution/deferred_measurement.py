"""Exact outcome probabilities of a dynamic circuit, by the principle of deferred measurement.

A circuit measured early (:mod:`.measure_early`) measures qubits in the middle and switches
later phases on the bits it read.  Dropping its measurements, as an exact run of a plainly
measured circuit does, would leave those switches off and the outcome distribution wrong;
and after routing a measured physical qubit may be used again (a state swapped through it),
so even a circuit without conditions can measure one qubit twice.

:func:`deferred` rewrites such a circuit without any measurement or condition: each
measurement copies its qubit onto a fresh ancilla (a CX: the Z-basis record that a
measurement keeps), and a block conditioned on a bit becomes its gates controlled by the
ancilla holding that bit.  The ancillas' joint Z distribution is then the circuit's outcome
distribution, bit for bit (Nielsen & Chuang, section 4.4), and one statevector gives it,
with no branch followed and no sampling.  That holds for gates, measurements and
single-bit ``if_test`` blocks of gates, noiselessly: a reset or ``initialize``, a delay or
measurement inside a block, a ``store`` or another condition are refused (run such a
circuit with shots), and so is a noise model (``runner.exact_variants``), which would
charge the copies and the controlled blocks the circuit does not have.  The deferred
circuit has one ancilla per measurement, final ones included.
"""

from __future__ import annotations

from qiskit import QuantumCircuit, QuantumRegister
from qiskit.circuit import (
    Clbit,
    ControlFlowOp,
    Gate,
    IfElseOp,
    Operation,
    ParameterExpression,
    Qubit,
    SwitchCaseOp,
    WhileLoopOp,
)

from ..core.errors import QwalkError

ANCILLA_REGISTER = "deferred"
SKIPPED = ("barrier",)
#: state changes that are no unitary: deferred beside the ancillas, Aer would sample them
#: as a collapse (of the ancillas too) and the "exact" answer would depend on the seed
NOT_UNITARY = ("reset", "initialize")
CLASSICAL_READERS = (IfElseOp, SwitchCaseOp, WhileLoopOp)


def needs_deferral(circuit: QuantumCircuit) -> bool:
    """Whether removing the measurements would change what the circuit reads out: it reads
    classical bits (an ``if_else``, ``switch`` or ``while`` block, a ``store``), measures a
    qubit and then acts on it again, or writes a bit twice.  A ``for_loop`` or ``box``
    alone reads none and keeps the plain path."""
    measured: set[Qubit] = set()
    written: set[Clbit] = set()
    for instruction in circuit.data:
        operation = instruction.operation
        if isinstance(operation, CLASSICAL_READERS) or operation.name == "store":
            return True
        if operation.name in SKIPPED:
            continue
        if any(q in measured for q in instruction.qubits):
            return True
        if operation.name == "measure":
            if instruction.clbits[0] in written:
                return True
            measured.add(instruction.qubits[0])
            written.add(instruction.clbits[0])
    return False


def deferred(circuit: QuantumCircuit) -> tuple[QuantumCircuit, list[Qubit]]:
    """The circuit without measurements or conditions, on its qubits and one ancilla per
    measurement, and the ancillas that hold the measured bits at the end, in bit order
    (bit 0 first): their joint probabilities are the circuit's outcome distribution."""
    count = sum(1 for inst in circuit.data if inst.operation.name == "measure")
    taken = {register.name for register in circuit.qregs}
    name = next(f"{ANCILLA_REGISTER}{i or ''}" for i in range(len(taken) + 1)
                if f"{ANCILLA_REGISTER}{i or ''}" not in taken)
    ancillas = QuantumRegister(count, name)
    out = QuantumCircuit(*circuit.qregs, ancillas, name=circuit.name,
                         global_phase=circuit.global_phase, metadata=circuit.metadata)
    if len(out.qubits) != circuit.num_qubits + count:  # loose qubits outside registers
        out = QuantumCircuit(list(circuit.qubits), ancillas, name=circuit.name,
                             global_phase=circuit.global_phase, metadata=circuit.metadata)
    holder: dict[Clbit, Qubit] = {}
    free = iter(ancillas)
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name == "measure":
            ancilla = next(free)
            out.cx(instruction.qubits[0], ancilla)
            holder[instruction.clbits[0]] = ancilla
        elif isinstance(operation, IfElseOp):
            _append_conditioned(out, operation, list(instruction.qubits), holder)
        elif (isinstance(operation, ControlFlowOp) or instruction.clbits
              or operation.name in (*NOT_UNITARY, "store")):
            raise _refusal(operation.name)
        elif operation.name not in SKIPPED:
            _append_bindable(out, operation, list(instruction.qubits))
    bits = sorted(holder, key=lambda bit: circuit.find_bit(bit).index)
    return out, [holder[bit] for bit in bits]


def _append_conditioned(out: QuantumCircuit, operation: IfElseOp, qubits: list[Qubit],
                        holder: dict[Clbit, Qubit]) -> None:
    """An ``if_test`` on one bit as its blocks' gates controlled by that bit's ancilla (the
    true block on the condition's value, the false block on the other).  A block's global
    phase is dropped: it sits on the ancilla's branch, which nothing interferes again."""
    condition = operation.condition
    if not (isinstance(condition, tuple) and isinstance(condition[0], Clbit)):
        raise QwalkError(f"cannot take the exact distribution of a condition on "
                         f"{condition!r} (only one bit is supported): run it with shots")
    bit, value = condition
    if bit not in holder:
        raise QwalkError("a condition reads a bit no measurement wrote before it")
    for block, state in zip(operation.blocks, (int(value), 1 - int(value)), strict=False):
        inner = dict(zip(block.qubits, qubits, strict=True))
        for instruction in block.data:
            inner_operation = instruction.operation
            if inner_operation.name in SKIPPED:
                continue
            if not isinstance(inner_operation, Gate):  # measure, reset, delay, control flow
                raise _refusal(f"conditioned {inner_operation.name}")
            _append_bindable(out, inner_operation.control(1, ctrl_state=state),
                             [holder[bit], *(inner[q] for q in instruction.qubits)])


def _append_bindable(out: QuantumCircuit, operation: Operation, qubits: list[Qubit]) -> None:
    """Append ``operation``; a parameterized gate on several qubits as its definition, down
    to gates Aer binds: Aer's parameter binding leaves a parameterized controlled phase or
    rotation unapplied (qiskit-aer issues 2323 and 2403).  Its parameters are read
    directly: ``ControlledGate.is_parameterized`` misses those of its base gate.  The
    definitions' global phases are dropped (unobservable in a probability)."""
    symbolic = any(isinstance(p, ParameterExpression) for p in operation.params)
    if not (isinstance(operation, Gate) and symbolic and operation.num_qubits > 1
            and operation.definition is not None):
        out.append(operation, qubits)
        return
    definition = operation.definition
    for instruction in definition.data:
        _append_bindable(out, instruction.operation,
                         [qubits[definition.find_bit(q).index] for q in instruction.qubits])


def _refusal(what: str) -> QwalkError:
    return QwalkError(f"cannot take the exact distribution of a dynamic circuit holding "
                      f"{what!r} (deferred measurement covers gates, measurements and "
                      f"single-bit if_test blocks of gates): run it with shots")
