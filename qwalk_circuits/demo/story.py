"""`qwalk demo`: the physics story of SCIENCE.md reproduced on circuits, as figures and tables.

Chapters, in the story's order: the free packet spreads (uncertainty
principle); the quantum walk is ballistic where the classical walk diffuses;
dephasing turns the quantum walk back into classical diffusion; disorder
and kicks stop it altogether (localization, ``report_localization.py``);
the quantum echo of coherent backscattering (``report_weak_localization.py``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..analysis import plots
from ..core.errors import QwalkError
from ..core.lattice import signed_displacement
from ..execution import ResultStore
from ..execution.config import HardwareConfig
from ..execution.targets import make_target
from ..experiments import get_experiment
from ..sweeps import sweep
from .chapter import Chapter, DemoContext, SkipChapter
from .localization import TITLE as LOCALIZATION_TITLE
from .localization import localization_chapter
from .weak_localization import TITLE as WEAK_LOCALIZATION_TITLE
from .weak_localization import weak_localization_chapter

DEMO_WALK = {"position_qubits": 7, "steps": 48}
#: device sizes: a few dozen two-qubit gates per circuit, far from the uniform distribution
DEVICE_WALK = {"position_qubits": 4, "steps": 6}
DEVICE_PACKET = {"position_qubits": 4, "sigma0": 1.5, "time": 4.0, "time_steps": 4}
DISTRIBUTION_TIMES = (8, 24, 48)
DEMO_PACKET = {"position_qubits": 7, "sigma0": 3.0, "time": 27.0, "time_steps": 9}
DEMO_DEPHASING = {"position_qubits": 5, "time": 8.0, "time_steps": 32}
DEMO_GAMMAS = [0.5, 1.0, 2.0, 4.0]
DEMO_COIN_P = [0.0, 0.1, 0.3, 1.0]


def _free_packet(ctx: DemoContext) -> Chapter:
    settings = ctx.sized(TITLES[0], DEMO_PACKET, DEVICE_PACKET)
    experiment = get_experiment("free-packet").from_settings(settings)
    record = ctx.run(experiment)
    s = record.summary
    fig = Figure(figsize=(5.5, 4))
    ax = fig.subplots()
    tau = s["lattice_formula"]["tau"]
    ax.errorbar(tau, s["observables"]["sigma"], yerr=s.get("observable_errors", {}).get("sigma"),
                fmt="o", ms=4, label=f"circuit on {s['backend']['name']} (CTQW from a Gaussian)")
    ax.plot(tau, s["reference"]["sigma"], "k-", label="exact lattice")
    ax.plot(tau, s["lattice_formula"]["sigma"], "r--", label=r"$\sigma_0\sqrt{1+\tau^2}$")
    ax.set(xlabel=r"$\tau = \hbar t / (2 m \sigma_0^2)$", ylabel=r"$\sigma$ (sites)",
           title="A free packet spreads")
    ax.legend(fontsize=8)
    fig.tight_layout()
    si = s["si"]
    rows = [[f"{t:.2f}", f"{o:.3f}", f"{r:.3f}", f"{f:.3f}"] for t, o, r, f in zip(
        tau, s["observables"]["sigma"], s["reference"]["sigma"], s["lattice_formula"]["sigma"],
        strict=True)]
    return Chapter(
        TITLES[0],
        f"A Gaussian packet (σ0 = {settings['sigma0']} sites) on a lattice of "
        f"{2 ** settings['position_qubits']} sites, {ctx.sampling} on {s['backend']['name']}: "
        + ("its noise widens the measured packet: compare σ circuit with σ exact, and the run's "
           "device comparison (`qwalk results show RUN_ID`).  The exact lattice "
           if ctx.on_device else "the circuit ") + "follows "
        "σ0 √(1 + τ²) (from below: lattice corrections ~ 1/σ0²).  The same law for a real "
        f"electron: {si['width_initial_m'] * 1e9:g} nm wide at {si['kinetic_energy_ev']:g} eV, "
        f"after {si['distance_m']:g} m ({si['flight_time_s']:.3g} s, τ = {si['tau']:.3g}) it is "
        f"**{si['width_final_m'] * 1e3:.3g} mm** wide.  Run {s['run_id']}.",
        {"packet_sigma.png": fig}, ["τ", "σ circuit", "σ exact", "σ0 √(1+τ²)"], rows,
        captions={"packet_sigma.png": "The packet's width σ (sites) against τ: circuits "
                  "(dots, shot-noise error bars), the exact lattice solution (line) and the "
                  "free particle's σ0 √(1 + τ²) (dashed, the continuum law)."})


def _two_walks(ctx: DemoContext) -> Chapter:
    experiment = get_experiment("coined-walk").from_settings(
        ctx.sized(TITLES[1], DEMO_WALK, DEVICE_WALK))
    record = ctx.run(experiment)
    s = record.summary
    spec = experiment.spec
    shown = [t for t in DISTRIBUTION_TIMES if t in s["times"]] or [s["times"][-1]]
    idx = [s["times"].index(t) for t in shown]
    figures = {
        "walk_sigma.png": plots.sigma_figure(s),
        "walk_distributions.png": plots.distributions_figure(
            signed_displacement(spec.num_sites, spec.origin()), shown,
            [record.distributions[i] for i in idx], [record.reference[i] for i in idx],
            None if record.classical is None else [record.classical[i] for i in idx]),
        "walk_p_origin.png": plots.p_origin_figure(s),
    }
    obs, ref, cls = s["observables"], s["reference"], s["classical"]
    err = s.get("observable_errors")
    bound = s["distance"].get("tvd_shot_noise_bound")
    rows = []
    for i, t in enumerate(s["times"]):
        if t == 0:
            continue
        rows.append([
            str(t), s["construction"][i],
            f"{obs['sigma'][i]:.3f}" + (f" ± {err['sigma'][i]:.3f}" if err else ""),
            f"{ref['sigma'][i]:.3f}", f"{cls['sigma'][i]:.3f}", f"{ref['sigma'][i] / t:.4f}",
            f"{obs['p_origin'][i]:.4f}", f"{ref['p_origin'][i]:.4f}",
            f"{2 / (np.pi * t):.4f}" if t % 2 == 0 else "0",
            f"{s['distance']['tvd'][i]:.4f}", f"{bound[i]:.4f}" if bound else "exact"])
    notes = [f"σ ~ t^α fit ({who}, late half): α = {fit['exponent']:.3f} ± "
             f"{fit['exponent_error']:.3f}"
             for who, fit in s["fits"]["sigma_power_law"].items() if fit]
    return Chapter(
        TITLES[1],
        f"Hadamard walk on a cycle of {spec.num_sites} sites (never wraps in {spec.steps} "
        f"steps), symmetric coin start, {ctx.sampling} on {s['backend']['name']}; run "
        f"{s['run_id']}.  "
        + ("On a device the noise pulls σ(t) off the exact solver (the TVD column says how "
           "far); the exact walk grows like 0.5412 t at long times, the classical one like √t."
           if ctx.on_device else "The circuit σ(t) follows the exact solver and grows like "
           "0.5412 t; the classical walk's grows like √t."),
        figures,
        ["t", "construction", "σ circuit", "σ exact", "σ classical", "σ exact / t",
         "P(0) circuit", "P(0) exact", "2/(πt)", "TVD", "TVD shot-noise bound"], rows, notes,
        captions={
            "walk_sigma.png": "σ(t) on log axes: circuits (dots), exact quantum walk (line), "
                              "classical walk (dashed), with the quantum asymptote 0.5412 t "
                              "(dotted) and √t (dash-dotted) as guides.",
            "walk_distributions.png": "P(x) at three times on the occupied parity (the walk "
                                      "only visits every other site): circuits (bars), exact "
                                      "quantum (line), classical walk (dashed).",
            "walk_p_origin.png": "Return probability P(origin) at even steps: circuits, exact "
                                 "quantum and classical walks, with the quantum walk's "
                                 "2/(πt) guide."})


def _decoherence(ctx: DemoContext) -> Chapter:
    if ctx.config.backend.noise != "none":
        raise SkipChapter(TITLES[2], f"its experiments are dephasing channels of their own, "
                          f"and {ctx.config.name} adds noise = '{ctx.config.backend.noise}' "
                          "(only one can be applied): run the demo on aer_ideal to see them")
    ctx.sized(TITLES[2], {}, None,
              "its two sweeps are 8 runs of 32 phase-kick trajectories each on a device "
              "(a device cannot apply the noise model): try one point, e.g. 'qwalk run "
              "coin-dephasing --backend CONFIG --set position_qubits=3 --set steps=6'")
    rows_gamma = sweep("dephasing", "gamma", DEMO_GAMMAS, dict(DEMO_DEPHASING), ctx.config,
                       ctx.shots, ctx.seed, ctx.store)
    rows_p = sweep("coin-dephasing", "p", DEMO_COIN_P, {"position_qubits": 6, "steps": 24},
                   ctx.config, ctx.shots, ctx.seed, ctx.store)
    fig = Figure(figsize=(5.5, 4))
    ax = fig.subplots()
    for i, row in enumerate(rows_p):
        t = np.asarray(row["times"], dtype=float)
        ax.plot(t, np.asarray(row["sigma"]) ** 2, "o", ms=3, color=f"C{i}",
                label=f"p = {row['p']:g}")
        ax.plot(t, np.asarray(row["sigma_reference"]) ** 2, "-", color=f"C{i}", lw=1)
    ax.plot(t, t, "k--", lw=1, label=r"classical: $\sigma^2 = t$")
    ax.set(xlabel="step t", ylabel=r"$\sigma^2$", title="Coin dephasing p per step")
    ax.legend(fontsize=8)
    fig.tight_layout()

    def named(entry: dict[str, Any] | None, digits: int) -> str:
        if not entry or entry.get("value") is None:
            return "-"
        error = entry.get("error")
        return f"{entry['value']:.{digits}f}" + (f" ± {error:.2g}" if error else "")

    rows = [[f"{row['gamma']:g}", named(row.get("D_fit"), 3),
             f"{row['fit_reference']['D']:.3f}" if row.get("fit_reference") else "-",
             named(row.get("D_model"), 3), named(row.get("D_continuum"), 3),
             named(row.get("crossover_time_fit"), 2),
             named(row.get("crossover_time_continuum"), 2)] for row in rows_gamma]
    notes = [f"coin dephasing p = {row['p']:g}: σ²(24) = {row['sigma'][-1] ** 2:.2f} "
             f"(exact twin {row['sigma_reference'][-1] ** 2:.2f}; classical 24)" for row in rows_p]
    notes += [f"γ = {row['gamma']:g}: {w}" for row in rows_gamma for w in row.get("warnings", [])]
    return Chapter(
        TITLES[2],
        f"Continuous-time walk (J = 1) with Haken–Strobl–Reineker dephasing at rate γ, as an "
        f"Aer noise model on labelled instructions ({ctx.sampling}, Aer density matrix), "
        "against the exact twin and the continuum closed form σ² = (4J²/γ²)(γt − 1 + "
        "e^(−γt)).  The circuits dephase in kicks once per slice dt, so their exact D is the "
        "sliced model's J² dt coth(γdt/2), above the continuum (HSR) 2J²/γ by ≈ (γdt)²/12 "
        "(+8.2 % at γ = 4, dt = 0.25); the late-time fit's error bar holds its window "
        "systematic.  Ballistic and diffusive asymptotes cross near t* = 2/γ.  The second "
        "figure: the coined walk with its coin dephased with probability p each step; p = 1 "
        "is exactly the classical walk.",
        {"dephasing_sweep.png": plots.sweep_figure(rows_gamma, "gamma"),
         "coin_dephasing.png": fig},
        ["γ", "D fit (circuits)", "D fit (exact twin)", "D exact model", "D continuum (HSR)",
         "t* fit (circuits)", "t* continuum 2/γ"], rows, notes,
        captions={
            "dephasing_sweep.png": "Left: σ(t) per γ, circuits (dots), exact twin (lines), "
                                   "continuum HSR closed form (dotted). Right: the fitted D "
                                   "over 2J²/γ, against the exact sliced model (line) and "
                                   "the continuum at 1 (dashed).",
            "coin_dephasing.png": "σ²(t) of the coined walk with its coin dephased with "
                                  "probability p per step: circuits (dots), exact twin "
                                  "(lines), and the classical σ² = t (dashed)."})


TITLES = ("1. The inescapable spread of a quantum particle",
          "2. A tale of two walks: quantum ballistic vs classical diffusive",
          "3. When the world watches: dephasing makes the walk classical")

CHAPTERS: list[tuple[str, Callable[[DemoContext], Chapter]]] = [
    (TITLES[0], _free_packet), (TITLES[1], _two_walks), (TITLES[2], _decoherence),
    (LOCALIZATION_TITLE, localization_chapter),
    (WEAK_LOCALIZATION_TITLE, weak_localization_chapter)]


def _markdown(chapters: list[Chapter]) -> str:
    lines = ["# qwalk_circuits demo", ""]
    for ch in chapters:
        lines += [f"## {ch.title}", "", ch.intro, ""]
        for name in ch.figures:
            if not ch.captions.get(name):
                raise ValueError(f"demo figure {name} of '{ch.title}' has no caption")
            lines += [f"![{name}]({name})", "", f"*{name}: {ch.captions[name]}*", ""]
        if ch.header:
            lines.append("| " + " | ".join(ch.header) + " |")
            lines.append("|" + "---|" * len(ch.header))
            lines += ["| " + " | ".join(r) + " |" for r in ch.rows]
        lines += [""] + [f"- {n}" for n in ch.notes] + [""]
    return "\n".join(lines)


#: the page around the rendered summary: figures side by side where they fit
HTML_PAGE = ("<!doctype html><html><head><meta charset='utf-8'><title>qwalk demo</title>"
             "<style>body{{max-width:72em;margin:auto;font-family:sans-serif}}"
             "img{{max-width:48%;vertical-align:top}}table{{border-collapse:collapse}}"
             "td,th{{border:1px solid #999;padding:3px 6px}}</style></head><body>"
             "{body}</body></html>")


def _html(markdown: str) -> str:
    """summary.html: the summary's markdown rendered by markdown-it (CommonMark and
    tables; raw HTML in the text is escaped), so both files say the same."""
    from markdown_it import MarkdownIt

    return HTML_PAGE.format(body=MarkdownIt("commonmark", {"html": False})
                            .enable("table").render(markdown))


def run_demo(out_dir: str | Path, config: HardwareConfig, seed: int | None,
             store: ResultStore | None) -> Path:
    """Run every chapter on the config's backend; write figures and summary.{md,html}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shots = None if config.run.shots == "exact" else int(config.run.shots)
    ctx = DemoContext(config, shots, seed, store, on_device=make_target(config).deferred)
    chapters = []
    for number, (title, chapter) in enumerate(CHAPTERS, start=1):
        started = time.monotonic()
        print(f"qwalk demo: chapter {number}/{len(CHAPTERS)}: {title} ...", file=sys.stderr,
              flush=True)
        try:
            chapters.append(chapter(ctx))
            print(f"qwalk demo: chapter {number}/{len(CHAPTERS)} done in "
                  f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
        except SkipChapter as skipped:
            chapters.append(Chapter(skipped.title, f"Skipped on {config.name}: {skipped}.",
                                    {}, [], []))
        except QwalkError as refused:  # what the target cannot honour: say so, go on
            print(f"qwalk demo: chapter '{title}' skipped: {refused}", file=sys.stderr)
            chapters.append(Chapter(title, f"Skipped on {config.name}: {refused}.", {}, [],
                                    []))
    for ch in chapters:
        for name, fig in ch.figures.items():
            plots.save(fig, out / name)
    markdown = _markdown(chapters)
    (out / "summary.md").write_text(markdown)
    (out / "summary.html").write_text(_html(markdown))
    return out / "summary.md"
