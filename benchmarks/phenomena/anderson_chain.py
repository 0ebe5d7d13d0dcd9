"""Anderson localization in the one-hot encoding (issue 15's phenomenon table, second row).

Experiment ``anderson-chain``: N qubits for the N sites of an open chain, the walker the
single excitation; on-site energies are RZ (no two-qubit gate), a step is N - 1 XX+YY bonds
in a brickwork (2 CZ each on Heron, a heavy-hex line: no SWAP), and shots with other than
one excitation are discarded.  Three plain device runs (readout mitigation, no ZNE) of the
same size and steps, measured at step 0 and the last step: the clean chain (identical
copies), static disorder (drawn once per member), dynamic disorder (redrawn every step),
``MEMBERS`` members each, W = 6, dt = 0.8 (J = 1).

Signature: sigma_clean - sigma_static at the last step (0 if the disorder had no effect);
the second, sigma_dynamic - sigma_static, is in the notes.  Estimator: sigma of the
member-averaged post-selected distribution.  Errors: the run's own jackknife over its
members (``observable_errors``, ``mitigated_observable_errors``: shot noise after
post-selection and the disorder spread as the device shows it), the runs' in quadrature.
Exact: the reference ensemble of the same members.  Predicted: the dry run's own forecast
(``plan``): the experiment's noisy emulation of every member (``chain_forecast``: each
ISA gate's calibrated error as a depolarising channel on the one-excitation sector,
readout flips, post-selected as the shots are), with the dry run's shot error at the
shots it expects kept.
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

from . import NOT_MEASURED, Estimate, Row, difference, rows_until_unobserved

NAME = "anderson (one-hot chain)"
SHOTS, MEMBERS, QUICK_MEMBERS = 1000, 6, 3
W, DT = 6.0, 0.8
SIZES = ((12, 6), (16, 8))  # (sites, steps)
#: dry run only: noisy Aer on 20+ qubits is out of reach here (each shot a statevector
#: trajectory: 16x the 16-site cost per gate at 20 sites); the forecast costs seconds
FORECAST_SIZES = ((20, 10), (24, 12), (28, 14), (32, 16), (36, 18), (40, 20))
QUICK_SIZE = (8, 4)
SEED = 1234
#: where the emulation's TVD was checked against the simulated fake devices (BENCHMARKS §24)
VALIDATED_CHAIN = "0.73-1.21x at 12 and 16 sites"
VALIDATED_RING = "1.00-1.36x at 12 sites (the ring's only simulated size)"
KINDS = ("none", "static", "dynamic")
SIGNATURE = "σ_clean − σ_static at the last step"


def _settings(sites: int, steps: int, disorder: str, members: int,
              boundary: str = "open") -> dict[str, Any]:
    return {"sites": sites, "time": DT * steps, "time_steps": steps, "measured_points": 2,
            "W": W, "disorder": disorder, "realisations": members, "boundary": boundary}


def _name(boundary: str) -> str:
    return NAME if boundary == "open" else "anderson (one-hot ring)"


def _bonds(sites: int, boundary: str) -> int:
    return sites if boundary == "ring" else sites - 1


def _one_run(device: str, sites: int, steps: int, disorder: str, members: int,
             boundary: str = "open") -> dict[str, Any]:
    """One disorder kind's dry run and device run: sigma estimates at the last step."""
    settings = _settings(sites, steps, disorder, members, boundary)
    experiment: Any = get_experiment("anderson-chain").from_settings(settings)
    config = resolve_config(device)
    dry = plan(experiment, config, SHOTS)
    last = dry["circuits"][-1]
    fidelity = float(last["fidelity"])
    predicted = float(last["observable_predicted"])
    store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-chain-")) / "runs.sqlite")
    summary = run(get_experiment("anderson-chain").from_settings(settings), config,
                  shots=SHOTS, seed=SEED, store=store, progress=False).summary
    spread = float(summary["reference_errors"]["sigma"][-1])  # exact members' jackknife
    return {
        "raw": Estimate(summary["observables"]["sigma"][-1],
                        summary["observable_errors"]["sigma"][-1]),
        "mitigated": Estimate(summary["mitigated_observables"]["sigma"][-1],
                              summary["mitigated_observable_errors"]["sigma"][-1]),
        "predicted": Estimate(predicted, math.hypot(last["observable_error"], spread)),
        "exact": float(summary["reference"]["sigma"][-1]), "spread": spread,
        "two_qubit_gates": int(last["two_qubit_gates"]), "fidelity": fidelity,
        "fidelity_real": float(last["fidelity_real_device"]),
        "tvd_raw": float(summary["distance"]["tvd"][-1]),
        "tvd_predicted": float(last["tvd_predicted_sampled"]),
        "kept_predicted": float(last["kept_fraction"]),
        "circuits": int(dry["pub_rows"]), "qpu_s": float(dry["qpu_seconds_lower_bound"]),
        "warnings": list(summary.get("warnings", [])), "notes": list(dry["notes"]),
    }


def _row(device: str, sites: int, steps: int, members: int, boundary: str = "open") -> Row:
    runs = {kind: _one_run(device, sites, steps, kind, members, boundary) for kind in KINDS}
    clean, static, dynamic = runs["none"], runs["static"], runs["dynamic"]
    keys = ("raw", "mitigated", "predicted")
    signature = {k: difference(clean[k], static[k]) for k in keys}
    second = {k: difference(dynamic[k], static[k]) for k in keys}
    uniform = float(np.sqrt((sites**2 - 1) / 12))
    notes = (
        f"exact per run (reference ensemble, same members): σ_clean = {clean['exact']:.3f}, "
        f"σ_static = {static['exact']:.3f} ± {static['spread']:.3f}, σ_dynamic = "
        f"{dynamic['exact']:.3f} ± {dynamic['spread']:.3f} (member spread); uniform over "
        f"the {'ring' if boundary == 'ring' else 'chain'} {uniform:.3f}",
        "measured σ clean / static / dynamic (mitigated): "
        f"{clean['mitigated'].text()} / {static['mitigated'].text()} / "
        f"{dynamic['mitigated'].text()}",
        "second signature σ_dynamic − σ_static (no effect 0): exact "
        f"{dynamic['exact'] - static['exact']:.3f}; raw {second['raw'].text()}, mitigated "
        f"{second['mitigated'].text()} ({second['mitigated'].margin(0.0):.1f} σ from 0)",
        f"{members} members x {SHOTS} shots per run, W = {W}, dt = {DT}; errors: each run's "
        "jackknife over its members (post-selected shots, disorder spread), in quadrature",
        f"2q gates per run: {clean['two_qubit_gates']} (2 CZ x {_bonds(sites, boundary)} "
        f"bonds x {steps} steps = {2 * _bonds(sites, boundary) * steps} without SWAPs); "
        f"calibrated F {clean['fidelity']:.3f}, with 2q errors x 4: "
        f"{clean['fidelity_real']:.3f}; raw TVD (member average) clean / static / dynamic "
        f"{clean['tvd_raw']:.3f} / {static['tvd_raw']:.3f} / {dynamic['tvd_raw']:.3f}, the "
        f"dry run's {clean['tvd_predicted']:.3f} / {static['tvd_predicted']:.3f} / "
        f"{dynamic['tvd_predicted']:.3f} (shot floor included; shots kept "
        f"{clean['kept_predicted']:.2f} predicted)",
        "dry-run prediction: the plan's noisy emulation of each run's members "
        "(Experiment.device_emulation, chain_forecast), post-selected",
        *sorted(set(clean["warnings"] + static["warnings"] + dynamic["warnings"])),
        *sorted(set(clean["notes"] + static["notes"] + dynamic["notes"])),
    )
    return Row(
        phenomenon=_name(boundary), device=device, size=f"{sites} sites", steps=f"T = {steps}",
        two_qubit_gates=max(r["two_qubit_gates"] for r in runs.values()),
        signature=SIGNATURE, no_effect=0.0, exact=clean["exact"] - static["exact"],
        raw=signature["raw"], mitigated=signature["mitigated"],
        predicted=signature["predicted"], shots=SHOTS,
        circuits=sum(r["circuits"] for r in runs.values()),
        qpu_s=sum(r["qpu_s"] for r in runs.values()), notes=notes)


def plan_gap(a: dict[str, Any], b: dict[str, Any], key: str = "signature") -> Estimate:
    """Plan a's forecast of the main observable minus plan b's (``key``: ``signature`` or
    ``signature_real_device``), the two errors in quadrature."""
    return Estimate(a[key]["predicted"] - b[key]["predicted"],
                    math.hypot(a[key]["error"], b[key]["error"]))


def shots_for_3_sigma(a: dict[str, Any], b: dict[str, Any], key: str = "signature"
                      ) -> int | None:
    """Shots per member for plan_gap(a, b) to stand 3 errors from 0, or None where no
    number would: the kept shots' noise falls as 1/sqrt(shots), the members' scatter
    (and the no-effect value's error) does not, and then only more members help."""
    value = plan_gap(a, b, key)
    fixed2 = sum(p[key]["member_spread_error"] ** 2 + p[key]["no_effect_error"] ** 2
                 for p in (a, b))
    shot2 = max(value.error**2 - fixed2, 0.0)
    room = (value.value / 3) ** 2 - fixed2
    if value.value <= 0 or room <= 0:
        return None
    return max(1, math.ceil(a["shots"] * shot2 / room))


def _shots_text(a: dict[str, Any], b: dict[str, Any], key: str) -> str:
    shots = shots_for_3_sigma(a, b, key)
    return (str(shots) if shots is not None else
            "none (the members' scatter alone is over a third of it: more members)")


def _forecast_row(device: str, sites: int, steps: int, boundary: str = "open") -> Row:
    """A size beyond the simulated ones: the three dry runs only (nothing measured).

    The signature's error is each plan's own (``signature['error']``: shot noise of the
    kept shots and the emulated members' scatter); the forecast is of raw counts."""
    config = resolve_config(device)
    plans = {kind: plan(get_experiment("anderson-chain").from_settings(
        _settings(sites, steps, kind, MEMBERS, boundary)), config, SHOTS) for kind in KINDS}
    clean, static, dynamic = (plans[k] for k in KINDS)

    real = plan_gap(clean, static, "signature_real_device")
    second = plan_gap(dynamic, static)
    last = {kind: plans[kind]["circuits"][-1] for kind in KINDS}
    checked = (VALIDATED_RING if boundary == "ring" else VALIDATED_CHAIN)
    notes = (
        "dry run only (not simulated: noisy Aer on this many qubits is out of reach "
        "here); every value but 'exact' is the plan's noisy emulation (chain_forecast), "
        f"whose TVD came within {checked} of the simulated fake device",
        f"exact σ clean / static / dynamic {clean['signature']['exact']:.3f} / "
        f"{static['signature']['exact']:.3f} / {dynamic['signature']['exact']:.3f}; "
        "forecast "
        f"{clean['signature']['predicted']:.3f} / {static['signature']['predicted']:.3f}"
        f" / {dynamic['signature']['predicted']:.3f}",
        f"second signature σ_dynamic − σ_static forecast {second.text()} "
        f"({second.margin(0.0):.1f} σ; exact "
        f"{dynamic['signature']['exact'] - static['signature']['exact']:.3f})",
        f"2q gates per run: {last['none']['two_qubit_gates']}; calibrated F "
        f"{last['none']['fidelity']:.3f}, with 2q errors x 4: "
        f"{last['none']['fidelity_real_device']:.3f}; shots kept "
        f"{last['none']['kept_fraction']:.3f} predicted; TVD forecast clean / static / "
        f"dynamic {last['none']['tvd_predicted_sampled']:.3f} / "
        f"{last['static']['tvd_predicted_sampled']:.3f} / "
        f"{last['dynamic']['tvd_predicted_sampled']:.3f}",
        f"shots per member for 3 σ: {_shots_text(clean, static, 'signature')} (calibrated errors)",
        f"real device (2q errors x {clean['real_device_factor']:g}): forecast {real.text()}"
        f" = {real.margin(0.0):.1f} σ; shots per member for 3 σ: "
        f"{_shots_text(clean, static, 'signature_real_device')}",
        *sorted({note for p in plans.values() for note in p["notes"]}),
    )
    return Row(
        phenomenon=_name(boundary), device=device, size=f"{sites} sites (dry run only)",
        steps=f"T = {steps}",
        two_qubit_gates=max(int(c["two_qubit_gates"]) for c in last.values()),
        signature=SIGNATURE, no_effect=0.0,
        exact=clean["signature"]["exact"] - static["signature"]["exact"],
        raw=NOT_MEASURED, mitigated=NOT_MEASURED, predicted=plan_gap(clean, static),
        shots=SHOTS, circuits=sum(int(p["pub_rows"]) for p in plans.values()),
        qpu_s=sum(float(p["qpu_seconds_lower_bound"]) for p in plans.values()),
        notes=notes)


def rows(device: str, quick: bool) -> list[Row]:
    """Sizes in increasing order, stopping after the first that is not observed; then,
    if all were, the larger sizes by their dry run alone."""
    if quick:
        return [_row(device, *QUICK_SIZE, QUICK_MEMBERS)]
    out = rows_until_unobserved(SIZES, lambda size, steps: _row(device, size, steps,
                                                               MEMBERS))
    return out + forecast_rows(device) if out[-1].observed else out


def forecast_rows(device: str) -> list[Row]:
    """The sizes beyond the simulated ones, by their dry run alone (seconds each)."""
    return [_forecast_row(device, *size) for size in FORECAST_SIZES]
