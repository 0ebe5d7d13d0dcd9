"""Dephasing channels as random phase kicks: how a noisy experiment runs on a device.

A device cannot apply an Aer noise model, but every channel in ``noise.py``
is a mixture of unitaries, so it is the average over random unitaries
("trajectories"): each noise marker becomes ``RZ(theta)`` with theta = 0 or
pi (RZ(pi) = Z up to a global phase), and the kicks are drawn per
trajectory with the channel's probabilities:

- site dephasing of strength p on n qubits, (1 - p) rho + p diag(rho):
  with probability p a uniformly random Z string on the n qubits (its
  average is the diagonal), else none -- the environment qubit goes away;
- coin dephasing p on one qubit: Z with probability p/2;
- phase damping lambda on a qubit: Z with probability (1 - sqrt(1 - lambda))/2
  (the same decay of the coherence, sqrt(1 - lambda)).

Averaged over all kick patterns with these probabilities the distributions
equal the channel's exactly; R sampled trajectories approach it as 1/sqrt(R).
The kicks are RZ gates (virtual on IBM devices: no two-qubit gate added).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction, ParameterVector

from ..core.errors import QwalkError
from .noise import COIN_DEPHASING, PHASE_DAMPING, SITE_DEPHASING, SITE_DEPHASING_ENV

KICK_PARAMETERS = "kick"


@dataclass(frozen=True)
class KickGroup:
    """Kicks drawn together: one marker's channel on ``size`` qubits, whose parameters
    are ``first .. first + size - 1`` of the template's kick vector."""

    channel: str   # SITE_DEPHASING, COIN_DEPHASING or PHASE_DAMPING
    first: int
    size: int


def unravel(circuit: QuantumCircuit) -> tuple[QuantumCircuit, list[KickGroup]]:
    """The circuit with each noise marker replaced by parameterized RZ kicks (the ``env``
    register of site dephasing removed), and the groups the kicks are drawn in."""
    kept = [q for reg in circuit.qregs if reg.name != "env" for q in reg]
    env = {q for reg in circuit.qregs if reg.name == "env" for q in reg}
    index = {q: i for i, q in enumerate(kept)}
    channels: list[str] = []       # the channel of each group, in order
    kicked: list[int] = []         # per kick (in order): its template qubit
    owner: list[int] = []          # per kick: its group
    steps: list[CircuitInstruction | int] = []  # an instruction, or a kick's number
    for inst in circuit.data:
        label = getattr(inst.operation, "label", None)
        if label == SITE_DEPHASING_ENV:
            channels.append(SITE_DEPHASING)
            continue
        if label in (SITE_DEPHASING, COIN_DEPHASING, PHASE_DAMPING):
            if label == SITE_DEPHASING and (not channels or channels[-1] != SITE_DEPHASING):
                raise QwalkError("a site-dephasing kick without its environment marker")
            if label != SITE_DEPHASING:
                channels.append(label)
            steps.append(len(kicked))
            kicked.append(index[inst.qubits[-1]])  # site kicks act on (env, qubit)
            owner.append(len(channels) - 1)
        elif any(q in env for q in inst.qubits):
            if inst.operation.name != "reset":
                raise QwalkError(f"cannot unravel {inst.operation.name} on the environment")
        else:
            steps.append(inst)
    template = QuantumCircuit(*[reg for reg in circuit.qregs if reg.name != "env"],
                              *circuit.cregs, name=circuit.name,
                              metadata={**(circuit.metadata or {}), "unravelled": True},
                              global_phase=circuit.global_phase)
    vector = ParameterVector(KICK_PARAMETERS, len(kicked))
    for step in steps:
        if isinstance(step, int):
            template.rz(vector[step], kicked[step])
        else:
            template.append(step.operation, [index[q] for q in step.qubits],
                            [circuit.find_bit(c).index for c in step.clbits])
    groups = []
    for number, channel in enumerate(channels):
        members = [k for k, g in enumerate(owner) if g == number]
        if not members:
            continue
        if members != list(range(members[0], members[0] + len(members))):
            raise QwalkError("the kicks of one channel are not consecutive")
        groups.append(KickGroup(channel, members[0], len(members)))
    return template, groups


def kick_outcomes(group: KickGroup, strength: float) -> list[tuple[float, tuple[int, ...]]]:
    """Every kick pattern of a group with its probability (the channel as a mixture)."""
    if group.channel == SITE_DEPHASING:
        strings = list(itertools.product((0, 1), repeat=group.size))
        return [(1 - strength, (0,) * group.size)] + [(strength / len(strings), s)
                                                       for s in strings]
    flip = strength / 2 if group.channel == COIN_DEPHASING else (1 - np.sqrt(1 - strength)) / 2
    return [(1 - flip, (0,)), (flip, (1,))]


def sample_kicks(groups: list[KickGroup], strength: float, count: int,
                 rng: np.random.Generator) -> np.ndarray:
    """``count`` trajectories' kick angles (count, parameters): 0 or pi per kick."""
    total = sum(g.size for g in groups)
    bits = np.zeros((count, total), dtype=int)
    for group in groups:
        outcomes = kick_outcomes(group, strength)
        weights = np.array([w for w, _ in outcomes])
        chosen = rng.choice(len(outcomes), size=count, p=weights / weights.sum())
        patterns = np.array([pattern for _, pattern in outcomes])
        bits[:, group.first:group.first + group.size] = patterns[chosen]
    return np.pi * bits
