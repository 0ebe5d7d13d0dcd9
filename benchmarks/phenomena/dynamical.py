"""Dynamical localization (issue 15's phenomenon table): kicked rotor and sawtooth map.

Signature: at the last kick, the classical map's <m^2> (the experiment's
``no_effect_value``) minus the quantum beta-averaged <m^2>; > 0 is dynamical localization,
0 is none.  Parameters: the fewest kicks (2) at which the exact reference is already well
below the classical map while the register check holds (chosen from a scan of K, kbar at
n = 4, 5, 16 quasi-momenta; at n = 6 from the dry run, see ``CASES``), and the classical
value stays below the depolarised register's (N^2 + 2)/12, so device noise works against
the signature and cannot fake it.

Estimator (the same for exact, raw, mitigated, ZNE and predicted): classical <m^2> minus
the R-member mean of <m^2>, ZNE at scales 1, 3, 5 (Richardson).  The quasi-momenta are a
fixed midpoint grid, the same for the exact column, so their spread over beta is no
statistical error (``kicked_rotor``'s docstring).  Error: the ZNE block's bootstrap (each
member's shots and both readout calibrations resampled, members kept) combined in
quadrature with the grid's quadrature error against the converged beta-average
(``quadrature_refinement``) and the classical value's Monte-Carlo error (its particles'
p^2 spread / sqrt(particles), the package's particles and seed: 0.13 at the 4-qubit
sawtooth map, as large as the shot noise); the device's member jackknife (beta spread /
sqrt(R), shots included: the ensemble runner's error) is in the notes.  Predicted: the dry
run's mix F p + (1 - F) u per member (F of the circuit, calibrated), its shot noise with
the same quadrature and classical errors.  Dry-run ZNE: the plan's zero-noise forecast
(``zne_forecast``: each scale's F with the two-qubit errors counted lambda times, one-qubit
gates and readout not folded), its shot noise through the extrapolation with the same two
fixed errors.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from qwalk_circuits.core.errors import ParameterError
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.experiments.kicked_rotor import CLASSICAL_PARTICLES, CLASSICAL_SEED
from qwalk_circuits.experiments.kicked_rotor_analysis import quadrature_refinement
from qwalk_circuits.pipeline import plan, resolve_config, run
from qwalk_circuits.reference.kicked_rotor import classical_p2_errors

from ..bench_zne import zne_config
from . import NOT_MEASURED, Estimate, Row, configured

NAME = "dynamical"
MEASURE_EARLY = True  # bench_phenomena --measure-early applies to this module
SHOTS, MEMBERS, SEED = 1000, 16, 7
#: 5 momentum qubits: 4000 shots per quasi-momentum.  Measured early their ZNE reaches the
#: exact side at 1000 shots but only 2.4 / 2.9 errors from 0 on fake_fez, its error mostly
#: shots (the ZNE block's bootstrap 1.32 / 1.35 of 1.40 / 1.37): 4x the shots halve it
LARGE_SHOTS, LARGE_FROM = 4000, 5
SCALES = [1, 3, 5]
#: the dry run's sizes past the simulated ones: the sawtooth map at 7 momentum qubits
FORECAST_QUBITS = 7
FORECAST_GRID = tuple((k, kbar) for k in (6.0, 8.0, 10.0, 12.0) for kbar in (0.75, 1.0, 1.5))
KINDS = ("raw", "mitigated", "zne")
#: (experiment, qubits, K, kbar, kicks): smallest first per experiment
CASES = (("sawtooth-map", 4, 2.0, 1.5, 2), ("kicked-rotor", 4, 7.0, 3.0, 2),
         ("sawtooth-map", 5, 4.0, 1.5, 2), ("kicked-rotor", 5, 7.0, 1.5, 2),
         # 6 qubits: the sawtooth map's K, kbar by the dry run measured early on fake_fez, the
         # one of K = 4, 6, 8 x kbar = 1, 1.5 whose mix's ZNE comes out positive (+13.9; the
         # others -27 to -80); the rotor keeps its 5-qubit K, kbar (every rotor tried: < -87)
         ("sawtooth-map", 6, 6.0, 1.0, 2), ("kicked-rotor", 6, 7.0, 1.5, 2))


def _experiment(name: str, qubits: int, kick: float, kbar: float, kicks: int) -> Any:
    return get_experiment(name).from_settings({
        "momentum_qubits": qubits, "kick_strength": kick, "kbar": kbar, "kicks": kicks,
        "times": [kicks], "quasi_momenta": MEMBERS})


def _quadrature(case: tuple[str, int, float, float, int], experiment: Any) -> float:
    """The R-point grid's error on <m^2> at the last kick (against the converged average)."""
    _, qubits, kick, kbar, kicks = case
    return float(quadrature_refinement(kick, kbar, [kicks], qubits, MEMBERS,
                                       experiment.spec.potential)["error"][-1])


def _classical_error(experiment: Any) -> float:
    """The standard error of the classical map's <m^2> at the last kick (the particles of
    the experiment's classical map: same count and seed)."""
    s = experiment.spec
    return float(classical_p2_errors(s.kick_strength, s.kicks, CLASSICAL_PARTICLES,
                                     CLASSICAL_SEED, s.potential)[-1] / s.kbar**2)


def shots_for(qubits: int) -> int:
    """Shots per quasi-momentum for a register of ``qubits``."""
    return LARGE_SHOTS if qubits >= LARGE_FROM else SHOTS


def _simulate(device: str, case: tuple[str, int, float, float, int], classical: float,
              fixed: float) -> dict[str, Any]:
    """The ZNE device run: raw / mitigated / ZNE signature estimates, the jackknife."""
    store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-dynamical-")) / "runs.sqlite")
    summary = run(_experiment(*case), configured(zne_config(device, SCALES)),
                  shots=shots_for(case[1]), seed=SEED, store=store, progress=False).summary
    block = summary["comparison"]["zne"]
    out: dict[str, Any] = {
        k: Estimate(classical - float(block[k]["p2"][-1]),
                    math.hypot(float(block[f"{k}_errors"]["p2"][-1]), fixed))
        for k in KINDS if k in block}
    out["jackknife"] = float(summary["observable_errors"]["p2"][-1])
    out["shot_errors"] = [float(block[f"{k}_errors"]["p2"][-1]) for k in KINDS if k in block]
    out["warnings"] = list(summary.get("warnings", []))
    return out


def _zne_forecast(signature: dict[str, Any], classical: float, quadrature: float) -> Estimate:
    """The plan's zero-noise forecast as this row's signature (classical minus quantum),
    its error the forecast's shot noise through the extrapolation with the grid's
    quadrature error and the classical map's: the grid's beta spread, which the plan's
    verdict also counts, is no statistical error here (a fixed grid, the module docstring)."""
    forecast = signature["zne"]
    return Estimate(classical - float(forecast["predicted"]),
                    math.hypot(forecast["shot_error"], quadrature,
                               signature["no_effect_error"]))


def _row(device: str, case: tuple[str, int, float, float, int], simulate: bool) -> Row:
    name, qubits, kick, kbar, kicks = case
    shots = shots_for(qubits)
    config = configured(resolve_config(device))
    experiment = _experiment(*case)
    classical = float(experiment.no_effect_value()[0])
    members = np.asarray(experiment.reference_ensemble()[-1], dtype=float)  # (R, N)
    m2 = np.asarray(experiment._m, dtype=float) ** 2
    exact = classical - float((members @ m2).mean())
    spread = float(np.std(members @ m2, ddof=1) / np.sqrt(len(members)))
    uniform_p2 = float(m2.mean())
    quad, classical_error = _quadrature(case, experiment), _classical_error(experiment)
    fixed = math.hypot(quad, classical_error)  # the same in every column
    dry = plan(experiment, config, shots)
    sent = plan(experiment, configured(zne_config(device, SCALES)), shots)
    last = dry["circuits"][-1]

    def mixed(fidelity: float) -> float:
        return float((fidelity * (members @ m2) + (1 - fidelity) * uniform_p2).mean())

    shot = float(np.sqrt(((members @ m2**2 - (members @ m2) ** 2)).sum() / shots) / len(members))
    predicted = Estimate(classical - mixed(last["fidelity"]), math.hypot(shot, fixed))
    real = classical - mixed(last["fidelity_real_device"])
    need_f = 1 - exact / (uniform_p2 - float((members @ m2).mean()))
    zne_predicted = _zne_forecast(sent["signature"], classical, quad)
    zne_real = classical - float(sent["signature_real_device"]["zne"]["predicted"])
    d = _simulate(device, case, classical, fixed) if simulate else {"warnings": []}
    raw, mitigated, zne = (d.get(k, NOT_MEASURED) for k in KINDS)
    jackknife = d.get("jackknife", math.nan)
    notes = (
        f"{name}, K = {kick:g}, kbar = {kbar:g}, {MEMBERS} quasi-momenta x {shots} shots; "
        f"classical <m^2> = {classical:.2f}, exact quantum {classical - exact:.2f}, "
        f"depolarised register (N^2+2)/12 = {uniform_p2:.2f}",
        f"F needed for the mix to reach the classical value: {need_f:.2f}; last circuit F = "
        f"{last['fidelity']:.3f} calibrated, {last['fidelity_real_device']:.3f} with 2q "
        f"errors x 4 (real-device prediction {real:+.3f}, shot error {shot:.3f})",
        f"dry-run ZNE with 2q errors x 4 (the plan's forecast): {zne_real:+.3f}",
        "errors: ZNE-block bootstrap (shots, calibrations; members fixed) raw / mitigated / "
        "ZNE " + " / ".join(f"{e:.3f}" for e in d.get("shot_errors", [])) + " ⊕ the "
        f"{MEMBERS}-point grid's quadrature error {quad:.3f} ⊕ the classical map's "
        f"Monte-Carlo error {classical_error:.3f}; the device's member "
        f"jackknife (beta spread + shots) {jackknife:.3f} (mitigated margin with it "
        f"{mitigated.value / math.hypot(jackknife, fixed):+.1f} σ), the exact grid's "
        f"beta spread / sqrt(R) {spread:.3f}",
        *sorted(set(d["warnings"])),
    )
    return Row(phenomenon=f"{NAME} ({name})", device=device, size=f"{qubits} momentum qubits",
               steps=f"{kicks} kicks", two_qubit_gates=int(last["two_qubit_gates"]),
               signature="classical <m²> − quantum <m²> (last kick)", no_effect=0.0,
               exact=exact, raw=raw, mitigated=mitigated, zne=zne, predicted=predicted,
               zne_predicted=zne_predicted,
               shots=shots, circuits=int(sent["pub_rows"]),
               qpu_s=float(sent["qpu_seconds_lower_bound"]), notes=notes)


def rows(device: str, quick: bool) -> list[Row]:
    """Every case simulated (quick: the 4-qubit sawtooth map only)."""
    cases = CASES[:1] if quick else CASES
    return [_row(device, case, simulate=True) for case in cases]


def forecast_rows(device: str) -> list[Row]:
    """7 momentum qubits by the dry run alone (``--forecast-only``): the sawtooth map on the
    grid :data:`FORECAST_GRID`, each (K, kbar) the register check admits (a second or so
    each; simulating one would take roughly an hour here, a guess: Aer runs each shot of a
    measured-early circuit by itself)."""
    out = []
    for kick, kbar in FORECAST_GRID:
        try:
            out.append(_row(device, ("sawtooth-map", FORECAST_QUBITS, kick, kbar, 2),
                            simulate=False))
        except ParameterError:  # the register check: the map's tails reach past 7 qubits
            continue
    return out
