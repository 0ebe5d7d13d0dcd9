"""Exact reference solvers: numpy and scipy only, never qiskit.

A bug in a circuit cannot hide behind the same bug in its check: these
solvers share nothing with ``circuits/`` but the experiment's parameters.
"""

from .classical_walk import classical_walk_distributions
from .coined_walk import (
    coined_walk_density_matrices,
    coined_walk_distributions,
    coined_walk_states,
    position_distribution,
)

__all__ = [
    "classical_walk_distributions",
    "coined_walk_density_matrices",
    "coined_walk_distributions",
    "coined_walk_states",
    "position_distribution",
]
