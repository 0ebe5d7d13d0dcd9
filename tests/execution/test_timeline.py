"""Timelines: one Aer run with a save per measured time gives exactly the per-time circuits'.

For every experiment with a timeline, at 3-4 position qubits: the timeline's
distribution at each time equals the per-time circuit's (``execute`` /
``execute_ensemble``, the path runs take today) to 1e-10, and the exact
reference solver's.  Each case also shows that the comparison can fail: the
timeline's time i against the per-time circuit of time i + 1 (a save one
measured time late) differs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qwalk_circuits.execution import execute, load_config
from qwalk_circuits.execution.ensemble import execute_ensemble
from qwalk_circuits.execution.timeline import simulate_exact
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.experiments.ensemble import EnsembleExperiment

AER = "all-to-all"
ATOL = 1e-10
SEED = 5

PLAIN: list[tuple[str, dict[str, Any]]] = [
    *[("coined-walk", {"position_qubits": 3, "steps": 6, "shift": shift})
      for shift in ("increment", "fourier", "auto")],
    ("coined-walk", {"position_qubits": 3, "steps": 5, "times": [1, 2, 5]}),
    ("coined-walk", {"position_qubits": 2, "dimension": 2, "steps": 4, "shift": "fourier"}),
    ("coined-walk", {"position_qubits": 2, "dimension": 2, "steps": 4, "shift": "increment"}),
    ("coined-walk", {"position_qubits": 4, "steps": 8, "initial_state": "gaussian",
                     "shift": "fourier"}),
    *[("coin-dephasing", {"position_qubits": 3, "steps": 5, "p": 0.3, "shift": shift})
      for shift in ("increment", "fourier")],
    ("position-dephasing", {"position_qubits": 3, "steps": 5, "p": 0.3}),
    ("dephasing", {"position_qubits": 3, "time": 2.0, "time_steps": 5}),
    ("dephasing", {"position_qubits": 3, "time": 2.0, "time_steps": 4,
                   "channel": "phase_damping"}),
    ("ctqw", {"position_qubits": 4, "time": 3.0, "time_steps": 6}),
    ("ctqw", {"position_qubits": 2, "dimension": 2, "time": 1.5, "time_steps": 3}),
    ("free-packet", {"position_qubits": 4, "sigma0": 1.5, "time": 4.0, "time_steps": 5}),
]

ENSEMBLE: list[tuple[str, dict[str, Any]]] = [
    *[("anderson-walk", {"position_qubits": 3, "steps": 5, "realisations": 3,
                         "disorder": disorder, "disorder_kind": kind, "shift": shift})
      for disorder in ("static", "dynamic") for kind in ("phase", "coin-phase", "coin")
      for shift in ("increment", "fourier")],
    ("anderson-walk", {"position_qubits": 3, "steps": 5, "realisations": 3}),  # auto
    ("anderson-walk", {"position_qubits": 3, "steps": 5, "disorder": "none"}),
    *[("anderson-ctqw", {"position_qubits": 3, "time": 2.0, "time_steps": 5,
                         "realisations": 3, "disorder": disorder})
      for disorder in ("static", "dynamic", "none")],
    ("kicked-rotor", {"momentum_qubits": 4, "kick_strength": 1.0, "kicks": 4,
                      "quasi_momenta": 3}),
    *[("kicked-rotor", {"momentum_qubits": 4, "kick_strength": 1.0, "kicks": 3,
                        "quasi_momenta": 2, "construction": c})
      for c in ("quadratic", "multiplexor", "diagonal-gate")],
    ("kicked-rotor-resonance", {"momentum_qubits": 4, "kick_strength": 1.0, "kicks": 3}),
]


def make(name: str, settings: dict[str, Any]) -> Any:
    return get_experiment(name).from_settings(settings)


def assert_can_fail(timeline: list[np.ndarray], per_time: list[np.ndarray]) -> None:
    """A save one measured time late would be caught: the neighbours differ."""
    late = max(np.abs(a - b).max() for a, b in zip(timeline[:-1], per_time[1:], strict=True))
    assert late > 1e-3


def _plain(experiment: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
    config = load_config()
    circuits = experiment.circuits(AER)
    before = execute(circuits, config, None, SEED, noise_model=experiment.noise_model(),
                     method=experiment.simulation_method())
    report: dict[str, Any] = {}
    after = simulate_exact(experiment, config, SEED, report=report)
    assert after is not None and len(after) == len(circuits)
    assert report["method"] == (experiment.simulation_method() or "statevector")
    per_time = [experiment.site_distribution(c, r.probabilities, None)
                for c, r in zip(circuits, before.results, strict=True)]
    timeline = [experiment.site_distribution(c, r.probabilities, None)
                for c, r in zip(circuits, after, strict=True)]
    for r in after:
        assert set(r.stats) == {"num_qubits", "depth", "two_qubit_gates", "two_qubit_depth",
                                "ops"} and r.stats["ops"]["save_probabilities"] == 1
    return per_time, timeline


@pytest.mark.parametrize(("name", "settings"), [
    ("coined-walk", {"position_qubits": 3, "steps": 6, "shift": "fast-forward"}),
    ("anderson-walk", {"position_qubits": 3, "steps": 5, "disorder": "none",
                       "shift": "fast-forward"})])
def test_an_explicit_fast_forward_is_run_as_asked_not_replaced_by_a_timeline(name, settings):
    """A timeline cannot hold the all-steps-at-once jump: when the spec asks for it, the
    per-time circuits run (simulate_exact says None), so the run is what was asked."""
    assert simulate_exact(make(name, settings), load_config(), SEED) is None


@pytest.mark.parametrize(("name", "settings"), PLAIN,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(PLAIN)])
def test_timeline_equals_per_time_circuits_and_reference(name, settings):
    experiment = make(name, settings)
    per_time, timeline = _plain(experiment)
    np.testing.assert_allclose(timeline, per_time, atol=ATOL)
    np.testing.assert_allclose(timeline, experiment.reference_distributions(), atol=ATOL)
    assert_can_fail(timeline, per_time)


@pytest.mark.parametrize(("name", "settings"), ENSEMBLE,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(ENSEMBLE)])
def test_ensemble_timeline_equals_per_time_templates_and_reference(name, settings):
    experiment = make(name, settings)
    assert isinstance(experiment, EnsembleExperiment)
    config = load_config()
    templates = experiment.templates(AER)
    values = [experiment.template_values(i, t) for i, t in enumerate(templates)]
    before = execute_ensemble(templates, values, config, None, SEED)
    after = simulate_exact(experiment, config, SEED, chunk=2)
    assert after is not None and len(after) == len(templates)
    per_time, timeline = [], []
    for template, old, new in zip(templates, before, after, strict=True):
        assert len(new) == len(old) == experiment.realisations()
        per_time.append(np.array([experiment.member_distribution(template, r, x.probabilities,
                                                                 None)
                                  for r, x in enumerate(old)]))
        timeline.append(np.array([experiment.member_distribution(template, r, x.probabilities,
                                                                 None)
                                  for r, x in enumerate(new)]))
    np.testing.assert_allclose(timeline, per_time, atol=ATOL)
    np.testing.assert_allclose(timeline, experiment.reference_ensemble(), atol=ATOL)
    assert_can_fail([t.mean(axis=0) for t in timeline], [p.mean(axis=0) for p in per_time])


def _ensemble_arrays(results) -> np.ndarray:
    return np.array([[r.probabilities for r in row] for row in results])


def test_gate_noise_runs_a_prefix_timeline_and_refuses_the_others():
    """Under the config's per-gate noise a timeline that is the per-time circuits' prefix
    gives their noisy results; one with extra frame changes is not used (None)."""
    config = load_config("aer_dephasing")
    walk = make("coined-walk", {"position_qubits": 3, "steps": 4, "shift": "increment"})
    before = execute(walk.circuits(AER), config, None, SEED).results
    after = simulate_exact(walk, config, SEED)
    assert after is not None
    np.testing.assert_allclose([r.probabilities for r in after],
                               [r.probabilities for r in before], atol=ATOL)
    ideal = simulate_exact(walk, load_config(), SEED)
    assert np.abs(after[-1].probabilities - ideal[-1].probabilities).max() > 1e-4
    fourier = make("coined-walk", {"position_qubits": 3, "steps": 4, "shift": "fourier"})
    assert simulate_exact(fourier, config, SEED) is None
    dynamic = make("anderson-walk", {"position_qubits": 3, "steps": 4, "realisations": 3,
                                     "disorder": "dynamic", "shift": "increment"})
    templates = dynamic.templates(AER)
    values = [dynamic.template_values(i, t) for i, t in enumerate(templates)]
    report: dict[str, Any] = {}
    got = simulate_exact(dynamic, config, SEED, report=report)
    assert got is not None and report["noise"] == "config"
    np.testing.assert_allclose(_ensemble_arrays(got), _ensemble_arrays(
        execute_ensemble(templates, values, config, None, SEED)), atol=ATOL)
    static = make("anderson-walk", {"position_qubits": 3, "steps": 4, "realisations": 3,
                                    "shift": "increment"})
    assert simulate_exact(static, config, SEED) is None  # its timeline is fourier


@pytest.mark.parametrize("binding", ["runtime", "experiments", "serial"])
def test_every_binding_and_an_executor_give_the_local_results(binding):
    from concurrent.futures import ThreadPoolExecutor

    from qwalk_circuits.execution.timeline import execute_ensemble_timeline

    experiment = make("anderson-walk", {"position_qubits": 3, "steps": 5, "realisations": 5})
    timeline = experiment.timeline_template()
    values = experiment.timeline_values(timeline)
    packed: dict[str, Any] = {}
    expected = _ensemble_arrays(simulate_exact(experiment, load_config(), SEED, report=packed,
                                               chunk=2))
    assert packed["binding"] == "packed" and packed["timeline"] == "fourier+packed"
    report: dict[str, Any] = {}
    with ThreadPoolExecutor(2) as pool:
        got = execute_ensemble_timeline(timeline, values, load_config(), SEED, chunk=2,
                                        executor=pool, report=report, binding=binding)
    assert report["binding"] == binding and report["method"] == "statevector"
    np.testing.assert_allclose(_ensemble_arrays(got), expected, atol=1e-12)


def test_ensemble_timeline_on_dask_equals_the_local_run():
    distributed = pytest.importorskip("distributed")
    experiment = make("kicked-rotor", {"momentum_qubits": 4, "kick_strength": 1.0,
                                       "kicks": 4, "quasi_momenta": 5})
    local = _ensemble_arrays(simulate_exact(experiment, load_config(), SEED, chunk=2))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = simulate_exact(experiment, load_config(), SEED, executor=client, chunk=2)
        plain = make("ctqw", {"position_qubits": 3, "time": 2.0, "time_steps": 4})
        single = simulate_exact(plain, load_config(), SEED, executor=client)
    np.testing.assert_array_equal(_ensemble_arrays(remote), local)
    assert single is not None and len(single) == len(plain.times())
