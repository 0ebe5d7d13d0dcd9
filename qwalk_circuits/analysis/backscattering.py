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
