"""How much memory a state needs, and whether this machine has it."""

from __future__ import annotations

import os

from .errors import ParameterError

BYTES_PER_AMPLITUDE = 16
GIB = 1 << 30
USABLE_FRACTION = 0.5  # leave room for copies made by solvers and simulators


def available_memory_bytes() -> int:
    """Physical memory of this machine."""
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def state_memory_bytes(num_qubits: int, density_matrix: bool = False) -> int:
    """Memory of a statevector (or density matrix) of ``num_qubits`` qubits."""
    return BYTES_PER_AMPLITUDE * (1 << (num_qubits * (2 if density_matrix else 1)))


def require_memory(num_qubits: int, parameter: str, value: object,
                   density_matrix: bool = False) -> None:
    """Raise a ParameterError saying how much memory the state would need, if it does not fit."""
    need = state_memory_bytes(num_qubits, density_matrix)
    have = available_memory_bytes()
    if need > USABLE_FRACTION * have:
        kind = "density matrix" if density_matrix else "statevector"
        raise ParameterError(parameter, f"{value} gives {num_qubits} qubits: the {kind} would "
                             f"need {need / GIB:.3g} GiB of memory and this machine has "
                             f"{have / GIB:.3g} GiB; lower {parameter}")
