"""The disordered 2D torus of the weak-localization experiments: model constants and draws.

Both the circuit builder and the reference take a :class:`Lattice2dModel`
and a :class:`Lattice2dDisorder` from :func:`lattice_2d_disorder`, so they
see the same realisation (realisation r of seed s from
``numpy.random.default_rng((s, r))``, one child stream per kind of disorder).

Conventions shared by both paths:

- state psi[s, y, x] on an L x L torus (L = 2^m), flat index x + L*y + L^2*s;
  the spin index s exists only with spin-orbit coupling;
- bond phases ``a_x[y, x]`` on the hop (x, y) -> (x+1, y) and ``a_y[y, x]``
  on (x, y) -> (x, y+1): the hop term is -J e^{i a} T |to><from| + h.c. with
  T = exp(i theta sigma_x) along x, exp(i theta sigma_y) along y (1 without
  spin-orbit coupling); the flux through a plaquette is the anticlockwise
  sum of its bond phases;
- on-site energies eps uniform in [-W/2, W/2], spin independent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .errors import ParameterError

FluxKind = Literal["none", "random", "uniform"]
FLUX_KINDS: tuple[FluxKind, ...] = ("none", "random", "uniform")
QUANTA_TOL = 1e-9


@dataclass(frozen=True)
class Lattice2dModel:
    """Constants of the 2D model (everything but the realisation).

    One step of dt is the symmetric splitting
    U = e^{-iV dt/2} e^{-iH_x dt/2} e^{-iH_y dt} e^{-iH_x dt/2} e^{-iV dt/2}
    (the model *is* this step).  ``spin_orbit`` is theta, or None for a
    spinless particle (no spin qubit; 0.0 keeps an uncoupled spin qubit).
    ``flux_strength``: for ``random``
    the fraction f in [0, 1] of the full range of the random x-bond phases
    (f = 1: uniformly random flux per plaquette); for ``uniform`` the
    integer number n_phi of flux quanta through the torus (flux 2 pi n_phi
    / L^2 per plaquette).
    """

    axis_qubits: int
    width: float
    dt: float
    hopping: float = 1.0
    spin_orbit: float | None = None
    flux: FluxKind = "none"
    flux_strength: float = 0.0

    def __post_init__(self) -> None:
        if self.axis_qubits < 1:
            raise ParameterError("lattice_qubits_per_axis",
                                 f"need at least 1 qubit per axis, got {self.axis_qubits}")
        if self.width < 0:
            raise ParameterError("W", f"the disorder width must be >= 0, got {self.width}")
        if self.flux not in FLUX_KINDS:
            raise ParameterError("flux", f"unknown flux {self.flux!r}; use one of {FLUX_KINDS}")
        if self.flux == "random" and not 0 <= self.flux_strength <= 1:
            raise ParameterError(
                "flux_strength", f"random flux strength must lie in [0, 1] (1 is already "
                f"uniformly random flux per plaquette), got {self.flux_strength}")
        if self.flux == "uniform":
            flux_quanta(self.flux_strength, self.side)

    @property
    def side(self) -> int:
        return 1 << self.axis_qubits

    @property
    def spinful(self) -> bool:
        return self.spin_orbit is not None

    @property
    def theta(self) -> float:
        return 0.0 if self.spin_orbit is None else float(self.spin_orbit)

    @property
    def dimension(self) -> int:
        """Hilbert-space dimension: L^2, times 2 with spin."""
        return self.side**2 * (2 if self.spinful else 1)


def flux_quanta(strength: float, side: int) -> int:
    """The number of flux quanta of a uniform field, refusing a non-integer one.

    A uniform field on a closed torus must carry a whole number n_phi of flux
    quanta (the phases would not close around the torus otherwise).
    """
    nearest = round(strength)
    if abs(strength - nearest) > QUANTA_TOL:
        low, high = int(np.floor(strength)), int(np.ceil(strength))
        raise ParameterError(
            "flux_strength",
            f"a uniform field on a {side} x {side} torus needs a whole number of flux quanta "
            f"n_phi (flux per plaquette 2 pi n_phi / {side * side}); got {strength} -- use "
            f"{low} or {high}, or flux='random' for a field that need not be quantised")
    return int(nearest)


@dataclass(frozen=True)
class Lattice2dDisorder:
    """One realisation: ``energies`` (L*L,) flat x + L*y; ``a_x``, ``a_y`` (L, L) indexed [y, x]."""

    energies: np.ndarray
    a_x: np.ndarray
    a_y: np.ndarray

    @property
    def has_flux(self) -> bool:
        return bool(np.any(self.a_x) or np.any(self.a_y))


def uniform_field_phases(side: int, quanta: int) -> tuple[np.ndarray, np.ndarray]:
    """Landau-gauge bond phases of n_phi = ``quanta`` flux quanta: (a_x, a_y), each [y, x].

    a_x(x, y) = -2 pi n_phi y / L^2 on every x bond; the seam y bonds
    (x, L-1) -> (x, 0) carry +2 pi n_phi x / L so that every plaquette,
    seams included, holds 2 pi n_phi / L^2 (mod 2 pi).
    """
    rows = np.arange(side)[:, None] * np.ones((1, side))
    a_x = -2 * np.pi * quanta * rows / side**2
    a_y = np.zeros((side, side))
    a_y[side - 1] = 2 * np.pi * quanta * np.arange(side) / side
    return a_x, a_y


def plaquette_flux(a_x: np.ndarray, a_y: np.ndarray) -> np.ndarray:
    """Flux [y, x] through the plaquette with lower-left corner (x, y), in (-pi, pi]."""
    up = np.roll(a_x, -1, axis=0)      # a_x(x, y+1)
    right = np.roll(a_y, -1, axis=1)   # a_y(x+1, y)
    flux = a_x + right - up - a_y
    return np.pi - np.mod(np.pi - flux, 2 * np.pi)


def lattice_2d_disorder(model: Lattice2dModel, seed: int, realisation: int) -> Lattice2dDisorder:
    """Realisation ``realisation`` of ``seed``: energies, then the flux phases.

    Energies and random flux come from separate child streams, and the random
    phases are f times a fixed uniform draw in [-pi, pi): the same seed gives
    the same energies whatever the flux, and a sweep of f scales one pattern.
    """
    side = model.side
    energy_rng, flux_rng = np.random.default_rng((seed, realisation)).spawn(2)
    energies = energy_rng.uniform(-model.width / 2, model.width / 2, size=side * side)
    zeros = np.zeros((side, side))
    if model.flux == "random":
        a_x = model.flux_strength * flux_rng.uniform(-np.pi, np.pi, size=(side, side))
        return Lattice2dDisorder(energies, a_x, zeros)
    if model.flux == "uniform":
        a_x, a_y = uniform_field_phases(side, flux_quanta(model.flux_strength, side))
        return Lattice2dDisorder(energies, a_x, a_y)
    return Lattice2dDisorder(energies, zeros, zeros.copy())
