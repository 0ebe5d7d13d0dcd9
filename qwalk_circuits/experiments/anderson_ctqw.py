"""Anderson model in continuous time: H = -J sum (|x><x+1| + h.c.) + sum eps_x |x><x|.

With static energies uniform in [-W/2, W/2] the spreading stops at the
localization length (xi ~ 105 J^2/W^2 at the band centre, from transfer
matrices in ``reference/anderson.py``); redrawn every slice they average to
dephasing and the packet diffuses.  ``potential=aubry-andre`` puts the
quasi-periodic eps_x = W cos(2 pi beta x + phi) there instead (one phase per
realisation): extended below W = 2J, localized above with xi = 1/ln(W/2J)
(``reference/aubry_andre.py``).  The circuit and the reference both
implement the symmetric split step of dt (the model *is* that step); the
summary reports its distance to exp(-i H t) for realisation 0.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field
from qiskit import QuantumCircuit

from .. import analysis
from ..analysis.theory import theory_value
from ..circuits import measure_position
from ..circuits.anderson_ctqw import AndersonCtqwTemplate
from ..circuits.multiplexor import append_diagonal, diagonal_angles
from ..circuits.timeline import Timeline
from ..core.disorder import GOLDEN_CONJUGATE, chain_energies
from ..core.errors import ParameterError
from ..core.lattice_spec import MAX_ENSEMBLE_TIMES, LatticeSpec
from ..core.specs import Spec
from ..execution.compiler import ConstructionTarget
from ..reference.anderson import band_centre_length
from ..reference.aubry_andre import (
    aubry_andre_length,
    aubry_andre_regime,
    commensurate_period,
)
from ..reference.classical_walk import classical_ctrw_distributions
from ..reference.disordered import anderson_exact_states, anderson_split_states
from .base import register
from .ctqw import ContinuousTimeSpec
from .disordered_lattice import DisorderedLatticeExperiment


class AndersonCtqwSpec(LatticeSpec, ContinuousTimeSpec):
    """The 1D Anderson model on a cycle, split into slices of dt, averaged over realisations."""

    position_qubits: int = Field(7, ge=1, description="qubits (2**n sites on the cycle)")
    time: float = Field(20.0, gt=0, description="final time t (units of 1/J when J = 1)")
    time_steps: int = Field(80, ge=1, description="split-step slices of dt = time/time_steps; "
                            f"measured at up to {MAX_ENSEMBLE_TIMES} of them")
    W: float = Field(2.0, ge=0, description="disorder strength: potential=uniform, the width "
                     "(energies uniform in [-W/2, W/2]); aubry-andre, the amplitude (energies "
                     "W cos(2 pi beta x + phi), localized for W > 2J)")
    potential: Literal["uniform", "aubry-andre"] = Field(
        "uniform", description="uniform (Anderson: i.i.d. energies) or aubry-andre "
        "(quasi-periodic: W cos(2 pi quasi_period x + phi), phi uniform in [0, 2 pi) per "
        "realisation, per slice when dynamic)")
    quasi_period: float = Field(GOLDEN_CONJUGATE, gt=0, lt=1, description="beta of the "
                                "aubry-andre potential (irrational for the duality; default "
                                "the golden-ratio conjugate (sqrt(5) - 1)/2)")
    disorder: Literal["none", "static", "dynamic"] = Field(
        "static", description="none (clean), static (drawn once), dynamic (every slice)")
    realisations: int = Field(20, ge=1, description="disorder realisations R averaged")
    disorder_seed: int = Field(0, ge=0, description="seed s: realisation r is "
                               "default_rng((s, r))")

    default_points: ClassVar[int] = MAX_ENSEMBLE_TIMES  # each time runs every realisation

    def check(self) -> None:
        super().check()
        if self.dimension != 1:
            raise ParameterError("dimension", "anderson-ctqw is a 1D chain; use dimension=1")
        if self.disorder != "none" and self.realisations < 2:
            raise ParameterError("realisations", "an ensemble needs at least 2 realisations "
                                 "for an error bar; use realisations >= 2 (or disorder=none)")

    @property
    def effective_realisations(self) -> int:
        return 1 if self.disorder == "none" else self.realisations


@register
class AndersonCtqw(DisorderedLatticeExperiment[AndersonCtqwSpec]):
    """Continuous-time walk with static (localized) or dynamic (diffusive) on-site disorder."""

    name = "anderson-ctqw"
    summary = "continuous-time walk in the 1D Anderson model (split step), averaged"
    spec_type: ClassVar[type[Spec]] = AndersonCtqwSpec

    def times(self) -> list[float]:
        return self.spec.measured_times()

    def realisations(self) -> int:
        return self.spec.effective_realisations

    def energies(self, realisation: int) -> np.ndarray:
        """On-site energies (layers, N): one layer (static) or one per slice (dynamic)."""
        s = self.spec
        return chain_energies(s.disorder_seed, realisation, s.num_sites, s.W, s.disorder,
                              s.potential, s.quasi_period, s.time_steps)

    @cached_property
    def _walk_templates(self) -> list[AndersonCtqwTemplate]:
        s = self.spec
        return [AndersonCtqwTemplate.build(s.position_state(), s.hopping, s.dt, k,
                                           s.position_qubits, static=s.disorder != "dynamic")
                for k in s.measured_slices()]

    def templates(self, target: ConstructionTarget) -> list[QuantumCircuit]:
        return [measure_position(template.circuit) for template in self._walk_templates]

    def template_values(self, index: int, template: QuantumCircuit) -> np.ndarray:
        walk = self._walk_templates[index]
        return np.array([walk.values(self.energies(r), self.spec.dt)
                         for r in range(self.realisations())])

    def work_steps(self) -> list[int]:
        return self.spec.measured_slices()

    def step_circuit(self, steps: int) -> QuantumCircuit:
        s = self.spec
        return AndersonCtqwTemplate.build(s.position_state(), s.hopping, s.dt, steps,
                                          s.position_qubits,
                                          static=s.disorder != "dynamic").circuit

    def reference_bytes(self) -> int:
        """The dense H diagonalised for the splitting error and the classical walk."""
        return 48 * self.spec.num_sites**2

    def layer_circuits(self) -> dict[str, QuantumCircuit]:
        """One on-site energy diagonal and one whole slice (realisation 0), for their cost."""
        s = self.spec
        one = AndersonCtqwTemplate.build(s.position_state(), s.hopping, s.dt, 1,
                                         s.position_qubits, static=True)
        values = one.values(self.energies(0)[:1], s.dt)
        bound = one.circuit.assign_parameters(dict(zip(one.circuit.parameters, values,
                                                       strict=True)))
        diagonal = QuantumCircuit(s.position_qubits)
        append_diagonal(diagonal, diagonal.qubits, diagonal_angles(-s.dt * self.energies(0)[0]))
        return {"energy diagonal": diagonal, "split step (both half diagonals)": bound}

    def reference_ensemble(self) -> list[np.ndarray]:
        return list(self._reference)

    @cached_property
    def _reference(self) -> list[np.ndarray]:
        """Computed once: the summary and the finite-size guard both read it."""
        s = self.spec
        slices = s.measured_slices()
        out = np.empty((len(slices), self.realisations(), s.num_sites))
        for r in range(self.realisations()):
            states = anderson_split_states(s.position_state(), s.hopping, self.energies(r),
                                           s.dt, slices)
            for i, k in enumerate(slices):
                out[i, r] = np.abs(states[k]) ** 2
        return list(out)

    def classical_distributions(self) -> list[np.ndarray]:
        out = classical_ctrw_distributions(self.spec.start_distribution(), self.spec.hopping,
                                           self.times(), 1)
        return [out[t] for t in self.times()]

    def splitting_error(self) -> float:
        """TVD between the split-step model and exp(-i H t) at the final time (realisation 0,
        static disorder): the price of the Trotter splitting the circuits implement."""
        s = self.spec
        final = s.measured_slices()[-1]
        split = anderson_split_states(s.position_state(), s.hopping, self.energies(0), s.dt,
                                      [final])[final]
        exact = anderson_exact_states(s.position_state(), s.hopping, self.energies(0)[0],
                                      [final * s.dt])[final * s.dt]
        return analysis.total_variation(np.abs(split) ** 2, np.abs(exact) ** 2)

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        lines = super().summary_notes(summary)
        theory = summary.get("anderson_theory")
        if theory:
            xi = theory["band_centre_length"]["value"]
            lines.append(f"infinite chain, weak disorder: xi(E = 0) = {xi:.2f} "
                         "(Kappus-Wegner ~105 J^2/W^2, asymptotic)")
        quasi = summary.get("aubry_andre_theory")
        if quasi and quasi["regime"] == "periodic":
            lines.append(f"quasi_period = {quasi['quasi_period_fraction']}: a periodic "
                         "potential (its period the denominator), Bloch "
                         "eigenstates extended at any W (the Aubry-Andre duality needs an "
                         "irrational quasi_period, e.g. the default)")
        elif quasi:
            length = quasi.get("localization_length")
            lines.append(f"Aubry-Andre, exact, infinite chain: every eigenstate localized, "
                         f"xi = 1/ln(W/2J) = {length['value']:.3f} (|psi|^2 ~ exp(-2|x|/xi))"
                         if length else f"Aubry-Andre, exact, infinite chain: every "
                         f"eigenstate {quasi['regime']} (W <= 2J: no localization length)")
        return lines

    def extra_results(self) -> dict[str, Any]:
        s = self.spec
        out: dict[str, Any] = {}
        if s.disorder != "dynamic":
            out["splitting_error_tvd"] = self.splitting_error()
        if s.disorder == "static" and s.W > 0 and s.potential == "aubry-andre":
            out["aubry_andre_theory"] = self.aubry_andre_theory()
        elif s.disorder == "static" and s.W > 0:
            out["anderson_theory"] = {"band_centre_length": theory_value(
                "asymptotic", band_centre_length(s.W, s.hopping),
                source="Kappus-Wegner xi(E=0) = 12 Gamma(1/4)^2/Gamma(3/4)^2 J^2/W^2: "
                       "infinite chain, W -> 0")}
        return out

    def aubry_andre_theory(self) -> dict[str, Any]:
        """The regime (extended / critical / localized; periodic, with its period, when
        quasi_period is a fraction the ring resolves) and, when localized, the exact
        infinite-chain xi = 1/ln(W/2J) of every eigenstate, in the tail fit's convention."""
        s = self.spec
        fraction = commensurate_period(s.quasi_period, s.num_sites)
        if fraction is not None:  # (a string: a note, not a theory value)
            return {"regime": "periodic", "quasi_period_fraction": str(fraction)}
        regime = aubry_andre_regime(s.W, s.hopping)
        out: dict[str, Any] = {"regime": regime}
        if regime == "localized":
            out["localization_length"] = theory_value(
                "continuum", aubry_andre_length(s.W, s.hopping), 0.0,
                source="exact, infinite chain: Aubry-Andre duality, xi = 1/ln(W/2J) for every "
                       "eigenstate (|psi|^2 ~ exp(-2|x|/xi), irrational beta); the finite ring "
                       "and the split step only approach it")
        return out

    def timeline_template(self, target: ConstructionTarget = "all-to-all") -> Timeline:
        """One split-step template of max(slices) slices, saved after each measured slice
        before its closing energy diagonal (a position phase: the probabilities are the
        per-time template's, but it is not its prefix)."""
        s = self.spec
        slices = s.measured_slices()
        walk = AndersonCtqwTemplate.build(s.position_state(), s.hopping, s.dt, max(slices),
                                          s.position_qubits, static=s.disorder != "dynamic",
                                          saves=slices)
        return Timeline.of(walk.circuit, len(slices), "split-step", template=walk)

    def timeline_values(self, timeline: Timeline) -> np.ndarray:
        walk = timeline.template
        return np.array([walk.values(self.energies(r), self.spec.dt)
                         for r in range(self.realisations())]).reshape(
            self.realisations(), timeline.circuit.num_parameters)
