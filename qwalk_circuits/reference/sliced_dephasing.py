"""The exact diffusion of the *sliced* HSR channel that the ``dephasing`` circuits implement.

The circuits do not integrate d rho/dt = -i[H, rho] - gamma (rho - diag rho); per slice of
length dt they apply U = exp(-i H dt), then rho -> (1 - p) rho + p diag rho with
p = 1 - q, q = exp(-gamma dt).  On the infinite line (H = -J sum |x><x+1| + h.c.) this
model has a closed form of its own.

Derivation (Heisenberg picture, one slice: A -> Phi^dag(A) = U^dag Dq(A) U, with
Dq(A) = q A + (1 - q) diag A).  Let X be the position and V = i[H, X] the velocity; in
momentum space H = -2J cos k and V = 2J sin k commute, so U^dag X U = X + V dt exactly.
V is off-diagonal in the site basis (V[x, x+1] = -iJ), V^2 has the diagonal 2J^2, and
XV + VX is off-diagonal.  Hence

    Phi^dag(X)       = X + V dt
    Phi^dag(V)       = q V
    Phi^dag(XV + VX) = q (XV + VX) + 2 q dt V^2
    Phi^dag(V^2)     = q V^2 + (1 - q) 2J^2.

From a single site (<V> = <XV + VX> = 0, <V^2> = 2J^2, which then stays 2J^2) the
moments after n slices obey b_{n+1} = q b_n + 4 J^2 q dt with b = <XV + VX>, and
<X^2>_{n+1} = <X^2>_n + dt b_n + 2 J^2 dt^2.  Summed:

    sigma^2(n dt) = 2 J^2 dt^2 n + (4 J^2 q dt^2 / (1 - q)) (n - (1 - q^n)/(1 - q)),

so the long-time slope gives the model's diffusion constant (sigma^2 ~ 2 D t)

    D_model = J^2 dt (1 + q)/(1 - q) = J^2 dt coth(gamma dt / 2)
            = (2 J^2 / gamma) x coth x,  x = gamma dt / 2,

which tends to Haken-Strobl-Reineker's D = 2 J^2/gamma as dt -> 0, with the relative
excess x coth x - 1 = (gamma dt)^2/12 - (gamma dt)^4/720 + ... (the *slicing error*;
it is even in dt, so it is already second order).  sigma^2(n dt) above tends to the HSR
closed form (4J^2/gamma^2)(gamma t - 1 + e^(-gamma t)).  The same holds per axis on a
square lattice.  It is an infinite-lattice result: on a ring of N sites it holds while
the walker has not reached around (the summary warns when the fit window does).

Symmetric (Strang) placement does not change D_model: half a channel, U, half a channel
is the sliced channel conjugated by a half channel, (D_sqrt(q) U D_sqrt(q))^n =
D_sqrt(q) (U D_q)^(n-1) U D_sqrt(q), and a channel leaves populations alone, so from a
diagonal start every measured distribution is *identical* to the plain placement's.
Splitting the unitary instead (U_1/2 D_q U_1/2) conjugates by U_1/2: the distributions
change at finite t, but the per-slice map has the same spectrum, so the long-time D is the
same J^2 dt coth(gamma dt/2).  The slicing error comes from applying the dephasing in
kicks of strength q = e^(-gamma dt), not from where the kicks sit; only a smaller dt
(``slicing_error`` in the spec) reduces it.  Both statements are tested against the
density-matrix twin.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq


def slicing_excess(gamma: float, dt: float) -> float:
    """D_model / D_continuum - 1 = x coth x - 1, x = gamma dt / 2 (>= 0; 0 at gamma = 0)."""
    x = 0.5 * gamma * dt
    if x < 1e-2:  # the series (next term 2 x^10/93555), free of x / tanh x - 1's cancellation
        x2 = x * x
        return x2 / 3 - x2**2 / 45 + 2 * x2**3 / 945 - x2**4 / 4725
    return x / math.tanh(x) - 1


def continuum_diffusion_constant(hopping: float, gamma: float) -> float:
    """Haken-Strobl-Reineker's D = 2 J^2 / gamma (continuous dephasing, infinite line)."""
    return 2 * hopping**2 / gamma


def sliced_diffusion_constant(hopping: float, gamma: float, dt: float) -> float:
    """The sliced channel's exact long-time D = J^2 dt coth(gamma dt / 2) (see the module)."""
    return continuum_diffusion_constant(hopping, gamma) * (1 + slicing_excess(gamma, dt))


def sliced_crossover_time(gamma: float, dt: float) -> float:
    """Where the model's asymptotes 2 J^2 t^2 (exact for t <= dt) and 2 D_model t meet:
    D_model / J^2 = dt coth(gamma dt / 2) -> 2 / gamma."""
    return 2 / gamma * (1 + slicing_excess(gamma, dt))


def sliced_sigma_squared(hopping: float, gamma: float, dt: float,
                         slices: np.ndarray | list[int]) -> np.ndarray:
    """sigma^2 after n slices from one site on the infinite line (the module's closed form),
    written with expm1 so that it stays accurate as gamma dt -> 0 (and is 2 J^2 t^2 at
    gamma = 0)."""
    n = np.asarray(slices, dtype=float)
    if gamma == 0:
        return 2 * hopping**2 * (n * dt) ** 2
    g = gamma * dt
    one_minus_q = -math.expm1(-g)
    q = 1 - one_minus_q
    # n - (1 - q^n)/(1 - q) = sum_{m < n} (1 - q^m)/(1 - q) >= 0
    tail = n - (-np.expm1(-g * n)) / one_minus_q
    return 2 * hopping**2 * dt**2 * n + 4 * hopping**2 * q * dt**2 / one_minus_q * tail


def slices_for_slicing_error(gamma: float, time: float, target: float) -> int:
    """The fewest slices of [0, time] whose slicing error x coth x - 1 is at most ``target``."""
    if gamma <= 0 or target <= 0:
        raise ValueError("a slicing-error target needs gamma > 0 and target > 0")
    # x coth x - 1 rises monotonically from 0: solve for the largest allowed x = gamma dt/2
    high = 1.0
    while slicing_excess(1.0, 2 * high) < target:
        high *= 2
    x = brentq(lambda y: slicing_excess(1.0, 2 * y) - target, 0.0, high, xtol=1e-15)
    steps = max(1, math.ceil(gamma * time / (2 * x)))
    while slicing_excess(gamma, time / steps) > target:  # brentq's last ulp
        steps += 1
    return steps
