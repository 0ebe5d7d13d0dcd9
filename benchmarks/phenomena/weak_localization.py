"""Weak localization: coherent backscattering on the smallest torus (issue 15's table).

Experiment ``backscattering``: a plane wave |k0> on the disordered L x L torus, ONE
symmetric split step U = e^{-iV dt/2} e^{-iH_x dt/2} e^{-iH_y dt} e^{-iH_x dt/2} e^{-iV dt/2}
with dt = 1.5 / J and on-site disorder W = 8 J (a kicked model: the two potential kicks
give the double scattering k0 -> q -> -k0 whose time-reversed partner k0 -> -q -> -k0
interferes constructively), measured in momentum.  One step because the step costs 319
two-qubit gates on fake_fez at L = 8 (F = 0.32) and two steps 498 (F = 0.17).  L = 8 is
the smallest torus with a momentum off the symmetry lines (L = 4 has no background).

Signature: r = <P(-k0)> / <background> (six point-group images), a ratio of ensemble
averages; no effect r = 1 (``Experiment.no_effect_value``).  Estimator (every column): the
ratio of the members' average slots.  Errors: a bootstrap over the device's members
(drawn with replacement, the same draw at every ZNE scale, each with its own counts, so
the scatter holds member spread and shot noise) and both readout calibrations: the
package's ``ensemble_zne_comparison`` with ``members_are_samples`` set on the instance
(its default for disorder ensembles resamples shots only).  Exact: the reference solver's
ensemble of the same members.  Predicted: the dry-run mix F m + (1 - F)/L^2 of each exact
member's momentum map (F of the circuit from ``plan``), the same ratio; error: shot noise
of the mix at the run's shots and members, with the mixed members' jackknife.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from qwalk_circuits.analysis.backscattering import SLOTS, ratio_observables
from qwalk_circuits.analysis.device_comparison import calibrations
from qwalk_circuits.analysis.device_zne import ensemble_zne_comparison
from qwalk_circuits.analysis.ensembles import jackknife_errors
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, resolve_config, run

from ..bench_zne import zne_config
from . import NOT_MEASURED, Estimate, Row

NAME = "weak_localization"
EXPERIMENT = "backscattering"
DT, W = 1.5, 8.0
SHOTS, MEMBERS, QUICK_MEMBERS, SIDE_MEMBERS = 1000, 128, 10, 64
SCALES = [1, 3, 5]
SEED = 1234
SIGNATURE = "r = P(−k0)/background, one split step"
#: exact and dry run only; spin-orbit coupling is simulated in ``weak_antilocalization``
SIDE_RUNS: dict[str, dict[str, Any]] = {"flux": {"flux": "random", "flux_strength": 1.0}}
#: torus qubits per axis after the first: run only where the dry run's F says it may show
LARGER = (4,)
HOPELESS_F = 0.05


def _settings(axis_qubits: int, members: int, **extra: Any) -> dict[str, Any]:
    return {"lattice_qubits_per_axis": axis_qubits, "W": W, "dt": DT, "time": DT,
            "times": [DT], "realisations": members, **extra}


def _experiment(settings: dict[str, Any]) -> Any:
    return get_experiment(EXPERIMENT).from_settings(settings)


def _prediction(experiment: Any, fidelity: float, shots: int) -> Estimate:
    """The calibration model on each exact member's momentum map (uniform over the L^2
    momenta), the ratio of the mixed average; shot noise and member jackknife."""
    members = np.asarray(experiment.reference_ensemble()[-1], dtype=float)[:, :SLOTS]
    mixed = fidelity * members + (1 - fidelity) / experiment.spec.side**2
    value = ratio_observables(mixed.mean(axis=0))["ratio"]
    shot = experiment.observable_errors(mixed.mean(axis=0), shots * len(mixed))["ratio"]
    spread = jackknife_errors(mixed, lambda q: {"r": ratio_observables(q)["ratio"]})["r"]
    return Estimate(value, math.hypot(shot, spread))


def _member_bootstrap(store: ResultStore, run_id: str, scales: list[int]) -> dict[str, Any]:
    """The zne block again from the ledger's counts, members drawn with replacement (the
    run's readout solver)."""
    sub = Ledger(store).submission(run_id)
    infos = sub["circuits"]
    counts: list[Any] = [{} for _ in infos]
    for job in Ledger(store).jobs(run_id):
        for i, c in zip(job["circuits"], job["result"], strict=True):
            counts[i] = ([{int(k): v for k, v in m.items()} for m in c] if isinstance(c, list)
                         else {int(k): v for k, v in c.items()})
    cls = get_experiment(sub["experiment"])
    experiment: Any = cls(cls.spec_type.model_validate(sub["params"]))
    experiment.members_are_samples = True  # disorder members are draws too: resample them
    cal = calibrations(infos, counts)
    counts = [c if isinstance(c, list) else [c] for c in counts]
    first: dict[int, int] = {}
    for i, info in enumerate(infos):
        if info["role"] == "circuits" and info.get("noise_scale", 1) == 1:
            first.setdefault(int(info["template"]), i)
    shells = [QuantumCircuit(name=infos[first[t]]["label"], metadata=infos[first[t]]["metadata"])
              for t in sorted(first)]
    return ensemble_zne_comparison(experiment, shells, infos, counts, cal, scales,
                                   "richardson", int(sub["shots"]),
                                   np.random.default_rng((SEED, 0x4D42)),
                                   solver=sub["config"]["run"].get("readout_solver",
                                                                   "tensored"))


def _device(device: str, settings: dict[str, Any], scales: list[int]) -> dict[str, Any]:
    """Dry run and device run of one setting: estimates of r, exact, costs."""
    experiment = _experiment(settings)
    config = zne_config(device, scales)
    dry = plan(experiment, resolve_config(device), SHOTS)
    sent = plan(experiment, config, SHOTS)
    last = dry["circuits"][-1]
    store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-wl-")) / "runs.sqlite")
    summary = run(_experiment(settings), config, shots=SHOTS, seed=SEED, store=store,
                  progress=False).summary
    block = _member_bootstrap(store, summary["run_id"], scales)
    shots_only = summary["comparison"]["zne"]
    kinds = ("raw", "mitigated", "zne")
    out: dict[str, Any] = {k: Estimate(block[k]["ratio"][-1], block[f"{k}_errors"]["ratio"][-1])
                           for k in kinds}
    out.update({
        "shot_errors": {k: shots_only[f"{k}_errors"]["ratio"][-1] for k in kinds},
        "exact": float(summary["reference"]["ratio"][-1]),
        "exact_spread": float(summary["reference_errors"]["ratio"][-1]),
        "predicted": _prediction(experiment, last["fidelity"], SHOTS),
        "predicted_real": _prediction(experiment, last["fidelity_real_device"], SHOTS),
        "package_dry_run": float(dry["signature"]["predicted"]),
        "real_shots": dry["signature_real_device"]["shots_for_3_sigma"],
        "real_members": dry["signature_real_device"]["members_for_3_sigma_at_any_shots"],
        "two_qubit_gates": int(last["two_qubit_gates"]), "fidelity": float(last["fidelity"]),
        "fidelity_real": float(last["fidelity_real_device"]),
        "circuits": int(sent["pub_rows"]), "qpu_s": float(sent["qpu_seconds_lower_bound"]),
        "k0": summary.get("k0"), "warnings": list(summary.get("warnings", []))})
    return out


def _side_note(device: str, label: str, extra: dict[str, Any]) -> str:
    """r with flux on the 8 x 8 torus: exact and the dry-run mix (not simulated: the flux
    circuit's F makes the device's r the noise's 1)."""
    experiment = _experiment(_settings(3, SIDE_MEMBERS, **extra))
    last = plan(experiment, resolve_config(device), SHOTS)["circuits"][-1]
    members = np.asarray(experiment.reference_ensemble()[-1], dtype=float)[:, :SLOTS]
    spread = jackknife_errors(members, lambda q: {"r": ratio_observables(q)["ratio"]})["r"]
    exact = ratio_observables(members.mean(axis=0))["ratio"]
    return (f"{label} (exact and dry run only): exact {exact:.3f} ± {spread:.3f} "
            f"({SIDE_MEMBERS} members' spread), dry-run "
            f"{_prediction(experiment, last['fidelity'], SHOTS).text()}; "
            f"{last['two_qubit_gates']} 2q gates, F = {last['fidelity']:.3f}")


def device_notes(d: dict[str, Any], members: str) -> list[str]:
    """The notes of one device run (``_device``'s dict): exact spread, errors, costs."""
    return [
        f"exact r of these {members} {d['exact']:.3f} ± {d['exact_spread']:.3f} "
        "(their jackknife: the finite ensemble's own spread); k0 = "
        f"{d['k0']}, W = {W:g} J, dt = {DT:g}/J, one step",
        "errors: member bootstrap (members with replacement, same draw at every scale, "
        "calibrations resampled); the package's shot-only bootstrap gives raw / mitigated / "
        "ZNE " + " / ".join(f"{e:.3f}" for e in d["shot_errors"].values()),
        f"calibrated F = {d['fidelity']:.3f}; with 2q errors x 4: F = {d['fidelity_real']:.4f}, "
        f"predicted r {d['predicted_real'].text()} (package dry run: shots for 3 σ "
        f"{d['real_shots']}, members for 3 σ at any shots {d['real_members']})",
        f"package dry-run r {d['package_dry_run']:.3f} (its noise outcome is 1/L² per "
        "momentum too, Experiment.noise_outcome)",
        *sorted(set(d["warnings"]))]


def _row(device: str, axis_qubits: int, members: int, quick: bool) -> Row:
    d = _device(device, _settings(axis_qubits, members), SCALES)
    side = 2**axis_qubits
    notes = device_notes(d, f"{members} members")
    if not quick and axis_qubits == 3:
        notes += [_side_note(device, label, extra) for label, extra in SIDE_RUNS.items()]
    return Row(
        phenomenon=NAME, device=device, size=f"{side}x{side} torus", steps=f"1 step, t = {DT:g}",
        two_qubit_gates=d["two_qubit_gates"], signature=SIGNATURE, no_effect=1.0,
        exact=d["exact"], raw=d["raw"], mitigated=d["mitigated"], zne=d["zne"],
        predicted=d["predicted"], shots=SHOTS, circuits=d["circuits"], qpu_s=d["qpu_s"],
        notes=tuple(notes))


def _dry_only(device: str, axis_qubits: int) -> Row:
    """A larger torus the dry run calls hopeless: its costs and prediction, not simulated."""
    experiment = _experiment(_settings(axis_qubits, MEMBERS))
    dry = plan(experiment, resolve_config(device), SHOTS)
    sent = plan(experiment, zne_config(device, SCALES), SHOTS)
    last = dry["circuits"][-1]
    side = 2**axis_qubits
    exact = float(experiment.observables(experiment.reference_distributions()[-1])["ratio"])
    return Row(
        phenomenon=NAME, device=device, size=f"{side}x{side} torus (dry run only)",
        steps=f"1 step, t = {DT:g}", two_qubit_gates=int(last["two_qubit_gates"]),
        signature=SIGNATURE, no_effect=1.0, exact=exact, raw=NOT_MEASURED,
        mitigated=NOT_MEASURED, predicted=_prediction(experiment, last["fidelity"], SHOTS),
        shots=SHOTS, circuits=int(sent["pub_rows"]),
        qpu_s=float(sent["qpu_seconds_lower_bound"]),
        notes=(f"not simulated: calibrated F = {last['fidelity']:.3f} < {HOPELESS_F} "
               f"({last['two_qubit_gates']} 2q gates for one step), so the device's r is "
               "the noise's 1; with 2q errors x 4 F = "
               f"{last['fidelity_real_device']:.2e}",))


def rows(device: str, quick: bool) -> list[Row]:
    """The 8 x 8 torus, then larger ones while the dry run's F is not hopeless."""
    if quick:
        return [_row(device, 3, QUICK_MEMBERS, quick=True)]
    out = [_row(device, 3, MEMBERS, quick=False)]
    for axis_qubits in LARGER:
        fidelity = plan(_experiment(_settings(axis_qubits, 4)), resolve_config(device),
                        SHOTS)["circuits"][-1]["fidelity"]
        if fidelity < HOPELESS_F or not out[-1].observed:
            out.append(_dry_only(device, axis_qubits))
            break
        out.append(_row(device, axis_qubits, MEMBERS, quick=False))
    return out
