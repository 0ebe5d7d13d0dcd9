"""Deprecated import path: ensembles run through :mod:`qwalk_circuits.pipeline` and are
analysed by :mod:`qwalk_circuits.analysis.summary` (``ensemble_summary``,
``ensemble_observables``)."""

from __future__ import annotations

import warnings
from typing import Any

from ..analysis.summary import RunRecord, ensemble_observables, ensemble_summary, json_safe
from ..execution.config import HardwareConfig
from ..execution.store import ResultStore
from .ensemble import EnsembleExperiment

__all__ = ["ensemble_observables", "ensemble_summary", "json_safe", "run_ensemble"]


def run_ensemble(experiment: EnsembleExperiment[Any], config: HardwareConfig,
                 shots: int | None = None, seed: int | None = None,
                 store: ResultStore | None = None, save: bool = True,
                 executor: Any = None) -> RunRecord:
    """Deprecated: use ``qwalk_circuits.run`` (the same arguments)."""
    from ..pipeline import run

    warnings.warn("run_ensemble is deprecated: use qwalk_circuits.run(experiment, config, "
                  "shots=..., seed=..., store=...)", DeprecationWarning, stacklevel=2)
    return run(experiment, config, shots=shots, seed=seed, store=store, save=save,
               executor=executor)
