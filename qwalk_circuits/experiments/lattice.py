"""Behaviour shared by experiments whose observable is a distribution over lattice sites."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
from qiskit import QuantumCircuit

from .. import analysis
from ..analysis.finite_size import far_side_filling, finite_size_warning
from ..core.lattice import signed_displacement
from ..core.lattice_spec import LatticeSpec
from ..execution.backends import check_fits
from ..execution.config import HardwareConfig
from .base import Experiment

LatticeSpecT = TypeVar("LatticeSpecT", bound=LatticeSpec)


class LatticeExperiment(Experiment[LatticeSpecT]):
    """Site distributions, moments about the start, shot-noise errors, size checks."""

    second_observable = ("p_origin", "P(origin)")

    def outcome_axis(self) -> tuple[np.ndarray, str] | None:
        """A 1D walk's distribution is over its signed displacement from the start."""
        s = self.spec
        if s.dimension != 1:
            return None
        return signed_displacement(s.num_sites, s.origin()), "x - x0"

    def check_size(self, config: HardwareConfig) -> None:
        check_fits(self.spec.total_qubits, config, "position_qubits", self.spec.position_qubits)

    def site_distribution(self, circuit: QuantumCircuit, probabilities: np.ndarray | None,
                          counts: dict[int, int] | None) -> np.ndarray:
        offset = int(circuit.metadata.get("site_offset", 0))
        if probabilities is not None:
            return analysis.relabel(probabilities, offset)
        if counts is None:
            raise ValueError("a circuit result needs probabilities or counts")
        return analysis.distribution_from_counts(counts, self.spec.num_sites, offset)

    def observables(self, p: np.ndarray) -> dict[str, float]:
        return analysis.observables(p, self.spec.origin(), self.spec.dimension)

    def finite_size_reference(self) -> list[np.ndarray]:
        """The distributions the finite-size guard reads: the exact reference (the model's,
        free of shot and device noise, which would fill the far side by themselves)."""
        return self.reference_distributions()

    def result_warnings(self, summary: dict[str, Any]) -> list[str]:
        """The finite-size guard (``analysis/finite_size.py``): a warning from the first time
        the exact walk fills the ring's antipode (the torus's far side) past its limit."""
        s = self.spec
        filling = [far_side_filling(p, s.origin(), s.dimension)
                   for p in self.finite_size_reference()]
        steps = "steps" in type(s).model_fields  # a walk of steps, else of a time
        warning = finite_size_warning(list(self.times()), filling, what="exact walk",
                                      size_parameter="position_qubits",
                                      size=s.position_qubits,
                                      time_parameter="steps" if steps else "time")
        return [warning] if warning else []

    def observable_errors(self, p: np.ndarray, shots: int) -> dict[str, float]:
        return analysis.observable_errors(p, self.spec.origin(), shots, self.spec.dimension)
