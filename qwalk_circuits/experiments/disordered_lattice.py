"""What the Anderson experiments share: lattice observables plus IPR and a tail fit."""

from __future__ import annotations

import numpy as np

from .. import analysis
from ..analysis.ensembles import fit_exponential_tails, inverse_participation_ratio
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

    def ensemble_fits(self, mean: np.ndarray, error: np.ndarray | None) -> dict[str, float]:
        """xi from |psi|^2 ~ exp(-2|x|/xi), static disorder only (elsewhere it means nothing;
        it is meaningful once sigma has saturated)."""
        if self.spec.disorder != "static":  # type: ignore[attr-defined]
            return {}
        origin = self.spec.origin()
        fit = fit_exponential_tails(mean, signed_displacement(mean.size, origin), error,
                                    TAIL_MIN_DISTANCE)
        return {"localization_length": fit.length, "localization_length_error": fit.error}
