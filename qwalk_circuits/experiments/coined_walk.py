"""The coined quantum walk on a cycle (1D) or a torus (2D), against the classical walk."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field
from qiskit import QuantumCircuit

from ..circuits import CONSTRUCTIONS, build_coined_walk, measure_position
from ..circuits.fast_forward import fast_forward_rough_cost
from ..circuits.timeline import Timeline, walk_site_offsets, walk_timeline_plan
from ..core.coins import resolve_coin, resolve_coin_state
from ..core.errors import ParameterError
from ..core.lattice_spec import LatticeSpec, sample_steps
from ..core.specs import Spec
from ..execution.compiler import ConstructionTarget
from ..reference import classical_walk_distributions, coined_walk_distributions
from .auto import FLAT_IN_T, cheapest_construction
from .base import register
from .lattice import LatticeExperiment


class CoinedWalkSpec(LatticeSpec):
    """Parameters of a coined walk; ``position_qubits`` is per axis in 2D."""

    steps: int = Field(24, ge=0, description="walk steps T")
    coin: Any = Field(None, description="hadamard|balanced|flip|identity (1D), grover|hadamard|"
                      "dft|identity (2D), U3 angles [theta, phi, lambda], or a unitary matrix; "
                      "default hadamard (1D) / grover (2D)")
    initial_coin: Any = Field("symmetric", description="symmetric|0|1|plus|minus (1D), "
                              "symmetric|uniform|0..3 (2D), or amplitudes")
    shift: Literal["auto", "increment", "fourier", "fast-forward", "fourier-line",
                   "fast-forward-line"] = Field("auto", description="construction (see "
                                                "circuits/coined_walk.py); -line: the QFT "
                                                "synthesised for nearest-neighbour hardware")
    times: list[int] | None = Field(None, description="steps to measure; default: up to 25 "
                                    "evenly spaced in 0..steps")

    def coin_matrix(self) -> np.ndarray:
        default = "hadamard" if self.dimension == 1 else "grover"
        return resolve_coin(default if self.coin is None else self.coin, self.dimension)

    def coin_state(self) -> np.ndarray:
        return resolve_coin_state(self.initial_coin, self.dimension)

    def measured_times(self) -> list[int]:
        if self.times is not None:
            return sorted(set(self.times))
        return sample_steps(self.steps)

    @property
    def total_qubits(self) -> int:
        return self.dimension * (self.position_qubits + 1)

    def check(self) -> None:
        super().check()
        self.coin_matrix()
        self.coin_state()
        if self.times is not None:
            bad = [t for t in self.times if not 0 <= t <= self.steps]
            if bad or not self.times:
                raise ParameterError("times", f"each time must lie in 0..steps={self.steps} "
                                     f"(got {bad or self.times})")


@register
class CoinedWalk(LatticeExperiment[CoinedWalkSpec]):
    """Hadamard (or any coin) walk: ballistic quantum spreading vs the classical sqrt(t)."""

    name = "coined-walk"
    summary = "coined quantum walk (1D cycle or 2D torus) vs the classical random walk"
    spec_type: ClassVar[type[Spec]] = CoinedWalkSpec

    def times(self) -> list[int]:
        return self.spec.measured_times()

    def allowed_constructions(self) -> tuple[str, ...]:
        """The constructions this experiment can use (all of them for the coherent walk)."""
        return CONSTRUCTIONS

    def step_layer(self) -> tuple[QuantumCircuit | None, str]:
        """A noise layer to append after each step, and where (none for the coherent walk)."""
        return None, "coin"

    def constructions(self, target: ConstructionTarget) -> list[str]:
        """The construction used at each time: the requested one, or the cheapest."""
        allowed = self.allowed_constructions()
        if self.spec.shift != "auto":
            if self.spec.shift not in allowed:
                raise ParameterError("shift", f"{self.name} needs one of {list(allowed)} "
                                     f"(got {self.spec.shift!r})")
            return [self.spec.shift] * len(self.times())
        return [cheapest_construction(self.measured, t, target, allowed, self._auto_costs,
                                      self._rough_cost) for t in self.times()]

    def _rough_cost(self, construction: str) -> float:
        """Two-qubit gates of the fast-forward multiplexors, about 2^controls each."""
        s = self.spec
        return float(fast_forward_rough_cost(s.dimension, s.position_qubits))

    @cached_property
    def _auto_costs(self) -> dict[tuple[str, ConstructionTarget, int], int]:
        return {}

    def build(self, steps: int, construction: str) -> QuantumCircuit:
        """The unmeasured walk circuit for ``steps`` steps by ``construction``."""
        s = self.spec
        layer, layer_on = self.step_layer()
        return build_coined_walk(self._coin, self._position, self._coin_state, steps,
                                 s.position_qubits, s.dimension, construction,  # type: ignore[arg-type]
                                 step_layer=layer, layer_on=layer_on)  # type: ignore[arg-type]

    @cached_property
    def _coin(self) -> np.ndarray:
        return self.spec.coin_matrix()

    @cached_property
    def _coin_state(self) -> np.ndarray:
        return self.spec.coin_state()

    @cached_property
    def _position(self) -> np.ndarray:
        return self.spec.position_state()

    def measured(self, steps: int, construction: str) -> QuantumCircuit:
        """The measured walk circuit, built once per (steps, construction): ``auto`` prices
        the very circuit that then runs, so a target's compiler transpiles it once."""
        key = (steps, construction)
        if key not in self._measured:
            self._measured[key] = measure_position(self.build(steps, construction))
        return self._measured[key]

    @cached_property
    def _measured(self) -> dict[tuple[int, str], QuantumCircuit]:
        return {}

    def circuits(self, target: ConstructionTarget = "all-to-all") -> list[QuantumCircuit]:
        return [self.measured(t, c)
                for t, c in zip(self.times(), self.constructions(target), strict=True)]

    def step_construction(self) -> str:
        """The construction the work estimate counts: the spec's shift, else the first
        step-by-step one allowed (what a timeline builds; ``auto`` would price every time
        by building it, which is the work being estimated)."""
        allowed = self.allowed_constructions()
        if self.spec.shift != "auto":
            return self.spec.shift
        return next((c for c in ("increment", "fourier") if c in allowed), allowed[0])

    def step_circuit(self, steps: int) -> QuantumCircuit:
        return self.build(steps, self.step_construction())

    def _initial_array(self) -> np.ndarray:
        shape = (2 * self.spec.dimension,) + (self.spec.side,) * self.spec.dimension
        return np.multiply.outer(self._coin_state, self._position).reshape(shape)

    def reference_distributions(self) -> list[np.ndarray]:
        return list(self._reference)

    @cached_property
    def _reference(self) -> list[np.ndarray]:
        """Computed once: the summary and the finite-size guard both read it."""
        out = coined_walk_distributions(self._coin, self._initial_array(), self.times(),
                                        self.spec.dimension)
        return [out[t] for t in self.times()]

    def classical_distributions(self) -> list[np.ndarray]:
        out = classical_walk_distributions(self.spec.start_distribution(), self.times(),
                                           self.spec.dimension)
        return [out[t] for t in self.times()]

    def timeline(self, target: ConstructionTarget = "all-to-all") -> Timeline | None:
        """All times in one walk of max(times) steps, saved after each measured step: the
        per-time construction when they share a step-by-step one, else the last time's
        (a fast-forward, which has no intermediate steps, becomes ``fourier``); rolled to
        each per-time circuit's ``site_offset``.  A prefix of the per-time circuits when
        they are all ``increment``.  None when the spec asks for ``fast-forward`` itself: a
        timeline could only replace it, so the per-time circuits run as asked."""
        s = self.spec
        if s.shift in FLAT_IN_T:
            return None
        times = self.times()
        construction, relabel, prefix = walk_timeline_plan(
            self.constructions(target), times, self.allowed_constructions(),
            s.position_qubits, s.dimension)
        layer, layer_on = self.step_layer()
        circuit = build_coined_walk(self._coin, self._position, self._coin_state, max(times),
                                    s.position_qubits, s.dimension,
                                    construction,  # type: ignore[arg-type]
                                    step_layer=layer, layer_on=layer_on,  # type: ignore[arg-type]
                                    saves=times)
        timeline = Timeline.of(circuit, len(times), construction, relabel, prefix)
        timeline.site_offsets = walk_site_offsets(self.constructions(target), times,
                                                  s.position_qubits, s.dimension)
        return timeline
