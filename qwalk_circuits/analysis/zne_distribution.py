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

from .zne import extrapolate_rows, finite_std

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


def zero_noise_tvds(scales: Sequence[int], method: str, per_scale: np.ndarray,
                    exact: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(TVDs to ``exact``, negative masses) of the projected zero-noise distributions of
    ``per_scale`` (R, S, K), one per row: NaN where an extrapolation failed; a single
    scale is its own zero-noise value."""
    quasi = (per_scale[:, 0] if per_scale.shape[1] == 1 else
             zero_noise_rows(list(scales)[:per_scale.shape[1]], per_scale, method))
    finite = np.all(np.isfinite(quasi), axis=1)
    tvds, negative = np.full(quasi.shape[0], np.nan), np.full(quasi.shape[0], np.nan)
    tvds[finite] = _tvd(nearest_distribution(quasi[finite]), exact)
    negative[finite] = -np.minimum(quasi[finite], 0.0).sum(axis=1)
    return tvds, negative


def time_tvds(scales: Sequence[int], method: str, per_scale: Sequence[np.ndarray],
              exact: np.ndarray) -> dict[str, Any]:
    """One time's TVDs to ``exact``: at each scale, and of the zero-noise distribution
    (with the negative mass its projection removed).  A time measured at scale 1 only (no
    two-qubit gate to fold) is its own zero-noise value."""
    here = np.asarray(per_scale, dtype=float)  # (S, K)
    exact = np.asarray(exact, dtype=float)
    tvds = [float(v) for v in _tvd(here, exact)]
    if here.shape[0] == 1:
        return {"per_scale": tvds, "zne": tvds[0], "negative_mass": 0.0}
    zero, negative = zero_noise_tvds(scales, method, here[None], exact)
    return {"per_scale": tvds, "zne": float(zero[0]), "negative_mass": float(negative[0])}


def run_tvds(scales: Sequence[int], method: str, distributions: Distributions,
             exact: Sequence[np.ndarray]) -> list[dict[str, Any]]:
    """:func:`time_tvds` of every time of one set of distributions [time][scale] (the
    point values, or one bootstrap replica's: kept as these few numbers, not as
    distributions, so the bootstrap's memory does not grow with the register)."""
    return [time_tvds(scales, method, per_scale, q)
            for per_scale, q in zip(distributions, exact, strict=True)]


def zne_tvd_block(point: dict[str, list[dict[str, Any]]],
                  drawn: dict[str, list[list[dict[str, Any]]]], method: str
                  ) -> dict[str, Any]:
    """The ``tvd`` entry of ``comparison.zne``: per kind ("raw", and "mitigated" where
    the run calibrated its readout) and time, the TVD to the exact distribution at scale
    1, at each scale and of the zero-noise distribution, with bootstrap errors.
    ``point[kind]`` is :func:`run_tvds` of the measured distributions, ``drawn[kind][r]``
    that of bootstrap replica r."""
    block: dict[str, Any] = {"method": method, "projection": "nearest distribution "
                             "(Euclidean) of the extrapolated quasi-distribution"}
    for kind, times in point.items():
        replicas = drawn[kind]
        out: dict[str, list[Any]] = {key: [] for key in (
            "tvd", "tvd_error", "per_scale", "per_scale_errors", "zne", "zne_error",
            "negative_mass")}
        for t, found in enumerate(times):
            spread = [finite_std([r[t]["per_scale"][s] for r in replicas])
                      for s in range(len(found["per_scale"]))]
            out["tvd"].append(found["per_scale"][0])
            out["tvd_error"].append(spread[0])
            out["per_scale"].append(found["per_scale"])
            out["per_scale_errors"].append(spread)
            out["zne"].append(found["zne"])
            out["zne_error"].append(finite_std([r[t]["zne"] for r in replicas]))
            out["negative_mass"].append(found["negative_mass"])
        block[kind] = out
    return block
