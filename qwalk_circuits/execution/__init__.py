"""Execution: hardware configs, backends, running circuits, resources, the result store.

No physics here: circuits in, counts or probabilities out.
"""

from .config import HardwareConfig, load_config
from .runner import CircuitResult, ExecutionResult, execute
from .store import ResultStore

__all__ = ["CircuitResult", "ExecutionResult", "HardwareConfig", "ResultStore", "execute",
           "load_config"]
