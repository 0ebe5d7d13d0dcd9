"""The continuous-time quantum walk, coherent: sigma = sqrt(2) J t until the front wraps."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

import numpy as np
from pydantic import Field
from qiskit import QuantumCircuit

from ..circuits import build_ctqw, measure_position
from ..circuits.ctqw import build_ctqw_timeline
from ..circuits.timeline import Timeline
from ..core.lattice_spec import MAX_DEFAULT_TIMES, LatticeSpec, sample_steps, thinned_grid_warning
from ..core.specs import Spec
from ..execution.compiler import ConstructionTarget
from ..reference.classical_walk import classical_ctrw_distributions
from ..reference.ctqw import ctqw_states
from .base import register
from .lattice import LatticeExperiment

MAX_MEASURED_POINTS = 1001


class ContinuousTimeSpec(Spec):
    """Hopping J and the time grid of a continuous-time walk."""

    hopping: float = Field(1.0, gt=0, description="hopping amplitude J (hbar = 1)")
    time: float = Field(6.0, gt=0, description="final time t (units of 1/J when J = 1)")
    time_steps: int = Field(24, ge=1, description="time slices; measured at up to 25 of them")
    measured_points: int | None = Field(
        None, ge=2, le=MAX_MEASURED_POINTS, description="time points measured, evenly spaced "
        "in slices, ends included (default: every slice up to 25, 13 for an ensemble)")
    #: time points measured when ``measured_points`` is not given
    default_points: ClassVar[int] = MAX_DEFAULT_TIMES

    @property
    def dt(self) -> float:
        return self.time / self.time_steps

    def measured_slices(self) -> list[int]:
        """Slice counts k (time k * dt) at which a circuit is measured."""
        return sample_steps(self.time_steps, self.measured_points or self.default_points)

    def warnings(self) -> list[str]:
        """A thinned-out grid is said, not silent (unless measured_points chose it)."""
        if self.measured_points is not None:
            return [*super().warnings()]
        return [*super().warnings(), *thinned_grid_warning(
            len(self.measured_slices()), self.time_steps + 1, "slice times",
            f"set measured_points={min(self.time_steps + 1, MAX_MEASURED_POINTS)} to measure "
            "each")]

    def measured_times(self) -> list[float]:
        return [k * self.dt for k in self.measured_slices()]


class CtqwSpec(LatticeSpec, ContinuousTimeSpec):
    """H = -J sum (|x><x+1| + h.c.) on a cycle or torus, measured at evenly spaced times."""


@register
class Ctqw(LatticeExperiment[CtqwSpec]):
    """Coherent continuous-time walk vs the classical continuous-time random walk."""

    name = "ctqw"
    summary = "continuous-time quantum walk (exact QFT circuit) vs the classical random walk"
    spec_type: ClassVar[type[Spec]] = CtqwSpec

    def times(self) -> list[float]:
        return self.spec.measured_times()

    @cached_property
    def _position(self) -> np.ndarray:
        return self.spec.position_state()

    def circuits(self, target: ConstructionTarget = "all-to-all") -> list[QuantumCircuit]:
        s = self.spec
        return [measure_position(build_ctqw(self._position, s.hopping, t, s.position_qubits,
                                            s.dimension)) for t in self.times()]

    def reference_distributions(self) -> list[np.ndarray]:
        return list(self._reference)

    @cached_property
    def _reference(self) -> list[np.ndarray]:
        """Computed once: the summary and the finite-size guard both read it."""
        states = ctqw_states(self._position, self.spec.hopping, self.times(), self.spec.side,
                             self.spec.dimension)
        return [np.abs(states[t]) ** 2 for t in self.times()]

    def classical_distributions(self) -> list[np.ndarray] | None:
        out = classical_ctrw_distributions(self.spec.start_distribution(), self.spec.hopping,
                                           self.times(), self.spec.dimension)
        return [out[t] for t in self.times()]

    def work_steps(self) -> list[int]:
        return self.spec.measured_slices()

    def step_circuit(self, steps: int) -> QuantumCircuit:
        """The walk to ``steps`` slices: one diagonal between two QFTs, flat in time."""
        s = self.spec
        return build_ctqw(self._position, s.hopping, steps * s.dt, s.position_qubits,
                          s.dimension)

    def reference_steps(self) -> int:
        """The coherent walk's reference diagonalises H: flat in time."""
        return 0

    def reference_bytes(self) -> int:
        """H and its eigenvectors, dense over the sites (and the classical walk's
        generator, the same size)."""
        return 48 * self.spec.num_sites**2

    def timeline(self, target: ConstructionTarget = "all-to-all") -> Timeline | None:
        """The frame entered once, a dispersion diagonal per time increment, and the frame
        left to save each time (exact; not a prefix of the per-time circuits)."""
        s = self.spec
        circuit = build_ctqw_timeline(self._position, s.hopping, self.times(),
                                      s.position_qubits, s.dimension)
        return Timeline.of(circuit, len(self.times()), "qft-diagonal-timeline")
