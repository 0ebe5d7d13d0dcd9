"""Continuous-time walk circuits: H = -J sum (|x><x+1| + h.c.) is diagonal in momentum.

exp(-i H t) = QFT^dag diag(exp(2 i J t cos(2 pi k / N))) QFT, exactly: no
Trotter error for the coherent walk.  With a dephasing marker the evolution
is cut into slices of dt, each [QFT, phase, QFT^dag, marker], so the channel
acts in the position basis between slices.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.circuit.library import DiagonalGate
from qiskit.synthesis import synth_qft_full

from .fourier_frame import append_inverse_qft, append_qft, frame_momenta
from .layout import WalkLayout
from .state_prep import prepare_position, prepare_position_fourier
from .timeline import append_save, save_points


def dispersion_phases(axis_qubits: int, hopping: float, time: float) -> np.ndarray:
    """exp(-i E(k) t), E(k) = -2 J cos(2 pi k / N), per register value of the no-swap frame."""
    side = 1 << axis_qubits
    k = frame_momenta(axis_qubits)
    return np.exp(2j * hopping * time * np.cos(2 * np.pi * k / side))


def _append_phases(circuit: QuantumCircuit, axes: list[list[Qubit]], hopping: float,
                   time: float) -> None:
    for axis in axes:  # the torus dispersion is a sum over axes: one diagonal per axis
        circuit.append(DiagonalGate(list(dispersion_phases(len(axis), hopping, time))), axis)


def build_ctqw(position_state: np.ndarray, hopping: float, time: float, axis_qubits: int,
               dimension: int = 1, slices: int = 1, slice_layer: QuantumCircuit | None = None,
               saves: Sequence[int] = ()) -> QuantumCircuit:
    """Circuit for exp(-i H time) |position_state>, optionally cut into marked slices.

    Without a marker the whole time is one diagonal layer between two QFTs
    (a single site enters the Fourier frame with single-qubit gates only).
    With ``slice_layer`` (noise markers, see ``noise.py``) each of ``slices``
    slices ends with the layer on the whole position register.  ``saves``
    (sliced circuits only: sorted slice counts <= ``slices``) adds a probability
    save of the position register after each of those slices (a timeline; for
    the coherent walk see :func:`build_ctqw_timeline`).
    """
    points = save_points(saves)
    if points and (slice_layer is None or max(points) > slices):
        raise ValueError("saves need a sliced circuit and slice counts <= slices")
    layout = WalkLayout(dimension, axis_qubits)
    circuit = layout.new_circuit(f"ctqw_t{time:g}", with_coin=False)
    axes = layout.axes(circuit)
    position = layout.position(circuit)
    if slice_layer is None:
        prepare_position_fourier(circuit, axes, position_state)
        _append_phases(circuit, axes, hopping, time)
        append_inverse_qft(circuit, axes)
    else:
        prepare_position(circuit, axes, position_state)
        if 0 in points:
            append_save(circuit, position, points[0])
        dt = time / slices
        for k in range(1, slices + 1):
            for axis in axes:
                circuit.compose(synth_qft_full(len(axis), do_swaps=False), axis, inplace=True)
            _append_phases(circuit, axes, hopping, dt)
            append_inverse_qft(circuit, axes)
            layout.append_layer(circuit, slice_layer, position)
            if k in points:
                append_save(circuit, position, points[k])
    circuit.metadata = {"construction": "qft-diagonal" if slice_layer is None else
                        "qft-diagonal-sliced", "site_offset": 0, "time": time, "slices": slices}
    return circuit


def build_ctqw_timeline(position_state: np.ndarray, hopping: float, times: Sequence[float],
                        axis_qubits: int, dimension: int = 1) -> QuantumCircuit:
    """The coherent walk's timeline: save i holds |exp(-i H times[i]) psi|^2 (sorted times).

    Not a prefix of the per-time circuits (each is one diagonal between two
    QFTs): the frame is entered once, and each time increment is a diagonal of
    ``times[i] - times[i-1]``, followed by the inverse QFT, the save and the
    QFT again (exact: the dispersion phases add up).
    """
    if list(times) != sorted(times) or (len(times) and times[0] < 0):
        raise ValueError(f"times must be sorted and >= 0 (got {list(times)})")
    layout = WalkLayout(dimension, axis_qubits)
    circuit = layout.new_circuit("ctqw_timeline", with_coin=False)
    axes = layout.axes(circuit)
    position = layout.position(circuit)
    prepare_position_fourier(circuit, axes, position_state)
    previous = 0.0
    for i, t in enumerate(times):
        if t != previous:
            _append_phases(circuit, axes, hopping, t - previous)
        previous = t
        append_inverse_qft(circuit, axes)
        append_save(circuit, position, i)
        if i + 1 < len(times):
            append_qft(circuit, axes)
    circuit.metadata = {"construction": "qft-diagonal-timeline", "site_offset": 0,
                        "times": list(times)}
    return circuit
