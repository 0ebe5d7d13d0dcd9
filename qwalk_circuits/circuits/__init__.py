"""Pure circuit builders: arrays in, a QuantumCircuit out; nothing here runs a circuit."""

from .coined_walk import CONSTRUCTIONS, Construction, build_coined_walk, measure_position
from .layout import WalkLayout

__all__ = ["CONSTRUCTIONS", "Construction", "WalkLayout", "build_coined_walk", "measure_position"]
