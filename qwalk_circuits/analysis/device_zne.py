"""Zero-noise extrapolation of a device run's observables: the ``zne`` block of its
summary's ``comparison``.

Each time was measured at every noise scale (``noise_scale`` and ``time_index`` in its
ledger infos; ``execution/folding.py``), except a time without two-qubit gates (t = 0),
measured at scale 1 only: its zero-noise value is its scale-1 value.  Per time and
observable the block holds, side by side: the raw value (scale 1), the readout-mitigated
one (where the run calibrated its readout), the zero-noise value (extrapolated from the
mitigated values where there are
any: folding does not scale readout errors, so they are removed first; else from the raw
ones) and the exact reference.  Every value has a bootstrap error: each replica resamples
the counts of every circuit at every scale and both readout calibrations of each job and
qubit set (one draw per calibration, shared by the scales it corrects, as on the device),
mitigates again and extrapolates again (:func:`.zne.zne_estimate`).  An ensemble's
values are those of its members' average at each scale (:func:`ensemble_values`).  The
block's ``tvd`` entry does the same for the whole distribution: every outcome's
probability extrapolated, the result projected onto the simplex and its TVD to the exact
distribution taken (:mod:`.zne_distribution`).  The experiment is read through its hooks
(``site_distribution``, ``member_distribution``, ``observables``) only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from .device_comparison import (
    BOOTSTRAP,
    Calibrations,
    calibration_key,
    calibrations,
    member_rows,
    mitigated_vector,
    numbered,
    readout_outcomes,
    resample,
)
from .mitigation import assignment_matrices
from .readout_solvers import ReadoutSolver
from .summary import json_safe, series
from .zne import Values, zne_estimate
from .zne_distribution import Distributions, run_tvds, zne_tvd_block

Groups = list[list[int]]  # per time, the info index of each scale (in scale order)


def zne_groups(infos: list[dict[str, Any]], scales: Sequence[int]) -> Groups:
    """Per time, the circuits measured at each of ``scales``, in scale order (a time with
    no two-qubit gate was measured at scale 1 only)."""
    found: dict[int, dict[int, int]] = {}
    for i, info in enumerate(infos):
        if info["role"] == "circuits" and "noise_scale" in info:
            found.setdefault(int(info["time_index"]), {})[int(info["noise_scale"])] = i
    return [[found[t][s] for s in scales if s in found[t]] for t in sorted(found)]


def _distribution(experiment: Any, shell: QuantumCircuit, counts: dict[int, int],
                  info: dict[str, Any], matrices: list[np.ndarray] | None,
                  solver: ReadoutSolver) -> np.ndarray:
    if matrices is None:
        return np.asarray(experiment.site_distribution(shell, None, counts), dtype=float)
    return np.asarray(experiment.site_distribution(shell, mitigated_vector(
        counts, matrices, info["bits"], solver, readout_outcomes(experiment)), None),
        dtype=float)


def _measure(experiment: Any, shells: list[QuantumCircuit], groups: Groups,
             infos: list[dict[str, Any]], counts: list[Any],
             matrices: dict[Any, list[np.ndarray]] | None, solver: ReadoutSolver = "tensored"
             ) -> Distributions:
    """Site distributions [time][scale], raw (``matrices`` None) or mitigated by
    ``solver``."""
    return [[_distribution(experiment, shell, counts[i], infos[i],
                           None if matrices is None else matrices[calibration_key(infos[i])],
                           solver)
             for i in group] for shell, group in zip(shells, groups, strict=True)]


def _values(experiment: Any, distributions: Distributions) -> list[list[Values]]:
    """The observables of each distribution [time][scale]."""
    return [[{k: float(v) for k, v in experiment.observables(p).items()} for p in per_time]
            for per_time in distributions]


def _matrices(cal: Calibrations, draw: Any) -> dict[Any, list[np.ndarray]]:
    return {key: assignment_matrices(draw(zeros), draw(ones), len(key[1]))
            for key, (zeros, ones) in cal.items()}


def _scale_one(point: list[list[Values]], replicas: list[list[list[Values]]]
               ) -> tuple[list[Values], list[Values]]:
    """The scale-1 values per time and their bootstrap errors."""
    errors = []
    for t, values in enumerate(point):
        errors.append({k: float(np.std([r[t][0][k] for r in replicas], ddof=1))
                       for k in values[0]})
    return [values[0] for values in point], errors


def _block(scales: list[int], method: str, kinds: list[str],
           point: dict[str, list[list[Values]]], drawn: dict[str, list[list[list[Values]]]],
           gates: list[list[int]], exact: list[Values], replicas: int) -> dict[str, Any]:
    """The block from the point values [time][scale] and the replicas' of each kind."""
    block: dict[str, Any] = {
        "scales": scales, "extrapolation": method, "extrapolated": kinds[-1],
        "bootstrap": replicas, "two_qubit_gates": gates, "exact": series(exact)}
    for kind in kinds:
        values, errors = _scale_one(point[kind], drawn[kind])
        block[kind], block[f"{kind}_errors"] = series(values), series(errors)
    for kind in kinds:
        estimates = [zne_estimate(scales[:len(point[kind][t])], point[kind][t],
                                  [r[t] for r in drawn[kind]], method)
                     for t in range(len(point[kind]))]
        name = "zne" if kind == kinds[-1] else "zne_unmitigated"
        block[name] = series([e[0] for e in estimates])
        block[f"{name}_errors"] = series([e[1] for e in estimates])
        if kind == kinds[-1]:
            block["per_scale"] = {k: [[p[k] for p in point[kind][t]]
                                      for t in range(len(estimates))] for k in block[name]}
            block["per_scale_errors"] = {k: [e[2][k] for e in estimates] for k in block[name]}
    return dict(json_safe(block))


def zne_comparison(experiment: Any, shells: list[QuantumCircuit], infos: list[dict[str, Any]],
                   counts: list[Any], scales: list[int], method: str,
                   reference: list[np.ndarray], rng: np.random.Generator,
                   replicas: int = BOOTSTRAP, solver: ReadoutSolver = "tensored"
                   ) -> dict[str, Any]:
    """The ``comparison.zne`` block (see the module docstring): ``shells[t]`` carries time
    t's circuit metadata, ``counts[i]`` circuit i's counts."""
    groups = zne_groups(infos, scales)
    cal = calibrations(infos, counts)
    kinds = ["raw", "mitigated"] if cal else ["raw"]

    def kept(distributions: Distributions) -> tuple[list[list[Values]], list[Any]]:
        return (_values(experiment, distributions),
                run_tvds(scales, method, distributions, reference))

    point: dict[str, list[list[Values]]] = {}
    tvds: dict[str, list[Any]] = {}
    point["raw"], tvds["raw"] = kept(_measure(experiment, shells, groups, infos, counts, None))
    if cal:
        point["mitigated"], tvds["mitigated"] = kept(_measure(
            experiment, shells, groups, infos, counts, _matrices(cal, lambda c: c), solver))
    drawn: dict[str, list[list[list[Values]]]] = {kind: [] for kind in kinds}
    drawn_tvds: dict[str, list[list[Any]]] = {kind: [] for kind in kinds}
    for _ in range(replicas):
        again = list(counts)
        for i in (i for group in groups for i in group):
            again[i] = resample(counts[i], rng)
        sets = {"raw": _measure(experiment, shells, groups, infos, again, None)}
        if cal:
            sets["mitigated"] = _measure(experiment, shells, groups, infos, again,
                                         _matrices(cal, lambda c: resample(c, rng)), solver)
        for kind, distributions in sets.items():
            values, found = kept(distributions)
            drawn[kind].append(values)
            drawn_tvds[kind].append(found)
    gates = [[infos[i]["stats"]["two_qubit_gates"] for i in group] for group in groups]
    exact = [{k: float(v) for k, v in experiment.observables(q).items()} for q in reference]
    block = _block(scales, method, kinds, point, drawn, gates, exact, replicas)
    block["tvd"] = json_safe(zne_tvd_block(tvds, drawn_tvds, method))
    return block


# -- ensembles: every member of every time at every scale ----------------------------------

def ensemble_values(experiment: Any, rows: np.ndarray, shots: int | None) -> Values:
    """The observables of an ensemble's members (R, outcomes): those of their average
    distribution, and the members' mean for ``mean_over_realisations`` (the IPR of
    ``shots`` shots made unbiased, as the ensemble summary does); no fits."""
    values = {k: float(v) for k, v in experiment.observables(rows.mean(axis=0)).items()}
    for key in experiment.mean_over_realisations:
        per = np.array([experiment.observables(r)[key] for r in rows], dtype=float)
        if key == "ipr" and shots is not None and shots > 1:
            per = (shots * per - 1) / (shots - 1)
        values[key] = float(per.mean())
    return values


def ensemble_zne_comparison(experiment: Any, shells: list[QuantumCircuit],
                            infos: list[dict[str, Any]], counts: list[list[dict[int, int]]],
                            cal: Calibrations, scales: list[int], method: str, shots: int,
                            rng: np.random.Generator, replicas: int = BOOTSTRAP,
                            solver: ReadoutSolver = "tensored") -> dict[str, Any]:
    """The ``comparison.zne`` block of an ensemble (:func:`ensemble_values` of its members
    at every scale; the exact values from the exact ensemble).  ``counts[i]``: the member
    counts of PUB i.  The bootstrap resamples every member's counts (or, for members that
    are random draws themselves, draws the members with replacement, the same draw at
    every scale: a member is the same kicks at every scale) and both calibrations
    (``cal``: the run's calibration counts)."""
    kinds = ["raw", "mitigated"] if cal else ["raw"]
    found: dict[tuple[int, int], list[int]] = {}
    for i, info in enumerate(infos):
        if info["role"] == "circuits" and "noise_scale" in info:
            found.setdefault((int(info["template"]), int(info["noise_scale"])), []).append(i)
    times = sorted({t for t, _ in found})
    present = [[s for s in scales if (t, s) in found] for t in times]  # scale 1 alone: no 2q
    members = [[numbered([(c, infos[i]) for i in sorted(found[t, s], key=lambda i:
                                                         infos[i]["members"][0])
                          for c in counts[i]]) for s in present[n]]
               for n, t in enumerate(times)]

    reference = [np.asarray(q, dtype=float) for q in experiment.reference_ensemble()]
    averages = [q.mean(axis=0) for q in reference]

    def measure(drawn: list[list[Any]], matrices: Any) -> tuple[list[list[Values]], list[Any]]:
        rows = [[member_rows(experiment, shells[t], group, matrices, solver)
                 for group in drawn[t]] for t in range(len(times))]
        return ([[ensemble_values(experiment, r, shots) for r in per] for per in rows],
                run_tvds(scales, method, [[r.mean(axis=0) for r in per] for per in rows],
                         averages))

    point: dict[str, list[list[Values]]] = {}
    tvds: dict[str, list[Any]] = {}
    point["raw"], tvds["raw"] = measure(members, None)
    if cal:
        point["mitigated"], tvds["mitigated"] = measure(members, _matrices(cal, lambda c: c))
    drawn: dict[str, list[list[list[Values]]]] = {kind: [] for kind in kinds}
    drawn_tvds: dict[str, list[list[Any]]] = {kind: [] for kind in kinds}

    def keep(kind: str, measured: tuple[list[list[Values]], list[Any]]) -> None:
        drawn[kind].append(measured[0])
        drawn_tvds[kind].append(measured[1])

    for _ in range(replicas):
        again = []
        for per_scale in members:
            size = len(per_scale[0])
            pick = rng.integers(size, size=size) if experiment.members_are_samples else None
            again.append([[group[k] for k in pick] if pick is not None else
                          [(r, resample(c, rng), info) for r, c, info in group]
                          for group in per_scale])
        keep("raw", measure(again, None))
        if cal:
            keep("mitigated", measure(again, _matrices(cal, lambda c: resample(c, rng))))
    gates = [[infos[found[t, s][0]]["stats"]["two_qubit_gates"] for s in present[n]]
             for n, t in enumerate(times)]
    exact = [ensemble_values(experiment, q, None) for q in reference]
    block = _block(scales, method, kinds, point, drawn, gates, exact, replicas)
    block["tvd"] = json_safe(zne_tvd_block(tvds, drawn_tvds, method))
    return block
