"""What the kicked rotor's parameters must satisfy before a run: kbar off a quantum
resonance (or knowingly on one), and a momentum register its walk does not wrap around."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from ..reference.kicked_rotor import KickPotential, momentum_grid, momentum_states, p2_per_beta

RESONANCE_DENOMINATOR = 12  # kbar/(4 pi) = p/q with q <= this counts as a resonance
RESONANCE_TOLERANCE = 1e-9  # |kbar/(4 pi) - p/q| below this (relative) is that p/q
ESCAPE_TOLERANCE = 1e-4  # probability that may pass the register's edge |m| = N/2
LARGEST_SUGGESTION = 14  # momentum_qubits searched when suggesting a register size


def resonance(kbar: float) -> Fraction | None:
    """p/q if kbar/(4 pi) is that fraction (q <= RESONANCE_DENOMINATOR, p >= 1), else None."""
    ratio = kbar / (4 * np.pi)
    fraction = Fraction(ratio).limit_denominator(RESONANCE_DENOMINATOR)
    if fraction.numerator >= 1 and abs(ratio - float(fraction)) <= RESONANCE_TOLERANCE * ratio:
        return fraction
    return None


def escaped_probability(kick: float, kbar: float, times: tuple[int, ...], momentum_qubits: int,
                        betas: tuple[float, ...], potential: KickPotential = "cos") -> float:
    """What an n-qubit register would wrap around: the largest beta-averaged probability at
    |m| >= 2^(n-1) over the times, computed on n + 1 qubits."""
    larger = momentum_qubits + 1
    mean = np.zeros((len(times), 1 << larger))
    for beta in betas:
        mean += np.abs(momentum_states(kick, kbar, times, larger, beta, potential)) ** 2
    outside = np.abs(momentum_grid(larger)) >= (1 << (momentum_qubits - 1))
    return float(mean[:, outside].sum(axis=1).max() / len(betas))


def truncation_change(kick: float, kbar: float, times: tuple[int, ...], momentum_qubits: int,
                      betas: tuple[float, ...], potential: KickPotential = "cos") -> float:
    """What the register's size does to the measured <m^2>: the largest relative change of
    the beta-averaged <m^2>(t) over the times when one qubit is added (the sawtooth map's
    register check: its k^2/m^4 tails always reach the edge, so an escape probability says
    little; what they do to the observable does)."""
    small = p2_per_beta(kick, kbar, times, momentum_qubits, betas, potential=potential)
    large = p2_per_beta(kick, kbar, times, momentum_qubits + 1, betas, potential=potential)
    small, large = small.mean(axis=1), large.mean(axis=1)
    change = np.abs(small - large) / np.maximum(np.abs(large), 1e-300)
    return float(np.max(np.where(large > 0, change, 0.0), initial=0.0))


def register_advice(momentum_qubits: int, holds: Callable[[int], bool]) -> str:
    """What to do when an n-qubit register fails its check: the smallest larger register
    (up to LARGEST_SUGGESTION qubits) for which ``holds`` is true, else what to lower."""
    fits = next((k for k in range(momentum_qubits + 1, LARGEST_SUGGESTION + 1) if holds(k)),
                None)
    if fits is not None:
        return f"use momentum_qubits={fits}"
    return (f"even {max(momentum_qubits, LARGEST_SUGGESTION)} qubits do not hold it: lower "
            "kicks or kick_strength")
