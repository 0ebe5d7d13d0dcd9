"""Coherent backscattering in momentum space: point-group images of k0 and the ratio r.

Momenta are integer pairs p = (p_x, p_y) of the plane wave e^{2 pi i p.r / L}
on an L x L torus, taken mod L.  The square lattice's point group C4v maps
k0 = (a, b) to its eight images; a k0 with a component 0 or L/2, or with
a = +-b mod L, has coinciding images and no background (the symmetry lines).

Each ensemble member's spin-summed momentum distribution is reduced to eight
*slots* relative to its own k0: [k0, -k0, (-a, b), (a, -b), (b, a), (-b, -a),
(-b, a), (b, -a)].  Averaging slots over members (whatever their k0) and then
taking r = <P(-k0)> / <background> is a ratio of disorder averages, the
quantity CBS theory predicts (Cherroret et al., PRA 85, 011604(R) (2012)):
2 with time-reversal symmetry, 1 without, 1/2 with weak spin-orbit coupling.
"""

from __future__ import annotations

import numpy as np

SLOTS = 8
SLOT_NAMES = ("k0", "-k0", "(-kx, ky)", "(kx, -ky)", "(ky, kx)", "(-ky, -kx)", "(-ky, kx)",
              "(ky, -kx)")
#: background below this counts as empty (no ratio defined yet, e.g. before any scattering)
EMPTY_BACKGROUND = 1e-14


def point_group_images(k0: tuple[int, int], side: int) -> np.ndarray:
    """The eight images (p_x, p_y) mod L of k0 in slot order, shape (8, 2)."""
    a, b = k0
    images = [(a, b), (-a, -b), (-a, b), (a, -b), (b, a), (-b, -a), (-b, a), (b, -a)]
    return np.mod(np.array(images, dtype=int), side)


def symmetry_line_problem(k0: tuple[int, int], side: int) -> str | None:
    """Why k0 has no background (None when its eight images are distinct)."""
    a, b = (int(v) % side for v in k0)
    special = {0, side // 2}
    if a in special or b in special:
        return (f"a component is 0 or L/2 = {side // 2}, so k0 is its own mirror image "
                "(on a symmetry line of the square lattice)")
    if (a - b) % side == 0 or (a + b) % side == 0:
        return "|kx| = |ky| (mod L): k0 lies on a diagonal symmetry line"
    return None


def band_energy(k0: tuple[int, int], side: int, hopping: float = 1.0) -> float:
    """Clean spinless band energy -2 J (cos 2 pi a / L + cos 2 pi b / L)."""
    a, b = k0
    return float(-2 * hopping * (np.cos(2 * np.pi * a / side) + np.cos(2 * np.pi * b / side)))


def orbit_representatives(side: int) -> list[tuple[int, int]]:
    """One k0 per point-group orbit off the symmetry lines: 0 < b < a < L/2."""
    return [(a, b) for a in range(1, side // 2) for b in range(1, a)]


def shell_momenta(side: int, energy: float, count: int, hopping: float = 1.0
                  ) -> list[tuple[int, int]]:
    """The ``count`` orbit representatives whose band energy is closest to ``energy``.

    Raises ValueError when the torus has fewer orbits off the symmetry lines.
    """
    orbits = orbit_representatives(side)
    if count > len(orbits):
        raise ValueError(f"a {side} x {side} torus has {len(orbits)} momentum orbits off the "
                         f"symmetry lines, fewer than the {count} asked for")
    return sorted(orbits, key=lambda k: (abs(band_energy(k, side, hopping) - energy), k))[:count]


def slot_probabilities(momentum_map: np.ndarray, k0: tuple[int, int]) -> np.ndarray:
    """The eight slots of a spin-summed distribution P[p_y, p_x] relative to ``k0``."""
    side = momentum_map.shape[-1]
    images = point_group_images(k0, side)
    return np.asarray(momentum_map)[images[:, 1], images[:, 0]]


def ratio_observables(slots: np.ndarray) -> dict[str, float]:
    """r = P(-k0) / background and its companions, from (averaged) slots.

    background: mean of the six images other than +-k0; ``forward_ratio``:
    P(k0) / background (the coherent forward peak at long times);
    ``anisotropy``: mirror images (slots 2, 3) over swapped ones (slots 4-7), 1
    when the disorder ensemble has the full point-group symmetry.  Undefined
    (NaN) while the background is empty.
    """
    p = np.asarray(slots, dtype=float)[:SLOTS]
    background = float(p[2:].mean())
    swapped = float(p[4:].mean())
    defined = background > EMPTY_BACKGROUND
    return {"ratio": float(p[1]) / background if defined else float("nan"),
            "p_forward": float(p[0]), "p_backward": float(p[1]), "background": background,
            "forward_ratio": float(p[0]) / background if defined else float("nan"),
            "anisotropy": (float(p[2:4].mean()) / swapped if swapped > EMPTY_BACKGROUND
                           else float("nan"))}


def ratio_shot_errors(slots: np.ndarray, shots: int) -> dict[str, float]:
    """Shot-noise standard errors of :func:`ratio_observables` for one distribution sampled
    ``shots`` times (binomial slot errors, first-order error propagation)."""
    p = np.clip(np.asarray(slots, dtype=float)[:SLOTS], 0, 1)
    var = p * (1 - p) / shots
    values = ratio_observables(p)
    background = values["background"]
    var_background = float(var[2:].sum()) / 36
    swapped = float(p[4:].mean())
    mirror = float(p[2:4].mean())
    out = {"p_forward": float(np.sqrt(var[0])), "p_backward": float(np.sqrt(var[1])),
           "background": float(np.sqrt(var_background))}
    if background > EMPTY_BACKGROUND:
        for key, top in (("ratio", 1), ("forward_ratio", 0)):
            out[key] = float(np.sqrt(var[top] + values[key] ** 2 * var_background) / background)
    else:
        out["ratio"] = out["forward_ratio"] = float("nan")
    if swapped > EMPTY_BACKGROUND:
        rel = var[2:4].sum() / 4 / max(mirror, EMPTY_BACKGROUND) ** 2 + var[4:].sum() / 16 / (
            swapped**2)
        out["anisotropy"] = float(values["anisotropy"] * np.sqrt(rel))
    else:
        out["anisotropy"] = float("nan")
    return out


def paired_ratio_shift(model: np.ndarray, other: np.ndarray) -> tuple[float, float]:
    """r(model) - r(other) of two (members, slots...) ensembles of the same members, and
    its jackknife error over the pairs: what the members share (their disorder) cancels."""
    from .ensembles import jackknife_errors

    size = model.shape[1]

    def gap(both: np.ndarray) -> dict[str, float]:
        return {"ratio": ratio_observables(both[:size])["ratio"]
                - ratio_observables(both[size:])["ratio"]}

    both = np.concatenate([model, other], axis=1)
    return gap(both.mean(axis=0))["ratio"], jackknife_errors(both, gap)["ratio"]


def elliptic_k(m: float) -> float:
    """Complete elliptic integral of the first kind K(m), parameter m = k^2 < 1 (AGM)."""
    a, b = 1.0, float(np.sqrt(1.0 - m))
    while abs(a - b) > 1e-15 * a:
        a, b = (a + b) / 2, float(np.sqrt(a * b))
    return float(np.pi / (2 * a))


def density_of_states(energy: float, hopping: float = 1.0) -> float:
    """Clean square-lattice band -2J(cos kx + cos ky): states per site, per spin and per
    unit energy, (1/(2 pi^2 J)) K(1 - E^2/(16 J^2)); zero outside the band, infinite at
    the van Hove energy E = 0."""
    m = 1 - (energy / (4 * hopping)) ** 2
    if m < 0:
        return 0.0
    if m >= 1:
        return float("inf")
    return elliptic_k(m) / (2 * np.pi**2 * hopping)


def heisenberg_time(energy: float, side: int, hopping: float = 1.0) -> float:
    """2 pi hbar rho(E) L^2: the time at which the torus's discrete spectrum is resolved
    (with spin-orbit coupling the levels are Kramers doublets, so the spin adds no levels).
    A coherent forward-scattering peak at +k0 grows on this scale and r leaves its
    infinite-lattice value: on the 8 x 8 torus (W = 3, k0 = (2, 1), t_H = 50; exact
    ensemble) forward_ratio is 1.16 at t = 16 and 1.43 at t = 24, where r has fallen from
    2.0 to 1.76 (time-reversal symmetric), and with theta = 0.07 r stops at 0.6-0.65."""
    return 2 * np.pi * density_of_states(energy, hopping) * side * side


#: the symplectic 1/2 holds while the spin-orbit splitting times the scattering time stays
#: below this (measured at W = 3 on the 16 x 16 torus: theta = 0.07, Delta tau = 0.60, gives
#: r = 0.50 +- 0.03; theta = 0.1, Delta tau = 0.86, plateaus at 0.37)
WEAK_SPIN_ORBIT = 0.65
#: and once the time exceeds this many spin-relaxation times 1/(Delta^2 tau)
RELAXED_SPIN = 5.0


def spin_orbit_regime(theta: float, k0: tuple[int, int], side: int, width: float,
                      hopping: float = 1.0) -> dict[str, float | bool]:
    """Where spin-orbit coupling theta puts a k0 (Born approximation, clean band).

    H(k) = -2J cos(theta)(cos kx + cos ky) - 2J sin(theta)(sigma_x sin kx + sigma_y sin ky),
    so the two helicity bands at k0 are split by Delta = 4J sin(theta)|(sin kx, sin ky)|;
    on-site disorder uniform in [-W/2, W/2] scatters at 1/tau = 2 pi rho(E) W^2/12; the spin
    relaxes (D'yakonov-Perel) in tau_so ~ 1/(Delta^2 tau).  Weak coupling, Delta tau < 1:
    the bands mix at every scattering and the Cooperon's spin singlet alone survives,
    r -> 1/2 for t >> tau_so.  Strong coupling, Delta tau > 1: each helicity band scatters
    on its own with its spin locked to the momentum, and the reversed paths to -k0 pick up
    a Berry phase pi -- they interfere destructively, so r falls towards 0."""
    kx, ky = (2 * np.pi * v / side for v in k0)
    splitting = float(4 * hopping * abs(np.sin(theta)) * np.hypot(np.sin(kx), np.sin(ky)))
    rate = float(2 * np.pi * density_of_states(band_energy(k0, side, hopping), hopping)
                 * width**2 / 12)
    tau = 1 / rate if rate > 0 else float("inf")
    relaxation = 1 / (splitting**2 * tau) if splitting > 0 else float("inf")
    return {"splitting": splitting, "scattering_rate": rate, "splitting_times_tau":
            splitting * tau, "spin_relaxation_time": relaxation,
            "weak": splitting * tau < WEAK_SPIN_ORBIT}
