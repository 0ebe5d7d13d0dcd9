"""The spec of the disordered 2D torus experiments (issue 5): split-step times, disorder,
flux, spin-orbit coupling, and the ensemble-size checks they share."""

from __future__ import annotations

import warnings
from functools import cached_property
from typing import Literal

import numpy as np
from pydantic import Field

from ..core.disorder_2d import Lattice2dModel
from ..core.errors import ParameterError
from ..core.lattice_spec import MAX_ENSEMBLE_TIMES, sample_steps
from ..core.memory import require_memory
from ..core.specs import Spec

#: the jackknife error of n members is itself uncertain by about 1/sqrt(2(n - 1)); below
#: this many members that exceeds 25 %
ROUGH_ERROR_MEMBERS = 9
TIME_TOL = 1e-9
DEFAULT_AXIS_QUBITS = {1: 7, 2: 4}


class WalkTimeSpec(Spec):
    """The split step dt of the 2D model and the times measured (whole numbers of steps)."""

    hopping: float = Field(1.0, gt=0, description="hopping J (hbar = 1)")
    dt: float = Field(0.5, gt=0, description="split step dt (the model is this step)")
    time: float = Field(16.0, gt=0, description="final time t (a whole number of steps dt)")
    times: list[float] | None = Field(None, description="times to measure (multiples of dt in "
                                      f"(0, time]); default: up to {MAX_ENSEMBLE_TIMES - 1} "
                                      "evenly spaced")

    @property
    def steps(self) -> int:
        return round(self.time / self.dt)

    def _whole_steps(self, name: str, value: float) -> int:
        steps = value / self.dt
        if abs(steps - round(steps)) > TIME_TOL * max(1.0, steps):
            low = np.floor(steps) * self.dt
            raise ParameterError(name, f"{value} is not a whole number of steps dt = {self.dt}; "
                                 f"use {low:g} or {low + self.dt:g}, or change dt")
        return round(steps)

    def check(self) -> None:
        super().check()
        self._whole_steps("time", self.time)
        for t in self.times or []:
            if not 0 < self._whole_steps("times", t) <= self.steps:
                raise ParameterError("times", f"each time must lie in (0, time={self.time}]")

    def measured_steps(self) -> list[int]:
        """Step counts measured (t = 0, a bare plane wave or site, is never measured)."""
        if self.times is not None:
            return sorted({round(t / self.dt) for t in self.times})
        return [k for k in sample_steps(self.steps, MAX_ENSEMBLE_TIMES) if k > 0]

    def measured_times(self) -> list[float]:
        return [k * self.dt for k in self.measured_steps()]


class DisorderedTorusSpec(WalkTimeSpec):
    """The disordered torus of issue 5: disorder, flux and spin-orbit coupling."""

    lattice_qubits_per_axis: int | None = Field(None, ge=1, description="qubits per axis "
                                                "(L = 2**m sites per axis); default 4 in 2D, "
                                                "7 in 1D")
    W: float = Field(3.0, ge=0, description="disorder width: energies uniform in [-W/2, W/2]")
    flux: Literal["none", "random", "uniform"] = Field(
        "none", description="none (time-reversal symmetric), random (per-plaquette) or "
        "uniform (Landau gauge; smears -k0 on a small torus)")
    flux_strength: float = Field(0.0, ge=0, description="random: fraction f in [0, 1] of the "
                                 "full bond-phase range; uniform: whole number of flux quanta")
    spin_orbit: float | None = Field(None, description="SU(2) hopping angle theta (a spin "
                                     "qubit; unpolarised start, spin-summed detection); "
                                     "None: spinless")
    realisations: int = Field(50, ge=1, description="disorder realisations per start "
                              "(every member draws its own)")
    disorder_seed: int = Field(0, ge=0, description="seed s: member i is default_rng((s, i))")

    @property
    def axis_qubits(self) -> int:
        """m, with its default resolved."""
        if self.lattice_qubits_per_axis is not None:
            return self.lattice_qubits_per_axis
        return DEFAULT_AXIS_QUBITS[self.lattice_dimension()]

    def lattice_dimension(self) -> int:
        """1 (a chain) or 2 (the torus)."""
        return 2

    @cached_property
    def model(self) -> Lattice2dModel:
        return Lattice2dModel(self.axis_qubits, self.W, self.dt, self.hopping,
                              self.spin_orbit, self.flux, self.flux_strength)

    @property
    def side(self) -> int:
        return 1 << self.axis_qubits

    @property
    def total_qubits(self) -> int:
        """Circuit qubits: the position registers, plus the spin with spin-orbit coupling."""
        return self.lattice_dimension() * self.axis_qubits + self.spins - 1

    @property
    def spins(self) -> int:
        return 2 if self.spin_orbit is not None else 1

    def check(self) -> None:
        super().check()
        if self.flux == "none" and self.flux_strength != 0:
            raise ParameterError("flux_strength", "applies to flux=random or flux=uniform; "
                                 "set flux or drop flux_strength")
        self.model  # noqa: B018  (the model refuses bad W, flux strength, non-integer quanta)
        require_memory(self.total_qubits, "lattice_qubits_per_axis", self.axis_qubits)

    def check_members(self, members: int) -> None:
        """Refuse an ensemble without an error bar; warn when the error bar is rough."""
        if members < 2:
            raise ParameterError("realisations", "an error bar needs at least two ensemble "
                                 "members: use realisations >= 2")
        if members < ROUGH_ERROR_MEMBERS:
            warnings.warn(f"only {members} ensemble members: their standard error is itself "
                          f"uncertain by more than 25 %; use realisations >= "
                          f"{-(-ROUGH_ERROR_MEMBERS * self.realisations // members)}",
                          UserWarning, stacklevel=2)
