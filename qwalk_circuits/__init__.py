"""qwalk_circuits: quantum-diffusion experiments as Qiskit circuits, each checked against an
exact classical solver.

The run API (one pipeline for Aer, fake devices and IBM devices)::

    from qwalk_circuits import run, get_experiment, load_config
    experiment = get_experiment("coined-walk").from_settings({"steps": 16})
    record = run(experiment, load_config("aer_ideal"), shots=None, seed=1)

``submit`` / ``fetch`` defer device work through the job ledger; ``reanalyse`` rebuilds
a stored run's summary from its stored outcomes.  Names load on first use, so
``import qwalk_circuits`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {"run": "pipeline", "submit": "pipeline", "fetch": "pipeline",
            "reanalyse": "pipeline", "RunRecord": "analysis.summary",
            "get_experiment": "experiments", "REGISTRY": "experiments",
            "load_config": "execution.config", "ResultStore": "execution.store",
            "QwalkError": "core.errors"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'qwalk_circuits' has no attribute {name!r}")
