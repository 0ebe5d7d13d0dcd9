"""Quantum kicked rotor circuits: kick in the angle basis, free rotation in the momentum basis.

The n-qubit momentum register holds the integer m in two's complement
(register value i is m = i for i < N/2, else i - N: numpy's FFT order).  One
period is U = exp(-i kbar (m + beta)^2 / 2) exp(-i k cos theta), k = K / kbar:

- the kick is diagonal in the angle basis psi(theta_j) = sum_m psi_m e^{i m theta_j},
  theta_j = 2 pi j / N, which is Qiskit's QFT of the momentum register; without
  its swaps the register holds the bit-reversed j (``fourier_frame.py``), so the
  kick is a diagonal on frame values between a no-swap QFT and its inverse.  The
  start m = 0 enters the angle basis with Hadamards alone;
- the free rotation is diagonal in m and the only place beta enters, so it is
  a parameterized layer: one template per kick count, transpiled once and
  bound once per quasi-momentum.

Constructions (kick, free rotation); besides them each kick costs two no-swap
QFTs, n(n-1)/2 controlled phases each (n(n-1) CX):

- ``quadratic`` (the fewest two-qubit gates): the kick as Qiskit's ``DiagonalGate`` (one native
  instruction on Aer; the transpiler finds 2^(n-1) CX for hardware), and the
  free phase through its quadratic form: m = sum_j c_j b_j with c_j = 2^j and
  c_{n-1} = -2^{n-1}, so exp(-i kbar (m + beta)^2 / 2) is n(n-1)/2 controlled
  phases (n(n-1) CX) and n single-qubit RZ that carry beta (parameters
  ``free[0..n-1]``, the global phase ``free[n]``);
- ``multiplexor``: the package's own Gray-code chains: the kick as one
  multiplexed RZ (:func:`append_cos_kick`, 2^(n-1) CX: cos(theta + pi) =
  -cos(theta) halves the generic 2^n - 2 of ``append_diagonal``), the free
  rotation as a parameterized ``append_diagonal`` (2^n angles ``free[...]``,
  2^n - 2 CX);
- ``diagonal-gate``: the kick as ``DiagonalGate``, the free rotation as in
  ``multiplexor``;
- ``fused`` (for the simulator only): each QFT as n Hadamards and n - 1
  diagonals (the controlled phases that follow each Hadamard), the free
  rotation as a ``DiagonalGate`` of -kbar m^2/2 and n single-qubit RZ
  carrying beta: about 4n instructions per kick instead of ~1.5 n^2, which
  makes transpiling and simulating the ensemble about twice as fast, but the
  diagonals compile to ~2^n CX each on a device.

Comparing ``multiplexor`` with ``diagonal-gate`` isolates the kick's two
constructions, ``diagonal-gate`` with ``quadratic`` the free rotation's
(``benchmarks/bench_kicked_rotor.py``; per kick on all-to-all, quadratic is
3 n(n-1) + 2^(n-1) - 1 CX).

The quantum sawtooth map (``potential="sawtooth"``: the kick exp(+i k (theta - pi)^2 / 2),
Benenti et al., PRL 87, 227901 (2001); Pizzamiglio et al., Entropy 23, 654 (2021)) has a
kick phase quadratic in j = N theta / (2 pi), hence in the bits of j, and bit reversal (the
no-swap frame) keeps the degree: in ``quadratic`` the kick is n(n-1)/2 controlled phases
and n phase gates (``phase_polynomial.append_cheapest_diagonal``, n(n-1) CX) instead of
2^(n-1), so every layer of a period -- the QFTs, the kick, the free rotation -- is H, phase (P, RZ)
and CP gates alone: 4 n(n-1) CX per kick on all-to-all.  ``multiplexor`` writes it as the
generic Gray-code diagonal (2^n - 2 CX: no sign-bit symmetry halves it), ``diagonal-gate``
and ``fused`` as a ``DiagonalGate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter, ParameterVector, Qubit
from qiskit.circuit.library import DiagonalGate
from qiskit.synthesis import synth_qft_full

from .fourier_frame import frame_momenta
from .multiplexor import (
    append_diagonal,
    append_uniform_rotation,
    diagonal_angle_count,
    diagonal_angles,
    rotation_angles,
)
from .phase_polynomial import append_cheapest_diagonal
from .timeline import append_save, save_points

KickedRotorConstruction = Literal["quadratic", "multiplexor", "diagonal-gate", "fused"]
KickPotential = Literal["cos", "sawtooth"]
KICK_POTENTIALS: tuple[KickPotential, ...] = ("cos", "sawtooth")
KICKED_ROTOR_CONSTRUCTIONS: tuple[KickedRotorConstruction, ...] = (
    "quadratic", "multiplexor", "diagonal-gate", "fused")
HARDWARE_CONSTRUCTIONS: tuple[KickedRotorConstruction, ...] = KICKED_ROTOR_CONSTRUCTIONS[:3]
REGISTER = "momentum"
ZERO_ANGLE = 1e-12  # a controlled phase this close to a multiple of 2 pi is the identity


def signed_momenta(momentum_qubits: int) -> np.ndarray:
    """The integer m held by each register value (two's complement)."""
    size = 1 << momentum_qubits
    values = np.arange(size)
    return np.where(values < size // 2, values, values - size)


def bit_weights(momentum_qubits: int) -> np.ndarray:
    """c_j with m = sum_j c_j b_j: 2^j, and -2^(n-1) for the sign bit."""
    weights = 1 << np.arange(momentum_qubits)
    weights[-1] = -weights[-1]
    return weights


def kick_phases(momentum_qubits: int, k: float, potential: KickPotential = "cos") -> np.ndarray:
    """-k V(theta) per register value of the no-swap angle frame (theta = 2 pi j / N):
    -k cos(theta), or +k (theta - pi)^2 / 2 for the sawtooth map."""
    size = 1 << momentum_qubits
    theta = 2 * np.pi * frame_momenta(momentum_qubits) / size
    if potential == "cos":
        return -k * np.cos(theta)
    if potential == "sawtooth":
        return k * (theta - np.pi) ** 2 / 2
    raise ValueError(f"unknown kick potential {potential!r}; choose one of {KICK_POTENTIALS}")


def append_kick(circuit: QuantumCircuit, qubits: list[Qubit], k: float,
                potential: KickPotential, construction: KickedRotorConstruction) -> None:
    """exp(-i k V(theta)) in the no-swap angle frame by ``construction`` (see the module)."""
    phases = kick_phases(len(qubits), k, potential)
    if construction == "multiplexor":
        if potential == "cos":
            append_cos_kick(circuit, qubits, k)
        else:
            append_diagonal(circuit, qubits, diagonal_angles(phases))
    elif construction == "quadratic" and potential == "sawtooth":
        append_cheapest_diagonal(circuit, qubits, phases)
    else:
        circuit.append(DiagonalGate(list(np.exp(1j * phases))), qubits, copy=False)


def append_cos_kick(circuit: QuantumCircuit, qubits: list[Qubit], k: float) -> None:
    """exp(-i k cos theta) in the no-swap angle frame, as one multiplexed RZ: 2^(n-1) CX.

    Qubit 0 holds the top bit of j (theta -> theta + pi), which flips the sign
    of cos theta: the kick is RZ(2 k cos theta') on qubit 0 multiplexed by the
    others (theta' the angle with that bit cleared), with no global phase --
    half the 2^n - 2 CX of a generic diagonal.
    """
    lam = -2 * kick_phases(len(qubits), k)[0::2]  # phase -lam/2 when qubit 0 holds 0
    append_uniform_rotation(circuit, "z", qubits[0], qubits[1:], rotation_angles(lam))


def free_phases(momentum_qubits: int, kbar: float, beta: float) -> np.ndarray:
    """-kbar (m + beta)^2 / 2 per register value."""
    return -kbar * (signed_momenta(momentum_qubits) + beta) ** 2 / 2


def _rz_layer(phases: np.ndarray, global_phase: float) -> np.ndarray:
    """RZ angles and the global phase making prod_j P(phases[j]) e^{i global_phase}.

    RZ, not P: the transpiler's handling of parameterized P gates grows
    exponentially with the number of kicks; P(a) = e^{i a/2} RZ(a).
    """
    return np.append(phases, global_phase + phases.sum() / 2)


def quadratic_free_values(momentum_qubits: int, kbar: float, beta: float) -> np.ndarray:
    """The ``quadratic`` free layer's parameters: n RZ angles, then the global phase."""
    c = bit_weights(momentum_qubits).astype(float)
    return _rz_layer(-kbar * c * (c / 2 + beta), -kbar * beta**2 / 2)


def _wrap(angle: float) -> float:
    return float((angle + np.pi) % (2 * np.pi) - np.pi)


def _append_quadratic_free(circuit: QuantumCircuit, qubits: list[Qubit], kbar: float,
                           free: ParameterVector) -> None:
    """exp(-i kbar (m + beta)^2 / 2): pairwise controlled phases, beta in the parameters."""
    c = bit_weights(len(qubits)).astype(float)
    for j in range(len(qubits)):
        for i in range(j):
            angle = _wrap(-kbar * c[i] * c[j])
            if abs(angle) > ZERO_ANGLE:
                circuit.cp(angle, qubits[i], qubits[j])
        circuit.rz(free[j], qubits[j])
    circuit.global_phase += free[len(qubits)]


def _qft_diagonals(momentum_qubits: int, sign: int) -> list[DiagonalGate]:
    """Entry j - 1: the controlled phases sign * pi / 2^(j-k) (k < j) that follow H(j) in the
    no-swap QFT (sign -1: precede it in the inverse), as one diagonal on qubits 0..j."""
    out = []
    for j in range(1, momentum_qubits):
        r = np.arange(1 << (j + 1))
        phase = sum(np.pi / 2 ** (j - k) * ((r >> j) & 1) * ((r >> k) & 1) for k in range(j))
        out.append(DiagonalGate(list(np.exp(1j * sign * np.asarray(phase, dtype=float)))))
    return out


def _append_fused_qft(circuit: QuantumCircuit, qubits: list[Qubit],
                      diagonals: list[DiagonalGate], inverse: bool) -> None:
    """The no-swap QFT (or its inverse) as n Hadamards and n - 1 diagonals."""
    order = range(len(qubits)) if inverse else reversed(range(len(qubits)))
    for j in order:
        if inverse and j:
            circuit.append(diagonals[j - 1], qubits[:j + 1], copy=False)
        circuit.h(qubits[j])
        if not inverse and j:
            circuit.append(diagonals[j - 1], qubits[:j + 1], copy=False)


@dataclass
class KickedRotorTemplate:
    """``kicks`` periods from m = 0 with the quasi-momentum left as parameters."""

    circuit: QuantumCircuit
    construction: KickedRotorConstruction
    kicks: int
    momentum_qubits: int
    kbar: float

    @classmethod
    def build(cls, kick_strength: float, kbar: float, kicks: int, momentum_qubits: int,
              construction: KickedRotorConstruction = "quadratic", measured: bool = False,
              saves: Sequence[int] = (), potential: KickPotential = "cos"
              ) -> KickedRotorTemplate:
        """The circuit of ``kicks`` periods of U (kick strength K, effective Planck kbar;
        ``potential``: the kicked rotor's cos theta or the sawtooth map's kick);
        ``measured``: ending in a measurement of the register into ``momentum`` (register
        value i is m = i, or i - N for i >= N/2).  ``saves`` (sorted kick counts <=
        ``kicks``): a timeline, a probability save of the register after each of those
        kicks (the register is in the momentum basis there: the circuit up to save i
        is the template of that many kicks)."""
        points = save_points(saves)
        if points and (measured or max(points) > kicks):
            raise ValueError("saves need an unmeasured template and kick counts <= kicks")
        if construction not in KICKED_ROTOR_CONSTRUCTIONS:
            raise ValueError(f"unknown construction {construction!r}; choose one of "
                             f"{KICKED_ROTOR_CONSTRUCTIONS}")
        if potential not in KICK_POTENTIALS:
            raise ValueError(f"unknown kick potential {potential!r}; choose one of "
                             f"{KICK_POTENTIALS}")
        n = momentum_qubits
        register = QuantumRegister(n, REGISTER)
        circuit = QuantumCircuit(register, name=f"kicked_rotor_{construction}_t{kicks}")
        qubits = list(register)
        fused = construction == "fused"
        phase_free = construction in ("quadratic", "fused")
        free = ParameterVector("free", n + 1 if phase_free else diagonal_angle_count(n))
        qft = synth_qft_full(n, do_swaps=False)
        inverse = qft.inverse()
        forward, backward = (_qft_diagonals(n, 1), _qft_diagonals(n, -1)) if fused else ([], [])
        square = DiagonalGate(list(np.exp(-0.5j * kbar * signed_momenta(n) ** 2)))
        if 0 in points:
            append_save(circuit, qubits, points[0])
        for t in range(kicks):
            if t == 0:
                circuit.h(qubits)  # QFT|m = 0>: the uniform superposition over angles
            elif fused:
                _append_fused_qft(circuit, qubits, forward, inverse=False)
            else:
                circuit.compose(qft, qubits, inplace=True)
            append_kick(circuit, qubits, kick_strength / kbar, potential, construction)
            if fused:
                _append_fused_qft(circuit, qubits, backward, inverse=True)
                circuit.append(square, qubits, copy=False)  # beta enters in the phases
                for j, qubit in enumerate(qubits):
                    circuit.rz(free[j], qubit)
                circuit.global_phase += free[n]
            else:
                circuit.compose(inverse, qubits, inplace=True)
                if phase_free:
                    _append_quadratic_free(circuit, qubits, kbar, free)
                else:
                    append_diagonal(circuit, qubits, free)
            if t + 1 in points:
                append_save(circuit, qubits, points[t + 1])
        if measured:
            bits = ClassicalRegister(n, REGISTER)
            circuit.add_register(bits)
            circuit.measure(qubits, bits)
        circuit.metadata = {"construction": construction, "site_offset": 0, "kicks": kicks,
                            "momentum_qubits": n, "kick_strength": kick_strength, "kbar": kbar,
                            "potential": potential}
        return cls(circuit, construction, kicks, n, kbar)

    def free_values(self, beta: float) -> np.ndarray:
        """The values of the vector ``free`` for quasi-momentum ``beta``."""
        if self.construction == "quadratic":
            return quadratic_free_values(self.momentum_qubits, self.kbar, beta)
        if self.construction == "fused":
            c = bit_weights(self.momentum_qubits).astype(float)
            return _rz_layer(-self.kbar * c * beta, -self.kbar * beta**2 / 2)
        return diagonal_angles(free_phases(self.momentum_qubits, self.kbar, beta))

    @cached_property
    def _order(self) -> np.ndarray:
        """Index into ``free`` of each circuit parameter, in ``circuit.parameters`` order."""
        return np.array([int(p.name.split("[")[1][:-1]) for p in self.circuit.parameters],
                        dtype=int)

    def values(self, beta: float) -> np.ndarray:
        """Parameter values for ``beta`` in the circuit's parameter order."""
        return self.free_values(beta)[self._order] if self._order.size else np.zeros(0)

    def bind(self, beta: float) -> QuantumCircuit:
        """The concrete circuit for one quasi-momentum."""
        parameters: list[Parameter] = list(self.circuit.parameters)
        bound = self.circuit.assign_parameters(dict(zip(parameters, self.values(beta),
                                                        strict=True)))
        bound.metadata = dict(self.circuit.metadata)
        return bound

