"""Coherent backscattering: a plane wave |k0> in a disordered 2D torus, measured in momentum.

The model is ``disorder_2d.py``'s split step (flux none|random|uniform,
optional SU(2) spin-orbit coupling theta).  Each ensemble member is one
disorder realisation, one starting momentum k0 (one, or one per orbit of an
energy shell) and, with spin-orbit coupling, one starting spin (the two spins
averaged: an unpolarised start); detection sums over the spin.  Every member
has its own realisation (member i uses realisation i), so members are
independent and the jackknife across them is a valid error bar.

Observable: r = <P(-k0)> / <background>, background the mean over the six
point-group images of k0 other than +-k0 (same band energy), a ratio of
ensemble averages (see ``backscattering_analysis.py``).  Theory: r -> 2 with
time-reversal symmetry (orthogonal class), 1 when flux breaks it (unitary),
1/2 with weak spin-orbit coupling, unpolarised start and spin-summed detection
(symplectic); stronger spin-orbit coupling drives r lower.  A uniform field on
a small torus is a Landau gauge that smears the -k0 direction: prefer random
flux to break time-reversal symmetry.  Random flux lives on the x bonds (the
model's gauge), so strong random flux (f >~ 0.5) also scatters momentum
anisotropically; ``anisotropy`` (mirror over swapped images) shows it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from pydantic import Field
from qiskit import QuantumCircuit

from .. import analysis
from ..analysis.backscattering import (
    SLOTS,
    band_energy,
    orbit_representatives,
    ratio_observables,
    ratio_shot_errors,
    shell_momenta,
    slot_probabilities,
    symmetry_line_problem,
)
from ..analysis.theory import named_curve
from ..circuits import measure_position
from ..circuits.lattice_2d import (
    Lattice2dTemplate,
    append_momentum_frame,
    momentum_probabilities,
)
from ..core.disorder_2d import Lattice2dDisorder, lattice_2d_disorder
from ..core.errors import ParameterError
from ..core.specs import Spec
from ..execution.backends import check_fits
from ..execution.compiler import ConstructionTarget
from ..execution.config import HardwareConfig
from ..reference.lattice_2d import Lattice2dReference, momentum_distribution, plane_wave
from .backscattering_theory import BackscatteringTheory
from .base import register
from .disordered_torus import DisorderedTorusSpec
from .ensemble import EnsembleExperiment

DEFAULT_SHELL_ENERGY = -2.5  # units of J: between the band bottom (-4 J) and the centre


class BackscatteringSpec(DisorderedTorusSpec):
    """A plane wave |k0> (or an energy shell of them), evolved and measured in momentum."""

    k0: list[int] | None = Field(None, description="starting momentum (p_x, p_y) of "
                                 "e^{2 pi i p.r/L}, off the symmetry lines; default: the "
                                 "energy shell")
    energy: float | None = Field(None, description="energy of the shell the k0 are taken "
                                 f"from (clean band -2J(cos kx + cos ky)); default "
                                 f"{DEFAULT_SHELL_ENERGY} J")
    shell: int = Field(1, ge=1, description="number of k0 (point-group orbits) nearest the "
                    "shell energy, averaged")

    def check(self) -> None:
        super().check()
        side = self.side
        if self.k0 is not None:
            if len(self.k0) != 2:
                raise ParameterError("k0", f"give a pair (p_x, p_y), got {self.k0}")
            problem = symmetry_line_problem((self.k0[0], self.k0[1]), side)
            if problem:
                example = orbit_representatives(side)
                hint = (f", e.g. k0={list(example[0])}" if example else
                        "; no momentum is off the lines on this torus: use "
                        "lattice_qubits_per_axis >= 3")
                raise ParameterError("k0", f"{self.k0} has no background: {problem}; choose "
                                     f"components not 0 or {side // 2} with |kx| != |ky|"
                                     f"{hint}")
            for name in ("energy", "shell"):
                if name in self.model_fields_set:
                    raise ParameterError(name, "selects k0 from an energy shell; drop it or "
                                         "drop k0")
        elif not orbit_representatives(side):
            raise ParameterError("lattice_qubits_per_axis", f"a {side} x {side} torus has no "
                                 "momentum off the symmetry lines (no background for the "
                                 "ratio); use lattice_qubits_per_axis >= 3")
        else:
            try:
                self.momenta()
            except ValueError as exc:
                raise ParameterError("shell", f"{exc}; lower shell or raise "
                                     "lattice_qubits_per_axis") from None
        self.check_members(self.realisations * len(self.momenta()) * self.spins)

    def momenta(self) -> list[tuple[int, int]]:
        """The starting momenta: k0, or the shell's orbit representatives."""
        if self.k0 is not None:
            return [(self.k0[0] % self.side, self.k0[1] % self.side)]
        energy = DEFAULT_SHELL_ENERGY * self.hopping if self.energy is None else self.energy
        return shell_momenta(self.side, energy, self.shell, self.hopping)


def symmetry_class(flux: str, spin_orbit: float | None, flux_strength: float = 1.0
                   ) -> tuple[str, float]:
    """Dyson class and its long-time CBS ratio (spin-summed, unpolarised); a flux of zero
    strength (random f = 0, or zero quanta) keeps time-reversal symmetry."""
    if flux != "none" and flux_strength != 0:
        return "unitary", 1.0
    if spin_orbit:
        return "symplectic", 0.5
    return "orthogonal", 2.0


@register
class Backscattering(BackscatteringTheory, EnsembleExperiment[BackscatteringSpec]):
    """The CBS peak at -k0: r(t) rises to 2 (TRS), stays near 1 (flux), falls to 1/2 (SOC)."""

    name = "backscattering"
    summary = "coherent backscattering of a plane wave in a disordered 2D torus (ratio r(t))"
    spec_type: ClassVar[type[Spec]] = BackscatteringSpec
    main_observable = "ratio"

    def signature_side(self) -> int:
        """r > 1 with time-reversal symmetry, r < 1 with spin-orbit coupling (weak
        anti-localization); with flux r ~ 1 is the physics, neither side."""
        if self.spec.flux != "none":
            return 0
        return -1 if self.spec.spin_orbit is not None else 1

    def no_effect_value(self) -> tuple[float, str]:
        """The backscattering ratio without coherent backscattering: 1 (broken
        time-reversal symmetry, or a classical walk)."""
        return 1.0, "no coherent backscattering (r = 1)"

    # -- members ------------------------------------------------------------------------
    @cached_property
    def k0s(self) -> list[tuple[int, int]]:
        return self.spec.momenta()

    @property
    def with_map(self) -> bool:
        """One k0: each member's outcome also holds the full spin-summed momentum map."""
        return len(self.k0s) == 1

    def realisations(self) -> int:
        """Ensemble members: realisations x k0s x starting spins."""
        return self.spec.realisations * len(self.k0s) * self.spec.spins

    def member(self, index: int) -> tuple[tuple[int, int], int]:
        """(k0, starting spin) of member ``index``; its disorder is realisation ``index``."""
        spins = self.spec.spins
        return self.k0s[(index // spins) % len(self.k0s)], index % spins

    @cached_property
    def _disorders(self) -> list[Lattice2dDisorder]:
        s = self.spec
        return [lattice_2d_disorder(s.model, s.disorder_seed, i)
                for i in range(self.realisations())]

    def times(self) -> list[float]:
        return self.spec.measured_times()

    def check_size(self, config: HardwareConfig) -> None:
        s = self.spec
        check_fits(s.total_qubits, config, "lattice_qubits_per_axis", s.axis_qubits)

    # -- circuits -----------------------------------------------------------------------
    @cached_property
    def _walks(self) -> list[Lattice2dTemplate]:
        return [Lattice2dTemplate.build(self.spec.model, k, "plane-wave")
                for k in self.spec.measured_steps()]

    def templates(self, target: ConstructionTarget) -> list[QuantumCircuit]:
        """Each time: the walk, the QFT into the momentum frame, the x and y registers
        measured (the spin is traced out: spin-summed detection)."""
        out = []
        for walk in self._walks:
            framed = walk.circuit.copy()
            append_momentum_frame(framed)
            measured = measure_position(framed)
            measured.metadata = dict(walk.circuit.metadata)
            out.append(measured)
        return out

    def template_values(self, index: int, template: QuantumCircuit) -> np.ndarray:
        walk = self._walks[index]
        return np.array([walk.values(self._disorders[i], *self.member(i))
                         for i in range(self.realisations())])

    def work_steps(self) -> list[int]:
        return self.spec.measured_steps()

    def step_circuit(self, steps: int) -> QuantumCircuit:
        return Lattice2dTemplate.build(self.spec.model, steps, "plane-wave").circuit

    def layer_circuits(self) -> dict[str, QuantumCircuit]:
        """One split step of realisation 0 (its two-qubit cost per step)."""
        one = Lattice2dTemplate.build(self.spec.model, 1, "plane-wave")
        return {"split step": one.bind(self._disorders[0], *self.member(0))}

    # -- distributions ------------------------------------------------------------------
    def site_distribution(self, circuit: QuantumCircuit, probabilities: np.ndarray | None,
                          counts: dict[int, int] | None) -> np.ndarray:
        """The spin-summed momentum distribution P[p_y, p_x], flattened."""
        size = self.spec.side**2
        if probabilities is None:
            if counts is None:
                raise ValueError("a circuit result needs probabilities or counts")
            probabilities = analysis.distribution_from_counts(counts, size)
        return momentum_probabilities(probabilities, self.spec.axis_qubits
                                      ).reshape(-1)

    def _outcome(self, momentum_map: np.ndarray, k0: tuple[int, int]) -> np.ndarray:
        """Eight slots relative to k0, then (one k0) the map itself."""
        side = self.spec.side
        grid = np.asarray(momentum_map).reshape(side, side)
        slots = slot_probabilities(grid, k0)
        return np.concatenate([slots, grid.reshape(-1)]) if self.with_map else slots

    def noise_outcome(self, size: int) -> np.ndarray:
        """A device returning only noise: every momentum at 1/L^2 (spin summed), in every
        slot and (with the map) every map entry."""
        side = self.spec.side
        outcome = self._outcome(np.full(side * side, 1 / side**2), self.k0s[0])
        if outcome.size != size:
            raise ValueError(f"a backscattering outcome has {outcome.size} entries, not {size}")
        return outcome

    def member_distribution(self, template: QuantumCircuit, member: int,
                            probabilities: np.ndarray | None,
                            counts: dict[int, int] | None) -> np.ndarray:
        return self._outcome(self.site_distribution(template, probabilities, counts),
                             self.member(member)[0])

    def distance_distribution(self, outcome: np.ndarray) -> np.ndarray | None:
        """The spin-summed momentum distribution (one k0 only; the eight point-group slots
        before it are not a distribution)."""
        grid = self.momentum_map(outcome)
        return None if grid is None else grid.reshape(-1)

    def momentum_map(self, distribution: np.ndarray) -> np.ndarray | None:
        """The averaged momentum map P[p_y, p_x] of an outcome vector (one k0 only)."""
        if not self.with_map:
            return None
        side = self.spec.side
        return np.asarray(distribution)[SLOTS:].reshape(side, side)

    @cached_property
    def _reference(self) -> list[np.ndarray]:
        s = self.spec
        steps = s.measured_steps()
        out = np.empty((len(steps), self.realisations(), SLOTS + (s.side**2 if self.with_map
                                                                  else 0)))
        for i, disorder in enumerate(self._disorders):
            k0, spin = self.member(i)
            states = Lattice2dReference(s.model, disorder).states(plane_wave(s.model, k0, spin),
                                                                  steps)
            for j, k in enumerate(steps):
                out[j, i] = self._outcome(momentum_distribution(s.model, states[k]).sum(axis=0),
                                          k0)
        return list(out)

    def reference_ensemble(self) -> list[np.ndarray]:
        return self._reference

    # -- observables --------------------------------------------------------------------
    def observables(self, p: np.ndarray) -> dict[str, float]:
        return ratio_observables(p)

    def observable_errors(self, p: np.ndarray, shots: int) -> dict[str, float]:
        return ratio_shot_errors(p, shots)

    def result_warnings(self, summary: dict[str, Any]) -> list[str]:
        return [*super().result_warnings(summary), *self.backscattering_warnings(summary)]

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        return [*super().summary_notes(summary), *self.backscattering_notes(summary)]

    def ensemble_extra(self, summary: dict[str, Any]) -> dict[str, Any]:
        s = self.spec
        kind, expected = symmetry_class(s.flux, s.spin_orbit, s.flux_strength)
        out: dict[str, Any] = {
            "k0": [list(k) for k in self.k0s],
            "k0_energies": [band_energy(k, s.side, s.hopping) for k in self.k0s],
            "members": {"realisations": s.realisations, "k0": len(self.k0s), "spins": s.spins,
                        "total": self.realisations()},
            "symmetry_class": named_curve(
                "asymptotic", "Dyson class of the model and its t -> inf, L -> inf CBS ratio "
                "(orthogonal 2, unitary 1, symplectic 1/2)", **{"class": kind,
                                                               "long_time_ratio": expected}),
            "backscattering_theory": {
                "long_time_ratio": self.long_time_ratio(kind, expected),
                **self.hamiltonian_theory()},
        }
        regime = self.spin_orbit_regime()
        if regime is not None:
            out["spin_orbit_regime"] = regime
        if self.with_map:
            final = self.momentum_map(self._reference[-1].mean(axis=0))
            assert final is not None
            out["momentum_map"] = {"time": self.times()[-1], "k0": list(self.k0s[0]),
                                   "index": "[p_y][p_x], p in 0..L-1",
                                   "reference": final.tolist()}
        return out
