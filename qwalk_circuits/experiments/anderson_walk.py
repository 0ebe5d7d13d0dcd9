"""Disordered coined walk: clean (ballistic), static (Anderson-localized), dynamic (diffusive).

Random on-site phases (or per-site coins) frozen in time localize the walk:
sigma saturates and the averaged distribution has exponential tails.  The
same phases redrawn every step average to site dephasing with coherence
factor sinc^2(strength) per step (np.sinc(s) = sin(pi s)/(pi s)): at full
strength every step is a position measurement and the walk is the classical
random walk.  Schreiber et al., PRL 106, 180403 (2011).

``walsh-phase`` is the device-sized disorder (issue 15): a phase of degree 1 or
2 in the site's bits (``core/disorder.walk_disorder``), n(n-1) CX or none instead
of a 2^n - 2 CX diagonal, in the ``fourier`` (or ``fourier-line``) construction only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field
from qiskit import QuantumCircuit

from .. import analysis
from ..circuits import CONSTRUCTIONS, build_coined_walk, measure_position
from ..circuits.disordered_walk import (
    DISORDERED_CONSTRUCTIONS,
    DisorderedWalkTemplate,
    PackedWalk,
    build_packed_walk,
    layer_phases,
    layer_values,
)
from ..circuits.fast_forward import fast_forward_rough_cost
from ..circuits.multiplexor import append_diagonal, append_u3_multiplexor
from ..circuits.phase_polynomial import append_cheapest_diagonal
from ..circuits.timeline import Timeline, walk_offset, walk_site_offsets, walk_timeline_plan
from ..core.coins import resolve_coin, resolve_coin_state
from ..core.disorder import WalkDisorder, walk_disorder
from ..core.errors import ParameterError
from ..core.lattice_spec import (
    MAX_ENSEMBLE_TIMES,
    LatticeSpec,
    sample_steps,
)
from ..core.specs import Spec
from ..execution.compiler import ConstructionTarget
from ..reference import classical_walk_distributions
from ..reference.dephasing import coined_walk_dephasing_distributions
from ..reference.disordered import disordered_walk_states
from .auto import cheapest_construction
from .base import register
from .disordered_lattice import DisorderedLatticeExperiment


@dataclass(frozen=True)
class CleanTemplate:
    """A clean walk posing as a template without parameters (disorder = none)."""

    circuit: QuantumCircuit

    def values(self, disorder: WalkDisorder) -> np.ndarray:
        return np.zeros(0)

    def bind(self, disorder: WalkDisorder) -> QuantumCircuit:
        return self.circuit


class AndersonWalkSpec(LatticeSpec):
    """A 1D coined walk with static or dynamic site disorder, averaged over realisations."""

    position_qubits: int = Field(7, ge=1, description="qubits (2**n sites on the cycle)")
    steps: int = Field(32, ge=0, description="walk steps T")
    times: list[int] | None = Field(None, description="steps to measure; default: up to "
                                    f"{MAX_ENSEMBLE_TIMES} evenly spaced in 0..steps")
    coin: Any = Field("hadamard", description="coin of every site (see coined-walk)")
    initial_coin: Any = Field("symmetric", description="coin state (see coined-walk)")
    disorder: Literal["none", "static", "dynamic"] = Field(
        "static", description="none (clean walk), static (drawn once), dynamic (every step)")
    disorder_kind: Literal["phase", "coin-phase", "coin", "walsh-phase"] = Field(
        "phase", description="random on-site phase, phase per site and coin value, a "
        "random U3 coin rotation per site, or walsh-phase: a phase of degree walsh_order "
        "in the site's bits, sum_S a_S prod_(j in S) x_j with a_S uniform in strength * "
        "[-pi, pi) (one RZ per qubit; 2 CX per pair at order 2)")
    walsh_order: Literal[1, 2] = Field(2, description="degree in the bits of a walsh-phase "
                                       "layer: 1 (no two-qubit gate) or 2 (n(n-1) CX)")
    strength: float = Field(1.0, ge=0, le=1, description="fraction of the full range (1: "
                            "phases uniform in [0, 2 pi))")
    realisations: int = Field(20, ge=1, description="disorder realisations R averaged")
    disorder_seed: int = Field(0, ge=0, description="seed s: realisation r is "
                               "default_rng((s, r))")
    shift: Literal["auto", "increment", "fourier", "fourier-line", "fast-forward"] = Field(
        "auto", description="construction (fourier-line: line QFTs); fast-forward: clean only")

    def check(self) -> None:
        super().check()
        if self.dimension != 1:
            raise ParameterError("dimension", "anderson-walk is a 1D walk; use dimension=1")
        if self.disorder != "none" and self.realisations < 2:
            raise ParameterError("realisations", "an ensemble needs at least 2 realisations "
                                 "for an error bar; use realisations >= 2 (or disorder=none)")
        resolve_coin(self.coin, 1)
        resolve_coin_state(self.initial_coin, 1)
        if self.shift == "fast-forward" and self.disorder != "none":
            raise ParameterError("shift", "site disorder breaks translation invariance, so "
                                 "there is no fast-forward; use auto, increment or fourier")
        if self.shift == "increment" and self.walsh_disorder:
            raise ParameterError("shift", "a walsh-phase layer is cheap in site labels only "
                                 "(the increment's register holds x + t); use auto or fourier")
        if self.times is not None and [t for t in self.times if not 0 <= t <= self.steps]:
            raise ParameterError("times", f"each time must lie in 0..steps={self.steps}")

    @property
    def total_qubits(self) -> int:
        return self.position_qubits + 1

    @property
    def walsh_disorder(self) -> bool:
        """Whether the circuits carry walsh-phase layers (disordered, of that kind)."""
        return self.disorder != "none" and self.disorder_kind == "walsh-phase"

    @property
    def stepwise_construction(self) -> Literal["increment", "fourier"]:
        """The construction a timeline builds: fourier for static disorder (one shared
        phase vector) and for walsh-phase layers, increment otherwise (no QFT pair)."""
        return "fourier" if self.disorder == "static" or self.walsh_disorder else "increment"

    def measured_times(self) -> list[int]:
        if self.times is not None:
            return sorted(set(self.times))
        return sample_steps(self.steps, MAX_ENSEMBLE_TIMES)

    @property
    def effective_realisations(self) -> int:
        """A clean walk needs one realisation, whatever was asked."""
        return 1 if self.disorder == "none" else self.realisations


@register
class AndersonWalk(DisorderedLatticeExperiment[AndersonWalkSpec]):
    """Ballistic, localized or diffusive: one walk with clean, static or dynamic disorder."""

    name = "anderson-walk"
    summary = "coined walk with static (Anderson) or dynamic random phases/coins, averaged"
    spec_type: ClassVar[type[Spec]] = AndersonWalkSpec

    def times(self) -> list[int]:
        return self.spec.measured_times()

    def realisations(self) -> int:
        return self.spec.effective_realisations

    @cached_property
    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s = self.spec
        return resolve_coin(s.coin, 1), resolve_coin_state(s.initial_coin, 1), s.position_state()

    def disorder_of(self, realisation: int) -> WalkDisorder:
        """Realisation r of the spec's disorder (zero strength for the clean walk)."""
        s = self.spec
        layers = max(s.steps, 1) if s.disorder == "dynamic" else 1
        strength = 0.0 if s.disorder == "none" else s.strength
        return walk_disorder(s.disorder_seed, realisation, s.num_sites, layers, strength,
                             s.disorder_kind, s.walsh_order)

    def template(self, steps: int, construction: str) -> DisorderedWalkTemplate | CleanTemplate:
        """The walk for ``steps`` steps; the clean walk uses the clean constructions."""
        s = self.spec
        coin, coin_state, position = self._arrays
        if s.disorder == "none":
            return CleanTemplate(build_coined_walk(coin, position, coin_state, steps,
                                                   s.position_qubits, 1,
                                                   construction))  # type: ignore[arg-type]
        return DisorderedWalkTemplate.build(coin, position, coin_state, steps, s.position_qubits,
                                            construction, s.disorder_kind,  # type: ignore[arg-type]
                                            static=s.disorder != "dynamic",
                                            walsh_order=s.walsh_order)

    def _build(self, steps: int, construction: str) -> QuantumCircuit:
        return self.template(steps, construction).circuit

    def signature_side(self) -> int:
        """Static disorder narrows the walk: sigma below the clean walk's."""
        return -1 if self.spec.disorder == "static" else 0

    def no_effect_value(self) -> tuple[float, str] | None:
        """Static disorder shows as a width below the clean walk's: the clean walk's sigma at
        the last time (the dry run's "no effect"); None otherwise (the uniform default)."""
        if self.spec.disorder != "static":
            return None
        clean = type(self)(self.spec.model_copy(update={"disorder": "none"}))
        final = clean.reference_distributions()[-1]
        return float(clean.observables(final)["sigma"]), "the clean walk (no localization)"

    def allowed_constructions(self) -> tuple[str, ...]:
        """Site disorder rules out the fast-forward, walsh-phase layers the increment."""
        if self.spec.walsh_disorder:
            return ("fourier", "fourier-line")
        return CONSTRUCTIONS if self.spec.disorder == "none" else DISORDERED_CONSTRUCTIONS

    def build(self, steps: int, construction: str) -> QuantumCircuit:
        """Realisation 0, unmeasured (for resource reports)."""
        return self.template(steps, construction).bind(self.disorder_of(0))

    def step_circuit(self, steps: int) -> QuantumCircuit:
        """The template of ``steps`` steps in the spec's construction, else in the one the
        timeline builds (fourier for static disorder, increment otherwise)."""
        s = self.spec
        construction = s.shift if s.shift != "auto" else s.stepwise_construction
        return self.template(steps, construction).circuit

    def layer_circuits(self) -> dict[str, QuantumCircuit]:
        """One disorder layer alone (realisation 0), for its two-qubit cost."""
        s = self.spec
        if s.disorder_kind == "walsh-phase":
            circuit = QuantumCircuit(s.position_qubits + 1)
            append_cheapest_diagonal(circuit, circuit.qubits[:-1],
                                     self.disorder_of(0).phases[0, 0])  # type: ignore[index]
            return {f"walsh-phase (order {s.walsh_order}) disorder layer": circuit}
        phases, coins = layer_values(self.disorder_of(0), 0, "fourier",
                                     s.disorder_kind == "coin-phase")
        circuit = QuantumCircuit(s.position_qubits + 1)
        position, coin = circuit.qubits[:-1], circuit.qubits[-1]
        if phases is not None:
            append_diagonal(circuit, circuit.qubits if s.disorder_kind == "coin-phase"
                            else position, phases)
        if coins is not None:
            append_u3_multiplexor(circuit, coin, position, coins)
        return {f"{s.disorder_kind} disorder layer": circuit}

    @cached_property
    def _auto_costs(self) -> dict[tuple[str, ConstructionTarget, int], int]:
        return {}

    def constructions(self, target: ConstructionTarget) -> list[str]:
        if self.spec.shift != "auto":
            return [self.spec.shift] * len(self.times())
        s = self.spec
        rough = float(fast_forward_rough_cost(1, s.position_qubits))
        return [cheapest_construction(self._build, t, target, self.allowed_constructions(),
                                      self._auto_costs, lambda _: rough) for t in self.times()]

    @cached_property
    def _templates(self) -> dict[ConstructionTarget, list[DisorderedWalkTemplate | CleanTemplate]]:
        return {}

    def walk_templates(self, target: ConstructionTarget
                       ) -> list[DisorderedWalkTemplate | CleanTemplate]:
        if target not in self._templates:
            self._templates[target] = [self.template(t, c) for t, c in
                                       zip(self.times(), self.constructions(target), strict=True)]
        return self._templates[target]

    def templates(self, target: ConstructionTarget) -> list[QuantumCircuit]:
        return [measure_position(template.circuit) for template in self.walk_templates(target)]

    def template_values(self, index: int, template: QuantumCircuit) -> np.ndarray:
        walk = next(w for built in self._templates.values() for w in built
                    if w.circuit.name == template.name)
        return np.array([walk.values(self.disorder_of(r)) for r in range(self.realisations())])

    def reference_ensemble(self) -> list[np.ndarray]:
        """The exact ensemble, computed once (the summary and the finite-size guard read it)."""
        return list(self._reference_ensemble)

    @cached_property
    def _reference_ensemble(self) -> list[np.ndarray]:
        coin, coin_state, position = self._arrays
        initial = np.outer(coin_state, position)
        times = self.times()
        out = np.empty((len(times), self.realisations(), self.spec.num_sites))
        for r in range(self.realisations()):
            d = self.disorder_of(r)
            states = disordered_walk_states(coin, initial, times, d.phases, d.coin_angles)
            for i, t in enumerate(times):
                out[i, r] = np.sum(np.abs(states[t]) ** 2, axis=0)
        return list(out)

    def classical_distributions(self) -> list[np.ndarray]:
        out = classical_walk_distributions(self.spec.start_distribution(), self.times(), 1)
        return [out[t] for t in self.times()]

    def dephasing_probability(self) -> float | None:
        """p of the site-dephased walk that dynamic coin-independent phases average to:
        1 - sinc(strength)^2 for i.i.d. phases; 1 for walsh-phase at full strength (every
        phase difference uniform on the circle: a position measurement each step), None
        below it (the coherence of x, y then depends on which bits differ) and otherwise."""
        s = self.spec
        if s.disorder != "dynamic":
            return None
        if s.disorder_kind == "phase":
            return 1 - float(np.sinc(s.strength)) ** 2
        if s.disorder_kind == "walsh-phase" and s.strength == 1:
            return 1.0
        return None

    def dephasing_equivalent(self) -> list[np.ndarray] | None:
        """For dynamic coin-independent phases: the site-dephased walk the ensemble averages to."""
        p = self.dephasing_probability()
        if p is None:
            return None
        coin, coin_state, position = self._arrays
        out = coined_walk_dephasing_distributions(coin, np.outer(coin_state, position),
                                                  self.times(), 1, "position", p)
        return [out[t] for t in self.times()]

    def extra_results(self) -> dict[str, Any]:
        equivalent = self.dephasing_equivalent()
        p = self.dephasing_probability()
        if equivalent is None or p is None:
            return {}
        return {"dephasing_equivalent": {
            "p": p, "sigma": [analysis.observables(q, self.spec.origin(), 1)["sigma"]
                              for q in equivalent]}}

    def timeline_template(self, target: ConstructionTarget = "all-to-all") -> Timeline | None:
        """One template of max(times) steps, saved after each measured step, bound per
        realisation with :meth:`timeline_values`: one value table for every time (static
        disorder repeats its layer, dynamic disorder gives each step its own).

        Built for the simulator: static disorder as ``fourier`` (physical labels: one
        phase vector shared by every step, so binding a member is cheap), dynamic as
        ``increment`` (no QFT pair per step); rolled to the per-time templates' labels.
        Both constructions are in the position basis between steps, so it is their
        prefix when they use the same construction.  The clean walk is the coined walk's
        timeline (one member, no parameters).
        """
        s = self.spec
        coin, coin_state, position = self._arrays
        times = self.times()
        constructions = self.constructions(target)
        if s.disorder == "none":
            if s.shift == "fast-forward":  # asked for the jump itself: run it (None)
                return None
            construction, relabel, prefix = walk_timeline_plan(
                constructions, times, self.allowed_constructions(), s.position_qubits)
            circuit = build_coined_walk(coin, position, coin_state, max(times),
                                        s.position_qubits, 1,
                                        construction, saves=times)  # type: ignore[arg-type]
            timeline = Timeline.of(circuit, len(times), construction, relabel, prefix)
            timeline.site_offsets = walk_site_offsets(constructions, times, s.position_qubits)
            return timeline
        static = s.disorder != "dynamic"
        stepwise = s.stepwise_construction
        relabel = [(walk_offset(c, t, s.position_qubits)
                    - walk_offset(stepwise, t, s.position_qubits)) % s.num_sites
                   for c, t in zip(constructions, times, strict=True)]
        walk = DisorderedWalkTemplate.build(coin, position, coin_state, max(times),
                                            s.position_qubits, stepwise, s.disorder_kind,
                                            static=static, saves=times,
                                            walsh_order=s.walsh_order)
        timeline = Timeline.of(walk.circuit, len(times), stepwise, relabel,
                               all(c == stepwise for c in constructions), walk)
        timeline.site_offsets = walk_site_offsets(constructions, times, s.position_qubits)
        return timeline

    def timeline_values(self, timeline: Timeline) -> np.ndarray:
        if timeline.template is None:
            return np.zeros((self.realisations(), 0))
        return np.array([timeline.template.values(self.disorder_of(r))
                         for r in range(self.realisations())]).reshape(
            self.realisations(), timeline.circuit.num_parameters)

    def timeline_members(self, size: int, target: str = "all-to-all") -> Timeline | None:
        """Phase disorder: up to ``size`` members in one state (``build_packed_walk``: one
        diagonal per step holds every member's phases), in :meth:`timeline_template`'s
        construction and labels; None for coin disorder and the clean walk."""
        s = self.spec
        if s.disorder == "none" or s.disorder_kind == "coin" or size < 1:
            return None
        coin, coin_state, position = self._arrays
        times = self.times()
        static = s.disorder != "dynamic"
        construction: Literal["increment", "fourier"] = "fourier" if static else "increment"
        dependent = s.disorder_kind == "coin-phase"
        steps = max(times)
        qubits = max(1, (size - 1).bit_length())

        def layers(members: Sequence[int]) -> list[np.ndarray]:
            disorders = [self.disorder_of(r) for r in members]
            if static:
                return [np.array([layer_phases(d, 0, construction, dependent)
                                  for d in disorders])] * steps
            return [np.array([layer_phases(d, t, construction, dependent) for d in disorders])
                    for t in range(steps)]

        circuit = build_packed_walk(coin, position, coin_state, steps, s.position_qubits,
                                    construction, qubits, dependent, times)
        relabel = [(walk_offset(c, t, s.position_qubits)
                    - walk_offset(construction, t, s.position_qubits)) % s.num_sites
                   for c, t in zip(self.constructions(target), times, strict=True)]
        timeline = Timeline.of(circuit, len(times), f"{construction}+packed", relabel,
                               template=PackedWalk(layers, qubits))
        timeline.members = 1 << qubits
        timeline.member_qubits = qubits
        timeline.site_offsets = walk_site_offsets(self.constructions(target), times,
                                                  s.position_qubits)
        return timeline
