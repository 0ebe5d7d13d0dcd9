"""The exact long-time diffusion constant of the coin- or position-dephased coined walk.

No fit: D follows from the model's transfer superoperator in momentum space.

Model (the twin ``dephasing.coined_walk_dephasing_distributions`` steps the same thing
on a density matrix): one step is U = S (C x 1), S moving coin value 2a by +e_a and
2a+1 by -e_a, then the channel of probability p,
coin: rho -> (1 - p) rho + p sum_c P_c rho P_c, position: the same with site projectors.

Derivation.  Write rho(k, k') = sum_{x,y} e^{-ik.x} e^{ik'.y} <x|rho|y> (an n x n coin
matrix, n = 2d) and R_k(q) = rho(k, k + q).  Then the characteristic function of the
position distribution is G(q) = sum_x e^{iq.x} P(x) = int dk/(2pi)^d Tr R_k(q), and

    U:     R_k(q) -> V_k R_k(q) V_k^dag E_q,   V_k = diag(e^{-ik.s_c}) C,  E_q = diag(e^{iq.s_c}),
    coin:  R -> (1 - p) R + p diag R                      (each k on its own),
    sites: R_k(q) -> (1 - p) R_k(q) + p int dk'/(2pi)^d R_k'(q)   (every k at the same q),

s_c the move of coin value c.  Both channels keep q, so per q the walk is a linear map
M(q) on coin matrices (per k, or on functions of k), with M(0) trace preserving and
unital: its leading eigenvalue at q = 0 is 1, left eigenvector the trace, right
eigenvector the maximally mixed coin I/n.  At long times G(q, t) ~ lambda(q)^t, so the
variance along axis a grows by -2 lambda_a''(0)/2 per step: with sigma^2 = 2 D t the
package's convention (sigma^2 the total variance; D the sum over axes),
D_a = -[q^2] lambda_a(q).  Second-order perturbation theory in q (M = M0 + q M1 + q^2 M2,
M1 R = V R V^dag i Sigma_a, M2 R = -V R V^dag Sigma_a^2 / 2 before the channel,
Sigma_a = diag(s_c . e_a); the first-order term Tr(Sigma_a)/n vanishes) gives the
Green-Kubo form

    D_a = Tr(Sigma_a^2) / (2n) + (1/n) sum_{m >= 0} Re Tr[Sigma_a V M0^m(Sigma_a) V^dag],

one half the mean squared velocity plus the sum of velocity correlations, the sum done
as the reduced resolvent (1 - M0)^{-1} on the traceless coin matrices:

- coin channel: per k, Y_k = (1 - Phi V_k . V_k^dag)^{-1} (i Sigma_a / n) and
  D_a = Tr(Sigma_a^2)/(2n) - i int dk w(k) Tr[Sigma_a V_k Y_k V_k^dag].  Momentum is
  conserved, so the k-average is weighted by the start's momentum distribution
  w(k) = |phi(k)|^2 (1 for a walker starting on one site);
- position channel: with G = int dk V_k (1 - (1 - p) V_k . V_k^dag)^{-1} . V_k^dag (an
  n^2 x n^2 map), Z = (1 - p G)^{-1} G (i Sigma_a / n) on the traceless matrices and
  D_a = Tr(Sigma_a^2)/(2n) - i Tr[Sigma_a Z]; the k-mixing forgets the start.

Hadamard coin, 1D, in closed form (r = 1 - p).  On Bloch vectors V_k is the rotation
O_k = R_z(2k) O_H (O_H: x <-> z, y -> -y), Sigma = sigma_z, and V^dag sigma_z V = sigma_x.

- coin: the series is e_x . (1 - T_k)^{-1} e_z with T_k = diag(r, r, 1) O_k; solving the
  3x3 system gives D(k) = (1 + r^2 + 2 r cos 2k) / (2 (1 - r^2)), so
  D = (1 + r^2 + 2 r <cos 2k>_w) / (2 (1 - r^2))  -- (1 + r^2) / (2 (1 - r^2)) from one site;
- position: det(1 - r O_k) = (1 - r)(1 + r + r^2 + r cos 2k), and the k average of
  1/(A + r cos 2k) is 1/sqrt(A^2 - r^2) = 1/((1 + r) sqrt(1 + r^2)); G in closed form
  and D = 1/2 + e_z . (1 - p G)^{-1} G e_z reduce to D = sqrt(1 + r^2) / (2 (1 - r)).

Both are 1/2 at p = 1 and diverge as 1/(2p) (coin) and 1/(sqrt 2 p) (position) as p -> 0.

The k integrals have smooth periodic integrands (the trapezoid rule converges
exponentially); the grid is doubled until D changes by less than 1e-12 relative.
Checks: p = 1 gives the classical walk (D = 1/2 in 1D: sigma^2 = t, the Hadamard coin
turning z into x so every correlation vanishes); p -> 0 diverges like 1/p (the coherent
walk is ballistic).  D is the infinite-lattice value: a ring gives it only until the
walk reaches half the ring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: relative change of D between grid doublings at which the k quadrature stops
QUADRATURE_TOLERANCE = 1e-12
#: the finest k grid per axis tried (1D, 2D)
MAX_GRID = {1: 1 << 14, 2: 512}


@dataclass(frozen=True)
class DiffusionConstant:
    """D (sigma^2 = 2 D t, sigma^2 the total variance), per axis, and its quadrature."""

    value: float
    per_axis: tuple[float, ...]
    quadrature_error: float  # |D(N) - D(N/2)| at the grid used
    grid: int  # k points per axis


def hadamard_coin_dephasing_diffusion(p: float, mean_cos_2k: float = 0.0) -> float:
    """Closed form for the Hadamard walk with coin dephasing p: (1 + r^2 + 2 r <cos 2k>) /
    (2 (1 - r^2)), r = 1 - p, <cos 2k> over the start's momentum distribution (0 for one
    site)."""
    r = 1.0 - p
    return (1 + r * r + 2 * r * mean_cos_2k) / (2 * (1 - r * r))


def hadamard_position_dephasing_diffusion(p: float) -> float:
    """Closed form for the Hadamard walk with position dephasing p: sqrt(1 + r^2) /
    (2 (1 - r)), r = 1 - p, whatever the start."""
    r = 1.0 - p
    return float(np.sqrt(1 + r * r) / (2 * (1 - r)))


def moves(dimension: int) -> np.ndarray:
    """s_c, the step of coin value c: (2d, d), coin 2a moving +e_a and 2a+1 moving -e_a."""
    out = np.zeros((2 * dimension, dimension))
    for a in range(dimension):
        out[2 * a, a], out[2 * a + 1, a] = 1.0, -1.0
    return out


def momentum_grid(points: int, dimension: int) -> np.ndarray:
    """The trapezoid nodes 2 pi j / N per axis, as (N^d, d) (axis 0 is x)."""
    k = 2 * np.pi * np.arange(points) / points
    mesh = np.meshgrid(*([k] * dimension), indexing="ij")
    return np.stack([m.reshape(-1) for m in mesh], axis=1)


def step_blocks(coin: np.ndarray, ks: np.ndarray, dimension: int) -> np.ndarray:
    """V_k = diag(e^{-i k.s_c}) C for each momentum row of ``ks``: (K, n, n)."""
    phases = np.exp(-1j * ks @ moves(dimension).T)  # (K, n)
    return phases[:, :, None] * np.asarray(coin, dtype=complex)[None, :, :]


def conjugation(v: np.ndarray) -> np.ndarray:
    """The superoperator A -> V A V^dag on row-major vec(A): V (x) conj(V), stacked."""
    n = v.shape[-1]
    return np.einsum("kab,kcd->kacbd", v, v.conj()).reshape(v.shape[0], n * n, n * n)


def _trace_vector(n: int) -> np.ndarray:
    """vec(I)/sqrt(n): the unit vector along the identity (trace and maximally mixed)."""
    return np.eye(n).reshape(-1) / np.sqrt(n)


def _coin_dephasing_mask(n: int, p: float) -> np.ndarray:
    """The coin channel on vec(A): off-diagonal entries times 1 - p."""
    return np.where(np.eye(n, dtype=bool), 1.0, 1.0 - p).reshape(-1)


def _velocity(dimension: int, axis: int) -> np.ndarray:
    """Sigma_a = diag(s_c . e_a)."""
    return np.diag(moves(dimension)[:, axis]).astype(complex)


def _coin_channel_axis(coin: np.ndarray, p: float, dimension: int, axis: int,
                       ks: np.ndarray, weights: np.ndarray) -> float:
    n = 2 * dimension
    v = step_blocks(coin, ks, dimension)
    m0 = _coin_dephasing_mask(n, p)[None, :, None] * conjugation(v)
    u = _trace_vector(n)
    sigma = _velocity(dimension, axis)
    source = (1j * sigma / n).reshape(-1)
    # (1 - M0) is singular only along the identity, which the traceless source avoids
    y = np.linalg.solve(np.eye(n * n)[None] - m0 + np.outer(u, u)[None],
                        np.broadcast_to(source, (len(ks), n * n))[..., None])[..., 0]
    vyv = np.einsum("kab,kbc,kdc->kad", v, y.reshape(-1, n, n), v.conj())
    corr = -1j * np.einsum("ab,kba->k", sigma, vyv)
    return float(np.real(np.trace(sigma @ sigma)) / (2 * n) + np.real(weights @ corr) / len(ks))


def _position_channel_axis(coin: np.ndarray, p: float, dimension: int, axis: int,
                           ks: np.ndarray) -> float:
    n = 2 * dimension
    conj = conjugation(step_blocks(coin, ks, dimension))
    eye = np.eye(n * n)
    resolvents = np.linalg.solve(eye[None] - (1 - p) * conj, np.broadcast_to(eye, conj.shape))
    g = np.einsum("kab,kbc->ac", conj, resolvents) / len(ks)
    u = _trace_vector(n)
    sigma = _velocity(dimension, axis)
    source = (1j * sigma / n).reshape(-1)
    z = np.linalg.solve(eye - p * g + np.outer(u, u), g @ source)  # traceless part
    return float(np.real(np.trace(sigma @ sigma)) / (2 * n)
                 + np.real(-1j * np.trace(sigma @ z.reshape(n, n))))


def momentum_weights(initial: np.ndarray, displacements: list[np.ndarray],
                     points: int) -> np.ndarray:
    """w(k) = sum_c |psi_c(k)|^2 on the N^d grid for a start psi[c, sites] (any trailing
    site shape, flattened) at the sites' signed ``displacements`` (one array per axis):
    mean 1 (Parseval).  Zero-padding to N >= the ring's side keeps it exact (no aliasing)."""
    psi = np.asarray(initial, dtype=complex)
    psi = psi.reshape(psi.shape[0], -1)
    amplitudes = _packet_transforms(psi, displacements, points, np.ones(psi.shape[1]))
    weights = (np.abs(amplitudes) ** 2).sum(axis=0)
    return weights / weights.mean()


def dephased_walk_diffusion(coin: np.ndarray, channel: str, p: float, dimension: int = 1,
                            initial: np.ndarray | None = None,
                            displacements: list[np.ndarray] | None = None
                            ) -> DiffusionConstant:
    """The exact long-time D (sigma^2 ~ 2 D t, total variance) of the coined walk with
    ``channel`` ("coin" or "position") dephasing of probability ``p`` after every step.

    The coin channel conserves momentum, so its D depends on the start's momentum
    distribution: pass the start ``initial`` (psi[c, sites]) and the sites' signed
    ``displacements`` (one array per axis); default a walker on one site.  Raises
    ValueError where no finite D exists (p = 0: ballistic; a coin that never mixes).
    """
    if channel not in ("coin", "position"):
        raise ValueError(f"unknown channel {channel!r}; use 'coin' or 'position'")
    if not 0 < p <= 1:
        raise ValueError(f"a finite diffusion constant needs 0 < p <= 1 (got p={p}): "
                         "the coherent walk spreads ballistically")
    coin = np.asarray(coin, dtype=complex)
    if coin.shape != (2 * dimension, 2 * dimension):
        raise ValueError(f"a {dimension}D walk needs a {2 * dimension}x{2 * dimension} coin")
    minimum = 1 if initial is None else max(len(np.unique(d)) for d in displacements or [])
    points, previous = 16, None
    while True:
        ks = momentum_grid(points, dimension)
        with np.errstate(all="ignore"):
            try:
                axes = _axes(coin, channel, p, dimension, ks, initial, displacements, points)
            except np.linalg.LinAlgError:
                axes = (float("inf"),)
        value = float(sum(axes))
        if not np.isfinite(value):
            raise ValueError("this coin and channel have no finite diffusion constant "
                             "(a velocity that never decorrelates)")
        if previous is not None and points >= 2 * minimum:
            change = abs(value - previous)
            if change <= QUADRATURE_TOLERANCE * abs(value):
                return DiffusionConstant(value, axes, change, points)
        if 2 * points > MAX_GRID[dimension]:
            raise ValueError("the k quadrature of D did not converge (a nearly undamped "
                             "velocity): D is too large to compute reliably at this p")
        previous, points = value, 2 * points


def _axes(coin: np.ndarray, channel: str, p: float, dimension: int, ks: np.ndarray,
          initial: np.ndarray | None, displacements: list[np.ndarray] | None,
          points: int) -> tuple[float, ...]:
    """D_a for each axis on the grid ``ks``."""
    if channel == "coin":
        weights = (np.ones(len(ks)) if initial is None else
                   momentum_weights(initial, displacements or [], points))
        return tuple(_coin_channel_axis(coin, p, dimension, a, ks, weights)
                     for a in range(dimension))
    return tuple(_position_channel_axis(coin, p, dimension, a, ks) for a in range(dimension))


def relaxation_time(coin: np.ndarray, channel: str, p: float, dimension: int = 1,
                    points: int | None = None) -> float | None:
    """tau = -1/ln|mu|, mu the slowest-decaying eigenvalue of the q = 0 transfer map
    besides the stationary 1: the steps over which velocity correlations (and the
    pre-asymptotic part of sigma^2) fall by e.  Coin channel: the worst momentum; position
    channel: the k-coupled map on a grid of ``points`` momenta (1D only: in 2D its
    slowest mode converges too slowly in the grid to be worth it; None there)."""
    n = 2 * dimension
    if channel == "position" and dimension != 1:
        return None
    points = points or (32 if dimension == 1 else 8)
    ks = momentum_grid(points, dimension)
    conj = conjugation(step_blocks(np.asarray(coin, dtype=complex), ks, dimension))
    u = _trace_vector(n)
    if channel == "coin":
        m0 = _coin_dephasing_mask(n, p)[None, :, None] * conj
        eig = np.linalg.eigvals(m0 - np.outer(u, u)[None])  # the stationary 1 moved to 0
        mu = float(np.abs(eig).max())
    elif channel == "position":
        k, size = len(ks), n * n
        full = (1 - p) * np.einsum("kab,kl->kalb", conj, np.eye(k))
        full = full + p * np.broadcast_to(conj[None], (k, k, size, size)).transpose(0, 2, 1, 3) / k
        stationary = np.tile(u, k) / np.sqrt(k)
        eig = np.linalg.eigvals(full.reshape(k * size, k * size)
                                - np.outer(stationary, stationary))
        mu = float(np.abs(eig).max())
    else:
        raise ValueError(f"unknown channel {channel!r}; use 'coin' or 'position'")
    return float("inf") if mu >= 1 else (0.0 if mu == 0 else -1.0 / np.log(mu))


def _packet_transforms(amplitudes: np.ndarray, displacements: list[np.ndarray], points: int,
                       factor: np.ndarray) -> np.ndarray:
    """sum_x factor(x) psi_c(x) e^{-i k.x} on the N^d grid, per coin: (n, N^d)."""
    dimension = len(displacements)
    index = tuple(np.mod(np.asarray(d, dtype=int), points) for d in displacements)
    out = []
    for row in amplitudes:
        grid = np.zeros((points,) * dimension, dtype=complex)
        np.add.at(grid, index, row * factor)
        out.append(np.fft.fftn(grid).reshape(-1))
    return np.array(out)


def dephased_walk_variance(coin: np.ndarray, channel: str, p: float, initial: np.ndarray,
                           displacements: list[np.ndarray], times: list[int],
                           dimension: int = 1) -> np.ndarray:
    """The exact total variance sigma^2(t) on the infinite lattice at each of ``times``.

    ``initial``: the walk's start psi[c, sites] (any trailing site shape, flattened as the
    flat site index), ``displacements``: each flat site's signed displacement per axis.
    The q-expansion of the module docstring, to second order, stepped exactly:
    R(q) = R0 + q R1 + q^2 R2 / 2 on a grid of N > 2 (t + W) momenta per axis (W the
    start's reach), where every integrand is a trigonometric polynomial of degree < N,
    so the grid average is the exact k integral; <x_a> = -i <Tr R1>, <x_a^2> = -<Tr R2>.
    """
    if channel not in ("coin", "position"):
        raise ValueError(f"unknown channel {channel!r}; use 'coin' or 'position'")
    n = 2 * dimension
    psi = np.asarray(initial, dtype=complex).reshape(n, -1)
    support = np.flatnonzero(np.abs(psi).sum(axis=0) > 0)
    reach = max(int(np.abs(np.asarray(d)[support]).max()) for d in displacements)
    wanted = sorted(set(int(t) for t in times))
    points = 1 << int(np.ceil(np.log2(2 * (max(wanted, default=0) + reach) + 2)))
    ks = momentum_grid(points, dimension)
    v = step_blocks(np.asarray(coin, dtype=complex), ks, dimension)
    vh = np.conj(np.swapaxes(v, 1, 2))
    ones = np.ones(psi.shape[1])
    a0 = _packet_transforms(psi, displacements, points, ones)
    r0 = np.einsum("ak,bk->kab", a0, a0.conj())
    r1, r2, sigmas = [], [], []
    for axis in range(dimension):
        d = np.asarray(displacements[axis], dtype=float)
        b = _packet_transforms(psi, displacements, points, -1j * d)
        c = _packet_transforms(psi, displacements, points, -d**2)
        r1.append(np.einsum("ak,bk->kab", a0, b.conj()))
        r2.append(np.einsum("ak,bk->kab", a0, c.conj()))
        sigmas.append(moves(dimension)[:, axis])
    mask = np.where(np.eye(n, dtype=bool), 1.0, 1.0 - p)

    def channel_map(x: np.ndarray) -> np.ndarray:
        if channel == "coin":
            return x * mask[None]
        return (1 - p) * x + p * x.mean(axis=0)[None]

    out: dict[int, float] = {}
    t = 0
    for target in wanted:
        while t < target:
            w0 = v @ r0 @ vh
            for axis, s in enumerate(sigmas):
                w1 = v @ r1[axis] @ vh
                w2 = v @ r2[axis] @ vh
                r2[axis] = channel_map(w2 + 2j * w1 * s[None, None, :] - w0 * (s**2)[None, None, :])
                r1[axis] = channel_map(w1 + 1j * w0 * s[None, None, :])
            r0 = channel_map(w0)
            t += 1
        variance = 0.0
        for axis in range(dimension):
            mean = float(np.real(-1j * np.trace(r1[axis], axis1=1, axis2=2).mean()))
            second = float(np.real(-np.trace(r2[axis], axis1=1, axis2=2).mean()))
            variance += second - mean**2
        out[target] = variance
    return np.array([out[int(t)] for t in times])
