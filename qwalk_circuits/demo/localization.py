"""The demo's fourth chapter: interference stops motion (Anderson and dynamical localization).

One disordered walk three ways -- clean (ballistic), static phases
(localized), phases redrawn every step (diffusive, the classical walk) --
on one figure, with the averaged distributions on a log scale where the
localized one shows its exponential tails.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..analysis.tail_plots import draw_tail_fit, run_procedure
from ..core.lattice import signed_displacement
from ..experiments import get_experiment
from .chapter import Chapter, DemoContext

TITLE = "4. When interference stops motion: Anderson localization"
DEMO_DISORDER = {"position_qubits": 6, "steps": 28, "realisations": 16}
DEMO_ROTOR = {"kick_strength": 5.0, "kbar": 1.0, "kicks": 40, "momentum_qubits": 8,
              "quasi_momenta": 16}
DEMO_RESONANCE = {"kick_strength": 5.0, "kicks": 12, "momentum_qubits": 7}
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
        # zero (unsampled) sites are left out of the log scale, not drawn at a floor
        right.errorbar(d[order], _positive(record.distributions[-1][order]),
                       yerr=record.distribution_errors[-1][order], fmt="o", ms=3, lw=0.6,
                       color=colour, label=DISORDERS[disorder])
        right.set_yscale("log")
        right.semilogy(d[order], _positive(record.reference[-1][order]), "-",
                       color=colour, lw=1)
    floor = _draw_tail_fit(right, *runs["static"])
    classical = next(iter(runs.values()))[1].summary["classical"]["sigma"]
    left.plot(t, classical, "k--", lw=1, label=r"classical walk $\sqrt{t}$")
    left.set(xlabel="step t", ylabel=r"$\sigma(t)$ of the averaged distribution",
             title="One walk: ballistic, localized, diffusive")
    left.legend(fontsize=8)
    right.set(xlabel="x - x0 (sites)", ylabel=f"averaged P(x, t = {int(t[-1])})",
              ylim=(min(1e-6, floor / 10), 1),
              title="Tails (points: circuits; lines: exact ensemble)")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _positive(p: np.ndarray) -> np.ndarray:
    return np.where(p > 0, p, np.nan)


def _draw_tail_fit(axis: Any, experiment: Any, record: Any) -> float:
    """The static walk's tail fit (circuits and exact ensemble, one procedure) and the noise
    floor its window stops at; returns the floor (1e-6 when nothing was fitted)."""
    d = signed_displacement(experiment.spec.num_sites, experiment.spec.origin())
    procedure = run_procedure(record.summary, record.distributions[-1],
                              record.distribution_errors[-1], d)
    if procedure is None:
        return 1e-6
    theory = record.summary.get("localization_theory", {})
    draw_tail_fit(axis, procedure, record.distributions[-1], record.reference[-1],
                  (theory.get("circuits", {}).get("error"),
                   theory.get("exact_ensemble", {}).get("error")), colours=("C3", "k"))
    return procedure.floor


def _rotor_figure(rotor: dict[str, Any], resonance: dict[str, Any]) -> Figure:
    fig = Figure(figsize=(11, 4))
    left, right = fig.subplots(1, 2)
    t = np.asarray(rotor["times"], dtype=float)
    left.errorbar(t, rotor["observables"]["p2"], yerr=rotor["observable_errors"]["p2"], fmt="o",
                  ms=4, label="quantum (circuits, β-averaged)")
    left.plot(t, rotor["reference"]["p2"], "k-", lw=1, label="exact quantum map")
    left.plot(t, rotor["classical"]["p2"], "r--", label="classical standard map")
    theory = rotor["diffusion_theory"]
    left.plot(t, theory["classical_rate"]["value"] * t, ":", color="0.5",
              label=r"simulated map's $D t/\hbar^2$ (classical limit)")
    left.plot(t, theory["quantum_rate"]["value"] * t, ":", color="C0",
              label=r"$D_q t/\hbar^2$ (Shepelyansky, asymptotic)")
    saturation = rotor["saturation"]
    left.axhline(saturation["value"], color="C0", lw=0.8, ls="-.",
                 label="quantum saturation" if saturation["saturated"]
                 else "saturation: a lower bound (still growing)")
    left.set(xlabel="kick t", ylabel=r"$\langle m^2 \rangle$",
             ylim=(0, 1.1 * max(rotor["classical"]["p2"])),
             title=f"Dynamical localization (K = {rotor['params']['kick_strength']:g}, "
                   f"ħ = {rotor['params']['kbar']:g})")
    left.legend(fontsize=8)
    tr = np.asarray(resonance["times"], dtype=float)
    right.errorbar(tr, resonance["observables"]["p2"], yerr=resonance["observable_errors"]["p2"],
                   fmt="o", ms=4, label="circuits")
    right.plot(tr, resonance["ballistic"]["p2"], "k-", lw=1, label=r"$k^2 t^2 / 2$")
    right.set(xlabel="kick t", ylabel=r"$\langle m^2 \rangle$",
              title="Quantum resonance ħ = 4π: ballistic")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _rotor_runs(ctx: DemoContext) -> tuple[dict[str, Any], dict[str, Any]]:
    summaries = []
    for name, settings in (("kicked-rotor", DEMO_ROTOR),
                           ("kicked-rotor-resonance", DEMO_RESONANCE)):
        with warnings.catch_warnings():  # the resonance warning is the point of that run
            warnings.simplefilter("ignore", UserWarning)
            experiment = get_experiment(name).from_settings(dict(settings))
            summaries.append(ctx.run(experiment).summary)
    return summaries[0], summaries[1]


def localization_chapter(ctx: DemoContext) -> Chapter:
    """Chapter 4: Anderson localization of the coined walk (and, when present, the kicked
    rotor's dynamical localization)."""
    ctx.sized(TITLE, {}, None,
              "localization shows on registers of 6+ qubits, where today's disorder layer "
              "costs 2^n - 2 CX per step (thousands of two-qubit gates per walk); cheaper "
              "constructions are the hardware issue's work")
    runs = {}
    for disorder in DISORDERS:
        experiment = get_experiment("anderson-walk").from_settings(
            {**DEMO_DISORDER, "disorder": disorder})
        runs[disorder] = (experiment, ctx.run(experiment))
    rows = []
    for disorder, (_, record) in runs.items():
        s = record.summary
        obs, err, ref = s["observables"], s["observable_errors"], s["reference"]
        theory = s.get("localization_theory", {})
        xi = theory.get("circuits", {}).get("value")
        xi_error = theory.get("circuits", {}).get("error")
        xi_exact = theory.get("exact_ensemble", {}).get("value")
        fit = s["fits"]["sigma_power_law"]["observables"]
        rows.append([DISORDERS[disorder],
                     f"{obs['sigma'][-1]:.2f} ± {err['sigma'][-1]:.2f}",
                     f"{ref['sigma'][-1]:.2f}",
                     f"{fit['exponent']:.2f} ± {fit['exponent_error']:.2f}" if fit else "-",
                     f"{obs['ipr'][-1]:.3f} ± {err['ipr'][-1]:.3f}",
                     "-" if xi is None else f"{xi:.2f} ± {xi_error or 0:.2f} "
                     + ("" if xi_exact is None else f"(exact {xi_exact:.2f})"),
                     f"{s['distance']['tvd'][-1]:.4f}"])
    spec = runs["static"][0].spec
    rotor, resonance = _rotor_runs(ctx)
    saturation, break_time = rotor["saturation"], rotor["break_time"]
    bound = "" if saturation["saturated"] else " at least (not yet saturated: a lower bound)"
    theory, length = rotor["diffusion_theory"], rotor["localization_theory"]
    notes = [
        f"Kicked rotor: quantum ⟨m²⟩ over the late half {saturation['value']:.1f} ± "
        f"{saturation['error']:.1f}{bound} (exact map {saturation['reference_value']:.1f}) "
        f"while the classical ⟨m²⟩ reaches {rotor['classical']['p2'][-1]:.0f} at t = "
        f"{rotor['times'][-1]}; break time {break_time['value']:.1f} kicks"
        f"{' at least' if break_time['lower_bound'] else ''}; "
        f"ℓ = D_q/(2ħ²) = {length['length']['value']:.1f} (tail fit "
        f"{length['tail_fit']['value']:.1f}); classical D {theory['classical_D']['value']:.2f}"
        f" ± {theory['classical_D']['error']:.2f} (Rechester–White "
        f"{theory['rechester_white_D']['value']:.2f}).",
        f"Resonance ħ = 4π: ⟨m²⟩({resonance['times'][-1]}) = "
        f"{resonance['observables']['p2'][-1]:.1f} against k²t²/2 = "
        f"{resonance['ballistic']['p2'][-1]:.1f}."]
    return Chapter(
        TITLE,
        f"The Hadamard walk on a cycle of {spec.num_sites} sites with random on-site phases "
        f"uniform in [0, 2π), averaged over {spec.realisations} realisations ({ctx.sampling}; "
        "each realisation binds one transpiled parameterized circuit).  Clean: σ ~ t.  "
        "Static phases: σ saturates and the averaged distribution decays exponentially "
        "(localization length ξ from one tail fit of circuits and exact ensemble alike, its "
        "window ending at the sampled data's noise floor, its error with the cut-off "
        "systematic).  The same phases redrawn every step are a "
        "position measurement each step: the walk diffuses like the classical walk, σ ~ √t. "
        "Lines: the exact ensemble from the reference solver, same realisations.  "
        "Second figure: a clean but periodically kicked rotor (QFT between the kick, diagonal "
        "in angle, and the free rotation, diagonal in momentum; averaged over 16 "
        "quasi-momenta) stops absorbing energy where the classical standard map diffuses "
        "forever — dynamical localization — except at a quantum resonance.",
        {"localization_walks.png": _disorder_figure(runs),
         "kicked_rotor.png": _rotor_figure(rotor, resonance)},
        ["walk", f"σ(T={spec.steps}) circuits", "σ exact", "σ ~ t^α: α", "IPR",
         "ξ (tail fit, ± cut-off)", "TVD"], rows, notes,
        captions={
            "localization_walks.png": "Left: σ(t) of the averaged walk, clean, static and "
                                      "dynamic disorder (circuits: dots; exact ensemble: "
                                      "lines; classical √t dashed). Right: the averaged "
                                      "final distribution on a log scale with the fitted "
                                      "tails and the fit's noise floor.",
            "kicked_rotor.png": "Left: ⟨m²⟩ per kick of the quantum rotor (circuits, exact "
                                "map) against the classical standard map and the diffusive "
                                "lines D t/ħ² (classical limit) and D_q t/ħ² (asymptotic). "
                                "Right: the quantum resonance ħ = 4π grows as k²t²/2."})
