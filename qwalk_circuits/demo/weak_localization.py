"""The demo's fifth chapter: the quantum echo (coherent backscattering).

A plane wave |k0> in a disordered torus, three ways: time-reversal symmetric
(r -> 2), with a random magnetic flux (r -> 1), with weak spin-orbit
coupling (r -> 1/2, weak anti-localization), on one figure; and the
averaged momentum distribution with its peak at -k0.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..experiments import get_experiment
from .chapter import Chapter, DemoContext

TITLE = "5. The quantum echo: coherent backscattering and its undoing"
DEMO_BACKSCATTERING: dict[str, Any] = {
    "lattice_qubits_per_axis": 3, "W": 3.0, "dt": 0.5, "time": 16.0,
    "times": [2, 4, 6, 8, 10, 12, 14, 16], "realisations": 32}
CASES: dict[str, dict[str, Any]] = {
    "time-reversal symmetric": {},
    "random flux f = 0.3": {"flux": "random", "flux_strength": 0.3},
    "spin-orbit θ = 0.07": {"spin_orbit": 0.07}}
THEORY = {"time-reversal symmetric": 2.0, "random flux f = 0.3": 1.0, "spin-orbit θ = 0.07": 0.5}


def _figure(runs: dict[str, tuple[Any, Any]]) -> Figure:
    fig = Figure(figsize=(11, 4.8))
    left, right = fig.subplots(1, 2)
    for i, (label, (_, record)) in enumerate(runs.items()):
        s = record.summary
        t = np.asarray(s["times"], dtype=float)
        ratio = np.array([np.nan if v is None else v for v in s["observables"]["ratio"]])
        error = np.array([np.nan if v is None else v for v in s["observable_errors"]["ratio"]])
        exact = np.array([np.nan if v is None else v for v in s["reference"]["ratio"]])
        left.errorbar(t, ratio, yerr=error, fmt="o", ms=4, color=f"C{i}",
                      label=f"{label} (circuits)")
        left.plot(t, exact, "-", lw=1, color=f"C{i}")
        left.axhline(THEORY[label], color=f"C{i}", ls=":", lw=0.8)
    left.plot([], [], "-", lw=1, color="0.3", label="exact (reference solver)")
    left.plot([], [], ":", lw=0.8, color="0.3", label="long-time value 2, 1, ½ (asymptotic)")
    left.set(xlabel="time t (1/J)", ylabel="r = P(−k0) / background",
             title="Coherent backscattering: 2, 1, ½")
    # the legend goes below the axes (inside, it covered the late-time error bars),
    # the circuits first
    handles, labels = left.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda k: "(circuits)" not in labels[k])
    left.legend([handles[k] for k in order], [labels[k] for k in order], fontsize=8,
                loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    experiment, record = runs["time-reversal symmetric"]
    grid = experiment.momentum_map(record.distributions[-1])
    k0 = experiment.k0s[0]
    side = grid.shape[0]
    shifted = np.fft.fftshift(grid)  # momenta -L/2 .. L/2 - 1 on both axes
    extent = (-side / 2 - 0.5, side / 2 - 0.5, -side / 2 - 0.5, side / 2 - 0.5)
    image = right.imshow(shifted, origin="lower", extent=extent, cmap="viridis")
    fig.colorbar(image, ax=right, label="averaged P(p)")
    wrap = [((c + side // 2) % side) - side // 2 for c in k0]
    right.plot(*wrap, "w+", ms=12, mew=2, label="+k0 (start)")
    right.plot(-wrap[0], -wrap[1], "rx", ms=12, mew=2, label="−k0 (backscattering)")
    right.set(xlabel="p_x (units of 2π/L)", ylabel="p_y (units of 2π/L)",
              title=f"Momentum distribution at t = {record.summary['times'][-1]:g} (circuits)")
    right.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def weak_localization_chapter(ctx: DemoContext) -> Chapter:
    ctx.sized(TITLE, {}, None,
              "the 8x8 disordered torus costs thousands of two-qubit gates per split step "
              "with flux (BENCHMARKS.md, weak localization); the smallest torus that shows "
              "backscattering on a device is the hardware issue's work")
    """Chapter 5: r(t) with and without time-reversal symmetry, and with spin-orbit coupling."""
    runs = {}
    for label, extra in CASES.items():
        experiment = get_experiment("backscattering").from_settings(
            {**DEMO_BACKSCATTERING, **extra})
        with warnings.catch_warnings():  # 32 members: the small-ensemble warning is known
            warnings.simplefilter("ignore", UserWarning)
            runs[label] = (experiment, ctx.run(experiment))
    rows, notes = [], []
    for label, (_, record) in runs.items():
        s = record.summary
        theory = s["backscattering_theory"]
        limit, shift = theory["long_time_ratio"]["value"], theory["split_step_shift"]
        rows.append([label, f"{s['observables']['ratio'][-1]:.2f} ± "
                            f"{s['observable_errors']['ratio'][-1]:.2f}",
                     f"{s['reference']['ratio'][-1]:.2f}",
                     f"{shift['value'][-1]:+.3f} ± {shift['error'][-1]:.3f}",
                     "-" if limit is None else f"{limit:g}",
                     f"{s['ensemble']['realisations']}"])
        notes += [f"{label}: warning: {w}" for w in s["warnings"]]
    side = 2 ** DEMO_BACKSCATTERING["lattice_qubits_per_axis"]
    return Chapter(
        TITLE,
        f"A plane wave |k0⟩ on a {side}×{side} torus with on-site disorder W = "
        f"{DEMO_BACKSCATTERING['W']:g} J (one symmetric split step of dt = "
        f"{DEMO_BACKSCATTERING['dt']:g} per circuit layer), averaged over "
        f"{DEMO_BACKSCATTERING['realisations']} realisations ({ctx.sampling}).  Each "
        "closed path and its time-reversed twin interfere constructively in the direction "
        "−k0: the ratio r of P(−k0) to the background of same-energy momenta rises from 1 "
        "towards 2.  A random magnetic flux (Peierls phases) breaks time-reversal symmetry "
        "and r stays near 1; weak spin-orbit coupling turns the enhancement into a "
        "suppression (r → ½ for an unpolarised start and spin-summed detection: weak "
        "anti-localization).  Lines: the exact ensemble (reference solver, same "
        "realisations); dotted: 2, 1, ½.  A small torus and few realisations: the "
        "error bars are the point.",
        {"backscattering.png": _figure(runs)},
        ["case", f"r(t = {DEMO_BACKSCATTERING['time']:g}) circuits", "r exact ensemble",
         "split step − exp(−iHt) (paired)", "long-time r (asymptotic)", "members"], rows,
        [_spin_orbit_note(*runs["spin-orbit θ = 0.07"]), *notes],
        captions={"backscattering.png": "Left: the backscattering ratio r(t) with "
                  "time-reversal symmetry, random flux and spin-orbit coupling (circuits: "
                  "dots; exact ensemble: lines; dotted: their long-time 2, 1, ½). Right: the "
                  "averaged momentum distribution of the circuits at the last time, +k0 and "
                  "the backscattering peak −k0 marked."})


def _spin_orbit_note(experiment: Any, record: Any) -> str:
    """Why the demo's spin-orbit r has not reached 1/2: its spin relaxation time, and the
    small torus's Heisenberg time."""
    regime = record.summary["spin_orbit_regime"]
    return (f"Spin-orbit coupling θ = {experiment.spec.spin_orbit:g}: splitting × scattering "
            f"time Δτ = {regime['splitting_times_tau']:.2f} (weak below 0.65), spin "
            f"relaxation time 1/(Δ²τ) = {regime['spin_relaxation_time']:.1f}: the ½ plateau "
            "needs t beyond about five of them, and the torus's Heisenberg time 2πρL² = "
            f"{experiment.heisenberg_time():.0f} caps the times this torus can show (README, "
            "weak localization: 0.50 ± 0.03 at t = 32 on the 16×16 torus).")
