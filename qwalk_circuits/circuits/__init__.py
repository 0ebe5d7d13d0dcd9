"""Pure circuit builders: arrays in, a QuantumCircuit out; nothing here runs a circuit."""

from .coined_walk import (
    CONSTRUCTIONS,
    MARKED_CONSTRUCTIONS,
    Construction,
    build_coined_walk,
    measure_position,
)
from .ctqw import build_ctqw
from .layout import WalkLayout

__all__ = ["CONSTRUCTIONS", "MARKED_CONSTRUCTIONS", "Construction", "WalkLayout",
           "build_coined_walk", "build_ctqw", "measure_position"]
