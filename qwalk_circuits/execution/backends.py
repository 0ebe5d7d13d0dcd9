"""Backends for a hardware config, and the size limits a run must respect."""

from __future__ import annotations

import os

from qiskit_aer import AerSimulator

from ..errors import QwalkError
from .config import HardwareConfig

BYTES_PER_AMPLITUDE = 16


def make_backend(config: HardwareConfig) -> AerSimulator:
    """The simulator a config names (later kinds: fake and real IBM devices)."""
    return AerSimulator(method=config.backend.method)


def available_memory_bytes() -> int:
    """Physical memory of this machine."""
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def state_memory_bytes(num_qubits: int, density_matrix: bool = False) -> int:
    """Memory of a statevector (or density matrix) of ``num_qubits`` qubits."""
    return BYTES_PER_AMPLITUDE * (1 << (num_qubits * (2 if density_matrix else 1)))


def check_fits(num_qubits: int, config: HardwareConfig, what: str) -> None:
    """Refuse a circuit that the backend or this machine's memory cannot hold."""
    density = config.backend.method == "density_matrix"
    need = state_memory_bytes(num_qubits, density)
    have = available_memory_bytes()
    limit = make_backend(config).target.num_qubits or num_qubits
    gib = 1 << 30
    if need > have // 2 or num_qubits > limit:
        raise QwalkError(
            f"{what} needs {num_qubits} qubits: the {config.backend.method} simulation would take "
            f"{need / gib:.3g} GiB of memory and this machine has {have / gib:.3g} GiB "
            f"(backend limit {limit} qubits); use fewer qubits")
