"""Timelines: one unmeasured circuit per experiment with a labelled probability save per time.

A run that measures M times of a T-step walk as M circuits simulates about
M T / 2 steps; a timeline simulates T.  The builders take ``saves`` (the
step, slice or kick counts measured, sorted) and append an Aer
``save_probabilities`` labelled :func:`save_label` (index i = the i-th
measured time) on the measured register, in the order in which the per-time
circuit measures it (its clbit order), right after that many steps.  A save
is non-destructive: the simulation goes on from the same state.

Where the register is in the position (momentum) basis between steps the
save is just appended, and the circuit up to save i is the per-time circuit
without its measurement (``Timeline.prefix``).  Where it is not:

- the ``fourier`` coined walk keeps the register in the Fourier frame: the
  save applies the deferred frame phases so far, the inverse QFT, saves,
  and re-applies the QFT (exact: QFT . QFT^dag = 1, and the frame phases
  commute with every step);
- the coherent CTQW is one diagonal between two QFTs: its timeline applies
  the diagonal of each time increment, leaves the frame to save and
  re-enters it;
- the fast-forward is not a prefix of anything (all T steps are one
  multiplexor): a timeline uses the ``fourier`` (or ``increment``)
  construction instead -- the simulator does not care about the two-qubit
  cost;
- the Anderson CTQW's per-time circuit ends with a half-step energy
  diagonal, which does not change the position probabilities: the timeline
  saves before it and carries on with the merged diagonal of the next slice.

These are exact for the probabilities, but add gates the per-time circuit
does not have: under a gate-level noise model (the config's ``noise =
"dephasing"``) only a ``prefix`` timeline gives today's noisy results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit_aer.library import SaveProbabilities

SAVE_LABEL = "probabilities_t"


def save_label(index: int) -> str:
    """The label of the save of the ``index``-th measured time."""
    return f"{SAVE_LABEL}{index:04d}"


def save_points(saves: Sequence[int]) -> dict[int, int]:
    """{step count: save index} of sorted, distinct, non-negative ``saves``."""
    points = [int(s) for s in saves]
    if points != sorted(set(points)) or (points and points[0] < 0):
        raise ValueError(f"saves must be sorted, distinct and >= 0 (got {list(saves)})")
    return {s: i for i, s in enumerate(points)}


def append_save(circuit: QuantumCircuit, qubits: Sequence[Qubit], index: int) -> None:
    """A non-destructive save of the probabilities of ``qubits`` (qubits[0] least significant)."""
    circuit.append(SaveProbabilities(len(qubits), label=save_label(index)), list(qubits))


@dataclass
class Timeline:
    """One unmeasured circuit whose saves give every measured time's probabilities.

    ``circuit`` holds one save per measured time, labelled ``labels[i]``;
    ``relabel[i]`` rolls save i's vector (``np.roll``) into the register
    labelling of the experiment's per-time circuit i (its ``site_offset``),
    so ``site_distribution(circuits()[i], p, None)`` reads it as today;
    ``prefix`` is True when the circuit up to save i is, gate for gate, the
    per-time circuit i without its measurement (see the module doc);
    ``construction`` names what was built.  For an ensemble the circuit is
    parameterized, and the experiment gives one value table for all times.
    """

    circuit: QuantumCircuit
    labels: list[str]
    construction: str
    relabel: list[int] = field(default_factory=list)
    prefix: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    #: the builder object the circuit came from (e.g. a ``DisorderedWalkTemplate``), whose
    #: ``values`` bind a member; None for a circuit without parameters
    template: Any = None
    #: packed ensembles: the members the circuit holds in a member register of
    #: ``member_qubits`` qubits; each save is then over (measured, member), index
    #: x + 2^n m, and holds P_m(x) / 2^member_qubits (0: not packed)
    members: int = 0
    member_qubits: int = 0
    #: the ``site_offset`` of per-time circuit i (what its relabelled save is read with;
    #: 0 where the experiment's circuits carry none)
    site_offsets: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.relabel:
            self.relabel = [0] * len(self.labels)
        if not self.site_offsets:
            self.site_offsets = [0] * len(self.labels)
        if len(self.relabel) != len(self.labels):
            raise ValueError("one relabel offset per save")

    @classmethod
    def of(cls, circuit: QuantumCircuit, saves: int, construction: str,
           relabel: Sequence[int] | None = None, prefix: bool = False,
           template: Any = None) -> Timeline:
        """A timeline of ``circuit`` with saves 0..saves-1."""
        return cls(circuit, [save_label(i) for i in range(saves)], construction,
                   list(relabel or []), prefix, template=template)


STEPWISE = ("increment", "fourier", "fourier-line")


def walk_offset(construction: str, steps: int, axis_qubits: int, dimension: int = 1) -> int:
    """A coined walk's ``site_offset`` (register value - site): the deferred 1D increment's."""
    return steps % (1 << axis_qubits) if construction == "increment" and dimension == 1 else 0


def walk_site_offsets(constructions: Sequence[str], times: Sequence[int], axis_qubits: int,
                      dimension: int = 1) -> list[int]:
    """The ``site_offset`` of each per-time coined-walk circuit (construction, steps)."""
    return [walk_offset(c, t, axis_qubits, dimension)
            for c, t in zip(constructions, times, strict=True)]


def walk_timeline_plan(constructions: Sequence[str], times: Sequence[int], allowed: Sequence[str],
                       axis_qubits: int, dimension: int = 1,
                       prefixes: Sequence[str] = ("increment",)
                       ) -> tuple[str, list[int], bool]:
    """(construction, relabel, prefix) of a coined-walk timeline whose per-time circuits use
    ``constructions``: theirs when they agree on a step-by-step one, else the last time's
    (fast-forward: fourier, its frame; or the first step-by-step one ``allowed``); the
    rolls to their labelling; prefix when every time uses the chosen construction and it is
    one of ``prefixes`` (those whose saves need no frame change)."""
    stepwise = [c for c in allowed if c in STEPWISE] or list(STEPWISE)
    last = constructions[-1] if constructions else stepwise[0]
    chosen = last if last in stepwise else ("fourier" if "fourier" in stepwise else stepwise[0])
    sites = (1 << axis_qubits) if dimension == 1 else 1
    relabel = [(walk_offset(c, t, axis_qubits, dimension)
                - walk_offset(chosen, t, axis_qubits, dimension)) % sites
               for c, t in zip(constructions, times, strict=True)]
    prefix = chosen in prefixes and all(c == chosen for c in constructions)
    return chosen, relabel, prefix
