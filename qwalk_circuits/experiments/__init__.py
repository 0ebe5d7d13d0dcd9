"""Experiments, registered by name: ``REGISTRY[name].from_settings({...})``."""

from . import (  # noqa: F401  (importing registers them)
    anderson_ctqw,
    anderson_walk,
    backscattering,
    coined_dephasing,
    coined_walk,
    ctqw,
    dephasing,
    free_packet,
    kicked_rotor,
    return_probability,
)
from .base import REGISTRY, Experiment
from .runner import RunRecord, run_experiment

__all__ = ["REGISTRY", "Experiment", "RunRecord", "get_experiment", "run_experiment"]


def get_experiment(name: str) -> type[Experiment]:
    """The experiment class registered under ``name``."""
    from ..errors import QwalkError

    if name not in REGISTRY:
        raise QwalkError(f"unknown experiment '{name}'; see 'qwalk list' ({sorted(REGISTRY)})")
    return REGISTRY[name]
