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


def test_torus_heat_maps_centre_the_start_on_one_colour_scale():
    from matplotlib.figure import Figure

    from qwalk_circuits.analysis.plots import torus_heat_maps

    side, origin = 4, 1 + 4 * 3  # start at x0 = 1, y0 = 3
    p = np.zeros(side * side)
    p[origin] = 0.5
    p[(origin + 1) % side + side * 3] = 0.5  # one site to the right of the start
    q = np.full(side * side, 1 / side**2)
    fig = Figure()
    axes = fig.subplots(1, 2)
    torus_heat_maps(fig, axes, [p, q], ["circuit", "exact"], side, origin)
    grid = axes[0].images[0].get_array()
    assert grid[side // 2, side // 2] == 0.5 and grid[side // 2, side // 2 + 1] == 0.5
    assert axes[0].images[0].get_clim() == axes[1].images[0].get_clim() == (0, 0.5)
    assert "lattice units" in axes[0].get_xlabel() and axes[1].get_title() == "exact"
    assert len(fig.axes) == 3  # the two maps and one colour bar


def test_a_2d_run_plots_circuit_and_exact_heat_maps(tmp_path, monkeypatch):
    from qwalk_circuits.analysis import plots
    from qwalk_circuits.cli import main

    saved = []
    monkeypatch.setattr(plots, "save", lambda fig, path: saved.append(fig))
    assert main(["run", "ctqw", "--set", "dimension=2", "--set", "position_qubits=2",
                 "--set", "time=0.5", "--set", "time_steps=2", "--shots", "exact",
                 "--plot", str(tmp_path / "walk.png")]) == 0
    fig = saved[0]
    maps = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in maps] == ["circuit, t = 0.5", "exact quantum, t = 0.5"]
    assert np.allclose(maps[0].images[0].get_array(), maps[1].images[0].get_array())
    left = fig.axes[0]  # the observable against time, in its units
    assert (left.get_xlabel(), left.get_ylabel()) == ("t (units of 1/J)",
                                                      "sigma(t) (lattice units)")


def test_the_time_axis_says_its_units():
    from qwalk_circuits.cli.render import time_label
    from qwalk_circuits.experiments import get_experiment

    labels = {name: time_label(get_experiment(name).from_settings({}))
              for name in ("coined-walk", "ctqw", "kicked-rotor", "backscattering")}
    assert labels == {"coined-walk": "step t", "ctqw": "t (units of 1/J)",
                      "kicked-rotor": "kick t", "backscattering": "t (units of 1/J)"}
