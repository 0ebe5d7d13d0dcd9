"""Figures of a tail fit: the final averaged distribution on a log scale, the fitted
exponentials of the circuits and of their exact ensemble (one procedure), the noise floor."""

from __future__ import annotations

from typing import Any

import numpy as np

from .tails import TailProcedure, noise_floor, tail_procedure


def run_procedure(summary: dict[str, Any], mean: np.ndarray, errors: np.ndarray | None,
                  displacement: np.ndarray, start: int = 2) -> TailProcedure | None:
    """The final time's procedure of a finished run, rebuilt from its averaged distribution
    and errors (what the summary chose), for figures; None where it fitted no tail."""
    fit = summary.get("localization_fit")
    if not fit:
        return None
    shots = summary["shots"]
    floor = noise_floor(None if shots == "exact" else int(shots),
                        int(summary["ensemble"]["realisations"]))
    return tail_procedure(mean, displacement, errors, floor, start)


def draw_tail_fit(axis: Any, procedure: TailProcedure, measured: np.ndarray,
                  reference: np.ndarray, errors: tuple[float | None, float | None] = (None, None),
                  who: str = "circuits", colours: tuple[str, str] = ("C3", "C1")) -> None:
    """The fitted exponentials of the circuits (solid) and of their exact ensemble (dashed)
    over the fit's window, with their xi (and ``errors``, when known), and
    the noise floor the window stops at."""
    d = np.arange(-procedure.end, procedure.end + 1)
    d = d[np.abs(d) >= procedure.start]
    for p, style, colour, name, error in ((measured, "-", colours[0], who, errors[0]),
                                          (reference, "--", colours[1], "exact ensemble",
                                           errors[1])):
        fit = procedure.fit(p)
        if not np.isfinite(fit.length):
            continue
        curve = procedure.curve(p, d)
        label = f"tail fit, {name}: ξ = {fit.length:.2f}" + (
            "" if error is None else f" ± {error:.2f}")
        for side in (d < 0, d > 0):
            axis.semilogy(d[side], curve[side], style, color=colour, lw=1.2,
                          label=label if side[-1] else None)
    axis.axhline(procedure.floor, color="0.5", lw=0.7, ls=":",
                 label=f"fit cut-off: noise floor {procedure.floor:.2g}")


def draw_final_distribution(axis: Any, record: Any, displacement: np.ndarray,
                            start: int = 2, colour: str = "C0") -> bool:
    """A run's final averaged distribution (circuits with their errors, exact ensemble)
    on a log scale over the sites it reaches, with its tail fit: False if it has none."""
    mean = np.asarray(record.distributions[-1], dtype=float)
    errors = None if record.distribution_errors is None else record.distribution_errors[-1]
    reference = np.asarray(record.reference[-1], dtype=float)
    procedure = run_procedure(record.summary, mean, errors, displacement, start)
    if procedure is None:
        return False
    order = np.argsort(displacement)
    # the sites the walk reaches (its parity); float noise of exact circuits elsewhere
    order = order[(reference[order] > 0) | (mean[order] > procedure.floor)]
    shown = mean[order] > 0
    axis.errorbar(displacement[order][shown], mean[order][shown],
                  yerr=None if errors is None else errors[order][shown], fmt="o", ms=3,
                  lw=0.6, color=colour, label="circuits (ensemble average)")
    axis.semilogy(displacement[order], reference[order], "k-", lw=0.8,
                  label="exact ensemble")
    theory = record.summary.get("localization_theory", {})
    draw_tail_fit(axis, procedure, mean, reference,
                  (theory.get("circuits", {}).get("error"),
                   theory.get("exact_ensemble", {}).get("error")))
    t = record.summary["times"][-1]
    axis.set(xlabel="x - x0 (sites)", ylabel=f"averaged P(x, t = {t:g})",
             ylim=(procedure.floor / 10, 1))
    axis.legend(fontsize=7)
    return True
