"""Anderson localization from static disorder (issue 15's phenomenon table).

Experiment ``anderson-walk``: the 1D Hadamard walk from the middle site with site phases
``disorder_kind=walsh-phase``, ``walsh_order=2`` (BENCHMARKS §18: as strongly localizing
as i.i.d. phases, n(n-1) CX per layer), ``shift=auto`` (the cheaper of fourier and
fourier-line on the target; walsh layers rule out the increment).  Three device runs of
the same size and steps, measured at the last step only (``times=[T]``): the clean walk
(``disorder=none``, shift fourier: the same step without the layer; not the fast-forward,
which would make the clean walk a different, far cheaper circuit), static disorder (drawn
once per member) and dynamic disorder (redrawn every step), ``MEMBERS`` members each.

Signature (the row's): sigma_clean - sigma_static at step T (localization narrows the
walk; 0 if the disorder had no effect).  The second, sigma_dynamic - sigma_static (static
localizes more than dynamic dephases; 0 if not), is reported in the notes.  A coined walk
from one site feels site phases only once paths close loops: the exact signature is 0 up
to T = 3 at every size, 0.28 at T = 4, 1.04 at T = 6 (16 sites, 8 members).

Estimator (the same for every column): sigma of the member-averaged site distribution at
step T (``observables(mean)``), differences of two runs.  Errors: the ZNE block's bootstrap
(each member's shots and both readout calibrations resampled: the shot noise) combined in
quadrature with the jackknife spread over the disorder members of the exact ensemble
(``reference_errors``: the standard error of the ensemble mean; on the device the members'
spread is washed out by the noise, so the measured jackknife would understate it), the
runs' errors added in quadrature.  Exact: the reference solver's ensemble of the same
members.  Predicted: the dry run's mix F p + (1 - F) u of each run's exact average, F per
circuit from ``plan``; its error is the dry run's shot noise with the same member spread.
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
from . import Estimate, Row, difference, rows_until_unobserved

NAME = "anderson"
SHOTS, MEMBERS, QUICK_MEMBERS = 1000, 8, 4
SCALES = [1, 3, 5]
SIZES = ((4, 6), (5, 6), (6, 6))  # (position qubits, steps): 16 .. 64 sites
QUICK_SIZE = (4, 4)
SEED = 1234
KINDS = ("none", "static", "dynamic")
SIGNATURE = "σ_clean − σ_static at the last step"
#: 2q-error multipliers tried for "what would observe it" (1 = the calibrated errors)
SCALINGS = (1.0, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01)


def _settings(qubits: int, steps: int, disorder: str, members: int) -> dict[str, Any]:
    return {"position_qubits": qubits, "steps": steps, "times": [steps],
            "disorder": disorder, "disorder_kind": "walsh-phase", "walsh_order": 2,
            "realisations": members, "shift": "fourier" if disorder == "none" else "auto"}


def _one_run(device: str, qubits: int, steps: int, disorder: str, members: int
             ) -> dict[str, Any]:
    """One disorder kind's dry run and ZNE device run: sigma estimates at step T, costs."""
    settings = _settings(qubits, steps, disorder, members)
    experiment: Any = get_experiment("anderson-walk").from_settings(settings)
    plain, config = resolve_config(device), zne_config(device, SCALES)
    dry = plan(experiment, plain, SHOTS)
    sent = plan(experiment, config, SHOTS)
    last = dry["circuits"][-1]
    exact_p = np.asarray(experiment.reference_ensemble()[-1], dtype=np.float64).mean(axis=0)
    uniform = np.full(exact_p.size, 1 / exact_p.size)

    def mixed_sigma(fidelity: float) -> float:
        return float(experiment.observables(fidelity * exact_p + (1 - fidelity) * uniform)
                     ["sigma"])

    store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-anderson-")) / "runs.sqlite")
    summary = run(get_experiment("anderson-walk").from_settings(settings), config,
                  shots=SHOTS, seed=SEED, store=store, progress=False).summary
    spread = float(summary["reference_errors"]["sigma"][-1])  # exact members' jackknife
    block = summary["comparison"]["zne"]
    out: dict[str, Any] = {
        kind: Estimate(block[kind]["sigma"][-1],
                       math.hypot(block[f"{kind}_errors"]["sigma"][-1], spread))
        for kind in ("raw", "mitigated", "zne")}
    out.update({
        "exact": float(summary["reference"]["sigma"][-1]), "spread": spread,
        "measured_jackknife": float(summary["observable_errors"]["sigma"][-1]),
        "predicted": Estimate(mixed_sigma(last["fidelity"]),
                              math.hypot(last["observable_error"], spread)),
        "predicted_real": mixed_sigma(last["fidelity_real_device"]),
        "shot_error": float(last["observable_error"]),
        "gate_fidelity": float(last["gate_fidelity"]),
        "mixed": mixed_sigma,
        "two_qubit_gates": int(last["two_qubit_gates"]), "fidelity": float(last["fidelity"]),
        "fidelity_real": float(last["fidelity_real_device"]),
        "construction": summary.get("construction"),
        "circuits": int(sent["pub_rows"]), "qpu_s": float(sent["qpu_seconds_lower_bound"]),
        "warnings": list(summary.get("warnings", [])),
    })
    return out


def _scaling_that_observes(clean: dict[str, Any], static: dict[str, Any]) -> float | None:
    """The largest 2q-error multiplier whose readout-free dry-run mix (F = gate fidelity
    ** multiplier) puts the signature 3 errors above 0 (the shot noise and member spread
    of this run); None if none in SCALINGS does, 0 if not even F = 1 does."""
    error = math.hypot(math.hypot(clean["shot_error"], clean["spread"]),
                       math.hypot(static["shot_error"], static["spread"]))
    if clean["mixed"](1.0) - static["mixed"](1.0) <= 3 * error:
        return 0.0  # not even a noiseless device: too few members (or steps)
    for k in SCALINGS:
        gap = (clean["mixed"](clean["gate_fidelity"] ** k)
               - static["mixed"](static["gate_fidelity"] ** k))
        if gap > 3 * error:
            return k
    return None


def _row(device: str, qubits: int, steps: int, members: int) -> Row:
    runs = {kind: _one_run(device, qubits, steps, kind, members) for kind in KINDS}
    clean, static, dynamic = runs["none"], runs["static"], runs["dynamic"]
    keys = ("raw", "mitigated", "zne", "predicted")
    signature = {k: difference(clean[k], static[k]) for k in keys}
    second = {k: difference(dynamic[k], static[k]) for k in keys}
    k_needed = _scaling_that_observes(clean, static)
    real_gap = clean["predicted_real"] - static["predicted_real"]
    notes = (
        f"signature = σ_clean − σ_static; exact per run (reference ensemble, same members): "
        f"σ_clean = {clean['exact']:.3f}, σ_static = {static['exact']:.3f} ± "
        f"{static['spread']:.3f}, σ_dynamic = {dynamic['exact']:.3f} ± "
        f"{dynamic['spread']:.3f} (member spread)",
        "second signature σ_dynamic − σ_static (no effect 0): exact "
        f"{dynamic['exact'] - static['exact']:.3f}; raw {second['raw'].text()}, mitigated "
        f"{second['mitigated'].text()}, ZNE {second['zne'].text()}, dry-run "
        f"{second['predicted'].text()} ({second['zne'].margin(0.0):.1f} σ from 0 by ZNE)",
        f"{members} disorder members x {SHOTS} shots per run (clean: 1 circuit), ZNE scales "
        f"{SCALES} (Richardson); errors: ZNE-block bootstrap (shots, calibrations) ⊕ exact "
        "members' jackknife (disorder spread); the device's own member jackknife "
        f"(σ_static {static['measured_jackknife']:.3f} against the exact "
        f"{static['spread']:.3f}) is narrowed by the noise",
        f"2q gates clean / static / dynamic: {clean['two_qubit_gates']} / "
        f"{static['two_qubit_gates']} / {dynamic['two_qubit_gates']}; calibrated F "
        f"{clean['fidelity']:.3f} / {static['fidelity']:.3f} / {dynamic['fidelity']:.3f}, "
        f"with 2q errors x 4: {clean['fidelity_real']:.3f} / {static['fidelity_real']:.3f}"
        f" / {dynamic['fidelity_real']:.3f}; constructions {clean['construction']} / "
        f"{static['construction']}",
        f"real device (2q errors x 4), dry-run mix: signature {real_gap:.3f}: noise pushes "
        f"the {static['two_qubit_gates'] / clean['two_qubit_gates']:.0f}x deeper disordered "
        "circuit towards the uniform width, the sign flips, and no "
        "shot count fixes a bias" if real_gap <= 0 else
        f"real device (2q errors x 4), dry-run mix: signature {real_gap:.3f}",
        ("no 2q-error multiplier down to 0.01 observes it (readout removed)" if k_needed is
         None else "not even a noiseless device: the exact signature is within 3 errors of 0 "
         "at these members and shots" if k_needed == 0 else
         f"observable (3 σ, readout removed) once 2q errors are ≤ {k_needed:g} x "
         "the calibrated ones (dry-run mix, same shots and members)"),
        "dry-run prediction: the mix with the total F (readout included), so it is the raw "
        "column's forecast",
        *sorted(set(clean["warnings"] + static["warnings"] + dynamic["warnings"])),
    )
    return Row(
        phenomenon=NAME, device=device, size=f"{2**qubits} sites", steps=f"T = {steps}",
        two_qubit_gates=max(r["two_qubit_gates"] for r in runs.values()),
        signature=SIGNATURE, no_effect=0.0, exact=clean["exact"] - static["exact"],
        raw=signature["raw"], mitigated=signature["mitigated"], zne=signature["zne"],
        predicted=signature["predicted"], shots=SHOTS,
        circuits=sum(r["circuits"] for r in runs.values()),
        qpu_s=sum(r["qpu_s"] for r in runs.values()), notes=notes)


def rows(device: str, quick: bool) -> list[Row]:
    """Sizes in increasing order, stopping after the first that is not observed."""
    if quick:
        return [_row(device, *QUICK_SIZE, QUICK_MEMBERS)]
    return rows_until_unobserved(SIZES, lambda size, steps: _row(device, size, steps,
                                                                MEMBERS))
