"""Experiments, registered by name: ``REGISTRY[name].from_settings({...})``.

Every module of this package is imported here, so an experiment is one new file with a
``@register``-ed class: the CLI, the contract test and the golden snapshots find it by
name, with no import list to edit.
"""

from importlib import import_module
from pkgutil import iter_modules

from .base import REGISTRY, Experiment

for _module in iter_modules(__path__):
    import_module(f"{__name__}.{_module.name}")  # importing registers its experiments

from .runner import RunRecord, run_experiment  # noqa: E402  (run_experiment: deprecated shim)

__all__ = ["REGISTRY", "Experiment", "RunRecord", "get_experiment", "run_experiment"]


def get_experiment(name: str) -> type[Experiment]:
    """The experiment class registered under ``name``."""
    from ..core.errors import QwalkError

    if name not in REGISTRY:
        raise QwalkError(f"unknown experiment '{name}'; see 'qwalk list' ({sorted(REGISTRY)})")
    return REGISTRY[name]
