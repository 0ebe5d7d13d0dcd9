"""Free-particle spreading: the Gaussian packet's width, in SI and on the lattice.

sigma(t) = sigma0 sqrt(1 + tau^2), tau = hbar t / (2 m sigma0^2), sigma0 the
standard deviation of |psi|^2.  On the lattice (hbar = a = 1) the dispersion
-2 J cos k ~ -2 J + J k^2 gives m = 1 / (2 J), so tau = J t / sigma0^2 (at mean
momentum k0: m = 1 / (2 J cos k0)); the lattice packet approaches this from
below with corrections ~ 1/sigma0^2.
CODATA constants from scipy.constants.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import constants


def spreading_width(sigma0: float, tau: np.ndarray | float) -> np.ndarray:
    """sigma0 sqrt(1 + tau^2)."""
    return sigma0 * np.sqrt(1 + np.asarray(tau, dtype=float) ** 2)


def lattice_tau(hopping: float, time: np.ndarray | float, sigma0: float,
                momentum: float = 0.0) -> np.ndarray:
    """Dimensionless spreading time on the lattice: J cos(k0) t / sigma0^2 (a = hbar = 1).

    Around k0 the dispersion -2 J cos k has curvature 2 J cos k0: effective mass
    1 / (2 J cos k0), so a packet moving at k0 spreads more slowly (and not at all,
    to this order, at k0 = pi/2).
    """
    return hopping * np.cos(momentum) * np.asarray(time, dtype=float) / sigma0**2


@dataclass(frozen=True)
class FlightSpreading:
    """A packet of initial width ``width_initial_m`` flying ``distance_m`` at energy E."""

    width_initial_m: float
    kinetic_energy_ev: float
    distance_m: float
    mass_kg: float
    speed_m_per_s: float
    flight_time_s: float
    tau: float
    width_final_m: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def electron_flight(width_initial_m: float, kinetic_energy_ev: float, distance_m: float,
                    mass_kg: float = constants.m_e) -> FlightSpreading:
    """Width at arrival of a (non-relativistic) free particle's packet."""
    energy_j = kinetic_energy_ev * constants.e
    speed = float(np.sqrt(2 * energy_j / mass_kg))
    flight_time = distance_m / speed
    tau = constants.hbar * flight_time / (2 * mass_kg * width_initial_m**2)
    return FlightSpreading(width_initial_m, kinetic_energy_ev, distance_m, mass_kg, speed,
                           flight_time, float(tau),
                           float(spreading_width(width_initial_m, tau)))
