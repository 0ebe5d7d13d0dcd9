"""Dephased continuous-time walk (Haken-Strobl-Reineker): ballistic turns diffusive.

The circuit cuts exp(-i H t) into slices of dt, each followed by a labelled
marker on the position register; the Aer noise model puts the channel there:
site dephasing with p = 1 - exp(-gamma dt) (HSR), or per-qubit phase damping
with the same single-qubit coherence decay (the hardware-like channel).
``reference`` is the exact twin (the same slices and channel on a density
matrix); ``continuum`` the exact continuous HSR Lindblad dynamics and
``hsr_closed_form`` sigma^2(t) = (4J^2/gamma^2)(gamma t - 1 + e^(-gamma t)).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field
from qiskit import QuantumCircuit
from qiskit_aer.noise import NoiseModel

from .. import analysis
from ..circuits import build_ctqw, measure_position
from ..circuits.noise import (
    noise_model,
    phase_damping_errors,
    phase_damping_layer,
    site_dephasing_errors,
    site_dephasing_layer,
)
from ..circuits.timeline import Timeline
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
from .base import register
from .ctqw import Ctqw, CtqwSpec


class DephasingSpec(NoisySpec, CtqwSpec):
    """A CTQW under dephasing at rate gamma."""

    gamma: float = Field(1.0, ge=0, description="dephasing rate gamma (coherences decay "
                         "as exp(-gamma t))")
    channel: Literal["site", "phase_damping"] = Field(
        "site", description="site: HSR dephasing; phase_damping: per-qubit (hardware-like)")
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

    def reference_distributions(self) -> list[np.ndarray]:
        s = self.spec
        rho0 = np.outer(self._position, self._position.conj())
        out = trotter_dephasing_evolution(self._hamiltonian, rho0, s.dt, s.measured_slices(),
                                          s.channel, s.gamma)
        return [np.real(np.diag(out[k])) for k in s.measured_slices()]

    def classical_distributions(self) -> list[np.ndarray] | None:
        if self.spec.gamma == 0:
            return None
        rate = 2 * self.spec.hopping**2 / self.spec.gamma  # HSR: D = 2 J^2 / gamma
        out = classical_ctrw_distributions(self.spec.start_distribution(), rate, self.times(),
                                           self.spec.dimension)
        return [out[t] for t in self.times()]

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        theory = summary.get("diffusion_theory")
        if not theory:
            return []
        return [f"HSR theory: D = 2 J^2/gamma = {theory['D']:.4f}, crossover at t = 2/gamma = "
                f"{theory['crossover_time']:.3f}"]

    def extra_results(self) -> dict[str, Any]:
        s = self.spec
        extra: dict[str, Any] = {"trotter_dt": s.dt, "slice_strength": s.slice_strength()}
        if s.channel != "site":
            return extra
        rho0 = np.outer(self._position, self._position.conj())
        continuum = hsr_evolution(self._hamiltonian, rho0, s.gamma, self.times())
        extra["continuum"] = {"sigma": [self.observables(np.real(np.diag(continuum[t])))["sigma"]
                                        for t in self.times()]}
        if s.dimension == 1:
            extra["hsr_closed_form"] = {"sigma": list(np.sqrt(hsr_sigma_squared(
                s.hopping, s.gamma, np.asarray(self.times()))))}
            if s.gamma > 0:
                extra["diffusion_theory"] = {"D": 2 * s.hopping**2 / s.gamma,
                                             "crossover_time": 2 / s.gamma}
        return extra

    has_diffusion_fit = True

    def diffusion_fit(self, sigma: list[float], errors: list[float] | None = None
                      ) -> dict[str, float | None]:
        """D and the crossover time from a sigma(t) series of this experiment."""
        return analysis.fit_diffusion(self.times(), sigma, errors).as_dict()

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
