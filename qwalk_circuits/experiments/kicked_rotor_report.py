"""The kicked rotor's summary additions: saturation and break time from the plateau test,
the quadrature error, the theory values (each named for what it is), warnings and notes.

- ``diffusion_theory``: Rechester-White's D (``asymptotic``: a truncated series for the
  infinite-time standard map), the simulated standard map's D (``model``: exact for the map,
  with its statistical error) and their gap (``difference``), and the quantum-corrected D_q
  of Shepelyansky (``asymptotic``), with the rates in m^2 per kick (D / kbar^2).
- ``localization_theory``: l = D_q / (2 kbar^2) (``asymptotic``: the Floquet states'
  length, Shepelyansky 1987) beside the ``fit`` of the beta-averaged distribution's tails,
  circuits and exact ensemble, at the last kick.
- ``break_time``: where the quantum diffusion line D_q t / kbar^2 reaches the saturation (a
  lower bound while the saturation is one).

The experiment supplies its theory blocks (:meth:`KickedRotor.rotor_theory`): the sawtooth
map (``sawtooth_map.py``) has its own D and reuses :func:`localization_block`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis.theory import theory_value
from ..reference.kicked_rotor import (
    KickPotential,
    classical_diffusion,
    momentum_grid,
    quantum_diffusion,
    rechester_white_diffusion,
)
from .kicked_rotor_analysis import (
    EDGE_SHARE,
    EDGE_WEIGHT,
    edge_load,
    plateau,
    quadrature_refinement,
)
from .kicked_rotor_register import resonance

if TYPE_CHECKING:
    from .kicked_rotor import KickedRotor

#: the standard map run that measures D: kicks, skipped kicks, particles, batches, seed
CLASSICAL_D_RUN = (60, 10, 40_000, 40, 0)


@lru_cache(maxsize=32)
def simulated_classical_diffusion(kick: float, potential: KickPotential = "cos"
                                  ) -> tuple[float, float]:
    """(D, error) of the standard map (or the sawtooth map) at ``kick``
    (:data:`CLASSICAL_D_RUN`), cached."""
    return classical_diffusion(kick, *CLASSICAL_D_RUN, potential=potential)


def simulated_source() -> str:
    """How :func:`simulated_classical_diffusion` measures D, in words."""
    runs, skip, particles = CLASSICAL_D_RUN[:3]
    return (f"slope of <(p_t - p_{skip})^2> over kicks {(skip + runs) // 2}..{runs}, "
            f"{particles} particles; error from batches")


def shot_noise(experiment: KickedRotor, shots: Any) -> list[float] | None:
    """The statistical error of the beta-averaged <m^2> at each time: R members of ``shots``
    each, sqrt(sum_r Var_r(m^2) / shots) / R from the exact distributions (None: exact, the
    summary's "exact")."""
    if not isinstance(shots, int) or shots <= 0:
        return None
    m2 = momentum_grid(experiment.spec.momentum_qubits) ** 2
    out = []
    for members in experiment.spec.distributions():
        variance = members @ m2**2 - (members @ m2) ** 2
        out.append(float(np.sqrt(np.maximum(variance, 0).sum() / shots) / len(members)))
    return out


def localization_block(summary: dict[str, Any], length: float | None, source: str
                       ) -> dict[str, Any]:
    """localization_theory: the estimate ``length`` (None at a resonance) beside the tail
    fits of the beta-averaged distribution (circuits and exact ensemble) at the last kick."""
    obs, err, ref = summary["observables"], summary["observable_errors"], summary["reference"]
    xi = obs.get("localization_length", [None])[-1]
    xi_error = err.get("localization_length", [None])[-1]
    xi_exact = ref.get("localization_length", [None])[-1]
    last = summary["times"][-1]
    ratio = (f"tail fit / l = {xi / length:.2f} at t = {last} (the beta-averaged distribution "
             "at a finite time, not one Floquet state: its tails are longer and still grow)"
             if xi is not None and np.isfinite(xi) and length is not None and length > 0
             else "no tail fit" if length is not None else "quantum resonance: no localization")
    return {
        "length": theory_value("asymptotic", length, source=source),
        "tail_fit": theory_value("fit", xi, xi_error, source=f"exp(-2|m|/xi) fitted to "
                                 f"the beta-averaged distribution at t = {last}"),
        "tail_fit_exact": theory_value("fit", xi_exact, source="the same fit to the "
                                       "exact ensemble"),
        "comparison": ratio,
    }


def rotor_theory(kick: float, kbar: float, summary: dict[str, Any]) -> dict[str, Any]:
    """diffusion_theory and localization_theory (see the module); at a quantum resonance
    the walk is ballistic, so D_q and the localization length say nothing (None)."""
    rw = rechester_white_diffusion(kick)
    classical, classical_error = simulated_classical_diffusion(kick)
    quantum = quantum_diffusion(kick, kbar)
    simulated = "standard map simulated: " + simulated_source()
    shepelyansky = ("Shepelyansky, Physica D 28, 103 (1987): K^2/2 with the Rechester-White "
                    "Bessel corrections at K_q = 2 (K/kbar) sin(kbar/2)")
    at_resonance = resonance(kbar) is not None
    length = quantum / (2 * kbar**2)
    return {
        "diffusion_theory": {
            "rechester_white_D": theory_value(
                "asymptotic", rw, source="Rechester & White, PRL 44, 1586 (1980): truncated "
                "Bessel series for the standard map's D (<p^2> ~ D t)"),
            "classical_D": theory_value("asymptotic", classical, classical_error,
                                        source="the classical limit (hbar -> 0), "
                                               + simulated),
            "rechester_white_minus_classical": theory_value(
                "difference", rw - classical, classical_error,
                source="Rechester-White D minus the simulated map's D"),
            "quantum_D": theory_value("asymptotic", None if at_resonance else quantum,
                                      source=shepelyansky + ("; none at a quantum resonance "
                                                             "(ballistic)" if at_resonance
                                                             else "")),
            "classical_rate": theory_value("asymptotic", classical / kbar**2,
                                           classical_error / kbar**2,
                                           source="the classical limit: the simulated map's "
                                                  "D / kbar^2, m^2 per kick"),
            "quantum_rate": theory_value("asymptotic",
                                         None if at_resonance else quantum / kbar**2,
                                         source="D_q / kbar^2: m^2 per kick before the "
                                                "break time"),
        },
        "localization_theory": localization_block(
            summary, None if at_resonance else length,
            "l = D_q / (2 kbar^2), Floquet states' exponential tails; " + shepelyansky
            + ("; none at a quantum resonance (ballistic)" if at_resonance else "")),
    }


def rotor_results(experiment: KickedRotor, summary: dict[str, Any]) -> dict[str, Any]:
    """saturation, break_time, quadrature_error, the theory blocks and resonance."""
    s = experiment.spec
    times = experiment.times()
    single = s.beta is not None
    quadrature = None if single else quadrature_refinement(
        s.kick_strength, s.kbar, times, s.momentum_qubits, len(s.betas()), s.potential)
    quad = None if quadrature is None else quadrature["error"]
    saturation = plateau(times, summary["observables"]["p2"],
                         shot_noise(experiment, summary.get("shots")), quad)
    exact = plateau(times, summary["reference"]["p2"], None, quad)
    saturation["reference_value"] = exact["value"]
    saturation["reference_saturated"] = exact["saturated"]
    if quadrature is not None:
        saturation["quadrature_error"] = float(np.mean(
            [e for t, e in zip(times, quadrature["error"], strict=True)
             if saturation["window"][0] <= t and t > 0] or [np.nan]))
    theory = experiment.rotor_theory(summary)
    rate = theory["diffusion_theory"]["quantum_rate"]["value"]
    fraction = resonance(s.kbar)
    usable = rate is not None and rate > 0 and fraction is None
    return {
        "saturation": saturation,
        "break_time": {
            "value": saturation["value"] / rate if usable else None,
            "error": saturation["error"] / rate if usable else None,
            "reference": exact["value"] / rate if usable else None,
            "lower_bound": saturation["lower_bound"],
            "source": "saturation / (D_q / kbar^2): where the quantum diffusion line "
                      "reaches the saturation"},
        "quadrature_error": quadrature,
        **theory,
        "resonance": None if fraction is None else {
            "kbar_over_4pi": str(fraction),
            "note": "quantum resonance: resonant quasi-momenta grow ballistically"},
    }


def rotor_warnings(experiment: KickedRotor, summary: dict[str, Any]) -> list[str]:
    """What the run's numbers do not mean (see :meth:`KickedRotor.result_warnings`)."""
    s = experiment.spec
    out = []
    saturation = summary["saturation"]
    if not saturation["saturated"] and resonance(s.kbar) is None:
        out.append(f"<m^2> has not saturated: {saturation['reason']}; saturation.value "
                   f"{saturation['value']:.4g} and break_time are lower bounds; run more "
                   f"kicks (e.g. kicks={4 * max(s.kicks, 10)}, with the momentum_qubits the "
                   "register check asks for)")
    quadrature = summary.get("quadrature_error")
    if quadrature is not None and not quadrature["converged"]:
        out.append(f"the quasi-momentum average did not converge within "
                   f"{quadrature['reference_quasi_momenta']} quasi-momenta: quadrature_error "
                   "is only the last refinement's change; lower kicks or momentum_qubits")
    weight, share = edge_load(np.array(experiment.reference_distributions()),
                              s.momentum_qubits)
    if s.potential == "cos" and (weight > EDGE_WEIGHT or share > EDGE_SHARE):
        out.append(f"the momentum register's outer 1/16 holds probability {weight:.2g} and "
                   f"{share:.1%} of <m^2> (finite basis: the tails wrap around); use "
                   f"momentum_qubits={s.momentum_qubits + 1}")
    return out


def rotor_notes(summary: dict[str, Any]) -> list[str]:
    """The saturation (or its lower bound), break time, quadrature error and theory."""
    sat, brk = summary["saturation"], summary["break_time"]
    d, loc = summary["diffusion_theory"], summary["localization_theory"]
    lines = [f"saturation <m^2> = {sat['value']:.4g} ± {sat['error']:.2g}"
             + (" (a plateau)" if sat["saturated"] else " (a lower bound: not saturated)")
             + f"; exact ensemble {sat['reference_value']:.4g}"]
    if brk["value"] is not None:
        lines.append(f"break time {brk['value']:.3g} ± {brk['error']:.2g} kicks"
                     + (" (a lower bound)" if brk["lower_bound"] else ""))
    quadrature = summary.get("quadrature_error")
    if quadrature is not None:
        lines.append(f"quadrature error at t = {summary['times'][-1]}: "
                     f"{quadrature['error'][-1]:.2g} with {quadrature['quasi_momenta']} "
                     f"quasi-momenta (against {quadrature['reference_quasi_momenta']}"
                     + ("" if quadrature["converged"] else ", not converged") + ")")
    cd = d["classical_D"]
    series = ("Rechester-White", d["rechester_white_D"]) if "rechester_white_D" in d else (
        "quasi-linear (pi^2/3) K^2", d["quasilinear_D"])
    quantum = d["quantum_D"]["value"]
    lines.append(f"classical D: simulated {cd['value']:.4g} ± {cd['error']:.2g}, "
                 f"{series[0]} {series[1]['value']:.4g} (asymptotic); quantum D_q = "
                 + ("none" if quantum is None else f"{quantum:.4g}"))
    length = loc["length"]["value"]
    lines.append("l = D_q/(2 kbar^2) = " + ("none" if length is None else f"{length:.3g}")
                 + f"; {loc['comparison']}")
    return lines
