"""Measure early: the semi-classical inverse QFT for circuits that end in measurements.

A qubit on which only diagonal gates remain after some point can be measured at that
point: diagonal gates commute with a measurement in the computational basis.  A phase on
the measured qubit alone then changes no outcome and is dropped; a controlled phase
CP(theta) between it and a qubit still in play becomes P(theta) on that qubit, applied
when the measured bit reads 1 (a classically controlled gate); a controlled phase between
two measured qubits is dropped.  The distribution of every outcome is unchanged, and each
such controlled phase costs no two-qubit gate.  For the inverse QFT before a readout this
is Griffiths and Niu's semi-classical QFT (Phys. Rev. Lett. 76, 3228 (1996)): the
walk's closing frame change, 30-84 two-qubit gates on a 6-8-qubit register, becomes
mid-circuit measurements and single-qubit gates.

It needs dynamic circuits (``if_else`` in the target: IBM Heron devices have it).  Fake
devices simulate no feed-forward latency: a real device idles the unmeasured qubits while
each bit travels to the controller, which costs coherence this gains nothing from.
:func:`readout_idle_dephasing` estimates that cost from the device's measurement times and
T2 (likely low: the feed-forward latency is not in the target), for the dry run.

:class:`MeasureEarly` is the transpiler pass (the device pass manager's ``pre_init`` stage
when ``run.measure_early`` is set); :func:`measure_early` works on a circuit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from qiskit import QuantumCircuit
from qiskit.circuit import Clbit, Qubit
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.dagcircuit import DAGCircuit
from qiskit.providers import BackendV2
from qiskit.transpiler.basepasses import TransformationPass

#: diagonal gates on one qubit: dropped once their qubit is measured
ONE_QUBIT_DIAGONAL = frozenset({"p", "rz", "z", "s", "sdg", "t", "tdg", "u1"})
#: symmetric diagonal gates on two qubits: a classically controlled phase on the other
CONTROLLED_PHASE = frozenset({"cp", "cz", "cu1"})
#: kept where they are: they act on no state
PASSIVE = frozenset({"barrier"})


def _final_measurements(circuit: QuantumCircuit) -> dict[Qubit, tuple[int, Clbit]]:
    """Qubit -> (index, clbit) of its measurement, for the qubits whose last operation is
    one measurement into a clbit nothing else writes or reads."""
    last: dict[Qubit, int] = {}
    clbit_uses: dict[Clbit, int] = {}
    for i, inst in enumerate(circuit.data):
        for q in inst.qubits:
            last[q] = i
        for c in inst.clbits:
            clbit_uses[c] = clbit_uses.get(c, 0) + 1
    measured: dict[Qubit, tuple[int, Clbit]] = {}
    for q, i in last.items():
        inst = circuit.data[i]
        if inst.operation.name == "measure" and clbit_uses[inst.clbits[0]] == 1:
            measured[q] = (i, inst.clbits[0])
    return measured


def _measure_points(circuit: QuantumCircuit, finals: dict[Qubit, tuple[int, Clbit]]
                    ) -> dict[Qubit, int]:
    """Qubit -> index of the instruction after which it can be measured (-1: at the start),
    for the qubits that gain from it: only diagonal gates act on them after that point,
    at least one a controlled phase."""
    points: dict[Qubit, int] = {}
    gains: dict[Qubit, bool] = {}
    for i, inst in enumerate(circuit.data):
        name = inst.operation.name
        for q in inst.qubits:
            if q not in finals or i == finals[q][0] or name in PASSIVE:
                continue
            if name in ONE_QUBIT_DIAGONAL and len(inst.qubits) == 1:
                continue
            if name in CONTROLLED_PHASE and len(inst.qubits) == 2 and not inst.clbits:
                gains[q] = True
                continue
            points[q], gains[q] = i, False  # not diagonal: nothing before it can move
    return {q: points.get(q, -1) for q in finals if gains.get(q)}


#: instructions that may read or write a clbit without listing it (a ``store``'s
#: expressions, a hand-built branch's condition): a circuit holding one is left alone
CLASSICAL_LOGIC = frozenset({"if_else", "switch_case", "while_loop", "for_loop", "box",
                             "store"})


def measure_early(circuit: QuantumCircuit) -> QuantumCircuit:
    """The same outcome distribution, with each qubit measured as soon as only diagonal
    gates remain on it (see the module docstring); unchanged when no qubit gains, and for
    a circuit that already holds classical logic (control flow, stores, variables), whose
    reads of the clbits this does not follow."""
    if circuit.num_vars or any(inst.operation.name in CLASSICAL_LOGIC for inst in circuit.data):
        return circuit
    finals = _final_measurements(circuit)
    points = _measure_points(circuit, finals)
    if not points:
        return circuit
    out = circuit.copy_empty_like()
    after: dict[int, list[Qubit]] = {}
    for q, i in points.items():
        after.setdefault(i, []).append(q)
    measured: set[Qubit] = set()

    def measure(index: int) -> None:
        for q in after.get(index, []):
            out.measure(q, finals[q][1])
            measured.add(q)

    measure(-1)
    for i, inst in enumerate(circuit.data):
        name = inst.operation.name
        early = [q for q in inst.qubits if q in measured]
        if not early or name in PASSIVE:
            out.append(inst)  # (an earlier measurement of a moved qubit stays too)
        elif len(inst.qubits) == 1:
            pass  # a phase on a measured qubit, or its final measurement: done already
        else:
            live = [q for q in inst.qubits if q not in measured]
            if live:  # one measured, one in play: the phase when the bit reads 1
                angle = inst.operation.params[0] if inst.operation.params else math.pi  # cz
                with out.if_test((finals[early[0]][1], 1)):
                    out.p(angle, live[0])
        measure(i)
    return out


class MeasureEarly(TransformationPass):
    """:func:`measure_early` as a transpiler pass (run it before layout: the virtual
    circuit's gates are still the walk's controlled phases)."""

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        circuit = dag_to_circuit(dag)
        early = measure_early(circuit)
        return dag if early is circuit else circuit_to_dag(early)


def readout_idle_dephasing(isa: QuantumCircuit, backend: BackendV2) -> float | None:
    """The phase-flip probability a real device adds while an ISA circuit's qubits wait for
    its mid-circuit measurements: a measurement waits for every earlier one whose bit a
    conditional gate read before it (the semi-classical QFT reads them one by one), each
    taking the target's measurement time; its qubit dephases by (1 - exp(-wait/T2))/2.
    Combined over the measurements: 1 - prod(1 - p).  None for a circuit without
    conditional gates.  An estimate, likely low: the feed-forward latency is left out (no
    target states it) and the targets' T2 is an echo T2; fake devices' noise models charge
    none of it."""
    if not any(inst.operation.name == "if_else" for inst in isa.data):
        return None
    target = backend.target
    unread: list[tuple[Clbit, float]] = []  # earlier measurements no condition read yet
    waited = 0.0
    survive = 1.0
    for inst in isa.data:
        name = inst.operation.name
        if name == "if_else":  # the bits its condition reads are its clbits
            read = set(inst.clbits)
            waited += sum(d for c, d in unread if c in read)
            unread = [(c, d) for c, d in unread if c not in read]
        elif name == "measure":
            qubit = isa.find_bit(inst.qubits[0]).index
            props = target["measure"].get((qubit,))
            duration = float(props.duration) if props is not None and props.duration else 0.0
            t2 = getattr(backend.qubit_properties(qubit), "t2", None)
            if t2:
                survive *= 1 - (1 - math.exp(-waited / t2)) / 2
            unread.append((inst.clbits[0], duration))
    return 1 - survive


def idle_notes(dephasing: Sequence[float | None]) -> list[str]:
    """The note a run or dry run carries when its circuits measure early (the largest of
    their :func:`readout_idle_dephasing`); none otherwise."""
    known = [p for p in dephasing if p is not None]
    if not known:
        return []
    return [f"measure_early: a real device dephases the qubits waiting for the mid-circuit "
            f"measurements by up to {max(known):.3f} (measurement times and T2 of the "
            f"chosen qubits; the feed-forward latency comes on top, so likely low); fake "
            f"devices' noise models charge none of it (the dry run's real-device verdict "
            f"does)"]
