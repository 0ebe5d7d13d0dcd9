"""Dephased continuous-time walk (Haken-Strobl-Reineker): ballistic turns diffusive.

The circuit cuts exp(-i H t) into slices of dt, each followed by a labelled
marker on the position register; the Aer noise model puts the channel there:
site dephasing with p = 1 - exp(-gamma dt) (HSR), or per-qubit phase damping
with the same single-qubit coherence decay (the hardware-like channel).
``reference`` is the exact twin (the same slices and channel on a density
matrix); ``continuum`` the exact continuous HSR Lindblad dynamics and
``hsr_closed_form`` sigma^2(t) = (4J^2/gamma^2)(gamma t - 1 + e^(-gamma t)).

The slices are not the continuum: the sliced channel's exact D is J^2 dt coth(gamma dt/2),
above HSR's 2 J^2/gamma by ~(gamma dt)^2/12 (``reference/sliced_dephasing.py`` derives it,
and why a symmetric (Strang) placement of the channel does not change it).
``diffusion_theory`` prints both and the fit, each named (``dephasing_diffusion.py``);
``slicing_error=eps`` picks time_steps so that D_model / D_continuum - 1 <= eps.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator
from qiskit import QuantumCircuit
from qiskit_aer.noise import NoiseModel

from .. import analysis
from ..analysis.theory import named_curve
from ..circuits import build_ctqw, measure_position
from ..circuits.noise import (
    noise_model,
    phase_damping_errors,
    phase_damping_layer,
    site_dephasing_errors,
    site_dephasing_layer,
)
from ..circuits.timeline import Timeline
from ..core.errors import ParameterError
from ..core.lattice_spec import NoisySpec
from ..core.specs import Spec
from ..execution.compiler import ConstructionTarget
from ..reference.classical_walk import classical_ctrw_distributions
from ..reference.ctqw import hopping_hamiltonian
from ..reference.dephasing import (
    hsr_evolution,
    hsr_sigma_squared,
    trotter_dephasing_evolution,
)
from ..reference.sliced_dephasing import slices_for_slicing_error
from . import dephasing_diffusion
from .base import register
from .ctqw import Ctqw, CtqwSpec


class DephasingSpec(NoisySpec, CtqwSpec):
    """A CTQW under dephasing at rate gamma."""

    gamma: float = Field(1.0, ge=0, description="dephasing rate gamma (coherences decay "
                         "as exp(-gamma t))")
    channel: Literal["site", "phase_damping"] = Field(
        "site", description="site: HSR dephasing; phase_damping: per-qubit (hardware-like)")
    slicing_error: float | None = Field(
        None, gt=0, lt=1, description="target D_model/D_continuum - 1 of the sliced channel "
        "(site, gamma > 0): picks time_steps (do not also set it)")

    @model_validator(mode="before")
    @classmethod
    def _slices_for_target(cls, data: Any) -> Any:
        """``slicing_error`` given without ``time_steps``: the fewest slices that meet it
        (bad values are left to the field checks and :meth:`check`)."""
        if not isinstance(data, dict) or "time_steps" in data:
            return data
        given = (data.get("slicing_error"), data.get("gamma", 1.0), data.get("time", 6.0))
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)
                   for v in given) or data.get("channel", "site") != "site":
            return data
        target, gamma, time = (float(v) for v in given)  # type: ignore[arg-type]
        if 0 < target < 1 and gamma > 0 and time > 0:
            return {**data, "time_steps": slices_for_slicing_error(gamma, time, target)}
        return data

    def check(self) -> None:
        super().check()
        if self.slicing_error is None:
            return
        if self.channel != "site":
            raise ParameterError("slicing_error", "applies to channel=site (its exact D is "
                                 "known); for phase_damping set time_steps")
        if self.gamma == 0:
            raise ParameterError("slicing_error", "needs gamma > 0 (without dephasing there "
                                 "is no slicing error); set time_steps")
        wanted = slices_for_slicing_error(self.gamma, self.time, self.slicing_error)
        if self.time_steps != wanted:
            raise ParameterError("slicing_error", f"picks time_steps = {wanted} here; drop "
                                 "time_steps (or slicing_error)")

    def measured_slices(self) -> list[int]:
        """Up to 25 evenly spaced slice counts plus the first three: sigma^2 = 2 J^2 t^2
        holds exactly up to the first (coherent) slice, so the ballistic coefficient (and
        t* = 2 D / a) is read there, not extrapolated from a coarse grid (which put t*
        11-21 % low)."""
        early = range(min(3, self.time_steps) + 1)
        return sorted(set(super().measured_slices()) | set(early))

    def slice_strength(self) -> float:
        """p per slice (site), or lambda per qubit per slice (phase damping)."""
        decay = np.exp(-self.gamma * self.dt)  # what one slice leaves of a coherence
        # site: (1 - p) = decay; phase damping keeps sqrt(1 - lambda) of a qubit's coherence
        return float(1 - decay) if self.channel == "site" else float(1 - decay**2)

    @property
    def total_qubits(self) -> int:
        return self.position_qubit_count + (1 if self.channel == "site" else 0)  # + environment



@register
class Dephasing(Ctqw):
    """Quantum-to-classical crossover of the continuous-time walk under dephasing."""

    name = "dephasing"
    summary = "CTQW with dephasing (Aer noise model) vs its exact Lindblad twin: D ~ J^2/gamma"
    spec_type: ClassVar[type[Spec]] = DephasingSpec

    spec: DephasingSpec

    def noise_model(self) -> NoiseModel:
        s = self.spec
        errors = (site_dephasing_errors if s.channel == "site" else phase_damping_errors)
        return noise_model(errors(s.slice_strength()))

    def simulation_method(self) -> str:
        return self.spec.aer_method

    def channel_strength(self) -> float:
        """The channel's strength per slice (p, or lambda): what a device's phase kicks
        are drawn with (``unravelling.py``)."""
        return self.spec.slice_strength()

    def circuits(self, target: ConstructionTarget = "all-to-all") -> list[QuantumCircuit]:
        s = self.spec
        layer = (site_dephasing_layer if s.channel == "site" else phase_damping_layer)(
            s.position_qubit_count)
        return [measure_position(build_ctqw(self._position, s.hopping, k * s.dt,
                                            s.position_qubits, s.dimension, slices=k,
                                            slice_layer=layer) if k else
                                 build_ctqw(self._position, s.hopping, 0.0, s.position_qubits,
                                            s.dimension))
                for k in s.measured_slices()]

    @cached_property
    def _hamiltonian(self) -> np.ndarray:
        return hopping_hamiltonian(self.spec.side, self.spec.hopping, self.spec.dimension)

    @cached_property
    def _twin(self) -> list[np.ndarray]:
        """The exact twin's distributions, computed once (the summary and the finite-size
        guard both read them)."""
        s = self.spec
        rho0 = np.outer(self._position, self._position.conj())
        out = trotter_dephasing_evolution(self._hamiltonian, rho0, s.dt, s.measured_slices(),
                                          s.channel, s.gamma)
        return [np.real(np.diag(out[k])) for k in s.measured_slices()]

    def reference_distributions(self) -> list[np.ndarray]:
        return [p.copy() for p in self._twin]

    def classical_distributions(self) -> list[np.ndarray] | None:
        if self.spec.gamma == 0:
            return None
        rate = 2 * self.spec.hopping**2 / self.spec.gamma  # HSR: D = 2 J^2 / gamma
        out = classical_ctrw_distributions(self.spec.start_distribution(), rate, self.times(),
                                           self.spec.dimension)
        return [out[t] for t in self.times()]

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        theory = summary.get("diffusion_theory") or {}

        def value(key: str, digits: int) -> str:
            entry = theory[key]
            error = entry["error"]
            text = f"{entry['value']:.{digits}f}"
            return text if not error else f"{text} ± {error:.{digits}f}"

        notes = [theory["note"]] if "note" in theory else []
        if "D_model" in theory:
            notes.append(f"D: model (sliced channel, infinite line) {value('D_model', 4)}, "
                         f"continuum (HSR 2J^2/gamma) {value('D_continuum', 4)}, slicing "
                         f"error {theory['slicing_error_relative']['value']:+.2%}")
        if "D_fit" in theory:
            notes.append(f"D fit {value('D_fit', 4)}" + (
                f"; t* fit {value('crossover_time_fit', 3)}"
                if "crossover_time_fit" in theory else ""))
        if "crossover_time_model" in theory:
            notes.append(f"t*: model {value('crossover_time_model', 3)}, continuum 2/gamma "
                         f"{value('crossover_time_continuum', 3)}")
        return notes

    def extra_results(self) -> dict[str, Any]:
        s = self.spec
        extra: dict[str, Any] = {"trotter_dt": s.dt, "slice_strength": s.slice_strength()}
        theory = dephasing_diffusion.model_theory(s)
        if theory:
            extra["diffusion_theory"] = theory
        if s.channel != "site":
            return extra
        rho0 = np.outer(self._position, self._position.conj())
        continuum = hsr_evolution(self._hamiltonian, rho0, s.gamma, self.times())
        extra["continuum"] = named_curve(
            "continuum", "continuous-time HSR Lindblad dynamics on the same ring (no slicing)",
            sigma=[self.observables(np.real(np.diag(continuum[t])))["sigma"]
                   for t in self.times()])
        if s.dimension == 1:
            extra["hsr_closed_form"] = named_curve(
                "continuum", "HSR closed form sigma^2 = (4J^2/gamma^2)(gamma t - 1 + "
                "e^(-gamma t)), infinite line, no slicing",
                sigma=list(np.sqrt(hsr_sigma_squared(s.hopping, s.gamma,
                                                     np.asarray(self.times())))))
            modelled = dephasing_diffusion.model_sigma_squared(s)
            if modelled is not None:
                extra["sliced_closed_form"] = named_curve(
                    "model", "closed form of the sliced channel the circuits implement, "
                    "infinite line (reference/sliced_dephasing.py)",
                    sigma=list(np.sqrt(modelled)))
        return extra

    def analysed_results(self, summary: dict[str, Any]) -> dict[str, Any]:
        """D_fit and t* fit from the run's own sigma(t), beside the model's values."""
        fitted = dephasing_diffusion.fitted_theory(self.spec, summary)
        if not fitted:
            return {}
        return {"diffusion_theory": {**summary.get("diffusion_theory", {}), **fitted}}

    def result_warnings(self, summary: dict[str, Any]) -> list[str]:
        """The lattice's finite-size guard (every dimension), then the diffusion fit's."""
        return [*super().result_warnings(summary),
                *dephasing_diffusion.diffusion_warnings(self.spec, summary)]

    has_diffusion_fit = True

    def diffusion_fit(self, sigma: list[float], errors: list[float] | None = None
                      ) -> dict[str, float | None]:
        """D and the crossover time from a sigma(t) series of this experiment (the
        ballistic coefficient read at the first, coherent slice)."""
        return analysis.fit_diffusion(self.times(), sigma, errors,
                                      ballistic_until=self.spec.dt).as_dict()

    def step_circuit(self, steps: int) -> QuantumCircuit:
        """``steps`` marked slices, each [QFT, phases, QFT^dag, marker]."""
        s = self.spec
        layer = (site_dephasing_layer if s.channel == "site" else phase_damping_layer)(
            s.position_qubit_count)
        return build_ctqw(self._position, s.hopping, steps * s.dt, s.position_qubits,
                          s.dimension, slices=steps, slice_layer=layer)

    def reference_steps(self) -> int:
        """The density-matrix twin applies every slice (the continuum is flat in time)."""
        return max(self.spec.measured_slices())

    def reference_bytes(self) -> int:
        """A dense density matrix per measured time (twin and continuum), a few working
        copies, and (site channel) the sparse Liouvillian of the continuum (5 N^2 entries,
        built through a few sparse intermediates)."""
        s = self.spec
        n = s.num_sites
        dense = 16 * n * n * (2 * len(s.measured_slices()) + 8)
        liouvillian = 32 * 5 * n * n * 4 if s.channel == "site" else 0
        mask = 64 * n * n if s.channel != "site" else 0
        return dense + liouvillian + mask

    def timeline(self, target: ConstructionTarget = "all-to-all") -> Timeline | None:
        """max(slices) marked slices, saved after each measured one; a prefix of the
        per-time circuits except at t = 0 (that one is the unsliced circuit: the same
        state, no marker)."""
        s = self.spec
        slices = s.measured_slices()
        layer = (site_dephasing_layer if s.channel == "site" else phase_damping_layer)(
            s.position_qubit_count)
        last = max(slices)
        circuit = build_ctqw(self._position, s.hopping, last * s.dt, s.position_qubits,
                             s.dimension, slices=last, slice_layer=layer, saves=slices)
        return Timeline.of(circuit, len(slices), "qft-diagonal-sliced", prefix=0 not in slices)
