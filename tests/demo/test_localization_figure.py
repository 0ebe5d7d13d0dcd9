"""The demo's localization figure draws the static walk's fitted tails (circuits and exact
ensemble, one procedure) with the noise floor its window stops at."""

from __future__ import annotations

from qwalk_circuits.demo.localization import DISORDERS, _disorder_figure
from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run


def test_the_tail_fit_and_its_floor_are_on_the_figure():
    runs = {}
    for disorder in DISORDERS:
        experiment = get_experiment("anderson-walk").from_settings(
            {"position_qubits": 5, "steps": 10, "realisations": 3, "disorder": disorder})
        runs[disorder] = (experiment, run(experiment, load_config(), shots=2000, seed=1))
    figure = _disorder_figure(runs)
    labels = figure.axes[1].get_legend_handles_labels()[1]
    xi = runs["static"][1].summary["localization_theory"]["circuits"]
    assert f"tail fit, circuits: ξ = {xi['value']:.2f} ± {xi['error']:.2f}" in labels
    assert any(label.startswith("tail fit, exact ensemble: ξ") for label in labels)
    assert any(label.startswith("fit cut-off: noise floor") for label in labels)
