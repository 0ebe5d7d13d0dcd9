"""Initial position states: a single site or a Gaussian wave packet."""

from __future__ import annotations

import numpy as np

from .errors import ParameterError
from .lattice import signed_displacement

PACKET_WIDTHS_PER_REGISTER = 8  # a packet fits when 8 * width <= number of sites


def site_state(num: int, site: int) -> np.ndarray:
    """|site> on a cycle of ``num`` sites."""
    if not 0 <= site < num:
        raise ParameterError("x0", f"site {site} is outside the register 0..{num - 1}")
    psi = np.zeros(num, dtype=complex)
    psi[site] = 1.0
    return psi


def gaussian_packet(num: int, centre: float, width: float, momentum: float) -> np.ndarray:
    """Gaussian packet on a cycle: |psi(x)|^2 has standard deviation ``width``.

    psi(x) ~ exp(-(x - centre)^2 / (4 width^2) + i momentum (x - centre)),
    with x - centre taken as the shortest signed distance on the cycle.
    """
    for name, value in (("x0", centre), ("packet_width", width), ("packet_momentum", momentum)):
        if not np.isfinite(value):
            raise ParameterError(name, f"{value!r} is not a finite number")
    if width <= 0:
        raise ParameterError("packet_width", f"must be > 0 (got {width})")
    if PACKET_WIDTHS_PER_REGISTER * width > num:
        need = int(np.ceil(np.log2(PACKET_WIDTHS_PER_REGISTER * width)))
        raise ParameterError("packet_width", f"a packet of width {width} does not fit {num} "
                             f"sites (needs {PACKET_WIDTHS_PER_REGISTER} x width <= sites): "
                             f"raise position_qubits to {need} or lower packet_width")
    base = int(np.floor(centre))
    d = signed_displacement(num, base % num) - (centre - base)
    psi = np.exp(-(d**2) / (4 * width**2) + 1j * momentum * d)
    return psi / np.linalg.norm(psi)
