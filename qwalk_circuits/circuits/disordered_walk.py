"""Disordered 1D coined walk: on-site phases and per-site coin rotations, static or per step.

One step is U_s = S . C . V_s . Phi_s: the on-site phases Phi_s =
diag(exp(i phi_s(c, x))), a per-site coin rotation V_s = U3(angles_s(x)),
the coin C, the moving shift S.  Site disorder does not commute with the
translation, so the fast-forward is gone; two exact constructions remain:

- ``increment``: the position-basis shift of the clean walk, with its
  deferred -1 (the register holds x + s after s steps, so step s sees the
  disorder rolled by s);
- ``fourier``: the position basis between steps, and the shift as the
  Fourier-frame phase layer between a QFT and its inverse.

The disorder enters only through angle vectors (see ``multiplexor.py``), so
:class:`DisorderedWalkTemplate` builds the circuit once with parameters and
binds any realisation to it.  A generic phase layer is a diagonal, 2^n - 2 CX;
a ``walsh-phase`` layer (degree <= 2 in the site's bits) is RZ and CX gates,
n(n-1) CX at order 2 and none at order 1.  It needs the ``fourier``
construction: the increment's register holds x + s, and a phase of low degree
in the bits of x is not one in the bits of x + s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
from qiskit import QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import DiagonalGate, UnitaryGate

from ..core.disorder import WalkDisorder
from .fourier_frame import QftSynthesis, append_inverse_qft, append_qft, frame_qubits
from .layout import WalkLayout
from .multiplexor import (
    Angles,
    append_diagonal,
    append_u3_multiplexor,
    append_walsh_phase,
    diagonal_angle_count,
    diagonal_angles,
    u3_multiplexor_angle_count,
    u3_multiplexor_angles,
    walsh_angle_count,
    walsh_angles,
)
from .phase_polynomial import append_cheapest_diagonal
from .shift_fourier import append_frame_phases, append_phase_layer_1d
from .shift_increment import append_shift_1d_deferred
from .state_prep import prepare_position, prepare_vector
from .timeline import append_save, save_points

DisorderedConstruction = Literal["increment", "fourier", "fourier-line"]
DISORDERED_CONSTRUCTIONS: tuple[DisorderedConstruction, ...] = ("increment", "fourier",
                                                                  "fourier-line")
#: the constructions in site labels between steps (the Fourier frame left after each shift)
SITE_LABELLED = ("fourier", "fourier-line")
DisorderKind = Literal["phase", "coin-phase", "coin", "walsh-phase"]


def build_disordered_walk(coin: np.ndarray, position_state: np.ndarray, coin_state: np.ndarray,
                          steps: int, axis_qubits: int, construction: DisorderedConstruction,
                          phase_layers: Sequence[Angles] | None = None,
                          coin_layers: Sequence[Angles] | None = None,
                          saves: Sequence[int] = (),
                          walsh_layers: Sequence[Angles] | None = None, walsh_order: int = 2,
                          site_phases: Sequence[np.ndarray] | None = None) -> QuantumCircuit:
    """``steps`` disordered steps; layer s of each list holds step s's angle vector.

    A phase vector of 2^n diagonal angles acts on the position register, one
    of 2^(n+1) on position and coin (coin-dependent phases); a coin vector
    holds U3-multiplexor angles; a Walsh vector the ``walsh_angles`` of order
    ``walsh_order`` (RZ and CX gates, ``fourier`` only).  ``site_phases``: the
    concrete form of any coin-independent phase, 2^n phases per step appended
    as the cheapest exact diagonal (``append_cheapest_diagonal``: P and CP
    gates for a phase of degree <= 2 in the bits, else a ``DiagonalGate``;
    ``fourier`` only).  The vectors are in register labels (see
    :func:`layer_values`); metadata ``site_offset`` as for the clean walk.
    ``saves`` (sorted step counts <= ``steps``): a probability save of the
    position register after each of those steps (a timeline, ``timeline.py``;
    both constructions are in the position basis between steps, so the circuit
    up to a save is the walk of that many steps).
    """
    points = save_points(saves)
    if points and max(points) > steps:
        raise ValueError(f"saves must be step counts <= steps={steps}")
    if construction not in DISORDERED_CONSTRUCTIONS:
        raise ValueError(f"unknown construction {construction!r}; a disordered walk uses "
                         f"{DISORDERED_CONSTRUCTIONS}")
    if (walsh_layers is not None or site_phases is not None) and \
            construction not in SITE_LABELLED:
        raise ValueError("Walsh and concrete site phases are in site labels: use the fourier "
                         "construction")
    layout = WalkLayout(1, axis_qubits)
    circuit = layout.new_circuit(f"disordered_walk_{construction}_t{steps}")
    position, coin_qubit = layout.axes(circuit)[0], layout.coin(circuit)[0]
    prepare_vector(circuit, [coin_qubit], coin_state)
    prepare_position(circuit, [position], position_state)
    coin_gate = UnitaryGate(coin, label="coin")
    if 0 in points:
        append_save(circuit, position, points[0])
    for s in range(steps):
        if phase_layers is not None:
            angles = phase_layers[s]
            on_coin = len(angles) == diagonal_angle_count(axis_qubits + 1)
            append_diagonal(circuit, [*position, coin_qubit] if on_coin else position, angles)
        if walsh_layers is not None:
            append_walsh_phase(circuit, position, walsh_layers[s], walsh_order)
        if site_phases is not None:
            append_cheapest_diagonal(circuit, position, site_phases[s])
        if coin_layers is not None:
            append_u3_multiplexor(circuit, coin_qubit, position, coin_layers[s])
        circuit.append(coin_gate, [coin_qubit])
        _append_shift(circuit, construction, position, coin_qubit)
        if s + 1 in points:
            append_save(circuit, position, points[s + 1])
    offset = steps % layout.side if construction == "increment" else 0
    circuit.metadata = {"construction": construction, "steps": steps, "dimension": 1,
                        "axis_qubits": axis_qubits, "site_offset": offset}
    return circuit


def layer_values(disorder: WalkDisorder, step: int, construction: DisorderedConstruction,
                 coin_dependent: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(phase angles, coin angles) of step ``step`` in register labels."""
    layer = disorder.layer(step)
    roll = step if construction == "increment" else 0  # register value = site + step
    phases = coins = None
    if disorder.phases is not None:
        rolled = np.roll(disorder.phases[layer], roll, axis=-1)
        phases = diagonal_angles(rolled.reshape(-1) if coin_dependent else rolled[0])
    if disorder.coin_angles is not None:
        theta, phi, lam = np.roll(disorder.coin_angles[layer], roll, axis=-1)
        coins = u3_multiplexor_angles(theta, phi, lam)
    return phases, coins


def walsh_layer_values(disorder: WalkDisorder, step: int, order: int) -> np.ndarray:
    """The Walsh angles (``walsh_angles``) of step ``step``'s site phases, in site labels
    (the ``fourier`` construction's); refused if the phases have degree > ``order``."""
    if disorder.phases is None:
        raise ValueError("this disorder has no phases")
    return walsh_angles(disorder.phases[disorder.layer(step)][0], order)


def layer_phases(disorder: WalkDisorder, step: int, construction: DisorderedConstruction,
                 coin_dependent: bool) -> np.ndarray:
    """The on-site phases of step ``step`` in register labels: (2^n,) on the position, or
    (2^(n+1),) on position and coin (index x + 2^n c) when ``coin_dependent``."""
    if disorder.phases is None:
        raise ValueError("this disorder has no phases")
    roll = step if construction == "increment" else 0
    rolled = np.roll(disorder.phases[disorder.layer(step)], roll, axis=-1)
    return rolled.reshape(-1) if coin_dependent else rolled[0]


PACKED_LAYER = "packed_layer"


def build_packed_walk(coin: np.ndarray, position_state: np.ndarray, coin_state: np.ndarray,
                      steps: int, axis_qubits: int, construction: DisorderedConstruction,
                      member_qubits: int, coin_dependent: bool, saves: Sequence[int]
                      ) -> QuantumCircuit:
    """The skeleton of up to 2^member_qubits phase-disorder members in one circuit.

    A ``member`` register in uniform superposition labels the members; step s's
    phase layer is a barrier labelled ``packed_layer`` on (position[, coin],
    member), which :class:`PackedWalk` replaces (after transpiling) by one diagonal
    holding every member's phases.  The member register is never touched
    otherwise, so save i (probabilities of position then member: index x + 2^n m)
    holds P_m(x) / 2^k for each member: a simulator construction, exact, whose one
    diagonal per step replaces M bound Gray-code chains.  Saves as
    :func:`build_disordered_walk`'s.
    """
    points = save_points(saves)
    if points and max(points) > steps:
        raise ValueError(f"saves must be step counts <= steps={steps}")
    layout = WalkLayout(1, axis_qubits)
    circuit = layout.new_circuit(f"packed_walk_{construction}_t{steps}")
    register = QuantumRegister(member_qubits, "member")
    circuit.add_register(register)
    position, coin_qubit = layout.axes(circuit)[0], layout.coin(circuit)[0]
    member = list(register)
    measured = [*position, *member]
    on = [*position, coin_qubit] if coin_dependent else position
    circuit.h(member)
    prepare_vector(circuit, [coin_qubit], coin_state)
    prepare_position(circuit, [position], position_state)
    coin_gate = UnitaryGate(coin, label="coin")
    if 0 in points:
        append_save(circuit, measured, points[0])
    for s in range(steps):
        circuit.barrier(*on, *member, label=PACKED_LAYER)
        circuit.append(coin_gate, [coin_qubit])
        _append_shift(circuit, construction, position, coin_qubit)
        if s + 1 in points:
            append_save(circuit, measured, points[s + 1])
    offset = steps % layout.side if construction == "increment" else 0
    circuit.metadata = {"construction": f"{construction}+packed", "steps": steps,
                        "dimension": 1, "axis_qubits": axis_qubits, "site_offset": offset,
                        "member_qubits": member_qubits}
    return circuit


@dataclass
class PackedWalk:
    """Fills a (transpiled) :func:`build_packed_walk` skeleton with members' phases.

    ``layers(members)`` gives step s's phases of those members, (M, 2^n or 2^(n+1)),
    for every step (the same array object for every step of static disorder: one
    gate then).
    """

    layers: Callable[[Sequence[int]], list[np.ndarray]]
    member_qubits: int

    def fill(self, skeleton: QuantumCircuit, members: Sequence[int]) -> QuantumCircuit:
        """The skeleton with its ``packed_layer`` barriers replaced by the members'
        diagonals (members beyond len(members) repeat the last one)."""
        if not 0 < len(members) <= 1 << self.member_qubits:
            raise ValueError(f"{len(members)} members do not fit {self.member_qubits} "
                             "member qubits")
        layers = iter(self.layers(members))
        gates: dict[int, DiagonalGate] = {}
        out = skeleton.copy_empty_like()
        size = 1 << self.member_qubits
        for instruction in skeleton.data:
            if getattr(instruction.operation, "label", None) == PACKED_LAYER:
                layer = next(layers)
                if id(layer) not in gates:
                    padded = np.concatenate([layer, np.repeat(layer[-1:], size - len(layer),
                                                              axis=0)])
                    gates[id(layer)] = DiagonalGate(list(np.exp(1j * padded.reshape(-1))))
                out._append(instruction.replace(operation=gates[id(layer)]))
            else:
                out._append(instruction)
        if next(layers, None) is not None:
            raise RuntimeError("the skeleton lost packed_layer barriers (transpiled away?)")
        return out


@dataclass
class DisorderedWalkTemplate:
    """A disordered walk built once with parameters; :meth:`values` binds a realisation."""

    circuit: QuantumCircuit
    construction: DisorderedConstruction
    kind: DisorderKind
    static: bool
    steps: int
    walsh_order: int = 2

    @classmethod
    def build(cls, coin: np.ndarray, position_state: np.ndarray, coin_state: np.ndarray,
              steps: int, axis_qubits: int, construction: DisorderedConstruction,
              kind: DisorderKind, static: bool, saves: Sequence[int] = (),
              walsh_order: int = 2) -> DisorderedWalkTemplate:
        """The template of ``steps`` steps; ``saves``: a timeline (see
        :func:`build_disordered_walk`), with the same parameters and values.
        ``walsh-phase``: P(theta_j), CP(theta_jk) with parameters (``walsh_order``)."""
        # the fourier construction works in physical labels: static disorder is one vector
        shared = static and construction in SITE_LABELLED
        vectors = 1 if shared else steps
        phase_layers = coin_layers = walsh_layers = None
        if kind == "walsh-phase":
            size = walsh_angle_count(axis_qubits, walsh_order)
            made = [ParameterVector(f"walsh_{s:04d}", size) for s in range(vectors)]
            walsh_layers = [made[0 if shared else s] for s in range(steps)]
        elif kind in ("phase", "coin-phase"):
            size = diagonal_angle_count(axis_qubits + (kind == "coin-phase"))
            made = [ParameterVector(f"phase_{s:04d}", size) for s in range(vectors)]
            phase_layers = [made[0 if shared else s] for s in range(steps)]
        else:
            size = u3_multiplexor_angle_count(axis_qubits)
            made = [ParameterVector(f"coin_{s:04d}", size) for s in range(vectors)]
            coin_layers = [made[0 if shared else s] for s in range(steps)]
        circuit = build_disordered_walk(coin, position_state, coin_state, steps, axis_qubits,
                                        construction, phase_layers, coin_layers, saves,
                                        walsh_layers, walsh_order)
        return cls(circuit, construction, kind, static, steps, walsh_order)

    @property
    def _vectors(self) -> int:
        return 1 if self.static and self.construction in SITE_LABELLED else self.steps

    @cached_property
    def _order(self) -> np.ndarray:
        """Position in the step-by-step concatenation of each circuit parameter."""
        size = len(self.circuit.parameters) // max(self._vectors, 1)
        index = []
        for p in self.circuit.parameters:
            vector, element = p.name.split("[")
            index.append(int(vector.rsplit("_", 1)[1]) * size + int(element[:-1]))
        return np.array(index, dtype=int)

    def values(self, disorder: WalkDisorder) -> np.ndarray:
        """Parameter values of one realisation, in the circuit's parameter order."""
        layers: list[np.ndarray] = []
        for s in range(self._vectors):
            if self.kind == "walsh-phase":
                layers.append(walsh_layer_values(disorder, s, self.walsh_order))
                continue
            phases, coins = layer_values(disorder, s, self.construction,
                                         self.kind == "coin-phase")
            vector = phases if coins is None else coins
            assert vector is not None  # every kind has a phase or a coin layer
            layers.append(vector)
        if not layers:
            return np.zeros(0)
        return np.concatenate(layers)[self._order]

    def bind(self, disorder: WalkDisorder) -> QuantumCircuit:
        """The concrete circuit of one realisation."""
        parameters: list[Parameter] = list(self.circuit.parameters)
        bound = self.circuit.assign_parameters(dict(zip(parameters, self.values(disorder),
                                                        strict=True)))
        bound.metadata = dict(self.circuit.metadata)
        return bound


def _append_shift(circuit: QuantumCircuit, construction: str, position: list[Any],
                  coin_qubit: Any) -> None:
    """One shift of the walk in the position basis: the deferred increment, or (fourier)
    the diagonal phase layer between a QFT and its inverse, the frame phases applied
    (``fourier-line``: the QFTs synthesised for a line, the frame on the reversed axis)."""
    if construction == "increment":
        append_shift_1d_deferred(circuit, position, coin_qubit)
        return
    synthesis: QftSynthesis = "line" if construction == "fourier-line" else "full"
    append_qft(circuit, [position], synthesis)
    frame = frame_qubits(position, synthesis)
    append_phase_layer_1d(circuit, frame, coin_qubit)
    append_frame_phases(circuit, frame, 1)
    append_inverse_qft(circuit, [position], synthesis)
