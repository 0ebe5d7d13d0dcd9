"""The quantum-to-classical crossover under dephasing (issue 15's phenomenon table).

Signature: sigma^2(t) at t = 1.5/J of the dephased continuous-time walk (``dephasing``,
site/HSR dephasing, 3 slices of dt = 0.5) at a weak rate gamma = 0.25 J minus the same at a
strong rate gamma = 4 J.  Dephasing turns the ballistic spread (sigma^2 ~ 2 J^2 t^2) into a
diffusive one (~ 4 J^2 t / gamma), so the strong rate spreads less: the difference is > 0,
and 0 if dephasing had no effect.  Chosen over the log D - log gamma slope because a slope
needs the diffusive regime (t >> 1/gamma, many slices: hundreds of two-qubit gates per
slice beyond 8 sites), and a device affords a few slices; at t = 1.5 the two rates are
already far apart (exact difference 2.26 from 16 sites on).

A device cannot apply the Aer noise model the experiment is made of: the pipeline runs it
as an ensemble of phase-kick trajectories (``experiments/unravelled.py``: each slice's
channel an RZ(0 or pi) kick pattern drawn with the channel's probabilities).  Each rate
is one device run of ``TRAJECTORIES`` (from 16 sites ``LARGE_TRAJECTORIES``) trajectories
x ``SHOTS`` shots; the two runs draw independent kicks (kick_seed 0 and 1), so their
errors add in quadrature.

Estimator (the same for every column): sigma of the trajectory-averaged site distribution
at the last time (``observables(mean)``), squared, weak minus strong.  Errors: the ZNE
block's bootstrap (trajectories drawn with replacement, each member's shots and the
readout calibrations resampled), which holds both the trajectory spread and shot noise,
propagated to sigma^2 (2 sigma d sigma).  Exact: the sliced channel's density-matrix twin
(the reference solver's Lindblad-sliced model, same times and slices), not the continuum;
``hsr_closed_form`` (4 J^2/gamma^2)(gamma t - 1 + e^(-gamma t)) is printed as the
continuum closed form.  Predicted: the package's dry run (``plan``'s signature): the mix
F p + (1 - F) u of each rate's trajectories' ideal average p (their circuits on Aer's
statevector: the channel up to the finite ensemble's floor), F of the last circuit; its
error shot noise and the trajectories' own scatter.  Dry-run ZNE: the plan's zero-noise
forecast of the same (``zne_forecast``: the mix at each scale, extrapolated; its error the
shot noise and the trajectories' scatter through the extrapolation).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from qwalk_circuits.execution import ResultStore
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, resolve_config, run

from ..bench_zne import zne_config
from . import Estimate, Row

NAME = "crossover"
TIME, SLICES = 1.5, 3
WEAK, STRONG = 0.25, 4.0
SHOTS, TRAJECTORIES, QUICK_TRAJECTORIES = 1000, 24, 8
#: from 16 sites on: the 24-trajectory run's error there (0.37 / 0.42 ZNE, fez / torino) is
#: mostly the trajectories' spread, so 64 (error x 0.61) rather than more shots
LARGE_TRAJECTORIES, LARGE_FROM = 64, 4
SCALES = [1, 3, 5]
SIZES = (3, 4, 5, 6)  # position qubits: 8 .. 64 sites
SEED = 1234
SIGNATURE = f"σ²(t={TIME:g}) at γ={WEAK:g} minus γ={STRONG:g}"


def _experiment(qubits: int, gamma: float, trajectories: int, kick_seed: int) -> Any:
    return get_experiment("dephasing").from_settings({
        "position_qubits": qubits, "time": TIME, "time_steps": SLICES, "gamma": gamma,
        "kick_trajectories": trajectories, "kick_seed": kick_seed})


def _squared(sigma: float, error: float) -> Estimate:
    return Estimate(sigma**2, 2 * abs(sigma) * error)


def _difference(weak: Estimate, strong: Estimate) -> Estimate:
    return Estimate(weak.value - strong.value, math.hypot(weak.error, strong.error))


def _hsr_closed_form(gamma: float) -> float:
    """Continuum HSR sigma^2(t) on the infinite line (J = 1): a closed form, not the model."""
    return 4 / gamma**2 * (gamma * TIME - 1 + math.exp(-gamma * TIME))


def _one_rate(device: str, qubits: int, gamma: float, trajectories: int, kick_seed: int,
              zne: bool) -> dict[str, Any]:
    """One rate's device run and dry run: sigma^2 estimates at the last time, and costs."""
    plain = resolve_config(device)
    config = zne_config(device, SCALES) if zne else plain
    experiment = _experiment(qubits, gamma, trajectories, kick_seed)
    dry = plan(experiment, plain, SHOTS)
    sent = plan(experiment, config, SHOTS) if zne else dry
    last = dry["circuits"][-1]
    exact_p = np.asarray(experiment.reference_distributions()[-1], dtype=float)
    store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-crossover-")) / "runs.sqlite")
    summary = run(_experiment(qubits, gamma, trajectories, kick_seed), config, shots=SHOTS,
                  seed=SEED + kick_seed, store=store, progress=False).summary
    comparison = summary["comparison"]
    out: dict[str, Any] = {
        "exact": float(experiment.observables(exact_p)["sigma"]) ** 2,
        # the dry run's sigma (the calibration mix of the trajectories' own average) and
        # its error (shot noise and the trajectories' scatter), at F and 2q errors x 4
        "predicted": _squared(dry["signature"]["predicted"], dry["signature"]["error"]),
        "predicted_real": dry["signature_real_device"]["predicted"] ** 2,
        "two_qubit_gates": int(last["two_qubit_gates"]),
        "fidelity": float(last["fidelity"]),
        "fidelity_real": float(last["fidelity_real_device"]),
        "circuits": int(sent["pub_rows"]), "qpu_s": float(sent["qpu_seconds_lower_bound"]),
        "floor_tvd": float(comparison.get("trajectory_floor", {}).get("tvd", [math.nan])[-1]),
        "warnings": list(summary.get("warnings", [])),
    }
    if zne:
        forecast = sent["signature"]["zne"]  # the dry run's zero-noise sigma, its error
        out["zne_predicted"] = _squared(forecast["predicted"], forecast["error"])
        block = comparison["zne"]
        for kind in ("raw", "mitigated", "zne"):
            out[kind] = _squared(block[kind]["sigma"][-1], block[f"{kind}_errors"]["sigma"][-1])
        return out
    # without ZNE: raw and mitigated with their jackknife over trajectories
    out["raw"] = _squared(summary["observables"]["sigma"][-1],
                          summary["observable_errors"]["sigma"][-1])
    mitigated = summary.get("mitigated_observables", {}).get("sigma")
    out["mitigated"] = (_squared(mitigated[-1],
                                 summary["mitigated_observable_errors"]["sigma"][-1])
                        if mitigated else Estimate(math.nan, math.nan))
    out["zne"] = out["zne_predicted"] = Estimate(math.nan, math.nan)
    return out


def _row(device: str, qubits: int, quick: bool) -> Row:
    trajectories = (QUICK_TRAJECTORIES if quick else
                    LARGE_TRAJECTORIES if qubits >= LARGE_FROM else TRAJECTORIES)
    zne = not quick
    weak = _one_rate(device, qubits, WEAK, trajectories, 0, zne)
    strong = _one_rate(device, qubits, STRONG, trajectories, 1, zne)
    measured = {k: _difference(weak[k], strong[k])
                for k in ("raw", "mitigated", "zne", "predicted", "zne_predicted")}
    best = measured["zne"] if zne else measured["mitigated"]
    real_gap = weak["predicted_real"] - strong["predicted_real"]
    # the measured error is mostly trajectory spread (~1/sqrt(members)): members for 3 sigma
    # at the real-device (2q error x 4) predicted gap, at the same shots
    need = (math.ceil(trajectories * (3 * best.error / real_gap) ** 2)
            if real_gap > 0 and not math.isnan(best.error) else None)
    closed = _hsr_closed_form(WEAK) - _hsr_closed_form(STRONG)
    notes = (
        f"exact per rate (sliced-channel twin): σ²(γ={WEAK:g}) = {weak['exact']:.3f}, "
        f"σ²(γ={STRONG:g}) = {strong['exact']:.3f}; continuum HSR closed form "
        f"(infinite line, not the model): difference {closed:.3f}",
        f"{trajectories} phase-kick trajectories x {SHOTS} shots per rate; errors: "
        + ("ZNE-block bootstrap over trajectories, shots and calibrations" if zne else
           "jackknife over trajectories (shots included), raw and mitigated (the "
           "calibration's own noise not in the mitigated one)"),
        f"last circuit F = {weak['fidelity']:.3f} (calibrated), "
        f"{weak['fidelity_real']:.3f} with 2q errors x 4; ideal-trajectory floor TVD "
        f"{weak['floor_tvd']:.3f} / {strong['floor_tvd']:.3f}",
        f"real device (2q errors x 4), dry-run mix: difference {real_gap:.3f}; "
        + (f"~{need} trajectories per rate for 3 σ at {SHOTS} shots (measured spread "
           "scaled as 1/sqrt(members))" if need else "no 3 σ at any trajectory count"),
        "dry-run prediction's error: shot noise and the trajectories' own scatter (their "
        "circuits on Aer's statevector, mixed by the calibration model)",
        *sorted(set(weak["warnings"] + strong["warnings"])),
    )
    return Row(
        phenomenon=NAME, device=device, size=f"{2**qubits} sites",
        steps=f"t = {TIME:g} ({SLICES} slices)",
        two_qubit_gates=max(weak["two_qubit_gates"], strong["two_qubit_gates"]),
        signature=SIGNATURE, no_effect=0.0, exact=weak["exact"] - strong["exact"],
        raw=measured["raw"], mitigated=measured["mitigated"], zne=measured["zne"],
        predicted=measured["predicted"], zne_predicted=measured["zne_predicted"], shots=SHOTS,
        circuits=weak["circuits"] + strong["circuits"], qpu_s=weak["qpu_s"] + strong["qpu_s"],
        notes=notes)


def rows(device: str, quick: bool) -> list[Row]:
    """Sizes in increasing order, stopping after the first that is not observed."""
    out: list[Row] = []
    for qubits in SIZES[:1] if quick else SIZES:
        row = _row(device, qubits, quick)
        out.append(row)
        if not row.observed:
            break
    return out
