"""Spec fields shared by every walk on a cycle or torus: register size and initial position."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from .errors import ParameterError
from .memory import require_memory
from .specs import Spec
from .states import gaussian_packet, site_state

MAX_DEFAULT_TIMES = 25
MAX_ENSEMBLE_TIMES = 13  # an ensemble runs every time point R times


def sample_steps(total: int, max_points: int = MAX_DEFAULT_TIMES) -> list[int]:
    """Every step 0..total, or ``max_points`` of them evenly spaced (ends included)."""
    if total + 1 <= max_points:
        return list(range(total + 1))
    return sorted({round(k) for k in np.linspace(0, total, max_points)})


def thinned_grid_warning(measured: int, available: int, what: str, fix: str) -> list[str]:
    """A warning when only ``measured`` of the ``available`` grid points are measured."""
    if measured >= available:
        return []
    return [f"measured at {measured} of the {available} {what} (evenly spaced, ends "
            f"included), not at each; {fix}"]


class RegisterSpec(Spec):
    """A cycle (1D) or L x L torus (2D) of 2**position_qubits sites per axis."""

    dimension: Literal[1, 2] = 1
    position_qubits: int = Field(6, ge=1, description="qubits per axis (2**n sites per axis)")

    @property
    def side(self) -> int:
        return 1 << self.position_qubits

    @property
    def num_sites(self) -> int:
        return self.side**self.dimension

    @property
    def position_qubit_count(self) -> int:
        return self.dimension * self.position_qubits

    @property
    def total_qubits(self) -> int:
        """Qubits of the circuit (subclasses add coin qubits)."""
        return self.position_qubit_count

    def check(self) -> None:
        require_memory(self.total_qubits, "position_qubits", self.position_qubits)
        self.position_state()

    def origin(self) -> int:
        """Flat index of the site displacements are measured from."""
        return self.side**self.dimension // 2 if self.dimension == 1 else (
            self.side // 2 + self.side * (self.side // 2))

    def position_state(self) -> np.ndarray:
        """Flat position amplitudes (x + L*y) of the start."""
        raise NotImplementedError

    def start_distribution(self) -> np.ndarray:
        """|psi0|^2 shaped (L,) or (L, L) [y, x], for the classical walks."""
        return (np.abs(self.position_state()) ** 2).reshape((self.side,) * self.dimension)


class LatticeSpec(RegisterSpec):
    """A register with a start: one site, or a Gaussian packet, anywhere on it."""

    initial_state: Literal["site", "gaussian"] = "site"
    x0: int | None = Field(None, description="start site (or packet centre); default: middle")
    y0: int | None = Field(None, description="start row in 2D; default: middle")
    packet_width: float = Field(2.0, gt=0, description="std of |psi|^2 of a gaussian start")
    packet_momentum: float = Field(0.0, description="mean momentum of a gaussian start")

    def check(self) -> None:
        super().check()
        given = self.model_fields_set
        if self.dimension == 1 and "y0" in given:
            raise ParameterError("y0", "a 1D walk has no y; drop y0 or set dimension=2")
        if self.initial_state == "site":
            for name in ("packet_width", "packet_momentum"):
                if name in given:
                    raise ParameterError(name, "applies to a Gaussian start only: add "
                                         "initial_state=gaussian or drop it")

    def start(self) -> tuple[int, int]:
        middle = self.side // 2
        return (middle if self.x0 is None else self.x0, middle if self.y0 is None else self.y0)

    def origin(self) -> int:
        """Flat index x0 + L*y0 of the start (the origin of displacements)."""
        x0, y0 = self.start()
        return x0 + (self.side * y0 if self.dimension == 2 else 0)

    def position_state(self) -> np.ndarray:
        """Flat position amplitudes (x + L*y)."""
        axes = []
        for name, centre in zip(("x0", "y0"), self.start()[: self.dimension], strict=False):
            if not 0 <= centre < self.side:
                raise ParameterError(name, f"{centre} is outside the register 0..{self.side - 1}")
            if self.initial_state == "site":
                axes.append(site_state(self.side, centre))
            else:
                axes.append(gaussian_packet(self.side, centre, self.packet_width,
                                            self.packet_momentum if name == "x0" else 0.0))
        return axes[0] if self.dimension == 1 else np.kron(axes[1], axes[0])


class NoisySpec(RegisterSpec):
    """How a noisy experiment is simulated: Aer density matrix, or sampled trajectories."""

    method: Literal["density_matrix", "trajectories"] = Field(
        "density_matrix", description="Aer density matrix, or sampled noisy trajectories "
        "(statevector + noise; needs shots)")
    kick_trajectories: int = Field(
        32, ge=2, description="on devices (which cannot apply a noise model): random "
        "phase-kick trajectories averaged in place of the channel; Aer applies it exactly")
    kick_seed: int = Field(0, ge=0, description="seed of the trajectories' kicks (change it "
                           "to draw other trajectories)")

    @property
    def aer_method(self) -> str:
        return "density_matrix" if self.method == "density_matrix" else "statevector"

    def check(self) -> None:
        super().check()
        if self.method == "density_matrix":
            require_memory(self.total_qubits, "position_qubits", self.position_qubits,
                           density_matrix=True)
