"""Dephasing channels as phase-kick trajectories: exact in the average over all kick
patterns, sampled with the right probabilities, and converging on Aer."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.experiments.ensemble_runner import run_ensemble
from qwalk_circuits.experiments.unravelled import unravelled
from qwalk_circuits.noise import SITE_DEPHASING
from qwalk_circuits.unravelling import KickGroup, kick_outcomes, sample_kicks

CASES = [
    ("dephasing", {"position_qubits": 2, "time": 1.0, "time_steps": 2, "gamma": 1.3}),
    ("dephasing", {"position_qubits": 2, "time": 1.0, "time_steps": 2, "gamma": 0.7,
                   "channel": "phase_damping"}),
    ("dephasing", {"position_qubits": 1, "dimension": 2, "time": 0.6, "time_steps": 1,
                   "gamma": 2.0}),
    ("coin-dephasing", {"position_qubits": 2, "steps": 3, "p": 0.3}),
    ("coin-dephasing", {"position_qubits": 1, "dimension": 2, "steps": 2, "p": 0.4}),
    ("position-dephasing", {"position_qubits": 2, "steps": 2, "p": 0.3}),
]


def measured_distribution(experiment, circuit):
    """Exact site distribution of a bound, measured template (statevector)."""
    measured = [circuit.find_bit(i.qubits[0]).index for i in circuit.data
                if i.operation.name == "measure"]
    state = Statevector(circuit.remove_final_measurements(inplace=False))
    return experiment.site_distribution(circuit, state.probabilities(measured), None)


@pytest.mark.parametrize("name, settings", CASES)
def test_the_average_over_every_kick_pattern_is_the_channel(name, settings):
    inner = get_experiment(name).from_settings(settings)
    experiment = unravelled(inner)
    templates = experiment.templates("all-to-all")
    for index, (template, exact) in enumerate(zip(templates, inner.reference_distributions(),
                                                  strict=True)):
        assert not any(reg.name == "env" for reg in template.qregs)
        assert template.count_ops().get("rz", 0) >= template.num_parameters
        options = [kick_outcomes(g, inner.channel_strength())
                   for g in experiment._groups[index]]
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
    record = run_ensemble(unravelled(inner), load_config("aer_ideal"), save=False)
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


def test_the_device_form_drops_the_environment_qubit_and_adds_no_two_qubit_gate():
    from qwalk_circuits.resource_report import resource_report

    experiment = get_experiment("dephasing").from_settings(
        {"position_qubits": 3, "time": 1.0, "time_steps": 4})
    report = resource_report(experiment, "all-to-all")
    form = report["device_form"]
    assert form["num_qubits"] == report["num_qubits"] - 1
    # the kicks are single-qubit RZ: the two-qubit cost is the marked circuit's (the
    # transpiler may place a CX differently around a kick)
    marked = report["constructions"][0]["two_qubit_total"]
    assert abs(form["two_qubit_gates"] - marked) <= 0.05 * marked
