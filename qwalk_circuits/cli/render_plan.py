"""The dry run's report (``qwalk submit --dry-run``): cost, QPU time and expected signal."""

from __future__ import annotations

import json
from typing import Any


def _seconds(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value * 1e6:.1f} us" if value < 1e-3 else f"{value:.3g} s"


def _qpu(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _verdict(signature: dict[str, Any], observable: str) -> str:
    stands = "stands out" if signature["stands"] else "does NOT stand out"
    needed = signature["shots_for_3_sigma"]
    margin = signature["standard_errors"]
    spread = signature.get("member_spread_error") or 0.0
    members = signature.get("members_for_3_sigma_at_any_shots")
    null_error = signature.get("no_effect_error") or 0.0
    if signature.get("exact_shows_it") is False:
        side = (f" (exact {signature['exact']:.4g}: the simulated model itself shows no "
                "signature here)")
    elif signature.get("exact") is not None and signature["standard_errors"] == 0:
        side = (f" (exact {signature['exact']:.4g}: the noise moves it away from the "
                "signature's side)")
    else:
        side = ""
    return (f"{observable} = {signature['predicted']:.4g} ± {signature['error']:.2g} "
            + (f"(members' scatter {spread:.2g}) " if spread else "")
            + f"predicted at t = {signature['time']:g}, against {signature['no_effect']:.4g} "
            + (f"± {null_error:.2g} " if null_error else "")
            + f"for {signature['no_effect_is']}{side}: "
            + ("no shot-noise error" if margin is None else f"{margin:.1f} standard errors")
            + f", {stands} at 3 sigma"
            + (" (no number of shots makes it" + (f"; >= {members} members would"
                                                   if members else "") + ")"
               if needed is None and not signature["stands"]
               else "" if needed is None else f" (3 sigma needs >= {needed} shots)"))


def print_plan(plan: dict[str, Any], as_json: bool) -> None:
    """Print the plan as a table with its verdicts, or as one JSON object."""
    if as_json:
        print(json.dumps(plan, indent=2))
        return
    print(f"dry run: {plan['experiment']} on {plan['device']} -- nothing submitted, nothing "
          "stored")
    folded = (f" + {plan['folded_circuits']} folded for ZNE (noise scales "
              f"{', '.join(str(s) for s in plan['zne_scales'][1:])})"
              if plan.get("folded_circuits") else "")
    print(f"{len(plan['circuits'])} circuits{folded} + {plan['calibration_circuits']} readout "
          f"calibrations = {plan['pub_rows']} circuits executed, in {plan['jobs']} job(s), "
          f"{plan['shots']} shots each")
    key = plan["observable"]
    print(f"{'t':>6} {'qubits':>6} {'2q gates':>8} {'depth':>6} {'duration':>10} "
          f"{'F':>6} {'F real':>6} {'TVD pred.':>9} {'uniform':>8} "
          f"{key + ' exact':>12} {key + ' pred.':>18}"
          + (f" {key + ' ZNE pred.':>18} {'ZNE TVD pred.':>13}" if plan.get("zne_scales")
             else ""))
    for c in plan["circuits"]:
        predicted = f"{c['observable_predicted']:.3f} ± {c['observable_error']:.3f}"
        zne = ("" if "zne_observable_predicted" not in c else
               f" {c['zne_observable_predicted']:.3f} ± {c['zne_observable_error']:.3f}"
               .rjust(19) + (f" {'-':>13}" if c.get("zne_tvd_predicted") is None
                             else f" {c['zne_tvd_predicted']:>13.3f}"))
        print(f"{c['time']:>6g} {c['qubits']:>6} {c['two_qubit_gates']:>8} {c['depth']:>6} "
              f"{_seconds(c['duration_s']):>10} {c['fidelity']:>6.3f} "
              f"{c['fidelity_real_device']:>6.3f} {c['tvd_predicted_sampled']:>9.3f} "
              f"{c['tvd_uniform']:>8.3f} {c['observable_exact']:>12.4g} {predicted:>18}{zne}")
    print(f"QPU time >= {_qpu(plan['qpu_seconds_lower_bound'])} (shots x circuits x "
          f"(repetition delay {_seconds(plan['rep_delay_s'])} + circuit duration); the "
          "service adds its own overhead per job)")
    print(f"model: {plan['model']}; TVD pred. includes the shot-noise floor"
          + ("; ZNE TVD pred.: the zero-noise distribution's TVD, each scale sampled at the "
             "shots, extrapolated and projected (the floor the extrapolation's shot noise "
             "leaves, and its bias under this model)" if plan.get("zne_scales") else ""))
    if plan["signature"] is not None:
        print("signature (calibrated errors): " + _verdict(plan["signature"], key))
        print(f"signature (two-qubit errors x {plan['real_device_factor']:g}, as seen in walk "
              "circuits on real devices, Porter & Joseph arXiv:2206.04829): "
              + _verdict(plan["signature_real_device"], key))
    for label, name in (("calibrated errors", "signature"),
                        (f"two-qubit errors x {plan['real_device_factor']:g}",
                         "signature_real_device")):
        forecast = (plan.get(name) or {}).get("zne")
        if forecast is not None:
            print(f"signature through ZNE ({label}; {forecast['extrapolation']} from scales "
                  f"{', '.join(map(str, forecast['scales']))}, {forecast['values']} values, "
                  f"per scale {', '.join(f'{v:.4g}' for v in forecast['per_scale'])}; "
                  f"exact {plan[name]['exact']:.4g}, off it by "
                  f"{forecast['predicted'] - plan[name]['exact']:+.3g} under this model): "
                  + _verdict({**plan[name], **forecast}, key))
    for note in plan.get("notes", []):
        print(f"note: {note}")
    print("fake-device noise is optimistic (no crosstalk, drift or leakage): read the second "
          "verdict as the margin a real device needs")
