"""A device run against the exact reference: TVD and Hellinger with bootstrap errors.

Raw distances resample each circuit's shots; readout-mitigated ones resample the circuit
*and* both calibration circuits of its job and qubits, then mitigate again (resampling
the mitigated distribution as if it were raw counts leaves out the calibration's noise).
Ensembles resample every member's shots (stratified by member, as they were taken), or,
for members that are random draws themselves (phase-kick trajectories), draw the members
with replacement.  The experiment is read through its hooks (``member_distribution``,
``distance_distribution``, ``members_are_samples`` and, where it has one,
``readout_outcomes``) only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from .. import analysis
from .mitigation import assignment_matrices, mitigate_on
from .readout_solvers import ReadoutSolver, solve_readout

BOOTSTRAP = 100


def calibration_key(info: dict[str, Any]) -> tuple[Any, tuple[int, ...]]:
    """(job, qubits) of a circuit: the calibration that corrects it ran in its job on its
    qubits (ledgers written before calibrations went into every job have no ``job``)."""
    return info.get("job"), tuple(info["physical"])


def calibrations(infos: list[dict[str, Any]], counts: list[Any]
                  ) -> dict[tuple[Any, tuple[int, ...]], tuple[dict[int, int], dict[int, int]]]:
    """The (all-0, all-1) calibration counts of each (job, qubits)."""
    pairs: dict[tuple[Any, tuple[int, ...]], list[dict[int, int]]] = {}
    for info, c in zip(infos, counts, strict=True):
        if info["role"] == "calibration":
            pairs.setdefault(calibration_key(info), []).append(c)
    return {key: (pair[0], pair[1]) for key, pair in pairs.items()}


def bootstrap(counts: np.ndarray, reference: np.ndarray, rng: np.random.Generator
               ) -> tuple[float, float]:
    """Standard errors of TVD and Hellinger to the reference, by multinomial resampling."""
    shots = int(counts.sum())
    p = counts / shots
    samples = rng.multinomial(shots, p, size=BOOTSTRAP) / shots
    tvd = [analysis.total_variation(s, reference) for s in samples]
    hel = [analysis.hellinger(s, reference) for s in samples]
    return float(np.std(tvd)), float(np.std(hel))


def mitigated_vector(counts: dict[Any, int], matrices: list[np.ndarray], bits: list[int],
                     solver: ReadoutSolver = "tensored",
                     outcomes: np.ndarray | None = None) -> np.ndarray:
    """The readout-mitigated outcome probabilities of one circuit, as a dense vector over
    all 2^n outcomes, or, where the experiment reads only ``outcomes``
    (``Experiment.readout_outcomes``), over those, in their order: the same entries up to
    one factor, with no 2^n vector (the tensored inverse evaluated there; mthree's
    solution, which lives on the observed strings, looked up there)."""
    if outcomes is not None:
        if solver == "tensored":
            return mitigate_on(counts, matrices, bits, [int(y) for y in outcomes])
        solved = solve_readout(counts, matrices, bits, solver)
        return np.array([solved.get(int(y), 0.0) for y in outcomes])
    vector = np.zeros(2 ** len(bits))
    for k, v in solve_readout(counts, matrices, bits, solver).items():
        vector[k] = v
    return vector


def readout_outcomes(experiment: Any) -> np.ndarray | None:
    """The outcomes ``experiment`` reads of each circuit (``Experiment.readout_outcomes``),
    None (all of them) for an experiment without the hook."""
    hook = getattr(experiment, "readout_outcomes", None)
    return hook() if hook is not None else None


def resample(counts: dict[Any, int], rng: np.random.Generator) -> dict[int, int]:
    """One multinomial resample of a counts dict (same total)."""
    keys = [int(k) for k in counts]
    values = np.array(list(counts.values()), dtype=float)
    draw = rng.multinomial(int(values.sum()), values / values.sum())
    return {k: int(v) for k, v in zip(keys, draw, strict=True) if v}


def mitigated_resamples(counts: dict[Any, int], zeros: dict[Any, int], ones: dict[Any, int],
                        info: dict[str, Any], to_sites: Any, rng: np.random.Generator,
                        solver: ReadoutSolver = "tensored",
                        outcomes: np.ndarray | None = None) -> list[np.ndarray]:
    """:data:`BOOTSTRAP` mitigated distributions, each from the circuit's counts AND both
    calibration circuits resampled, then mitigated again -- resampling the mitigated
    distribution as if it were raw counts leaves out the calibration's noise and the
    inverse's variance."""
    width = len(info["physical"])
    out = []
    for _ in range(BOOTSTRAP):
        matrices = assignment_matrices(resample(zeros, rng), resample(ones, rng), width)
        out.append(to_sites(mitigated_vector(resample(counts, rng), matrices, info["bits"],
                                             solver, outcomes)))
    return out


def resampled_distances(resamples: list[np.ndarray], reference: np.ndarray
                        ) -> tuple[float, float]:
    """The spread of the TVD and Hellinger to ``reference`` over bootstrap resamples."""
    tvd = [analysis.total_variation(sites, reference) for sites in resamples]
    hel = [analysis.hellinger(sites, reference) for sites in resamples]
    return float(np.std(tvd)), float(np.std(hel))


def distances(dists: list[np.ndarray], reference: list[np.ndarray], shots: int,
               rng: np.random.Generator) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"tvd": [], "hellinger": [], "tvd_error": [],
                                   "hellinger_error": []}
    for p, q in zip(dists, reference, strict=True):
        out["tvd"].append(analysis.total_variation(p, q))
        out["hellinger"].append(analysis.hellinger(p, q))
        tvd_err, hel_err = bootstrap(np.round(p * shots), q, rng)
        out["tvd_error"].append(tvd_err)
        out["hellinger_error"].append(hel_err)
    return out


Member = tuple[int, dict[int, int], dict[str, Any]]  # (member number, counts, PUB's info)


Calibrations = dict[tuple[Any, tuple[int, ...]], tuple[dict[int, int], dict[int, int]]]


def numbered(members: list[tuple[dict[int, int], dict[str, Any]]]) -> list[Member]:
    """Members in ensemble order, with their numbers."""
    return [(r, c, info) for r, (c, info) in enumerate(members)]


def member_rows(experiment: Any, shell: QuantumCircuit, members: list[Member],
                 matrices: dict[Any, list[np.ndarray]] | None,
                 solver: ReadoutSolver = "tensored") -> np.ndarray:
    """The members' distributions (R, outcomes): raw, or mitigated with ``matrices`` (the
    assignment matrices of each calibration key) by ``solver``."""
    if matrices is None:
        return np.array([experiment.member_distribution(shell, r, None, c)
                         for r, c, _ in members])
    return np.array([experiment.member_distribution(
        shell, r, mitigated_vector(c, matrices[calibration_key(info)], info["bits"], solver,
                                   readout_outcomes(experiment)),
        None)
        for r, c, info in members])


def ensemble_distances(experiment: Any, shells: list[QuantumCircuit],
                        members: list[list[Member]], reference: list[np.ndarray],
                        rng: np.random.Generator, cal: Calibrations | None = None,
                        solver: ReadoutSolver = "tensored") -> dict[str, list[float]]:
    """TVD and Hellinger of the members' average (mitigated with ``cal``) to the exact
    ensemble average, per time, compared on ``experiment.distance_distribution``.

    Error bars: a bootstrap that resamples every member's counts (and, mitigated, both
    calibration circuits of each job and qubit set, then mitigates again) -- stratified
    by member, as the shots were taken.  Members that are random draws compared with
    their exact average (phase-kick trajectories: ``members_are_samples``) are drawn
    with replacement instead, each with its own counts: their scatter already holds
    their shot noise (resampling the shots as well would count it twice)."""
    def matrices_of(calibration: Calibrations, draw: Any) -> dict[Any, list[np.ndarray]]:
        return {key: assignment_matrices(draw(zeros), draw(ones), len(key[1]))
                for key, (zeros, ones) in calibration.items()}

    def distances(shell: QuantumCircuit, group: list[Member], q: np.ndarray,
                  matrices: dict[Any, list[np.ndarray]] | None) -> tuple[float, float]:
        average = member_rows(experiment, shell, group, matrices, solver).mean(axis=0)
        p = experiment.distance_distribution(average)
        return analysis.total_variation(p, q), analysis.hellinger(p, q)

    def identity(counts: dict[int, int]) -> dict[int, int]:
        return counts

    out: dict[str, list[float]] = {"tvd": [], "hellinger": [], "tvd_error": [],
                                   "hellinger_error": []}
    exact = [experiment.distance_distribution(q) for q in reference]
    point = matrices_of(cal, identity) if cal is not None else None
    replicas = [matrices_of(cal, lambda c: resample(c, rng)) if cal is not None else None
                for _ in range(BOOTSTRAP)]
    draw_members = experiment.members_are_samples
    for shell, group, q in zip(shells, members, exact, strict=True):
        tvd, hel = distances(shell, group, q, point)
        replicas_of_group = [
            [group[k] for k in rng.integers(len(group), size=len(group))] if draw_members
            else [(r, resample(c, rng), info) for r, c, info in group] for _ in replicas]
        spread = np.array([distances(shell, drawn, q, matrices)
                           for drawn, matrices in zip(replicas_of_group, replicas,
                                                      strict=True)])
        out["tvd"].append(tvd)
        out["hellinger"].append(hel)
        out["tvd_error"].append(float(spread[:, 0].std()))
        out["hellinger_error"].append(float(spread[:, 1].std()))
    return out
