"""The device runner's analysis: calibrations paired with their jobs, and ensemble error bars
that match the scatter of repeated experiments (raw and readout-mitigated)."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit

from qwalk_circuits.analysis import device_comparison
from qwalk_circuits.analysis.device_comparison import (
    calibrations,
    ensemble_distances,
)

QUBITS = 3
FLIP = np.array([[0.04, 0.10], [0.06, 0.08], [0.03, 0.12]])  # P(read 1|0), P(read 0|1)


class Identity:
    """An ensemble experiment whose member distribution is the outcome distribution."""

    members_are_samples = False

    def member_distribution(self, template, member, probabilities, counts):
        if probabilities is not None:
            return np.asarray(probabilities)
        vector = np.zeros(2 ** QUBITS)
        for k, v in counts.items():
            vector[k] = v
        return vector / vector.sum()

    def distance_distribution(self, outcome):
        return outcome


def read(outcomes: np.ndarray, rng: np.random.Generator) -> dict[int, int]:
    """Counts of true outcomes read through the independent bit flips of FLIP."""
    bits = (outcomes[:, None] >> np.arange(QUBITS)) & 1
    flip = rng.random(bits.shape) < FLIP[np.arange(QUBITS), bits]
    keys = ((bits ^ flip) << np.arange(QUBITS)).sum(axis=1)
    values, numbers = np.unique(keys, return_counts=True)
    return {int(k): int(n) for k, n in zip(values, numbers, strict=True)}


def experiment_data(members: np.ndarray, shots: int, calibration_shots: int,
                    rng: np.random.Generator):
    """One ensemble 'run': each member's counts and one calibration pair (job 0)."""
    info = {"physical": list(range(QUBITS)), "bits": list(range(QUBITS)), "job": 0,
            "role": "circuits"}
    group = [(r, read(rng.choice(2 ** QUBITS, shots, p=p), rng), info)
             for r, p in enumerate(members)]
    zeros = read(np.zeros(calibration_shots, dtype=int), rng)
    ones = read(np.full(calibration_shots, 2 ** QUBITS - 1), rng)
    cal = {(0, tuple(range(QUBITS))): (zeros, ones)}
    return group, cal


@pytest.mark.parametrize("mitigated", [False, True])
def test_ensemble_error_bars_match_the_scatter_of_repeated_runs(mitigated, monkeypatch):
    rng = np.random.default_rng(11)
    members = rng.dirichlet(np.ones(2 ** QUBITS), size=4)
    reference = 0.8 * members.mean(axis=0) + 0.2 / 2 ** QUBITS  # the device is off: TVD > 0
    shell = QuantumCircuit()
    shots, calibration_shots = 400, 150

    def distances(group, cal, rng):
        return ensemble_distances(Identity(), [shell], [group], [reference], rng,
                                   cal if mitigated else None)

    estimates = [distances(*experiment_data(members, shots, calibration_shots, rng), rng)
                 for _ in range(6)]
    estimated = np.mean([e["tvd_error"][0] for e in estimates])
    monkeypatch.setattr(device_comparison, "BOOTSTRAP", 1)  # point values only
    scatter = np.std([distances(*experiment_data(members, shots, calibration_shots, rng),
                                rng)["tvd"][0] for _ in range(300)])
    # 300 runs know the scatter to ~4 %, 6 bootstrap estimates to ~5 %; across seeds the
    # ratio is 0.87-1.09 raw and 1.00-1.19 mitigated (the inverse is nonlinear in the
    # calibration counts, so that bootstrap runs a little high: conservative)
    assert 0.75 < estimated / scatter < 1.33
    if mitigated:
        # resampling the averaged mitigated distribution as raw counts (the old error bar)
        # misses the calibration's noise: too small (0.66 of the scatter), outside the bound
        group, cal = experiment_data(members, shots, calibration_shots, rng)
        averaged = np.mean([row for row in device_comparison.member_rows(
            Identity(), shell, group, {key: device_comparison.assignment_matrices(
                z, o, QUBITS) for key, (z, o) in cal.items()})], axis=0)
        pooled = device_comparison.distances([averaged], [reference], shots * len(members),
                                             rng)
        assert pooled["tvd_error"][0] < 0.75 * scatter


class Trajectories(Identity):
    """Members that are random draws (phase-kick trajectories) from a population."""

    members_are_samples = True


@pytest.mark.parametrize("mitigated", [False, True])
@pytest.mark.parametrize("spread, shots, bounds", [
    ("none", 60, (0.8, 1.2)),    # shot noise alone: the old error bar was 1.12-1.31x
    ("wide", 150, (0.75, 1.25)),  # a spread population: members must be resampled
])
def test_error_bars_of_random_members_match_the_scatter_of_repeated_runs(
        mitigated, spread, shots, bounds, monkeypatch):
    """Each run draws its members afresh from a population (as trajectories are), so the
    scatter holds the members' spread and their shots once each; resampling the members
    with their own counts reproduces it (resampling their shots as well counted the shot
    noise twice: 1.12-1.31x too wide when it dominates)."""
    rng = np.random.default_rng(5)
    population = (np.tile(rng.dirichlet(np.full(2 ** QUBITS, 0.7)), (3, 1))
                  if spread == "none" else rng.dirichlet(np.full(2 ** QUBITS, 0.7), size=3))
    reference = population.mean(axis=0) * 0.8 + 0.2 / 2 ** QUBITS
    shell = QuantumCircuit()

    def one_run(rng):
        members = population[rng.integers(len(population), size=10)]
        group, cal = experiment_data(members, shots, 400, rng)
        return ensemble_distances(Trajectories(), [shell], [group], [reference], rng,
                                   cal if mitigated else None)

    estimated = np.mean([one_run(rng)["tvd_error"][0] for _ in range(6)])
    monkeypatch.setattr(device_comparison, "BOOTSTRAP", 1)
    scatter = np.std([one_run(rng)["tvd"][0] for _ in range(300)])
    assert bounds[0] < estimated / scatter < bounds[1]


def test_each_circuit_is_mitigated_with_the_calibration_of_its_own_job():
    infos = [{"role": "circuits", "physical": [0, 1], "job": 0},
             {"role": "calibration", "physical": [0, 1], "job": 0},
             {"role": "calibration", "physical": [0, 1], "job": 0},
             {"role": "circuits", "physical": [0, 1], "job": 1},
             {"role": "calibration", "physical": [0, 1], "job": 1},
             {"role": "calibration", "physical": [0, 1], "job": 1}]
    counts = [{0: 1}, {0: 10}, {3: 10}, {0: 1}, {0: 9, 1: 1}, {3: 9, 2: 1}]
    cal = calibrations(infos, counts)
    assert cal[(0, (0, 1))] == ({0: 10}, {3: 10})
    assert cal[(1, (0, 1))] == ({0: 9, 1: 1}, {3: 9, 2: 1})
    # a ledger written before calibrations joined every job has no job numbers
    old = [{k: v for k, v in info.items() if k != "job"} for info in infos[:3]]
    assert set(calibrations(old, counts[:3])) == {(None, (0, 1))}
