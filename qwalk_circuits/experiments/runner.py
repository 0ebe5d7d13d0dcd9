"""Deprecated import path: runs go through :mod:`qwalk_circuits.pipeline`.

``run_experiment`` is kept for notebooks and scripts written before the one pipeline;
use ``qwalk_circuits.run(experiment, config, shots=..., seed=..., store=...)``.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..analysis.summary import RunRecord, distances, sigma_fits
from ..execution.config import HardwareConfig
from ..execution.store import ResultStore
from ..execution.targets import AER_CONSTRUCTION_TARGET
from .base import Experiment

#: the construction target of Aer runs (see :mod:`.execution.targets`)
AER_TARGET = AER_CONSTRUCTION_TARGET

__all__ = ["AER_TARGET", "RunRecord", "distances", "run_experiment", "sigma_fits"]


def run_experiment(experiment: Experiment[Any], config: HardwareConfig, shots: int | None = None,
                   seed: int | None = None, store: ResultStore | None = None,
                   save: bool = True, executor: Any = None) -> RunRecord:
    """Deprecated: use ``qwalk_circuits.run`` (the same arguments)."""
    from ..pipeline import run

    warnings.warn("run_experiment is deprecated: use qwalk_circuits.run(experiment, config, "
                  "shots=..., seed=..., store=...)", DeprecationWarning, stacklevel=2)
    return run(experiment, config, shots=shots, seed=seed, store=store, save=save,
               executor=executor)
