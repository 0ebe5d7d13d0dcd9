"""The dry run's noisy emulation of a one-hot chain (``anderson-chain``) on a device.

The global calibration mix (F p + (1 - F) u) discards nearly all of its noise by
post-selection, and so forecasts too small a distance; but the errors that keep one
excitation (phase flips, a bond's swap) survive it and blur the walk.  This emulation
follows the one-excitation density matrix (N x N) through the brickwork with each gate's
calibrated error as a depolarising channel, and counts what leaves the sector:

- per bond and step, the bond's two-qubit errors e (its CZs' errors from the ISA circuit
  and the target, the CZs between non-neighbouring sites spread over all bonds) as a
  two-qubit depolarising channel of average infidelity e: each of the 15 Paulis with
  probability e/12.  Depolarising noise commutes with the bond's own gates, so one channel
  per bond holds its CZs' errors wherever they act in the bond.  On one excitation the
  channel keeps ZI, IZ, ZZ (signs), turns XX, YY, XY, YX into the walker's swap within the
  pair (no coherence kept), and sends the 8 single flips out of the sector: to no
  excitation (the walker flipped) or two (another qubit flipped); XX-type Paulis on a pair
  without the walker make three (lost).
- per site and step, its one-qubit gates' errors e1 as a one-qubit depolarising channel of
  infidelity e1 (X, Y, Z each e1/2) after the step's RZ layer.
- readout: each qubit's measurement error r (symmetric flips).  A one-excitation state is
  read as itself with probability R = prod(1 - r), as site x from site y by two flips;
  no excitation reads as site x by one flip; two excitations, taken spread evenly over the
  sites, by one.  What the sector lost returns only at second order in the errors (a
  second flip); that is neglected.

The result, per member: the post-selected distribution and the kept fraction of shots.
Its approximations: all noise is depolarising (the fake devices add thermal relaxation
within the same calibrated error), symmetric readout, second-order returns dropped; tests
check it exact to 1e-12 where these do not enter and against Aer's density matrix to second
order in the errors.  ``two_qubit_factor`` scales the two-qubit errors (the real-device
verdict).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from .execution.chain_layout import bond_of

SKIPPED = ("barrier", "delay")


@dataclass(frozen=True)
class ChainErrorBudget:
    """One measured circuit's errors, per site of the chain: ``bond[x]`` the two-qubit
    error of bond (x, x + 1) per step, ``site[x]`` the one-qubit error per step, ``readout``
    each site's measurement error; ``steps`` the brickwork steps the circuit holds;
    ``ring``: the chain is closed, and ``bond[N - 1]`` is the closing bond (N - 1, 0)."""

    bond: np.ndarray
    site: np.ndarray
    readout: np.ndarray
    steps: int
    ring: bool = False

    def __post_init__(self) -> None:
        sites = self.readout.size
        bonds = sites if self.ring else max(sites - 1, 0)
        if self.bond.size != bonds or self.site.size != sites:
            raise ValueError(f"a {'ring' if self.ring else 'chain'} of {sites} sites has "
                             f"{bonds} bonds and {sites} sites, not {self.bond.size} and "
                             f"{self.site.size}")
        if self.ring and sites % 2:
            raise ValueError(f"a ring's brickwork needs an even number of sites, not {sites}")

    def scaled(self, two_qubit_factor: float, readout_errors: bool = True
               ) -> ChainErrorBudget:
        """The same budget with every two-qubit error multiplied by ``two_qubit_factor``
        (and, with ``readout_errors`` False, no readout error: a readout mitigation that
        undoes it exactly)."""
        readout = self.readout if readout_errors else np.zeros_like(self.readout)
        return ChainErrorBudget(self.bond * two_qubit_factor, self.site, readout,
                                self.steps, self.ring)


def _error(target: Any, name: str, qargs: tuple[int, ...]) -> float:
    if name not in target.operation_names:
        return 0.0
    props = target[name].get(qargs)
    return float(props.error) if props is not None and props.error is not None else 0.0


def chain_error_budget(isa: QuantumCircuit, target: Any, sites: int, steps: int,
                       ring: bool = False) -> ChainErrorBudget:
    """Read ``isa``'s errors off ``target``: a physical qubit is the site whose clbit it
    is measured into; a two-qubit gate on sites x, x + 1 (or N - 1, 0 on a ring) is that
    bond's, any other (routing) is spread evenly over the bonds; sums divided by
    ``steps`` (a circuit of no step keeps its one-qubit errors, applied once)."""
    site_of: dict[int, int] = {}
    readout = np.zeros(sites)
    one: dict[int, float] = {}
    two: list[tuple[int, int, float]] = []
    for inst in isa.data:
        name = inst.operation.name
        if name in SKIPPED:
            continue
        qargs = tuple(isa.find_bit(q).index for q in inst.qubits)
        error = _error(target, name, qargs)
        if name == "measure":
            site = isa.find_bit(inst.clbits[0]).index
            site_of[qargs[0]] = site
            readout[site] = error
        elif len(qargs) == 1:
            one[qargs[0]] = one.get(qargs[0], 0.0) + error
        elif len(qargs) == 2:
            two.append((qargs[0], qargs[1], error))
    per_step = max(steps, 1)
    bond = np.zeros(sites if ring else max(sites - 1, 0))
    spread = 0.0
    for a, b, error in two:
        index = bond_of(site_of.get(a), site_of.get(b), sites, ring)
        if index is not None:
            bond[index] += error
        else:
            spread += error
    if bond.size:
        bond += spread / bond.size
    site = np.zeros(sites)
    for qubit, error in one.items():
        if qubit in site_of:
            site[site_of[qubit]] += error
    return ChainErrorBudget(bond / per_step, site / per_step, readout, steps, ring)


@dataclass
class SectorState:
    """The one-excitation density matrix ``rho`` and the weights that left the sector:
    ``vacuum`` (no excitation), ``two`` (two excitations), ``lost`` (more)."""

    rho: np.ndarray
    vacuum: float = 0.0
    two: float = 0.0
    lost: float = 0.0

    @classmethod
    def at(cls, sites: int, start: int) -> SectorState:
        rho = np.zeros((sites, sites), complex)
        rho[start, start] = 1.0
        return cls(rho)

    def total(self) -> float:
        """Every weight, in and out of the sector (1, up to rounding)."""
        return float(np.trace(self.rho).real) + self.vacuum + self.two + self.lost


def apply_bond(state: SectorState, a: int, c: float, s: complex) -> None:
    """The bond (a, a + 1), or (N - 1, 0) on a ring: [[c, s], [s, c]] on the pair's
    amplitudes (the brickwork's exp(+i J dt (|a><a+1| + h.c.)), c = cos J dt,
    s = i sin J dt)."""
    u = np.array([[c, s], [s, c]])
    pair = [a, (a + 1) % state.rho.shape[0]]
    rho = state.rho
    rho[pair, :] = u @ rho[pair, :]
    rho[:, pair] = rho[:, pair] @ u.conj().T


def two_qubit_depolarising(state: SectorState, a: int, error: float) -> None:
    """Each of the 15 two-qubit Paulis on qubits (a, a + 1 mod N) with probability error/12,
    restricted to the sector (see the module's docstring): pair-outside coherences decay by
    16 w, outside-outside by 12 w, the pair's populations exchange 4 w, w = error/12."""
    if error == 0:
        return
    w = error / 12
    rho = state.rho
    b = (a + 1) % rho.shape[0]
    pa, pb = float(rho[a, a].real), float(rho[b, b].real)
    trace = float(np.trace(rho).real)
    inside = pa + pb
    state.vacuum += 4 * w * inside
    state.two += 4 * w * (2 * trace - inside)
    state.lost += 4 * w * (trace - inside)
    coherence = rho[a, b]
    pair = [a, b]
    rho *= 1 - 12 * w
    rho[pair, :] *= (1 - 16 * w) / (1 - 12 * w)
    rho[:, pair] *= (1 - 16 * w) / (1 - 12 * w)
    # the pair's own block: populations (1 - 12 w) p + 4 w p_other, coherence (1 - 16 w)
    rho[a, a] = (1 - 12 * w) * pa + 4 * w * pb
    rho[b, b] = (1 - 12 * w) * pb + 4 * w * pa
    rho[a, b] = (1 - 16 * w) * coherence
    rho[b, a] = np.conj(rho[a, b])


def one_qubit_depolarising(state: SectorState, x: int, error: float) -> None:
    """X, Y, Z on qubit x each with probability error/2: Z flips the sign of the walker's
    coherences with x (kept), X and Y leave the sector (to no excitation from x, else to
    two)."""
    if error == 0:
        return
    rho = state.rho
    px = float(rho[x, x].real)
    trace = float(np.trace(rho).real)
    state.vacuum += error * px
    state.two += error * (trace - px)
    keep_x = rho[x, x]
    rho *= 1 - error
    rho[x, :] *= (1 - 2 * error) / (1 - error)
    rho[:, x] *= (1 - 2 * error) / (1 - error)
    rho[x, x] = (1 - error) * keep_x


def read_out(state: SectorState, readout: np.ndarray) -> np.ndarray:
    """The probability of each one-excitation outcome (unnormalised): see the module's
    docstring."""
    r = np.asarray(readout, dtype=float)
    sites = r.size
    correct = float(np.prod(1 - r))
    odds = r / (1 - r)
    populations = np.clip(np.diag(state.rho).real, 0.0, None)
    # y read as x (x != y): y flipped 1 -> 0 and x 0 -> 1
    moved = odds * (odds @ populations - odds * populations)
    two_to_one = state.two * float(np.mean(odds)) * 2 / sites
    return correct * (populations + moved + state.vacuum * odds + two_to_one)


def emulate_chain(start: int, hopping: float, energies: np.ndarray, dt: float,
                  budget: ChainErrorBudget) -> tuple[np.ndarray, float]:
    """One member's post-selected distribution after ``budget.steps`` noisy brickwork
    steps, and the fraction of shots kept; ``energies`` (layers, sites) as for
    :func:`~qwalk_circuits.reference.one_hot_chain.brickwork_states`."""
    sites = budget.readout.size
    state = SectorState.at(sites, start)
    c, s = float(np.cos(hopping * dt)), 1j * float(np.sin(hopping * dt))
    for step in range(budget.steps):
        layer = energies[step if energies.shape[0] > 1 else 0]
        phase = np.exp(-1j * dt * layer)
        state.rho = phase[:, None] * state.rho * phase.conj()[None, :]
        for x in range(sites):
            one_qubit_depolarising(state, x, float(budget.site[x]))
        for parity in (0, 1):
            for a in range(parity, sites if budget.ring else sites - 1, 2):
                apply_bond(state, a, c, s)
                two_qubit_depolarising(state, a, float(budget.bond[a]))
    if budget.steps == 0:
        for x in range(sites):
            one_qubit_depolarising(state, x, float(budget.site[x]))
    out = read_out(state, budget.readout)
    kept = float(out.sum())
    return (out / kept if kept > 0 else np.full(sites, 1 / sites)), kept


def emulate_members(start: int, hopping: float, energies: Sequence[np.ndarray], dt: float,
                    budget: ChainErrorBudget) -> tuple[np.ndarray, np.ndarray]:
    """Every member's post-selected distribution (members, sites) and kept fraction."""
    results = [emulate_chain(start, hopping, e, dt, budget) for e in energies]
    return (np.array([q for q, _ in results]), np.array([k for _, k in results]))
