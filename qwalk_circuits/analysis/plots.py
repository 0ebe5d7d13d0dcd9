"""Figures: distributions, sigma(t) and P(origin): circuit vs exact reference vs classical."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure  # no pyplot: works headless and leaves notebooks alone
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

HADAMARD_SIGMA_SLOPE = float(np.sqrt(1 - 1 / np.sqrt(2)))  # sigma / t -> 0.5412
COLOURS = {"circuit": "C0", "reference": "k", "classical": "C3"}


def plain_log_axes(ax: Axes) -> None:
    """Log-log axes labelled 1, 2, 5, 10, 20 ... in plain numbers: the default labels every
    minor tick as "3x10^0", and on a short decade those labels run into each other."""
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        formatter = ScalarFormatter()
        formatter.set_scientific(False)
        axis.set_major_formatter(formatter)
        axis.set_minor_formatter(NullFormatter())


def occupied_parity(reference: Sequence[np.ndarray], displacement: np.ndarray) -> np.ndarray:
    """The sites a walk can occupy: a coined walk from one site moves by +-1 each step, so
    at a given t only one parity of x - x0 is occupied.  Drawing lines through the other
    parity's zeros turns every curve into a comb.  All sites when both are occupied."""
    odd = (np.round(displacement).astype(int) % 2) == 1
    mass = [float(sum(np.sum(np.asarray(r)[odd == side]) for r in reference))
            for side in (False, True)]
    if min(mass) > 1e-9 * max(sum(mass), 1e-300):
        return np.ones_like(odd)
    return odd if mass[1] > mass[0] else ~odd


def sigma_figure(summary: dict[str, Any]) -> Figure:
    """sigma(t) on log-log axes, with the ballistic and diffusive guide lines."""
    times = np.asarray(summary["times"], dtype=float)
    fig = Figure(figsize=(5.5, 4))
    ax = fig.subplots()
    keep = times > 0
    err = summary.get("observable_errors", {}).get("sigma")
    ax.errorbar(times[keep], np.asarray(summary["observables"]["sigma"])[keep],
                yerr=None if err is None else np.asarray(err)[keep], fmt="o",
                color=COLOURS["circuit"], label=f"circuit ({summary['backend']['name']})", ms=4)
    ax.plot(times[keep], np.asarray(summary["reference"]["sigma"])[keep], "-",
            color=COLOURS["reference"], label="exact quantum")
    if "classical" in summary:
        ax.plot(times[keep], np.asarray(summary["classical"]["sigma"])[keep], "--",
                color=COLOURS["classical"], label="classical walk")
    ax.plot(times[keep], HADAMARD_SIGMA_SLOPE * times[keep], ":", color="0.5",
            label=r"$\sqrt{1-1/\sqrt{2}}\,t$")
    ax.plot(times[keep], np.sqrt(times[keep]), "-.", color="0.7", label=r"$\sqrt{t}$")
    ax.set(xscale="log", yscale="log", xlabel="step t (coin + shift steps)",
           ylabel=r"$\sigma(t)$ (lattice sites)", title="Ballistic vs diffusive spreading")
    plain_log_axes(ax)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def distributions_figure(displacement: np.ndarray, times: Sequence[int],
                         circuit: Sequence[np.ndarray], reference: Sequence[np.ndarray],
                         classical: Sequence[np.ndarray] | None) -> Figure:
    """Position distributions at a few times: circuit bars, exact line, classical line,
    each drawn on the sites of the parity the walk occupies at that time."""
    fig = Figure(figsize=(6.5, 1.9 * len(times)))
    axes = fig.subplots(len(times), 1, sharex=True, squeeze=False)
    order = np.argsort(displacement)
    reach = 0.0
    for i, (ax, t) in enumerate(zip(axes[:, 0], times, strict=True)):
        shown = occupied_parity([reference[i]], displacement)[order]
        sites = displacement[order][shown]
        step = 2.0 if shown.sum() < len(shown) else 1.0
        ax.bar(sites, np.asarray(circuit[i])[order][shown], width=0.8 * step,
               color=COLOURS["circuit"], alpha=0.5, label="circuit (sampled)")
        ax.plot(sites, np.asarray(reference[i])[order][shown], ".-", ms=3,
                color=COLOURS["reference"], lw=1, label="exact quantum (reference solver)")
        if classical is not None:
            ax.plot(sites, np.asarray(classical[i])[order][shown], "--",
                    color=COLOURS["classical"], lw=1, label="classical walk (exact)")
        occupied = displacement[np.asarray(reference[i]) > 1e-6]
        reach = max(reach, float(np.max(np.abs(occupied))) if occupied.size else 0.0)
        ax.set_ylabel(f"P(x), t={t}")
    if reach:
        axes[-1, 0].set_xlim(-reach - 3, reach + 3)
    axes[0, 0].legend(fontsize=8, loc="upper right")
    axes[-1, 0].set_xlabel("displacement x - x0 (lattice sites; the occupied parity)")
    fig.tight_layout()
    return fig


def p_origin_figure(summary: dict[str, Any]) -> Figure:
    """Return probability at the origin vs t, with 2/(pi t) for the Hadamard walk."""
    times = np.asarray(summary["times"], dtype=float)
    fig = Figure(figsize=(5.5, 4))
    ax = fig.subplots()
    even = (times > 0) & (times % 2 == 0)
    err = summary.get("observable_errors", {}).get("p_origin")
    ax.errorbar(times[even], np.asarray(summary["observables"]["p_origin"])[even],
                yerr=None if err is None else np.asarray(err)[even], fmt="o",
                color=COLOURS["circuit"], ms=4, label="circuit (even t)")
    ax.plot(times[even], np.asarray(summary["reference"]["p_origin"])[even], "-",
            color=COLOURS["reference"], label="exact quantum")
    if "classical" in summary:
        ax.plot(times[even], np.asarray(summary["classical"]["p_origin"])[even], "--",
                color=COLOURS["classical"], label="classical walk")
    ax.plot(times[even], 2 / (np.pi * times[even]), ":", color="0.5", label=r"$2/(\pi t)$")
    ax.set(xscale="log", yscale="log", xlabel="step t (coin + shift steps)",
           ylabel="P(origin)", title="Return probability")
    plain_log_axes(ax)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def save(fig: Figure, path: str | Path) -> Path:
    """Write a figure as PNG."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    return out


def _value(entry: dict[str, Any] | None) -> float:
    return float("nan") if not entry or entry.get("value") is None else float(entry["value"])


def _error(entry: dict[str, Any] | None) -> float:
    return 0.0 if not entry or entry.get("error") is None else float(entry["error"])


def sweep_figure(rows: list[dict[str, Any]], parameter: str) -> Figure:
    """sigma(t) per swept value (left) and D against the theory (right).

    Left: the circuits (dots), their exact twin (lines: the same sliced channel on the same
    ring) and, where the run has it, the continuum closed form (dotted: HSR).  Right: the
    fitted D (error bars: statistical and window systematic), the twin's fit and the exact
    model's D (``D_model``, or ``D`` of the coined walks) against the parameter; where every
    point has a continuum D (HSR) they are divided by it, so the line at 1 is the
    continuum and the model's rise above it is the slicing error.
    """
    fig = Figure(figsize=(11, 4))
    left, right = fig.subplots(1, 2)
    dotted = False
    for i, row in enumerate(rows):
        colour = f"C{i % 10}"
        left.plot(row["times"], row["sigma"], "o", ms=3, color=colour,
                  label=f"{parameter} = {row[parameter]:g}")
        left.plot(row["times"], row["sigma_reference"], "-", color=colour, lw=1)
        if row.get("sigma_continuum"):
            left.plot(row["times"], row["sigma_continuum"], ":", color=colour, lw=1)
            dotted = True
    left.set(xlabel=r"t (units of $1/J$)" if dotted else "t", ylabel=r"$\sigma(t)$ (sites)",
             title="circuits (dots), exact twin (lines)"
             + (", continuum HSR (dotted)" if dotted else ""))
    left.legend(fontsize=8)
    fitted = [r for r in rows if "D_fit" in r or "fit" in r]
    if fitted:
        x = np.array([r[parameter] for r in fitted], dtype=float)
        order = np.argsort(x)
        # with a continuum D for every point: D / D_continuum, which shows the slicing error
        ratio = all("D_continuum" in r for r in fitted)
        scale = np.array([_value(r["D_continuum"]) if ratio else 1.0 for r in fitted])
        right.errorbar(x, [_value(r.get("D_fit")) for r in fitted] / scale,
                       yerr=[_error(r.get("D_fit")) for r in fitted] / scale, fmt="o",
                       label="circuits (fit ± stat. and window syst.)")
        if all("fit_reference" in r for r in fitted):
            right.plot(x, [r["fit_reference"]["D"] for r in fitted] / scale, "s", mfc="none",
                       label="exact twin (fit)")
        model = np.array([_value(r.get("D_model")) for r in fitted]) / scale
        if np.any(np.isfinite(model)):
            right.plot(x[order], model[order], "-", color="C3", marker="_", ms=12,
                       label="exact model (sliced channel, infinite line)" if ratio
                       else "exact model")
        if ratio:
            right.axhline(1.0, color="k", ls="--", lw=1,
                          label=r"continuum (HSR): $D = 2J^2/\gamma$")
            right.set(ylabel=r"$D \,/\, (2J^2/\gamma)$",
                      title="D against the continuum (HSR)")
        else:
            right.set(ylabel=r"D  ($\sigma^2 \approx 2Dt$)", title="Diffusion constant")
        right.set(xlabel=parameter)
        right.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def observable_sweep_figure(rows: list[dict[str, Any]], parameter: str) -> Figure:
    """A swept observable other than sigma (e.g. the backscattering ratio): its time series
    per value (left) and its last-time value against the parameter (right)."""
    key = rows[0]["observable"]
    fig = Figure(figsize=(11, 4))
    left, right = fig.subplots(1, 2)
    for i, row in enumerate(rows):
        colour = f"C{i % 10}"
        values = np.array([np.nan if v is None else v for v in row[key]], dtype=float)
        errors = row.get(f"{key}_error")
        left.errorbar(row["times"], values,
                      yerr=None if errors is None else
                      np.array([np.nan if e is None else e for e in errors], dtype=float),
                      fmt="o", ms=3, color=colour, label=f"{parameter} = {row[parameter]:g}")
        reference = [np.nan if v is None else v for v in row[f"{key}_reference"]]
        left.plot(row["times"], reference, "-", color=colour, lw=1)
    left.set(xlabel="t", ylabel=key, title="circuits (dots) vs exact (lines)")
    left.legend(fontsize=8)
    x = np.array([r[parameter] for r in rows], dtype=float)
    last = np.array([np.nan if r[key][-1] is None else r[key][-1] for r in rows], dtype=float)
    last_error = [r.get(f"{key}_error", [None])[-1] for r in rows]
    right.errorbar(x, last, yerr=np.array([np.nan if e is None else e for e in last_error],
                                          dtype=float), fmt="o", label="circuits")
    right.plot(x, [np.nan if r[f"{key}_reference"][-1] is None else r[f"{key}_reference"][-1]
                   for r in rows], "ks", mfc="none", label="exact ensemble")
    right.set(xlabel=parameter, ylabel=f"{key} at t = {rows[0]['times'][-1]:g}")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def torus_heat_maps(fig: Figure, axes: Sequence[Axes], distributions: Sequence[np.ndarray],
                    titles: Sequence[str], side: int, origin: int) -> None:
    """P(x, y) of an L x L torus as heat maps on ``axes`` (one per distribution, e.g.
    circuit and exact), centred on the start ``origin`` (flat x0 + L*y0), on one shared
    colour scale with one colour bar, so the panels compare by eye."""
    ox, oy = origin % side, origin // side
    shift = (side // 2 - oy, side // 2 - ox)  # rows are y, columns x: the start at the centre
    grids = [np.roll(np.asarray(p, dtype=float).reshape(side, side), shift, axis=(0, 1))
             for p in distributions]
    top = max(float(g.max()) for g in grids) or 1.0
    extent = (-side // 2 - 0.5, side - side // 2 - 0.5, -side // 2 - 0.5, side - side // 2 - 0.5)
    image = None
    for ax, grid, title in zip(axes, grids, titles, strict=True):
        image = ax.imshow(grid, origin="lower", extent=extent, vmin=0, vmax=top,
                          cmap="viridis", interpolation="nearest")
        ax.set(title=title, xlabel="x - x0 (lattice units)", ylabel="y - y0 (lattice units)")
    if image is not None:
        fig.colorbar(image, ax=axes[-1], label="probability")  # (gridspec: tight_layout ok)
