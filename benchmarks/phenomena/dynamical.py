"""Dynamical localization (issue 15's phenomenon table): kicked rotor and sawtooth map.

Signature: at the last kick, the classical map's <m^2> (the experiment's
``no_effect_value``) minus the quantum beta-averaged <m^2>; > 0 is dynamical localization,
0 is none.  Parameters: the fewest kicks (2) at which the exact reference is already well
below the classical map while the register check holds (chosen from a scan of K, kbar at
n = 4, 5, 16 quasi-momenta), and the classical value stays below the depolarised register's
(N^2 + 2)/12, so device noise works against the signature and cannot fake it.

Estimator (the same for exact, raw, mitigated and predicted): classical <m^2> minus the
R-member mean of <m^2>.  Error: the run's ensemble error (member spread / sqrt(R), shots
included); the classical value's own Monte-Carlo error is neglected.  Predicted: the dry
run's mix F p + (1 - F) u per member (F of the circuit, calibrated), shot noise only.
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

from . import Estimate, Row

NAME = "dynamical"
SHOTS, MEMBERS, SEED = 1000, 16, 7
#: (experiment, qubits, K, kbar, kicks): smallest first per experiment
CASES = (("sawtooth-map", 4, 2.0, 1.5, 2), ("kicked-rotor", 4, 7.0, 3.0, 2),
         ("sawtooth-map", 5, 4.0, 1.5, 2), ("kicked-rotor", 5, 7.0, 1.5, 2))


def _experiment(name: str, qubits: int, kick: float, kbar: float, kicks: int) -> Any:
    return get_experiment(name).from_settings({
        "momentum_qubits": qubits, "kick_strength": kick, "kbar": kbar, "kicks": kicks,
        "times": [kicks], "quasi_momenta": MEMBERS})


def _row(device: str, case: tuple[str, int, float, float, int], simulate: bool) -> Row:
    name, qubits, kick, kbar, kicks = case
    config = resolve_config(device)
    experiment = _experiment(*case)
    classical = float(experiment.no_effect_value()[0])
    members = np.asarray(experiment.reference_ensemble()[-1], dtype=float)  # (R, N)
    m2 = np.asarray(experiment._m, dtype=float) ** 2
    exact = classical - float((members @ m2).mean())
    uniform_p2 = float(m2.mean())
    dry = plan(experiment, config, SHOTS)
    last = dry["circuits"][-1]

    def mixed(fidelity: float) -> float:
        return float((fidelity * (members @ m2) + (1 - fidelity) * uniform_p2).mean())

    shot = float(np.sqrt(((members @ m2**2 - (members @ m2) ** 2)).sum() / SHOTS) / len(members))
    predicted = Estimate(classical - mixed(last["fidelity"]), shot)
    real = classical - mixed(last["fidelity_real_device"])
    need_f = 1 - exact / (uniform_p2 - float((members @ m2).mean()))
    raw = mitigated = Estimate(math.nan, math.nan)
    warnings: list[str] = []
    if simulate:
        store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-dynamical-")) / "runs.sqlite")
        summary = run(_experiment(*case), config, shots=SHOTS, seed=SEED, store=store,
                      progress=False).summary
        error = float(summary["observable_errors"]["p2"][-1])
        raw = Estimate(classical - float(summary["observables"]["p2"][-1]), error)
        value = summary.get("mitigated_observables", {}).get("p2")
        if value:
            mitigated = Estimate(classical - float(value[-1]), error)
        warnings = list(summary.get("warnings", []))
    notes = (
        f"{name}, K = {kick:g}, kbar = {kbar:g}, {MEMBERS} quasi-momenta x {SHOTS} shots; "
        f"classical <m^2> = {classical:.2f}, exact quantum {classical - exact:.2f}, "
        f"depolarised register (N^2+2)/12 = {uniform_p2:.2f}",
        f"F needed for the mix to reach the classical value: {need_f:.2f}; last circuit F = "
        f"{last['fidelity']:.3f} calibrated, {last['fidelity_real_device']:.3f} with 2q "
        f"errors x 4 (real-device prediction {real:+.3f}, shot error {shot:.3f})",
        "errors: the run's ensemble error (member spread / sqrt(R)); mitigated borrows it",
        *sorted(set(warnings)),
    )
    return Row(phenomenon=f"{NAME} ({name})", device=device, size=f"{qubits} momentum qubits",
               steps=f"{kicks} kicks", two_qubit_gates=int(last["two_qubit_gates"]),
               signature="classical <m²> − quantum <m²> (last kick)", no_effect=0.0,
               exact=exact, raw=raw, mitigated=mitigated, predicted=predicted, shots=SHOTS,
               circuits=int(dry["pub_rows"]), qpu_s=float(dry["qpu_seconds_lower_bound"]),
               notes=notes)


def rows(device: str, quick: bool) -> list[Row]:
    """Every case simulated (quick: the 4-qubit sawtooth map only); the dry run says the
    5-qubit ones are hopeless (F below the F needed), simulated anyway (seconds)."""
    cases = CASES[:1] if quick else CASES
    return [_row(device, case, simulate=True) for case in cases]
