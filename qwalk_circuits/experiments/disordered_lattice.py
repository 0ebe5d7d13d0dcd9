"""What the Anderson experiments share: lattice observables plus IPR and a tail fit."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import analysis
from ..analysis.ensembles import inverse_participation_ratio
from ..analysis.tail_plots import draw_final_distribution
from ..analysis.tails import (
    TailProcedure,
    localization_note,
    localization_results,
    noise_floor,
    tail_procedure,
    tail_warnings,
)
from ..core.lattice import signed_displacement
from .ensemble import EnsembleExperiment
from .lattice import LatticeExperiment, LatticeSpecT

TAIL_MIN_DISTANCE = 2


class DisorderedLatticeExperiment(EnsembleExperiment[LatticeSpecT],
                                  LatticeExperiment[LatticeSpecT]):
    """A 1D lattice ensemble: sigma, p_origin, IPR (mean over realisations) and, for static
    disorder, the localization length from the exponential tails of the average."""

    mean_over_realisations = ("ipr",)

    def observables(self, p: np.ndarray) -> dict[str, float]:
        values = analysis.observables(p, self.spec.origin(), 1)
        values["ipr"] = inverse_participation_ratio(p)
        return values

    def observable_errors(self, p: np.ndarray, shots: int) -> dict[str, float]:
        """Shot noise of one realisation; the plug-in IPR's is 2 sqrt((sum p^3 - IPR^2)/S)."""
        errors = super().observable_errors(p, shots)
        ipr = inverse_participation_ratio(p)
        errors["ipr"] = float(2 * np.sqrt(max(float(np.sum(p**3)) - ipr**2, 0.0) / shots))
        return errors

    def fit_procedure(self, mean: np.ndarray, error: np.ndarray | None, shots: int | None,
                      members: int) -> TailProcedure | None:
        """xi from p ~ exp(-2|x|/xi), static disorder only (elsewhere it means nothing; it is
        meaningful once sigma has saturated): the window from the measured tail's noise
        floor and its weights, applied alike to the exact ensemble (analysis/tails.py)."""
        if self.spec.disorder != "static":  # type: ignore[attr-defined]
            return None
        return tail_procedure(mean, signed_displacement(mean.size, self.spec.origin()), error,
                              noise_floor(shots, members), TAIL_MIN_DISTANCE)

    def analysed_results(self, summary: dict[str, Any]) -> dict[str, Any]:
        """The final time's xi of the circuits and of the exact ensemble, fitted alike, with
        the cut-off systematic in their errors and their paired difference."""
        return {**super().analysed_results(summary), **localization_results(summary)}

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        """The ensemble's notes, the localization length in its full form."""
        lines = [line for line in super().summary_notes(summary)
                 if not line.startswith("localization length")]
        note = localization_note(summary)
        return lines + ([note] if note else [])

    def result_warnings(self, summary: dict[str, Any]) -> list[str]:
        """The lattice's finite-size guard, then the tail fit's: a tail out to the ring's
        far side, a xi that moves with the cut-off."""
        return [*super().result_warnings(summary),
                *tail_warnings(summary, self.spec.num_sites)]

    def plot_final_distribution(self, axis: Any, record: Any) -> bool:
        """The final average on a log scale with its fitted tails (circuits and exact
        ensemble, one procedure); static disorder only."""
        displacement = signed_displacement(record.distributions[-1].size, self.spec.origin())
        return draw_final_distribution(axis, record, displacement, TAIL_MIN_DISTANCE)
