"""The demo's last chapter: interference stops motion (Anderson and dynamical localization).

One disordered walk three ways -- clean (ballistic), static phases
(localized), phases redrawn every step (diffusive, the classical walk) --
on one figure, with the averaged distributions on a log scale where the
localized one shows its exponential tails.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .experiments import get_experiment, run_experiment
from .lattice import signed_displacement
from .report_types import Chapter, DemoContext

DEMO_DISORDER = {"position_qubits": 6, "steps": 28, "realisations": 16}
DISORDERS = {"none": "clean", "static": "static disorder", "dynamic": "dynamic disorder"}


def _disorder_figure(runs: dict[str, Any]) -> Figure:
    fig = Figure(figsize=(11, 4))
    left, right = fig.subplots(1, 2)
    for i, (disorder, (experiment, record)) in enumerate(runs.items()):
        s = record.summary
        t = np.asarray(s["times"], dtype=float)
        colour = f"C{i}"
        left.errorbar(t, s["observables"]["sigma"], yerr=s["observable_errors"]["sigma"],
                      fmt="o", ms=4, color=colour, label=f"{DISORDERS[disorder]} (circuits)")
        left.plot(t, s["reference"]["sigma"], "-", color=colour, lw=1)
        d = signed_displacement(experiment.spec.num_sites, experiment.spec.origin())
        # after t steps only sites of the parity of t are reachable: plot those
        order = [i for i in np.argsort(d) if (d[i] - int(t[-1])) % 2 == 0]
        right.semilogy(d[order], np.maximum(record.distributions[-1][order], 1e-7), "o", ms=3,
                       color=colour, label=DISORDERS[disorder])
        right.semilogy(d[order], np.maximum(record.reference[-1][order], 1e-7), "-",
                       color=colour, lw=1)
    classical = next(iter(runs.values()))[1].summary["classical"]["sigma"]
    left.plot(t, classical, "k--", lw=1, label=r"classical walk $\sqrt{t}$")
    left.set(xlabel="step t", ylabel=r"$\sigma(t)$ of the averaged distribution",
             title="One walk: ballistic, localized, diffusive")
    left.legend(fontsize=8)
    right.set(xlabel="x - x0", ylabel=f"averaged P(x, t = {int(t[-1])})", ylim=(1e-6, 1),
              title="Exponential tails of the localized walk")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def localization_chapter(ctx: DemoContext) -> Chapter:
    """Chapter 4: Anderson localization of the coined walk (and, when present, the kicked
    rotor's dynamical localization)."""
    runs = {}
    for disorder in DISORDERS:
        experiment = get_experiment("anderson-walk").from_settings(
            {**DEMO_DISORDER, "disorder": disorder})
        runs[disorder] = (experiment, run_experiment(experiment, ctx.config, ctx.shots,
                                                     ctx.seed, ctx.store))
    rows = []
    for disorder, (_, record) in runs.items():
        s = record.summary
        obs, err, ref = s["observables"], s["observable_errors"], s["reference"]
        xi = obs.get("localization_length", [None])[-1]
        xi_error = err.get("localization_length", [None])[-1]
        fit = s["fits"]["sigma_power_law"]["observables"]
        rows.append([DISORDERS[disorder],
                     f"{obs['sigma'][-1]:.2f} ± {err['sigma'][-1]:.2f}",
                     f"{ref['sigma'][-1]:.2f}",
                     f"{fit['exponent']:.2f} ± {fit['exponent_error']:.2f}" if fit else "-",
                     f"{obs['ipr'][-1]:.3f} ± {err['ipr'][-1]:.3f}",
                     "-" if xi is None else f"{xi:.2f} ± {xi_error or 0:.2f}",
                     f"{s['distance']['tvd'][-1]:.4f}"])
    spec = runs["static"][0].spec
    return Chapter(
        "4. When interference stops motion: Anderson localization",
        f"The Hadamard walk on a cycle of {spec.num_sites} sites with random on-site phases "
        f"uniform in [0, 2π), averaged over {spec.realisations} realisations ({ctx.sampling}; "
        "each realisation binds one transpiled parameterized circuit).  Clean: σ ~ t.  "
        "Static phases: σ saturates and the averaged distribution decays exponentially "
        "(localization length ξ from the tails).  The same phases redrawn every step are a "
        "position measurement each step: the walk diffuses like the classical walk, σ ~ √t. "
        "Lines: the exact ensemble from the reference solver, same realisations.",
        {"localization_walks.png": _disorder_figure(runs)},
        ["walk", f"σ(T={spec.steps}) circuits", "σ exact", "σ ~ t^α: α", "IPR", "ξ (tails)",
         "TVD"], rows)
