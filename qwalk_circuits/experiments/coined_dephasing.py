"""Coined walk with coin or position dephasing of probability p per step (Brun et al. 2003).

sigma^2 turns from ballistic to linear in t, with a diffusion constant that
depends on p; at p = 1 the walk is exactly the classical walk (sigma^2 = t).
The noise sits on labelled layers after every step (``noise.py``); the
reference is the same channel on the exact density matrix.  ``diffusion_theory``
holds the model's exact long-time D beside the run's fit, each named
(``coined_dephasing_diffusion.py``); for the Hadamard walk from one site
D = (1 + r^2) / (2 (1 - r^2)) (coin) and sqrt(1 + r^2) / (2 (1 - r)) (position),
r = 1 - p.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
from pydantic import Field
from qiskit import QuantumCircuit
from qiskit_aer.noise import NoiseModel

from .. import analysis
from ..circuits import MARKED_CONSTRUCTIONS
from ..circuits.noise import (
    coin_dephasing_errors,
    coin_dephasing_layer,
    noise_model,
    site_dephasing_errors,
    site_dephasing_layer,
)
from ..core.lattice_spec import NoisySpec
from ..reference.dephased_walk_diffusion import DiffusionConstant, relaxation_time
from ..reference.dephasing import coined_walk_dephasing_distributions
from . import coined_dephasing_diffusion as diffusion
from .base import register
from .coined_walk import CoinedWalk, CoinedWalkSpec


class CoinedDephasingSpec(NoisySpec, CoinedWalkSpec):
    """A coined walk dephased with probability p after every step."""

    p: float = Field(0.1, ge=0, le=1, description="dephasing probability per step")

    @property
    def total_qubits(self) -> int:
        """Walk qubits plus the environment qubit (coin dephasing in 1D needs none, but
        the spec does not know the channel; one qubit of headroom is harmless)."""
        return self.dimension * (self.position_qubits + 1) + 1


class DephasedCoinedWalk(CoinedWalk):
    channel: str = "coin"

    def allowed_constructions(self) -> tuple[str, ...]:
        return MARKED_CONSTRUCTIONS[self.channel]

    def step_layer(self) -> tuple[QuantumCircuit, str]:
        s = self.spec
        if self.channel == "coin":
            return coin_dephasing_layer(s.dimension), "coin"
        return site_dephasing_layer(s.position_qubit_count), "position"

    def noise_model(self) -> NoiseModel:
        p: float = self.spec.p  # type: ignore[attr-defined]
        errors = (coin_dephasing_errors(p, self.spec.dimension) if self.channel == "coin"
                  else site_dephasing_errors(p))
        return noise_model(errors)

    def simulation_method(self) -> str:
        return self.spec.aer_method  # type: ignore[attr-defined]

    def channel_strength(self) -> float:
        """p per step: what a device's phase kicks are drawn with (``unravelling.py``)."""
        return float(self.spec.p)  # type: ignore[attr-defined]

    def reference_distributions(self) -> list[np.ndarray]:
        return list(self._dephased_reference)

    @cached_property
    def _dephased_reference(self) -> list[np.ndarray]:
        """Computed once: the summary and the finite-size guard both read it."""
        out = coined_walk_dephasing_distributions(
            self._coin, self._initial_array(), self.times(), self.spec.dimension, self.channel,
            self.spec.p)  # type: ignore[attr-defined]
        return [out[t] for t in self.times()]

    @cached_property
    def _diffusion_model(self) -> DiffusionConstant | str:
        """The model's exact long-time D, or why it has none."""
        return diffusion.model_diffusion(self)

    @cached_property
    def _relaxation_time(self) -> float | None:
        """Steps over which the model's velocity correlations fall by e (None: p = 0, or
        not computed: the 2D position channel)."""
        p: float = self.spec.p  # type: ignore[attr-defined]
        if p <= 0:
            return None
        return relaxation_time(self._coin, self.channel, p, self.spec.dimension)

    @cached_property
    def _line_variance(self) -> np.ndarray:
        """The model's exact sigma^2 on the infinite lattice at the measured times."""
        return diffusion.line_variance(self, [int(t) for t in self.times()])

    def reference_bytes(self) -> int:
        """The dense density matrix over coin x sites, its kept-coherence mask and the
        copies one step makes."""
        size = 2 * self.spec.dimension * self.spec.num_sites
        return size * size * (16 * 5 + 1)

    def extra_results(self) -> dict[str, Any]:
        return {"channel": self.channel, "diffusion_theory": diffusion.model_theory(self)}

    def analysed_results(self, summary: dict[str, Any]) -> dict[str, Any]:
        """D_fit from the run's own sigma(t), beside the model's D."""
        fitted = diffusion.fitted_theory(self, summary)
        if not fitted:
            return {}
        return {"diffusion_theory": {**summary.get("diffusion_theory", {}), **fitted}}

    def result_warnings(self, summary: dict[str, Any]) -> list[str]:
        """The lattice's finite-size guard, then the diffusion fit's own warnings."""
        return [*super().result_warnings(summary),
                *diffusion.diffusion_warnings(self, summary)]

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        return [*super().summary_notes(summary), *diffusion.notes(summary)]

    has_diffusion_fit = True

    def diffusion_fit(self, sigma: list[float], errors: list[float] | None = None
                      ) -> dict[str, float | None]:
        """Diffusion constant (sigma^2 = 2 D t at late times) and the crossover step."""
        return analysis.fit_diffusion(self.times(), sigma, errors).as_dict()


@register
class CoinDephasing(DephasedCoinedWalk):
    """The coin measured with probability p each step."""

    name = "coin-dephasing"
    summary = "coined walk with coin dephasing p per step (Aer noise model): p = 1 is classical"
    spec_type = CoinedDephasingSpec
    channel = "coin"


@register
class PositionDephasing(DephasedCoinedWalk):
    """The position measured with probability p each step."""

    name = "position-dephasing"
    summary = "coined walk with position dephasing p per step (Aer noise model)"
    spec_type = CoinedDephasingSpec
    channel = "position"
