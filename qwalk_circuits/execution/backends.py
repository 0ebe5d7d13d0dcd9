"""Backends for a hardware config, and the size limit a run must respect."""

from __future__ import annotations

from qiskit.providers import BackendV2
from qiskit_aer import AerSimulator

from ..core.errors import QwalkError
from ..core.memory import require_memory
from .config import HardwareConfig


def make_backend(config: HardwareConfig) -> BackendV2:
    """The simulator a config names; for a device, the fake device (or a real device's
    fake twin: no network here), whose size and gates are the device's."""
    from .targets import DeviceTarget, make_target

    target = make_target(config)
    if isinstance(target, DeviceTarget) and config.backend.device is not None:
        from .devices import fake_backend

        try:
            return fake_backend(target.twin)
        except QwalkError:
            if target.simulates_locally:  # a fake device that is not there: say so
                raise
    return AerSimulator(method=config.backend.method)


def check_fits(num_qubits: int, config: HardwareConfig, parameter: str, value: object,
               memory: bool = True) -> None:
    """Refuse a circuit that the backend or (``memory``) this machine's memory cannot hold."""
    if memory:
        require_memory(num_qubits, parameter, value,
                       density_matrix=config.backend.method == "density_matrix")
    limit = make_backend(config).target.num_qubits
    if limit is not None and num_qubits > limit:
        raise QwalkError(f"parameter '{parameter}': {value} gives {num_qubits} qubits, more than "
                         f"the backend's {limit}; lower {parameter}")
