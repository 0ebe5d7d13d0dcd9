"""Zero-noise extrapolation of a whole outcome distribution, and its TVD to the exact one.

Each outcome's probability is an observable (the expectation of a projector), so ZNE
applies to it as to sigma^2 (:mod:`.zne`): every P(x) measured at the noise scales is
carried to lambda = 0 by the run's model.  The extrapolated vector is a quasi-distribution:
Richardson's weights sum to 1, so it sums to 1, but entries may go negative; the
exponential model keeps neither.  It is projected onto the probability simplex (the
nearest distribution in the Euclidean norm, as Smolin, Gambetta & Smith, PRL 108, 070502
(2012) do for a mitigated readout) before its TVD to the exact distribution is taken, so
the reported distance is that of a distribution.  The negative mass the projection
removed is reported beside it: a large one says the extrapolation amplified shot noise
more than it removed bias.

The error is the bootstrap's: each replica's distributions (counts and calibrations
resampled at every scale, :mod:`.device_zne`) are extrapolated and projected again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .zne import extrapolate_rows

Distributions = list[list[np.ndarray]]  # [time][scale] -> outcome probabilities


def nearest_distribution(rows: np.ndarray) -> np.ndarray:
    """The Euclidean projection of each row of ``rows`` (R, K) onto the probability
    simplex {p >= 0, sum p = 1} (sort-based, Duchi et al., ICML 2008): p = max(q - theta,
    0) with the one theta that makes it sum to 1.  A row that is a distribution already is
    returned unchanged."""
    q = np.atleast_2d(np.asarray(rows, dtype=float))
    ordered = -np.sort(-q, axis=1)
    excess = np.cumsum(ordered, axis=1) - 1.0
    index = np.arange(1, q.shape[1] + 1)
    support = ordered - excess / index > 0  # true on a prefix of the sorted entries
    count = support.sum(axis=1)
    theta = excess[np.arange(q.shape[0]), count - 1] / count
    return np.maximum(q - theta[:, None], 0.0)


def zero_noise_rows(scales: Sequence[int], per_scale: np.ndarray, method: str) -> np.ndarray:
    """The extrapolated quasi-distributions (R, K) of distributions ``per_scale`` (R, S, K)
    measured at ``scales`` (every outcome's probability extrapolated by ``method``)."""
    r, s, k = per_scale.shape
    flat = np.moveaxis(per_scale, 2, 1).reshape(r * k, s)
    return extrapolate_rows(list(scales), flat, method).reshape(r, k)


def _tvd(p: np.ndarray, exact: np.ndarray) -> np.ndarray:
    return 0.5 * np.abs(p - exact[None, :]).sum(axis=1)


def _std(samples: np.ndarray) -> float:
    finite = samples[np.isfinite(samples)]
    return float(np.std(finite, ddof=1)) if finite.size > 1 else float("nan")


def _one_time(scales: Sequence[int], method: str, point: list[np.ndarray],
              drawn: list[list[np.ndarray]], exact: np.ndarray) -> dict[str, Any]:
    """Scale-1 TVD, per-scale TVDs and the zero-noise distribution's TVD (each with its
    bootstrap error) of one time's distributions."""
    here = np.asarray(point, dtype=float)[None]  # (1, S, K)
    again = np.asarray(drawn, dtype=float)  # (R, S, K)
    per_scale = [_tvd(here[:, j], exact)[0] for j in range(here.shape[1])]
    per_scale_errors = [_std(_tvd(again[:, j], exact)) for j in range(here.shape[1])]
    out = {"tvd": per_scale[0], "tvd_error": per_scale_errors[0], "per_scale": per_scale,
           "per_scale_errors": per_scale_errors}
    if here.shape[1] == 1:  # no two-qubit gate: measured at scale 1 only, its own value
        return {**out, "zne": per_scale[0], "zne_error": per_scale_errors[0],
                "negative_mass": 0.0}
    used = list(scales)[:here.shape[1]]
    quasi = zero_noise_rows(used, here, method)
    quasi_again = zero_noise_rows(used, again, method)
    finite = np.all(np.isfinite(quasi_again), axis=1)
    zne_again = _tvd(nearest_distribution(quasi_again[finite]), exact) if finite.any() \
        else np.array([])
    return {**out, "zne": float(_tvd(nearest_distribution(quasi), exact)[0]),
            "zne_error": _std(zne_again),
            "negative_mass": float(-quasi[quasi < 0].sum())}


def zne_tvd_block(scales: Sequence[int], method: str, point: dict[str, Distributions],
                  drawn: dict[str, list[Distributions]], exact: Sequence[np.ndarray]
                  ) -> dict[str, Any]:
    """The ``tvd`` entry of ``comparison.zne``: per kind ("raw", and "mitigated" where
    the run calibrated its readout) and time, the TVD to ``exact`` at scale 1, at each
    scale and of the zero-noise distribution, with bootstrap errors.  ``point[kind][t][s]``
    is time t's distribution at scale s; ``drawn[kind][r]`` the same from replica r."""
    block: dict[str, Any] = {"method": method, "projection": "nearest distribution "
                             "(Euclidean) of the extrapolated quasi-distribution"}
    for kind, times in point.items():
        found = [_one_time(scales, method, times[t], [r[t] for r in drawn[kind]],
                           np.asarray(exact[t], dtype=float)) for t in range(len(times))]
        block[kind] = {key: [f[key] for f in found] for key in found[0]}
    return block
