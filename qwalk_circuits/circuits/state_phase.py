"""A state as a real vector times a phase of degree 1 in the register's bits.

:func:`.phase_polynomial.bit_polynomial` finds the exact degree of a list of phases.  A
state's phases are not known that well: where an amplitude is tiny (a Gaussian's
tails, 1e-9 and below, or exactly 0) its angle is rounding noise, and where a real
amplitude changes sign (the Fourier transform of a Gaussian cut off by the cycle has
tails of either sign) its phase jumps by pi; either way the exact degree comes out n
and the phase costs a generic diagonal (2^n - 2 CX).

:func:`real_times_phase` instead writes the state as a = r exp(i (g + sum_j c_j x_j))
with r real (of either sign: the RY cascade of :mod:`.amplitude_prep` prepares signs
at no cost) and checks the product against a itself, to ``atol`` in the 2-norm.  The
c_j come from a^2, which has no sign: along the edges x -> x + 1 of the register
(in its own bit order and in the reversed one, the no-swap Fourier frame's), the
weighted sum of b_{x+1} conj(b_x), b = |a| exp(2 i arg a), over the edges that carry t trailing
ones gives 2 (c_t - c_0 - ... - c_{t-1}), so tiny amplitudes weigh nothing and the c_t
follow one by one (mod pi: the rest is a sign, r's).  The wrap-around edge N-1 -> 0
stands in for t = n - 1 where no edge of that kind carries weight (a packet that
straddles site 0).

A Gaussian packet exp(i k0 x) is one P gate per qubit in the position basis; in the
no-swap Fourier frame its phase is the centre's 2 pi x0 k / N, again one P per qubit.
"""

from __future__ import annotations

import numpy as np

from .fourier_frame import bit_reverse
from .phase_polynomial import COEFFICIENT_TOL

#: the 2-norm by which r exp(i phase) may differ from the requested state: a hundredth
#: of the 1e-10 the exactness tests hold circuits to
STATE_PHASE_ATOL = 1e-12


def _trailing_ones(values: np.ndarray) -> np.ndarray:
    """How many of the lowest bits of each integer are 1 before the first 0: the trailing
    zeros of value + 1, the exponent of its lowest set bit."""
    above = values + 1
    return np.log2(above & -above).astype(int)


def _doubled_coefficients(b: np.ndarray, bits: int) -> np.ndarray:
    """2 c_t (mod 2 pi) of b's phase along the edges x -> x + 1 (see the module doc)."""
    edges = b[1:] * np.conj(b[:-1])
    groups = _trailing_ones(np.arange(b.size - 1))
    sums = (np.bincount(groups, weights=edges.real, minlength=bits)
            + 1j * np.bincount(groups, weights=edges.imag, minlength=bits))
    wrap = b[0] * np.conj(b[-1])  # difference vector -(e_0 + ... + e_{n-1})
    doubled = np.zeros(bits)
    for t in range(bits):
        doubled[t] = np.angle(sums[t]) + doubled[:t].sum()
    if bits and abs(wrap) > abs(sums[-1]):
        doubled[-1] = -np.angle(wrap) - doubled[:-1].sum()
    return doubled


def _split(a: np.ndarray, coefficients: np.ndarray, bits: int
           ) -> tuple[np.ndarray, dict[tuple[int, ...], float]]:
    """(r, {(j,): c_j, (): g}) with r = Re(a exp(-i phase)): the c_j reduced to (-pi, pi] and
    dropped below the gate tolerance first, then the global phase g that makes the rest real
    (kept whatever its size: it costs no gate)."""
    reduced = {(j,): float(np.angle(np.exp(1j * coefficients[j]))) for j in range(bits)}
    terms: dict[tuple[int, ...], float] = {
        k: v for k, v in reduced.items() if abs(v) > COEFFICIENT_TOL}
    x = np.arange(a.size)
    phase = np.zeros(a.size)
    for subset, angle in terms.items():
        phase += angle * ((x >> subset[0]) & 1)
    rotated = a * np.exp(-1j * phase)
    square = np.sum(rotated * np.exp(1j * np.angle(rotated)))
    global_phase = float(np.angle(square)) / 2 if abs(square) > 0 else 0.0
    if global_phase:
        terms[()] = global_phase
    return (rotated * np.exp(-1j * global_phase)).real, terms


def real_times_phase(amplitudes: np.ndarray, num_qubits: int, atol: float = STATE_PHASE_ATOL
                     ) -> tuple[np.ndarray, dict[tuple[int, ...], float]] | None:
    """(r, coefficients) with || a - r exp(i (c_() + sum_j c_(j,) x_j)) ||_2 <= atol, r real,
    or None where no such split is found (the caller then builds the exact diagonal).

    ``amplitudes`` is normalised, little-endian over the register; ``coefficients`` keys
    are (j,) for qubit j and () for the global phase, as in :mod:`.phase_polynomial`."""
    a = np.asarray(amplitudes, dtype=complex)
    if a.shape != (1 << num_qubits,):
        raise ValueError(f"{a.size} amplitudes for {num_qubits} qubits: give 2**n")
    b = a * np.exp(1j * np.angle(a))  # |a| exp(2 i phi): no sign
    x = np.arange(a.size)
    for reverse in (False, True):
        if reverse:
            coefficients = _doubled_coefficients(b[bit_reverse(x, num_qubits)],
                                                 num_qubits)[::-1] / 2
        else:
            coefficients = _doubled_coefficients(b, num_qubits) / 2
        real, terms = _split(a, coefficients, num_qubits)
        phase = np.full(a.size, terms.get((), 0.0))
        for subset, angle in terms.items():
            if subset:
                phase += angle * ((x >> subset[0]) & 1)
        if np.linalg.norm(a - real * np.exp(1j * phase)) <= atol:
            return real, terms
    return None
