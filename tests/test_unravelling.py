"""Dephasing channels as phase-kick trajectories: exact in the average over all kick
patterns, sampled with the right probabilities, and converging on Aer."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

from qwalk_circuits import analysis
from qwalk_circuits.circuits.noise import SITE_DEPHASING
from qwalk_circuits.circuits.unravelling import KickGroup, kick_outcomes, sample_kicks
from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.experiments.unravelled import unravelled
from qwalk_circuits.pipeline import run

# settings where the channel moves the last distribution away from the coherent walk's
# (TVD 0.15-0.28): on smaller registers several of these are equal
CASES = [
    ("dephasing", {"position_qubits": 2, "time": 1.0, "time_steps": 2, "gamma": 1.3}),
    ("dephasing", {"position_qubits": 2, "time": 1.0, "time_steps": 2, "gamma": 0.7,
                   "channel": "phase_damping"}),
    ("dephasing", {"position_qubits": 1, "dimension": 2, "time": 1.2, "time_steps": 2,
                   "gamma": 2.0}),
    ("coin-dephasing", {"position_qubits": 3, "steps": 5, "p": 0.5}),
    ("coin-dephasing", {"position_qubits": 1, "dimension": 2, "steps": 2, "p": 0.4}),
    ("position-dephasing", {"position_qubits": 3, "steps": 4, "p": 0.5}),
]
STRENGTH = {"dephasing": "gamma", "coin-dephasing": "p", "position-dephasing": "p"}


def measured_distribution(experiment, circuit):
    """Exact site distribution of a bound, measured template (statevector)."""
    measured = [circuit.find_bit(i.qubits[0]).index for i in circuit.data
                if i.operation.name == "measure"]
    state = Statevector(circuit.remove_final_measurements(inplace=False))
    return experiment.site_distribution(circuit, state.probabilities(measured), None)


@pytest.mark.parametrize("name, settings", CASES)
def test_the_average_over_every_kick_pattern_is_the_channel(name, settings):
    inner = get_experiment(name).from_settings(settings)
    coherent = get_experiment(name).from_settings({**settings, STRENGTH[name]: 0})
    assert analysis.total_variation(inner.reference_distributions()[-1],
                                    coherent.reference_distributions()[-1]) > 0.1
    experiment = unravelled(inner)
    template = experiment.templates("all-to-all")[-1]
    exact = inner.reference_distributions()[-1]
    groups = experiment._groups[len(inner.times()) - 1]
    assert not any(reg.name == "env" for reg in template.qregs)
    assert template.num_parameters == sum(g.size for g in groups) > 0
    options = [kick_outcomes(g, inner.channel_strength()) for g in groups]
    if name == "position-dephasing":
        # the last step's kicks come right before the position is measured: diagonal there,
        # they cannot change it (enumerating them too would take 9x longer)
        options[-1] = [(1.0, (0,) * groups[-1].size)]
    average = np.zeros_like(exact)
    for combination in itertools.product(*options):
        weight = np.prod([w for w, _ in combination])
        kicks = np.pi * np.array([b for _, bits in combination for b in bits], dtype=float)
        average += weight * measured_distribution(inner, template.assign_parameters(kicks))
    np.testing.assert_allclose(average, exact, atol=1e-10)


def test_kicks_are_drawn_with_the_channel_probabilities():
    rng = np.random.default_rng(3)
    count = 40000
    for group, strength in ((KickGroup(SITE_DEPHASING, 0, 2), 0.6),
                            (KickGroup("dephase_coin", 2, 1), 0.5),
                            (KickGroup("damp_phase", 3, 1), 0.75)):
        kicks = sample_kicks([KickGroup(group.channel, 0, group.size)], strength, count, rng)
        patterns = [tuple(row) for row in (kicks / np.pi).round().astype(int)]
        expected: dict[tuple[int, ...], float] = {}
        for weight, pattern in kick_outcomes(group, strength):
            expected[pattern] = expected.get(pattern, 0.0) + weight
        for pattern, p in expected.items():
            seen = sum(1 for row in patterns if row == pattern) / count
            assert abs(seen - p) < 5 * np.sqrt(p * (1 - p) / count) + 1e-12
    # the phase-flip probability that gives phase damping's coherence decay sqrt(1 - l)
    (_, _), (flip, _) = kick_outcomes(KickGroup("damp_phase", 0, 1), 0.75)
    assert 1 - 2 * flip == pytest.approx(np.sqrt(1 - 0.75))


def test_trajectories_on_aer_approach_the_channel_within_their_errors():
    inner = get_experiment("dephasing").from_settings(
        {"position_qubits": 4, "time": 2.0, "time_steps": 8, "gamma": 1.0,
         "kick_trajectories": 48})
    record = run(unravelled(inner), load_config("aer_ideal"), save=False)
    summary = record.summary
    sigma, error = summary["observables"]["sigma"], summary["observable_errors"]["sigma"]
    exact = [inner.observables(q)["sigma"] for q in inner.reference_distributions()]
    assert summary["reference"]["sigma"] == pytest.approx(exact, abs=1e-12)
    # the trajectories scatter from the second slice on (the kick after the first slice is
    # diagonal, so it leaves the position distribution alone)
    assert error[1] == pytest.approx(0, abs=1e-12) and all(e > 0 for e in error[2:])
    for s, e, x in zip(sigma, error, exact, strict=True):
        assert abs(s - x) <= 4 * e + 1e-9
    # and the trajectories are not the coherent walk: sigma(t = 2) lies far from it
    coherent = get_experiment("ctqw").from_settings(
        {"position_qubits": 4, "time": 2.0, "time_steps": 8})
    ballistic = coherent.observables(coherent.reference_distributions()[-1])["sigma"]
    assert abs(sigma[-1] - ballistic) > 6 * error[-1]


def test_the_device_form_of_each_experiment():
    """Site dephasing loses its environment qubit.  The kicks are one-qubit RZ gates: a
    coined walk's device form costs what its cheapest construction does, while the
    sliced CTQW pays for them (a kick between two slices stops the transpiler from
    cancelling one slice's inverse QFT against the next one's QFT)."""
    from qwalk_circuits.resource_report import resource_report

    ctqw = resource_report(get_experiment("dephasing").from_settings(
        {"position_qubits": 3, "time": 1.0, "time_steps": 4}), "all-to-all")
    assert ctqw["device_form"]["num_qubits"] == ctqw["num_qubits"] - 1
    assert ctqw["device_form"]["two_qubit_gates"] > ctqw["constructions"][0]["two_qubit_total"]
    coined = resource_report(get_experiment("coin-dephasing").from_settings(
        {"position_qubits": 3, "steps": 4}), "all-to-all")
    assert coined["device_form"]["two_qubit_gates"] == min(
        row["two_qubit_total"] for row in coined["constructions"])
