"""Deprecated import path: device runs go through :mod:`qwalk_circuits.pipeline`
(``run``, ``submit``, ``fetch``), submissions live in
:mod:`qwalk_circuits.execution.device_submission`, their analysis in
:mod:`qwalk_circuits.device_analysis` and :mod:`qwalk_circuits.analysis.device_comparison`.

The names notebooks and scripts used are re-exported here (loaded on first use: this
package is imported by the modules it points to).
"""

from __future__ import annotations

import warnings
from importlib import import_module
from typing import Any

from ..execution.config import HardwareConfig
from ..execution.store import ResultStore
from .base import Experiment

_MOVED = {"finish": "device_analysis", "finish_run": "device_analysis",
          "reanalyse_device_run": "device_analysis", "on_device": "experiments.unravelled",
          **{name: "execution.device_submission" for name in (
              "CALIBRATION_CIRCUITS", "job_capacity", "members_per_pub",
              "plan_with_calibration", "resume_submission", "stored_config",
              "submit_experiment")}}

__all__ = sorted([*_MOVED, "run_on_device"])


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        return getattr(import_module(f"qwalk_circuits.{_MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_on_device(experiment: Experiment[Any], config: HardwareConfig, shots: int,
                  seed: int | None, store: ResultStore, service: Any = None,
                  progress: bool = True) -> dict[str, Any]:
    """Deprecated: use ``qwalk_circuits.run(experiment, config, shots=..., seed=...)``."""
    from ..pipeline import run

    warnings.warn("run_on_device is deprecated: use qwalk_circuits.run(experiment, config, "
                  "shots=..., seed=..., store=...)", DeprecationWarning, stacklevel=2)
    return run(experiment, config, shots=shots, seed=seed, store=store, service=service,
               progress=progress).summary
