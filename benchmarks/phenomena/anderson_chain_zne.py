"""Anderson localization in the one-hot chain with zero-noise extrapolation (issue 15
part 4 for the chain: what readout mitigation and ZNE remove from its signature).

The same three runs as ``anderson_chain`` (clean copies, static and dynamic disorder, W =
6, dt = 0.8, ``MEMBERS`` members x ``SHOTS`` shots, measured at step 0 and T), sent with
the two-qubit gates folded at noise scales 1, 3, 5 (``bench_zne.zne_config``: local
folding, Richardson) on top of the readout calibration.  Every shot is post-selected on one
excitation at every scale, so ZNE extrapolates the post-selected sigma: folding scales the
errors that survive post-selection (phase flips, swaps within a bond) with the rest.

Signature: sigma_clean - sigma_static at T (no effect 0).  Errors (the binary Anderson
row's convention, ``anderson.py``, the same for raw, mitigated and ZNE): the ZNE block's
bootstrap (each member's shots and both readout calibrations resampled) in quadrature with
the exact ensemble's member jackknife, the runs' in quadrature; the plain chain rows use
the measured members' jackknife instead (printed in the notes, for comparison).  Removed:
``1 - |est - exact| / |raw - exact|`` (``bench_mitigation_table.removed``).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from qwalk_circuits.execution import ResultStore
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, resolve_config, run

from ..bench_zne import zne_config
from . import Estimate, Row, difference, rows_until_unobserved
from .anderson_chain import KINDS, MEMBERS, QUICK_MEMBERS, SEED, SHOTS, SIGNATURE, _settings

NAME = "anderson (one-hot chain, ZNE)"
SCALES = [1, 3, 5]
SIZES = ((12, 6),)  # (sites, steps): the 16-site chain at scale 5 is 1200 CZ per member
QUICK_SIZE = (8, 4)
ESTIMATES = ("raw", "mitigated", "zne")


def _one_run(device: str, sites: int, steps: int, disorder: str, members: int
             ) -> dict[str, Any]:
    settings = _settings(sites, steps, disorder, members)
    experiment: Any = get_experiment("anderson-chain").from_settings(settings)
    config = zne_config(device, SCALES)
    dry = plan(experiment, resolve_config(device), SHOTS)
    sent = plan(experiment, config, SHOTS)
    store = ResultStore(Path(tempfile.mkdtemp(prefix="qwalk-chain-zne-")) / "runs.sqlite")
    summary = run(get_experiment("anderson-chain").from_settings(settings), config,
                  shots=SHOTS, seed=SEED, store=store, progress=False).summary
    spread = float(summary["reference_errors"]["sigma"][-1])
    block = summary["comparison"]["zne"]
    out: dict[str, Any] = {
        kind: Estimate(block[kind]["sigma"][-1],
                       math.hypot(block[f"{kind}_errors"]["sigma"][-1], spread))
        for kind in ESTIMATES}
    # against the exact value of the same members the disorder spread cancels: the
    # deviations are judged by the bootstrap alone (shots and calibrations)
    out["bootstrap"] = {kind: Estimate(block[kind]["sigma"][-1],
                                       block[f"{kind}_errors"]["sigma"][-1])
                        for kind in ESTIMATES}
    last = dry["circuits"][-1]
    out.update({
        "exact": float(summary["reference"]["sigma"][-1]),
        "jackknife": Estimate(summary["mitigated_observables"]["sigma"][-1],
                              summary["mitigated_observable_errors"]["sigma"][-1]),
        "predicted": Estimate(float(last["observable_predicted"]),
                              math.hypot(last["observable_error"], spread)),
        "two_qubit_gates": [int(g) for g in block["two_qubit_gates"][-1]],
        "circuits": int(sent["pub_rows"]), "qpu_s": float(sent["qpu_seconds_lower_bound"]),
        "warnings": list(summary.get("warnings", [])),
    })
    return out


def deviations(estimates: dict[str, Estimate], truth: float) -> str:
    """|est - exact| per estimate (with its error) and the fraction of the raw one each
    removes, or why there is none to remove (raw within its error of exact)."""
    from ..bench_mitigation_table import removed

    raw = estimates["raw"]
    text = "; ".join(f"{k} |Δ| {abs(estimates[k].value - truth):.3f} ± "
                     f"{estimates[k].error:.3f}" for k in ESTIMATES)
    if abs(raw.value - truth) < raw.error:
        return text + " (raw within its error of exact: nothing resolved to remove)"
    return (text + "; removed: mitigated " + removed(raw, estimates["mitigated"], truth).text()
            + ", ZNE " + removed(raw, estimates["zne"], truth).text())


def _row(device: str, sites: int, steps: int, members: int) -> Row:
    runs = {kind: _one_run(device, sites, steps, kind, members) for kind in KINDS}
    clean, static = runs["none"], runs["static"]
    signature = {k: difference(clean[k], static[k]) for k in (*ESTIMATES, "predicted",
                                                             "jackknife")}
    exact = clean["exact"] - static["exact"]

    per_kind = "; ".join(
        f"σ_{kind}: exact {runs[kind]['exact']:.3f}, raw {runs[kind]['raw'].text()}, ZNE "
        f"{runs[kind]['zne'].text()}" for kind in ("none", "static", "dynamic"))
    notes = (
        "signature: " + deviations({k: difference(clean["bootstrap"][k],
                                                   static["bootstrap"][k])
                                    for k in ESTIMATES}, exact),
        per_kind.replace("σ_none", "σ_clean"),
        "per σ: " + " | ".join(
            f"{'clean' if kind == 'none' else kind}: "
            f"{deviations(runs[kind]['bootstrap'], runs[kind]['exact'])}"
            for kind in KINDS),
        f"2q gates at scales {', '.join(map(str, SCALES))}: "
        f"{', '.join(map(str, clean['two_qubit_gates']))} per member circuit at T",
        f"with the plain rows' errors (the measured members' jackknife, mitigated): "
        f"{signature['jackknife'].text()}",
        f"{members} members x {SHOTS} shots per run and scale, W = 6, dt = 0.8; errors: ZNE "
        "bootstrap ⊕ the exact members' jackknife, the runs' in quadrature (the |Δ| "
        "against exact of the same members: bootstrap alone)",
        *sorted(set(clean["warnings"] + static["warnings"])),
    )
    return Row(
        phenomenon=NAME, device=device, size=f"{sites} sites", steps=f"T = {steps}",
        two_qubit_gates=max(max(r["two_qubit_gates"]) for r in runs.values()),
        signature=SIGNATURE, no_effect=0.0, exact=exact,
        raw=signature["raw"], mitigated=signature["mitigated"], zne=signature["zne"],
        predicted=signature["predicted"], shots=SHOTS,
        circuits=sum(r["circuits"] for r in runs.values()),
        qpu_s=sum(r["qpu_s"] for r in runs.values()), notes=notes)


def rows(device: str, quick: bool) -> list[Row]:
    if quick:
        return [_row(device, *QUICK_SIZE, QUICK_MEMBERS)]
    return rows_until_unobserved(SIZES, lambda size, steps: _row(device, size, steps,
                                                                MEMBERS))
