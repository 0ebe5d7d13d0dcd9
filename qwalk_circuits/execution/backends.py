"""Backends for a hardware config, and the size limit a run must respect."""

from __future__ import annotations

from qiskit_aer import AerSimulator

from ..errors import QwalkError
from ..memory import require_memory
from .config import HardwareConfig


def make_backend(config: HardwareConfig) -> AerSimulator:
    """The simulator a config names (later kinds: fake and real IBM devices)."""
    return AerSimulator(method=config.backend.method)


def check_fits(num_qubits: int, config: HardwareConfig, parameter: str, value: object) -> None:
    """Refuse a circuit that the backend or this machine's memory cannot hold."""
    require_memory(num_qubits, parameter, value,
                   density_matrix=config.backend.method == "density_matrix")
    limit = make_backend(config).target.num_qubits
    if limit is not None and num_qubits > limit:
        raise QwalkError(f"parameter '{parameter}': {value} gives {num_qubits} qubits, more than "
                         f"the backend's {limit}; lower {parameter}")
