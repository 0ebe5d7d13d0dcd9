"""The figures' fixes, checked on the drawn figures (tick labels, occupied sites)."""

from __future__ import annotations

import numpy as np

from qwalk_circuits.analysis import plots
from qwalk_circuits.analysis.distributions import signed_displacement
from qwalk_circuits.experiments import get_experiment


def _summary() -> dict:
    times = list(range(0, 50, 2))
    sigma = [0.0] + [0.54 * t for t in times[1:]]
    return {"times": times, "observables": {"sigma": sigma, "p_origin": [1.0] + [
        2 / (np.pi * t) for t in times[1:]]}, "reference": {"sigma": sigma, "p_origin": [
            1.0] + [2 / (np.pi * t) for t in times[1:]]}, "backend": {"name": "aer_ideal"}}


def _tick_labels(figure) -> list[str]:
    figure.canvas.draw()  # the labels are made when the figure is drawn
    ax = figure.axes[0]
    return [t.get_text() for axis in (ax.xaxis, ax.yaxis)
            for t in axis.get_ticklabels(minor=False) + axis.get_ticklabels(minor=True)]


def test_log_axes_are_labelled_in_plain_numbers_without_minor_labels():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    for make in (plots.sigma_figure, plots.p_origin_figure):
        figure = make(_summary())
        FigureCanvasAgg(figure)
        labels = [t for t in _tick_labels(figure) if t]
        assert labels, make.__name__
        assert not any("10^" in t or "times" in t or "×" in t for t in labels), labels
        assert {2.0, 10.0, 20.0} <= {float(t.replace("\u2212", "-")) for t in labels}


def test_distributions_are_drawn_on_the_occupied_parity_only():
    experiment = get_experiment("coined-walk").from_settings(
        {"position_qubits": 5, "steps": 8})
    spec = experiment.spec
    displacement = signed_displacement(spec.num_sites, spec.origin())
    probabilities = np.asarray(experiment.reference_distributions()[-1])
    shown = plots.occupied_parity([probabilities], displacement)
    odd = np.round(displacement).astype(int) % 2 == 1
    assert not shown[odd].any() and shown[~odd].all()  # t = 8: even sites only
    assert np.isclose(probabilities[shown].sum(), 1.0, atol=1e-12)
    # both parities occupied (a spread-out start): every site is drawn
    assert plots.occupied_parity([np.full(len(displacement), 1 / len(displacement))],
                                 displacement).all()
    figure = plots.distributions_figure(displacement, [8], [probabilities], [probabilities],
                                        None)
    line = figure.axes[0].get_lines()[0]
    assert np.all(np.round(line.get_xdata()).astype(int) % 2 == 0)
