"""Position-basis conditional shift: coin-controlled increments built from MCX gates.

1D: the step S = T(-1) . S', with S' = |0><0| (x) T(+2) + |1><1| (x) 1.  The
uncontrolled T(-1) commutes with everything, so T steps are T applications of
the coin-controlled +2 (an (n-1)-bit increment on qubits 1..n-1) and a final
relabelling x -> x - T, recorded in the circuit metadata as ``site_offset``.

2D: the sign bit c0 complements both registers (CX fan-out), each axis is
incremented under its axis bit c1, and the fan-out is undone:
NOT(NOT(x) + 1) = x - 1.  The multi-controlled X gates are left to Qiskit's
high-level synthesis, which uses the idle position qubits as auxiliaries.
"""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.circuit.library import MCXGate


def append_controlled_increment(circuit: QuantumCircuit, control: Qubit, control_value: int,
                                register: list[Qubit]) -> None:
    """|c>|r> -> |c>|r + 1 mod 2^len(r)> when c == control_value (a ripple of MCX gates)."""
    for j in reversed(range(len(register))):
        controls = [control, *register[:j]]
        ctrl_state = (1 << len(controls)) - 1 - (0 if control_value else 1)
        circuit.append(MCXGate(len(controls), ctrl_state=ctrl_state), [*controls, register[j]])


def append_shift_1d_deferred(circuit: QuantumCircuit, position: list[Qubit], coin: Qubit) -> None:
    """One step of S' = coin |0> moves +2, coin |1> stays (the -1 is deferred)."""
    append_controlled_increment(circuit, coin, 0, position[1:])


def append_shift_2d(circuit: QuantumCircuit, axes: list[list[Qubit]], coin: list[Qubit]) -> None:
    """Moving shift on the torus: c = c0 + 2 c1 moves 0:+x, 1:-x, 2:+y, 3:-y."""
    sign, axis_bit = coin
    everything = [q for axis in axes for q in axis]
    for q in everything:
        circuit.cx(sign, q)
    for value, axis in enumerate(axes):
        append_controlled_increment(circuit, axis_bit, value, axis)
    for q in everything:
        circuit.cx(sign, q)
