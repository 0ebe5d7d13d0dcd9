"""Anderson CTQW circuits: the hopping walk with on-site energies, by symmetric split steps.

Each slice of dt is exp(-i V dt/2) exp(-i H0 dt) exp(-i V dt/2): H0 exactly
as in ``ctqw.py`` (QFT, dispersion diagonal, inverse QFT) and V the on-site
energies as a position diagonal (``multiplexor.py``, 2^n - 2 CX).  Adjacent
half-slices merge, so S slices take S + 1 diagonals; for static disorder
the first and last are the same half-slice vector and the inner ones share a
full-slice vector.  The energies enter only as parameters: one template,
bound per realisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import DiagonalGate
from qiskit.synthesis import synth_qft_full

from .ctqw import dispersion_phases
from .fourier_frame import append_inverse_qft
from .layout import WalkLayout
from .multiplexor import append_diagonal, diagonal_angle_count, diagonal_angles
from .state_prep import prepare_position
from .timeline import append_save, save_points


def merged_phases(energies: np.ndarray, dt: float, slices: int) -> list[np.ndarray]:
    """The S + 1 diagonal phase layers of S split slices; ``energies`` (layers, N)."""
    def layer(s: int) -> np.ndarray:
        return energies[s if energies.shape[0] > 1 else 0]
    if slices == 0:
        return []
    out = [-0.5 * dt * layer(0)]
    out += [-0.5 * dt * (layer(s - 1) + layer(s)) for s in range(1, slices)]
    out.append(-0.5 * dt * layer(slices - 1))
    return out


@dataclass
class AndersonCtqwTemplate:
    """``slices`` split steps of dt from a position state, with parameterized energies."""

    circuit: QuantumCircuit
    slices: int
    static: bool

    @classmethod
    def build(cls, position_state: np.ndarray, hopping: float, dt: float, slices: int,
              axis_qubits: int, static: bool, saves: Sequence[int] = ()
              ) -> AndersonCtqwTemplate:
        """The template of ``slices`` slices; ``saves`` (sorted slice counts <= slices):
        a timeline, with a probability save after each of those slices' inverse QFT,
        before the merged energy diagonal (a position phase: it does not change the
        probabilities, so save k equals the k-slice circuit's outcome without being
        its prefix; the parameters and values are those of the ``slices`` template)."""
        points = save_points(saves)
        if points and max(points) > slices:
            raise ValueError(f"saves must be slice counts <= slices={slices}")
        layout = WalkLayout(1, axis_qubits)
        circuit = layout.new_circuit(f"anderson_ctqw_s{slices}", with_coin=False)
        position = layout.axes(circuit)[0]
        prepare_position(circuit, [position], position_state)
        size = diagonal_angle_count(axis_qubits)
        if static:
            half, full = ParameterVector("half", size), ParameterVector("full", size)
            layers = [half] + [full] * (slices - 1) + [half] if slices else []
        else:
            layers = [ParameterVector(f"layer_{s:04d}", size) for s in range(slices + 1)]
        kinetic = DiagonalGate(list(dispersion_phases(axis_qubits, hopping, dt)))
        if 0 in points:
            append_save(circuit, position, points[0])
        for s in range(slices):
            append_diagonal(circuit, position, layers[s])
            circuit.compose(synth_qft_full(axis_qubits, do_swaps=False), position, inplace=True)
            circuit.append(kinetic, position)
            append_inverse_qft(circuit, [position])
            if s + 1 in points:
                append_save(circuit, position, points[s + 1])
        if slices:
            append_diagonal(circuit, position, layers[slices])
        circuit.metadata = {"construction": "split-step", "site_offset": 0, "slices": slices,
                            "time": slices * dt}
        return cls(circuit, slices, static)

    @cached_property
    def _names(self) -> list[str]:
        return [p.name for p in self.circuit.parameters]

    def values(self, energies: np.ndarray, dt: float) -> np.ndarray:
        """Parameter values for energies shaped (layers, N), in the circuit's order."""
        layers = merged_phases(energies, dt, self.slices)
        if not layers:
            return np.zeros(0)
        if self.static:
            vectors = {"half": diagonal_angles(layers[0]),
                       "full": diagonal_angles(layers[1]) if self.slices > 1 else None}
        else:
            vectors = {f"layer_{s:04d}": diagonal_angles(v) for s, v in enumerate(layers)}
        out = np.empty(len(self._names))
        for i, name in enumerate(self._names):
            vector, element = name.split("[")
            out[i] = vectors[vector][int(element[:-1])]  # type: ignore[index]
        return out
