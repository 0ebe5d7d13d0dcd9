"""Disordered 2D torus with flux and spin-orbit coupling: one parameterized template per step count.

The model (``disorder_2d.py``): U = e^{-iV dt/2} e^{-iH_x dt/2} e^{-iH_y dt}
e^{-iH_x dt/2} e^{-iV dt/2}, exact as a circuit.  Qubits: x register, y
register (little-endian), then the spin qubit with spin-orbit coupling.

- Without flux H_x and H_y are both diagonal in (k_x, k_y), so the hopping
  of a step is one QFT pair on both axes around the phase diagonals (the two
  x halves merge) and, with spin, the RX(k_x) . RY(k_y) . RX(k_x)
  multiplexors; every step costs one position diagonal of the energies.
- With flux each x hop is G_x^dag . [QFT_x, diagonal and RX on (k_x, y),
  QFT_x^dag] . G_x (``lattice_2d_hopping.py``), likewise y; the gauge
  diagonals merge with their neighbours: per step the energies, chi_x -
  chi_y and its negative.

Everything that depends on the realisation (energies, bond phases) and the
start (plane-wave momentum or site, spin) is a circuit parameter, so a
template is transpiled once and bound per realisation and start.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from qiskit import QuantumCircuit, QuantumRegister
from qiskit.circuit import ParameterExpression, ParameterVector, Qubit

from ..core.disorder_2d import Lattice2dDisorder, Lattice2dModel
from .fourier_frame import frame_momenta
from .lattice_2d_hopping import (
    append_band,
    append_qft,
    append_spin_rotation,
    band_angles,
    gauge_phases,
    ring_twists,
)
from .layout import WalkLayout
from .multiplexor import Angles, append_diagonal, diagonal_angles, rotation_angles

StartKind = Literal["plane-wave", "site"]
START_KINDS: tuple[StartKind, ...] = ("plane-wave", "site")


def _registers(circuit: QuantumCircuit) -> tuple[list[Qubit], list[Qubit], Qubit | None]:
    x, y = WalkLayout.axes(circuit)
    spin = next((reg[0] for reg in circuit.qregs if reg.name == "spin"), None)
    return x, y, spin


def _negated(vector: ParameterVector) -> list[ParameterExpression]:
    return [-p for p in vector]


@dataclass
class Lattice2dTemplate:
    """``steps`` split steps of ``model`` from a parameterized start, realisation as parameters."""

    circuit: QuantumCircuit
    model: Lattice2dModel
    steps: int
    start: StartKind

    @property
    def twisted(self) -> tuple[bool, bool]:
        """Whether the x / y hops carry bond phases (then they need the gauge blocks)."""
        return self.model.flux != "none", self.model.flux == "uniform"

    @classmethod
    def build(cls, model: Lattice2dModel, steps: int, start: StartKind = "plane-wave"
              ) -> Lattice2dTemplate:
        """Build the template: ``start`` is a plane wave (H and a phase per position qubit,
        no two-qubit gate) or a site (RY(pi bit) per qubit); the spin starts by RY(pi spin)."""
        if start not in START_KINDS:
            raise ValueError(f"unknown start {start!r}; use one of {START_KINDS}")
        layout = WalkLayout(2, model.axis_qubits)
        circuit = layout.new_circuit(f"lattice_2d_t{steps}", with_coin=False)
        if model.spinful:
            circuit.add_register(QuantumRegister(1, "spin"))
        template = cls(circuit, model, steps, start)
        template._append_start()
        if model.flux == "none":
            template._append_clean_steps()
        else:
            template._append_flux_steps()
        circuit.metadata = {"construction": "lattice-2d-split-step", "steps": steps,
                            "time": steps * model.dt, "flux": model.flux,
                            "spin_orbit": model.spin_orbit, "start": start}
        return template

    # -- construction -------------------------------------------------------------------
    def _append_start(self) -> None:
        x, y, spin = _registers(self.circuit)
        position = x + y
        start = ParameterVector("start", len(position))
        for qubit, angle in zip(position, start, strict=True):
            if self.start == "plane-wave":
                self.circuit.h(qubit)
                self.circuit.p(angle, qubit)
            else:
                self.circuit.ry(angle, qubit)
        if spin is not None:
            self.circuit.ry(ParameterVector("spin", 1)[0], spin)

    def _diagonals(self) -> list[Angles]:
        """The position diagonals before, between and after the steps (steps + 1 of them)."""
        size = 1 << (2 * self.model.axis_qubits)
        if self.steps == 0:
            return []
        first, last = ParameterVector("diag_first", size), ParameterVector("diag_last", size)
        if self.steps == 1:
            return [first, last]
        full = ParameterVector("diag_full", size)
        return [first] + [full] * (self.steps - 1) + [last]

    def _append_clean_steps(self) -> None:
        model, circuit = self.model, self.circuit
        x, y, spin = _registers(circuit)
        phases_x, rot_x = band_angles(model, model.dt / 2, None)
        phases_y, rot_y = band_angles(model, model.dt, None)
        layers = self._diagonals()
        for s in range(self.steps):
            append_diagonal(circuit, x + y, layers[s])
            append_qft(circuit, x)
            append_qft(circuit, y)
            append_diagonal(circuit, x, diagonal_angles(2 * phases_x))  # both x halves
            append_diagonal(circuit, y, diagonal_angles(phases_y))
            if spin is not None:
                chain_x, chain_y = rotation_angles(rot_x), rotation_angles(rot_y)
                append_spin_rotation(circuit, "x", x, spin, chain_x)
                append_spin_rotation(circuit, "y", y, spin, chain_y)
                append_spin_rotation(circuit, "x", x, spin, chain_x)
            append_qft(circuit, x, inverse=True)
            append_qft(circuit, y, inverse=True)
        if self.steps:
            append_diagonal(circuit, x + y, layers[self.steps])

    def _band_inputs(self, axis: str, twisted: bool) -> tuple[Angles, Angles | None]:
        """Angle vectors of the x (tau = dt/2) or y (tau = dt) band: parameters when twisted."""
        model = self.model
        size = 1 << (model.axis_qubits * (2 if twisted else 1))
        if twisted:
            return (ParameterVector(f"band_{axis}", size),
                    ParameterVector(f"spin_{axis}", size) if model.spinful else None)
        phases, rotations = band_angles(model, model.dt / 2 if axis == "x" else model.dt, None)
        return diagonal_angles(phases), rotation_angles(rotations) if model.spinful else None

    def _append_flux_steps(self) -> None:
        circuit = self.circuit
        x, y, spin = _registers(circuit)
        twist_x, twist_y = self.twisted
        band_x, band_y = self._band_inputs("x", twist_x), self._band_inputs("y", twist_y)
        controls_x = x + y if twist_x else x
        controls_y = y + x if twist_y else y
        gauge = ParameterVector("diag_gauge", 1 << (2 * self.model.axis_qubits))
        layers = self._diagonals()

        def hop_x() -> None:
            append_qft(circuit, x)
            append_band(circuit, "x", controls_x, spin, *band_x)
            append_qft(circuit, x, inverse=True)

        for s in range(self.steps):
            append_diagonal(circuit, x + y, layers[s])          # ... - chi_x
            hop_x()
            append_diagonal(circuit, x + y, gauge)              # chi_x - chi_y
            append_qft(circuit, y)
            append_band(circuit, "y", controls_y, spin, *band_y)
            append_qft(circuit, y, inverse=True)
            append_diagonal(circuit, x + y, _negated(gauge))    # chi_y - chi_x
            hop_x()
        if self.steps:
            append_diagonal(circuit, x + y, layers[self.steps])  # chi_x - ...

    # -- binding ------------------------------------------------------------------------
    @cached_property
    def _names(self) -> list[str]:
        return [p.name for p in self.circuit.parameters]

    def _start_values(self, start: tuple[int, int], spin: int) -> dict[str, np.ndarray]:
        model = self.model
        m, side = model.axis_qubits, model.side
        bits = np.array([(v >> j) & 1 for v in start for j in range(m)], dtype=float)
        if self.start == "plane-wave":
            powers = np.array([1 << j for _ in start for j in range(m)])
            momenta = np.repeat(np.asarray(start) % side, m)
            angles = np.mod(2 * np.pi * momenta * powers / side, 2 * np.pi)
        else:
            angles = np.pi * bits
        if spin not in (0, 1) or (spin and not model.spinful):
            raise ValueError(f"spin must be 0 or 1 (and 0 without spin-orbit), got {spin}")
        return {"start": angles, "spin": np.array([np.pi * spin])}

    def _check(self, disorder: Lattice2dDisorder) -> None:
        twist_x, twist_y = self.twisted
        if (not twist_x and np.any(disorder.a_x)) or (not twist_y and np.any(disorder.a_y)):
            raise ValueError(f"the realisation has bond phases that a template for flux "
                             f"{self.model.flux!r} cannot carry; draw it from the same model")

    def realisation_values(self, disorder: Lattice2dDisorder) -> dict[str, np.ndarray]:
        """Angle vectors of one realisation, by parameter-vector name."""
        self._check(disorder)
        model = self.model
        chi_x, chi_y = gauge_phases(disorder.a_x, disorder.a_y)
        half = -0.5 * model.dt * disorder.energies
        out = {"diag_first": diagonal_angles(half - chi_x),
               "diag_last": diagonal_angles(half + chi_x),
               "diag_full": diagonal_angles(2 * half),
               "diag_gauge": diagonal_angles(chi_x - chi_y)}
        phi_x, phi_y = ring_twists(disorder.a_x, disorder.a_y)
        for axis, tau, phi in (("x", model.dt / 2, phi_x), ("y", model.dt, phi_y)):
            phases, rotations = band_angles(model, tau, phi)
            out[f"band_{axis}"] = diagonal_angles(phases)
            out[f"spin_{axis}"] = rotation_angles(rotations)
        return out

    def values(self, disorder: Lattice2dDisorder, start: tuple[int, int], spin: int = 0
               ) -> np.ndarray:
        """Parameter values in ``circuit.parameters`` order.

        ``start``: the momentum (p_x, p_y) of the plane wave e^{2 pi i p.r / L}, or
        the site (x, y); ``spin``: the initial spin |0> or |1>.
        """
        vectors = {**self.realisation_values(disorder), **self._start_values(start, spin)}
        out = np.empty(len(self._names))
        for i, name in enumerate(self._names):
            vector, element = name.split("[")
            out[i] = vectors[vector][int(element[:-1])]
        return out

    def bind(self, disorder: Lattice2dDisorder, start: tuple[int, int], spin: int = 0
             ) -> QuantumCircuit:
        """The concrete circuit of one realisation and start."""
        return self.circuit.assign_parameters(self.values(disorder, start, spin))


def append_momentum_frame(circuit: QuantumCircuit) -> None:
    """The no-swap QFT on the x and y registers: afterwards register values are momenta.

    Register value i on an axis holds the physical momentum p = -bit_reverse(i)
    mod L (p as in e^{2 pi i p x / L}); :func:`momentum_probabilities` reorders.
    """
    x, y, _ = _registers(circuit)
    append_qft(circuit, x)
    append_qft(circuit, y)


def measure_momentum(circuit: QuantumCircuit) -> QuantumCircuit:
    """A copy that enters the momentum frame and measures every qubit (spin included)."""
    out = circuit.copy()
    append_momentum_frame(out)
    out.measure_all()
    return out


def register_momenta(axis_qubits: int) -> np.ndarray:
    """Physical momentum p (e^{2 pi i p x / L}) of each register value after the momentum frame."""
    return np.mod(-frame_momenta(axis_qubits), 1 << axis_qubits)


def momentum_probabilities(probabilities: np.ndarray, axis_qubits: int) -> np.ndarray:
    """Register probabilities (flat x + L*y + L^2*s) in the momentum frame -> P[s, p_y, p_x]."""
    side = 1 << axis_qubits
    register = np.asarray(probabilities).reshape(-1, side, side)
    order = register_momenta(axis_qubits)
    out = np.empty_like(register)
    out[:, order[:, None], order[None, :]] = register
    return out
