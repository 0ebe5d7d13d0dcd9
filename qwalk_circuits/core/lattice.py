"""Site <-> register encoding shared by both paths.

Conventions (see DESIGN.md): the position register is little-endian, qubit j
of the register is bit j of the site index; sites 0..N-1 lie on a cycle.  In
2D the flat site index is ``x + L * y`` (x qubits first, then y qubits), so a
reference array ``psi[c, y, x]`` flattened in C order is the Qiskit statevector
of qubits (x, y, coin).
"""

from __future__ import annotations

import numpy as np


def num_sites(position_qubits: int) -> int:
    """Sites on the cycle of a register of ``position_qubits`` qubits."""
    return 1 << position_qubits


def signed_displacement(num: int, origin: int) -> np.ndarray:
    """Displacement of each site 0..num-1 from ``origin`` on a cycle, in [-num/2, num/2)."""
    x = np.arange(num)
    return (x - origin + num // 2) % num - num // 2


def site_bits(site: int, position_qubits: int) -> str:
    """Bit string of a site as Qiskit prints it (qubit 0 rightmost)."""
    return format(site, f"0{position_qubits}b")


def split_site_2d(index: np.ndarray | int, side: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat 2D index ``x + side * y`` -> (x, y)."""
    idx = np.asarray(index)
    return idx % side, idx // side
