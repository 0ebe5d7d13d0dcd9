"""Coined quantum walk circuits: one builder, several exact constructions of the shift.

``fourier-line`` and ``fast-forward-line`` are ``fourier`` and ``fast-forward`` with
the frame's QFTs synthesised for nearest-neighbour hardware (``synth_qft_line``, the
faithful QFT: the frame is then read on each axis backwards, see
:func:`.fourier_frame.frame_qft`); ``auto`` sees on which targets they are cheaper by
transpiling them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.circuit.library import UnitaryGate

from .fast_forward import append_fast_forward
from .fourier_frame import QftSynthesis, append_inverse_qft, append_qft, frame_qubits
from .layout import WalkLayout
from .shift_fourier import (
    append_frame_phases,
    append_phase_layer_1d,
    append_phase_layer_2d,
)
from .shift_increment import append_shift_1d_deferred, append_shift_2d
from .state_prep import prepare_position, prepare_position_fourier, prepare_vector
from .timeline import append_save, save_points

Construction = Literal["increment", "fourier", "fast-forward", "fourier-line",
                       "fast-forward-line"]
CONSTRUCTIONS: tuple[Construction, ...] = ("increment", "fourier", "fast-forward",
                                           "fourier-line", "fast-forward-line")
LINE_SUFFIX = "-line"
LayerTarget = Literal["coin", "position"]
MARKED_CONSTRUCTIONS: dict[str, tuple[Construction, ...]] = {
    "coin": ("increment", "fourier"), "position": ("increment",)}


def construction_parts(construction: str) -> tuple[str, QftSynthesis]:
    """(the shift's construction, the frame's QFT synthesis): ``fourier-line`` is
    (``fourier``, ``line``); a construction without the suffix uses ``full``."""
    if construction.endswith(LINE_SUFFIX):
        return construction[: -len(LINE_SUFFIX)], "line"
    return construction, "full"


def _mark(circuit: QuantumCircuit, layer: QuantumCircuit | None, axes: list[list[Qubit]],
          coin_qubits: list[Qubit], layer_on: LayerTarget) -> None:
    if layer is not None:
        WalkLayout.append_layer(circuit, layer, coin_qubits if layer_on == "coin" else
                                [q for axis in axes for q in axis])


def build_coined_walk(coin: np.ndarray, position_state: np.ndarray, coin_state: np.ndarray,
                      steps: int, axis_qubits: int, dimension: int = 1,
                      construction: Construction = "fourier",
                      step_layer: QuantumCircuit | None = None,
                      layer_on: LayerTarget = "coin", saves: Sequence[int] = ()
                      ) -> QuantumCircuit:
    """Circuit of ``steps`` walk steps U = S (C x 1) from |position_state> (x) |coin_state>.

    ``position_state`` is the flat amplitude vector (index x + L*y); the circuit
    carries no measurement (see :func:`measure_position`).  Its metadata holds
    ``site_offset``: the circuit's register value is the physical site plus
    this offset (mod the number of sites), non-zero only for the deferred 1D
    increment construction.

    ``step_layer`` (noise markers a noise model acts on, see ``noise.py``) is
    appended after every step on the coin or the position register.  A
    position layer needs the position basis (``increment``); no layer fits
    ``fast-forward``, whose steps do not exist one by one.

    ``saves`` (sorted step counts <= ``steps``) makes a timeline (see
    ``timeline.py``): a probability save of the position register after each
    of those steps.  ``increment`` saves in place; ``fourier`` leaves the
    frame to save (the frame phases so far, the inverse QFT) and re-enters
    it (the QFT); ``fast-forward`` has no intermediate steps and refuses.
    """
    if construction not in CONSTRUCTIONS:
        raise ValueError(f"unknown construction {construction!r}; choose one of {CONSTRUCTIONS}")
    shift, synthesis = construction_parts(construction)
    if step_layer is not None and construction not in MARKED_CONSTRUCTIONS[layer_on]:
        raise ValueError(f"a {layer_on} layer after each step needs one of "
                         f"{MARKED_CONSTRUCTIONS[layer_on]}, not {construction!r}")
    points = save_points(saves)
    if points and (max(points) > steps or shift == "fast-forward"):
        raise ValueError("saves need step counts <= steps and a step-by-step construction "
                         "(increment or fourier), not fast-forward")
    layout = WalkLayout(dimension, axis_qubits)
    circuit = layout.new_circuit(f"coined_walk_{construction}_t{steps}")
    axes, coin_qubits = layout.axes(circuit), layout.coin(circuit)
    position = [q for axis in axes for q in axis]
    frame = [frame_qubits(axis, synthesis) for axis in axes]  # the axes in the Fourier frame
    prepare_vector(circuit, coin_qubits, coin_state)
    coin_gate = UnitaryGate(coin, label="coin")
    site_offset = 0
    if steps == 0:
        prepare_position(circuit, axes, position_state)
        if 0 in points:
            append_save(circuit, position, points[0])
    elif shift == "increment":
        prepare_position(circuit, axes, position_state)
        if 0 in points:
            append_save(circuit, position, points[0])
        for step in range(1, steps + 1):
            circuit.append(coin_gate, coin_qubits)
            if dimension == 1:
                append_shift_1d_deferred(circuit, axes[0], coin_qubits[0])
            else:
                append_shift_2d(circuit, axes, coin_qubits)
            _mark(circuit, step_layer, axes, coin_qubits, layer_on)
            if step in points:
                append_save(circuit, position, points[step])
        site_offset = steps % layout.side if dimension == 1 else 0
    elif shift == "fourier":
        prepare_position_fourier(circuit, frame, position_state)
        applied = 0  # steps whose deferred frame phases are in the circuit

        def save_here(step: int) -> None:
            nonlocal applied
            append_frame_phases(circuit, frame[0], step - applied)
            applied = step
            append_inverse_qft(circuit, axes, synthesis)
            append_save(circuit, position, points[step])
            if step < steps:
                append_qft(circuit, axes, synthesis)

        if 0 in points:
            save_here(0)
        for step in range(1, steps + 1):
            circuit.append(coin_gate, coin_qubits)
            if dimension == 1:
                append_phase_layer_1d(circuit, frame[0], coin_qubits[0])
            else:
                append_phase_layer_2d(circuit, frame, coin_qubits)
            _mark(circuit, step_layer, axes, coin_qubits, layer_on)
            if step in points:
                save_here(step)
        if steps not in points:
            append_frame_phases(circuit, frame[0], steps - applied)
            append_inverse_qft(circuit, axes, synthesis)
    else:  # fast-forward
        prepare_position_fourier(circuit, frame, position_state)
        append_fast_forward(circuit, frame, coin_qubits, coin, steps)
        append_inverse_qft(circuit, axes, synthesis)
    circuit.metadata = {"construction": construction, "steps": steps, "dimension": dimension,
                        "axis_qubits": axis_qubits, "site_offset": site_offset}
    return circuit


def measure_position(circuit: QuantumCircuit) -> QuantumCircuit:
    """A copy that measures the position register into ``position`` (index x + L*y)."""
    position = WalkLayout.position(circuit)
    measured = circuit.copy()
    measured.metadata = dict(circuit.metadata or {})  # its own dict: callers may add keys
    register = ClassicalRegister(len(position), "position")
    measured.add_register(register)
    measured.measure(position, register)
    return measured
