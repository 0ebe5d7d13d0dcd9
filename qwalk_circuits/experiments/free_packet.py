"""A free Gaussian packet spreading on a fine lattice, and the same law in SI units.

The circuit (the continuous-time walk from a Gaussian packet) measures
sigma(t) on the lattice against sigma0 sqrt(1 + (J t / sigma0^2)^2); the
spreading law depends only on tau = hbar t / (2 m sigma0^2), so the lattice
curve is the free particle's at the same tau.  ``si`` applies the law to a
real electron: initial width, kinetic energy and flight distance give the
width at arrival (1 nm, 1 keV, 1 m: about 3 mm).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from ..analysis.theory import named_curve
from ..core.lattice_spec import RegisterSpec
from ..core.specs import Spec
from ..core.states import gaussian_packet
from ..reference.free_particle import electron_flight, lattice_tau, spreading_width
from .base import register
from .ctqw import ContinuousTimeSpec, Ctqw


class FreePacketSpec(RegisterSpec, ContinuousTimeSpec):
    """Gaussian packet on a cycle of 2**position_qubits sites, plus an SI flight."""

    dimension: Literal[1] = 1
    position_qubits: int = Field(8, ge=3, description="qubits (2**n sites)")
    time: float = Field(48.0, gt=0, description="final lattice time (units of 1/J)")
    sigma0: float = Field(4.0, gt=0, description="initial width (std of |psi|^2), in sites")
    momentum: float = Field(0.0, description="mean momentum k0 (group velocity 2 J sin k0)")
    width_nm: float = Field(1.0, gt=0, description="SI example: initial width of the electron "
                            "packet, nm")
    kinetic_energy_ev: float = Field(1000.0, gt=0, description="SI example: kinetic energy, eV")
    distance_m: float = Field(1.0, gt=0, description="SI example: flight distance, m")

    def position_state(self) -> np.ndarray:
        return gaussian_packet(self.side, self.side // 2, self.sigma0, self.momentum)


@register
class FreePacket(Ctqw):
    """The uncertainty principle at work: a localized packet spreads, on circuits and in SI."""

    name = "free-packet"
    summary = "free Gaussian wave packet spreading (lattice circuit) and the SI electron example"
    spec_type: ClassVar[type[Spec]] = FreePacketSpec

    @cached_property
    def _position(self) -> np.ndarray:
        return self.spec.position_state()

    def classical_distributions(self) -> None:
        return None

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        si = summary["si"]
        return [f"SI: a {si['width_initial_m'] * 1e9:g} nm electron packet at "
                f"{si['kinetic_energy_ev']:g} eV flies {si['distance_m']:g} m in "
                f"{si['flight_time_s']:.3g} s and arrives {si['width_final_m'] * 1e3:.3g} mm "
                f"wide (tau = {si['tau']:.3g})"]

    def extra_results(self) -> dict[str, Any]:
        s: FreePacketSpec = self.spec  # type: ignore[assignment]
        tau = lattice_tau(s.hopping, np.asarray(self.times()), s.sigma0, s.momentum)
        flight = electron_flight(s.width_nm * 1e-9, s.kinetic_energy_ev, s.distance_m)
        return {
            "lattice_formula": named_curve(
                "continuum", "sigma0 sqrt(1 + tau^2), tau = J cos(k0) t / sigma0^2: the free "
                "particle of effective mass 1/(2 J cos k0); the lattice's packet is a little "
                "slower (group velocity 2J sin k, not 2Jk)",
                sigma=list(spreading_width(s.sigma0, tau)), tau=list(tau)),
            "si": named_curve("continuum", "non-relativistic free electron in SI units (the "
                              "same law, no lattice)", **flight.as_dict()),
        }
