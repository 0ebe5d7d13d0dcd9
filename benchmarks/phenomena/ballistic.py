"""Ballistic against diffusive spreading (issue 15's phenomenon table).

Experiment: the 1D Hadamard walk (``coined-walk``, symmetric coin, middle start) with the
``fast-forward`` shift (its two-qubit gate count does not grow with the steps, BENCHMARKS
§9, §17).  Signature: the exponent alpha of sigma(t) ~ t^alpha, the ordinary least-squares
slope of log sigma against log t over a window of steps where the walk has not reached the
ring's edge.  No effect: 0.5 (classical diffusion); the quantum walk spreads ballistically
(alpha near 1).

Window (chosen from the exact solution, the same for every estimate of one size): t from
:data:`START` = 4 up to the last step below half the ring (the walk's support |x| <= t
has not wrapped) whose exact sigma is at most :data:`EDGE` times the uniform distribution's
sigma, at most :data:`POINTS` steps spread evenly in log t.

Estimator (the same for exact, raw, mitigated, ZNE and predicted): the OLS slope
alpha = sum_i w_i log sigma_i with fixed weights w_i.  Error: the device path's per-step
sigma errors (the ZNE block's bootstrap over shots and readout calibrations) propagated
through the fixed weights, var = sum w_i^2 (d sigma_i / sigma_i)^2, the steps' circuits
being sampled independently (the shared readout calibration's correlation is neglected).
Exact: the reference solver's distributions at the same steps.  Predicted: the dry run's
mix F p + (1 - F) u per circuit, its error from the dry run's shot noise.

Shots: :data:`SHOTS` per circuit and noise scale at 16 sites, :data:`LARGE_SHOTS` from 32.
ZNE: Richardson on scales 1, 3, 5, or the exponential model with ``bench_phenomena
--zne-extrapolation exponential`` (through :func:`.configured`).
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
from . import Estimate, Row, configured

NAME = "ballistic"
SHIFT = "fast-forward"
SHOTS = 4000
#: from 32 sites: 16000 shots per circuit and scale (the ZNE error there is mostly shots:
#: 4x the shots halve it; BENCHMARKS.md §24)
LARGE_SHOTS, LARGE_FROM = 16000, 5
SCALES = [1, 3, 5]
SIZES = (4, 5, 6, 7)  # position qubits: 16 .. 128 sites
POINTS = 6
EDGE = 0.75
START = 4  # sigma(t) is linear in t from t = 4 on (t = 1..3: the first steps' transient)
SEED = 1234
NO_EFFECT = 0.5
MEASURE_EARLY = True  # bench_phenomena --measure-early applies to this module
SIGNATURE = "α of σ(t) ~ t^α (OLS of log σ on log t)"


def _experiment(qubits: int, times: list[int]) -> Any:
    return get_experiment("coined-walk").from_settings({
        "position_qubits": qubits, "steps": max(times), "times": times, "shift": SHIFT})


def window(qubits: int) -> list[int]:
    """The steps fitted: from the exact sigma, before the edge (see the module docstring)."""
    sites = 2**qubits
    probe = _experiment(qubits, list(range(1, sites // 2)))
    uniform = float(probe.observables(np.full(sites, 1 / sites))["sigma"])
    good = [t for t, p in zip(range(1, sites // 2), probe.reference_distributions(),
                              strict=True)
            if t >= START and float(probe.observables(np.asarray(p))["sigma"]) <= EDGE * uniform]
    last = max(good)
    spots = np.unique(np.round(np.geomspace(START, last, POINTS)).astype(int))
    return [int(t) for t in spots]


def _weights(times: list[int]) -> np.ndarray:
    x = np.log(np.asarray(times, dtype=float))
    x = x - x.mean()
    return x / float(x @ x)


def fit(times: list[int], sigma: list[float], errors: list[float] | None) -> Estimate:
    """OLS slope of log sigma on log t, with the sigma errors propagated."""
    w = _weights(times)
    s = np.asarray(sigma, dtype=float)
    value = float(w @ np.log(s))
    if errors is None:
        return Estimate(value, 0.0)
    rel = np.asarray(errors, dtype=float) / s
    return Estimate(value, float(math.sqrt(float(np.sum((w * rel) ** 2)))))


def _tvd(p: np.ndarray, q: np.ndarray) -> float:
    return 0.5 * float(np.abs(p - q).sum())


def shots_for(qubits: int) -> int:
    """Shots per circuit and scale at ``qubits`` position qubits."""
    return LARGE_SHOTS if qubits >= LARGE_FROM else SHOTS


def _row(device: str, qubits: int, quick: bool) -> Row:
    times = window(qubits)
    shots = shots_for(qubits)
    sites = 2**qubits
    plain = configured(resolve_config(device))
    zne = True  # (quick too: 16 sites with ZNE take well under a minute)
    config = configured(zne_config(device, SCALES)) if zne else plain
    experiment = _experiment(qubits, times)
    dry = plan(experiment, plain, shots)
    sent = plan(experiment, config, shots) if zne else dry
    circuits = dry["circuits"]
    exact_p = [np.asarray(p, dtype=float) for p in experiment.reference_distributions()]
    uniform = np.full(sites, 1 / sites)

    def sig(p: np.ndarray) -> float:
        return float(experiment.observables(p)["sigma"])

    exact = fit(times, [sig(p) for p in exact_p], None)
    mixes = {key: [f[key] * p + (1 - f[key]) * uniform for f, p in
                   zip(circuits, exact_p, strict=True)]
             for key in ("fidelity", "fidelity_real_device")}
    predicted = fit(times, [sig(q) for q in mixes["fidelity"]],
                    [float(c["observable_error"]) for c in circuits])
    predicted_real = fit(times, [sig(q) for q in mixes["fidelity_real_device"]], None).value
    # the plan's zero-noise forecast of each step's sigma (zne_forecast), fitted the same way
    zne_predicted = (fit(times, [float(c["zne_observable_predicted"]) for c in sent["circuits"]],
                         [float(c["zne_observable_error"]) for c in sent["circuits"]])
                     if zne else Estimate(math.nan, math.nan))
    store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-ballistic-")) / "runs.sqlite")
    summary = run(_experiment(qubits, times), config, shots=shots, seed=SEED, store=store,
                  progress=False).summary
    comparison = summary["comparison"]
    found: dict[str, Estimate] = {}
    if zne:
        block = comparison["zne"]
        for kind in ("raw", "mitigated", "zne"):
            found[kind] = fit(times, block[kind]["sigma"], block[f"{kind}_errors"]["sigma"])
    else:
        raw_errors = summary["observable_errors"]["sigma"]
        found["raw"] = fit(times, summary["observables"]["sigma"], raw_errors)
        mitigated = summary.get("mitigated_observables", {}).get("sigma")
        found["mitigated"] = (fit(times, mitigated,
                                  summary["mitigated_observable_errors"]["sigma"])
                              if mitigated else Estimate(math.nan, math.nan))
        found["zne"] = Estimate(math.nan, math.nan)
    tvd_raw = float(np.mean(comparison["hardware"]["tvd"]))
    tvd_mit = (float(np.mean(comparison["mitigated"]["tvd"]))
               if "mitigated" in comparison else math.nan)
    tvd_uniform = float(np.mean([_tvd(p, uniform) for p in exact_p]))
    best = found["zne"] if zne else found["mitigated"]
    gap = predicted_real - NO_EFFECT
    # error ~ 1/sqrt(shots): shots for 3 sigma at the real-device (2q x 4) predicted alpha
    need = (math.ceil(shots * (3 * best.error / gap) ** 2)
            if gap > 0 and best.error > 0 else None)
    last = circuits[-1]
    goal = ("64 sites: goal TVD <= 0.1" if sites == 64 else
            "128 sites: goal TVD < half the uniform's" if sites == 128 else "")
    notes = (
        f"window t = {', '.join(map(str, times))} (exact σ ≤ {EDGE} × uniform σ, before "
        f"half the ring); exact σ = {', '.join(f'{sig(p):.2f}' for p in exact_p)}; "
        f"uniform σ = {sig(uniform):.2f}",
        f"mean TVD to exact over the window: raw {tvd_raw:.3f}, mitigated {tvd_mit:.3f}; "
        f"uniform {tvd_uniform:.3f} (half: {tvd_uniform / 2:.3f})"
        + (f"; {goal}" if goal else ""),
        f"{shots} shots per circuit" + (f" and scale {SCALES}" if zne else "")
        + (f", {config.run.zne_extrapolation} extrapolation" if zne else "")
        + "; errors: " + ("ZNE-block bootstrap of σ per step (shots, calibrations), "
                          "propagated through the OLS weights" if zne else
                          "per-step σ errors propagated (raw: shot noise; mitigated: its bootstrap "
                          "over shots and calibrations)"),
        f"last circuit F = {last['fidelity']:.3f} (calibrated), "
        f"{last['fidelity_real_device']:.3f} with 2q errors x 4 (and, measured early, the "
        f"idle term); real-device dry-run α = "
        f"{predicted_real:.3f}; "
        + (f"~{need} shots per circuit for 3 σ there (error scaled as 1/sqrt(shots))"
           if need else "no 3 σ at any shot count (predicted α not above 0.5)"),
        *dry["notes"],
        *sorted(set(summary.get("warnings", []))),
    )
    return Row(
        phenomenon=NAME, device=device, size=f"{sites} sites",
        steps=f"t = {times[0]}..{times[-1]} ({len(times)} steps)",
        two_qubit_gates=max(int(c["two_qubit_gates"]) for c in circuits),
        signature=SIGNATURE, no_effect=NO_EFFECT, exact=exact.value,
        raw=found["raw"], mitigated=found["mitigated"], zne=found["zne"],
        predicted=predicted, zne_predicted=zne_predicted, shots=shots,
        circuits=int(sent["pub_rows"]),
        qpu_s=float(sent["qpu_seconds_lower_bound"]), notes=notes)


def rows(device: str, quick: bool) -> list[Row]:
    """Sizes in increasing order, stopping at a size not observed once a smaller one was,
    or at the second in a row not observed.  (A small ring need not be the easiest: at 16
    sites the window is t = 4..6, a short lever arm for the slope, and there the
    exponential model's error was 2.4x Richardson's on fake_fez.)"""
    out: list[Row] = []
    for qubits in SIZES[:1] if quick else SIZES:
        row = _row(device, qubits, quick)
        out.append(row)
        if not row.observed and (any(r.observed for r in out) or len(out) >= 2):
            break
    return out
