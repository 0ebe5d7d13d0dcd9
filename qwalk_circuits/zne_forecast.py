"""The dry run's forecast of a zero-noise-extrapolated signature (``[run] zne_scales``).

A ZNE run also sends every circuit with each two-qubit gate folded to run lambda times
(``execution/folding.py``).  Under the plan's calibration model the device returns
F_lambda p + (1 - F_lambda) u at scale lambda, F_lambda the circuit's fidelity with its
two-qubit errors counted lambda times (first order in them, as the plan's real-device
factor: F exp(-(lambda - 1) sum e_2q); the real-device verdict counts them 4 lambda
times; the few one-qubit gates a folded RZZ adds are not counted).  One-qubit gates are
not folded, so their errors stay in the extrapolated value.  Readout errors do not fold
either: where the run calibrates readout, its ZNE reads the readout-mitigated values, and
so does the forecast, with the readout errors removed exactly; the inverse's own
amplification of the shot noise is not in the error (a few per cent at fake-device readout
errors).  An experiment with its own noisy emulation (``Experiment.device_emulation``) is
emulated at each scale with its two-qubit errors times lambda instead (and without readout
errors where the run mitigates them).  A circuit is forecast at the scales the submission
sends it at (only 1 without a two-qubit gate).

Value: the run's own extrapolation (Richardson or exponential) of the predicted
observable at each scale.  Error: each scale's shot noise (the observable's shot error
from that scale's output and kept shots) carried through the extrapolation -- linearly for
Richardson (sqrt(sum w_i^2 e_i^2)), by a fixed-seed Monte Carlo for the exponential,
which is nonlinear -- and, for an ensemble, the members' own scatter through the same
extrapolation (jackknife: each leave-one-out mean extrapolated), in quadrature, as the
plain verdict counts it.  (The run's ``comparison.zne`` error of a fixed-member ensemble,
disorder realisations or quasi-momenta, resamples the counts only: it leaves that scatter
out, so it is smaller than this one; phase-kick trajectories are resampled there too.)
Under the global mix the exponential recovers a linear observable's zero-noise mix exactly
(all but the unfolded errors); sigma and the other nonlinear observables keep a bias from
the uniform tail's weight in them as well.  What this cannot forecast is the residual bias
of a device whose noise is not the global mix, nor the exponential's own finite-shot bias:
that is what the fake-device comparison measures (BENCHMARKS.md).

The zero-noise distribution's TVD (``comparison.zne.tvd``) is forecast by sampling each
scale's model output at the run's shots, extrapolating and projecting as the run does
(:func:`expected_zne_tvd`), and at unlimited shots (:func:`zero_noise_tvd`): under the
mix the latter is what the unfolded errors leave, chiefly the one-qubit gates'.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from qiskit import QuantumCircuit

from .analysis.ensembles import jackknife_errors
from .analysis.zne import extrapolate, extrapolate_rows, finite_std, richardson_weights
from .analysis.zne_distribution import zero_noise_tvds
from .execution.config import RunSection
from .execution.submission_build import foldable_scales
from .plan_margins import kept_shots

#: an experiment's own noisy emulation of one time: members' distributions, kept fractions
Emulated = tuple[np.ndarray, np.ndarray]

#: Monte-Carlo draws of the per-scale shot noise for a nonlinear extrapolation's error
REPLICAS = 2000
#: their seed: fixed, so the error is a smooth, deterministic function of the shots
SEED = 15
#: sampled runs of the whole distribution for the zero-noise TVD's expectation
TVD_REPLICAS = 200


def scale_fidelities(base: float, two_qubit_error: float, scales: Sequence[int],
                     factor: float = 1.0) -> list[float]:
    """F at each noise scale: ``base`` (the unfolded circuit's F) with its two-qubit errors
    (summed: ``two_qubit_error``, times ``factor``) counted lambda times instead of once,
    to first order in them."""
    return [base * math.exp(-(s - 1) * factor * two_qubit_error) for s in scales]


@dataclass(frozen=True)
class ScaledOutputs:
    """What the device returns at each noise scale under the plan's model: the output
    distribution, the fraction of shots kept, and the members' own outputs (members,
    outcomes) where the run is an ensemble (None: a single circuit)."""

    outputs: list[np.ndarray]
    kept: list[float]
    members: list[np.ndarray] | None


def mixed_at_scales(experiment: Any, p: np.ndarray, fidelities: Sequence[float],
                    ensemble: np.ndarray | None) -> ScaledOutputs:
    """The calibration model at each scale's fidelity: ``p`` mixed (and post-selected
    where the experiment post-selects), and each exact member of ``ensemble`` too."""
    mixes = [experiment.calibration_mix(p, f) for f in fidelities]
    members = (None if ensemble is None or len(ensemble) < 2 else
               [np.array([experiment.calibration_mix(m, f)[0] for m in ensemble])
                for f in fidelities])
    return ScaledOutputs([q for q, _ in mixes], [k for _, k in mixes], members)


def emulated_at_scales(emulations: Sequence[Emulated], with_members: bool = True
                       ) -> ScaledOutputs:
    """An experiment's own emulation at each scale (members' distributions, each one's
    kept fraction): the members' average, mean kept fraction, and the members (left out
    with ``with_members`` False, or where there is only one)."""
    members = [np.asarray(m, dtype=float) for m, _ in emulations]
    return ScaledOutputs([m.mean(axis=0) for m in members],
                         [float(np.mean(k)) for _, k in emulations],
                         members if with_members and members[0].shape[0] > 1 else None)


@dataclass(frozen=True)
class ZneInputs:
    """One time's ZNE forecast inputs: the scales it is sent at, the model, which values
    the verdict reads, and F at each scale, or the experiment's own emulation there."""

    scales: list[int]
    method: str
    values: str
    fidelities: list[float]
    emulations: list[Emulated] | None = None

    def outputs(self, experiment: Any, p: np.ndarray, ensemble: np.ndarray | None,
                scatter: bool) -> ScaledOutputs:
        """The device's outputs at each scale: the emulation's, or ``p`` (and the exact
        members of ``ensemble``, where given) mixed at each scale's F; with ``scatter``
        False, without the members (a per-circuit forecast: shot noise only)."""
        if self.emulations is not None:
            return emulated_at_scales(self.emulations, scatter)
        return mixed_at_scales(experiment, p, self.fidelities, ensemble if scatter else None)


class Fidelity(Protocol):
    """A circuit's calibrated fidelity as the plan computes it (``CircuitFidelity``)."""

    @property
    def total(self) -> float: ...
    @property
    def gates(self) -> float: ...
    @property
    def two_qubit_error(self) -> float: ...


def zne_inputs(experiment: Any, isa: Sequence[QuantumCircuit], target: Any, run: RunSection,
               fidelities: Sequence[Fidelity], factor: float, unfolded: Sequence[float],
               emulated: Sequence[Emulated] | None) -> list[ZneInputs] | None:
    """Per time the forecast inputs at two-qubit errors times ``factor``; None without
    ``run.zne_scales``.  ``fidelities``: each time's calibrated F; ``unfolded``: what else
    multiplies it (the readout's idle dephasing); ``emulated``: the plan's own emulation
    (scale 1, readout errors in), or None where the experiment has none.  Each time is
    sent at the scales the submission sends it at (``foldable_scales``: 1 only without a
    two-qubit gate).  The values read are the readout-mitigated ones where the run
    mitigates (readout errors left out of F, and out of the emulation), else the raw ones."""
    if run.zne_scales is None:
        return None
    scales = list(run.zne_scales)
    mitigated = bool(run.readout_mitigation)
    at_scale: dict[int, Any] = {}
    if emulated is not None:
        at_scale = {s: list(emulated) if s == 1 and not mitigated else
                    experiment.device_emulation(list(isa), target, s * factor,
                                                readout_errors=not mitigated)
                    for s in scales}
    out = []
    for t, fid in enumerate(fidelities):
        sent = foldable_scales(isa[t], scales)
        base = ((fid.gates if mitigated else fid.total) * unfolded[t]
                * math.exp(-(factor - 1) * fid.two_qubit_error))
        out.append(ZneInputs(sent, run.zne_extrapolation,
                             "readout-mitigated" if mitigated else "raw",
                             scale_fidelities(base, fid.two_qubit_error, sent, factor),
                             None if emulated is None else [at_scale[s][t] for s in sent]))
    return out


class ZneForecast:
    """The zero-noise value of the experiment's main observable under the model, the
    members' scatter through the extrapolation, and the shot noise's (:meth:`shot_error`)."""

    def __init__(self, experiment: Any, scaled: ScaledOutputs, scales: Sequence[int],
                 method: str) -> None:
        self.experiment = experiment
        self.scaled = scaled
        self.scales = list(scales)
        self.method = method
        key = experiment.main_observable
        self.per_scale = [float(experiment.observables(q)[key]) for q in scaled.outputs]
        self.value = (self.per_scale[0] if len(self.scales) == 1 else
                      extrapolate(self.scales, self.per_scale, method))
        self.spread = self._member_spread()
        self._draws = np.random.default_rng(SEED).standard_normal((REPLICAS, len(scales)))

    def _member_spread(self) -> float:
        members = self.scaled.members
        if members is None:
            return 0.0
        stacked = np.stack(members, axis=1)  # (members, scales, outcomes)
        count, scales, outcomes = stacked.shape
        key = self.experiment.main_observable

        def statistic(flat: np.ndarray) -> dict[str, float]:
            values = [self.experiment.observables(q)[key] for q in flat.reshape(scales, -1)]
            return {key: values[0] if scales == 1 else
                    extrapolate(self.scales, values, self.method)}

        return float(jackknife_errors(stacked.reshape(count, scales * outcomes),
                                      statistic)[key])

    def shot_error(self, samples: int) -> float:
        """The zero-noise value's shot-noise error with ``samples`` shots per scale (all
        members together), before post-selection."""
        key = self.experiment.main_observable
        errors = np.array([float(self.experiment.observable_errors(q, kept_shots(samples, k))
                                 [key])
                           for q, k in zip(self.scaled.outputs, self.scaled.kept,
                                           strict=True)])
        if len(self.scales) == 1:
            return float(errors[0])
        if self.method == "richardson":
            return float(np.sqrt(np.sum((richardson_weights(self.scales) * errors) ** 2)))
        rows = np.asarray(self.per_scale)[None, :] + self._draws * errors[None, :]
        return finite_std(extrapolate_rows(self.scales, rows, self.method))


def expected_zne_tvd(scaled: ScaledOutputs, scales: Sequence[int], method: str,
                     exact: np.ndarray, samples: int) -> tuple[float, float]:
    """(E[TVD], its spread) of the zero-noise distribution a run reports
    (``comparison.zne.tvd``) under the model: every scale's output sampled at its kept
    shots, each outcome's probability extrapolated, the result projected onto the simplex
    (``analysis/zne_distribution``), its TVD to ``exact``, over fixed-seed draws.

    It holds the shot floor, as the extrapolation amplifies it, on top of what the
    extrapolation cannot undo even at unlimited shots (:func:`zero_noise_tvd`).  A device
    whose noise is not the model's adds more."""
    rng = np.random.default_rng(SEED)
    drawn = []
    for q, kept in zip(scaled.outputs, scaled.kept, strict=True):
        q = np.clip(np.asarray(q, dtype=float), 0.0, None)
        n = kept_shots(samples, kept)
        drawn.append(rng.multinomial(n, q / q.sum(), size=TVD_REPLICAS) / n)
    tvds, _ = zero_noise_tvds(scales, method, np.stack(drawn, axis=1), np.asarray(exact))
    tvds = tvds[np.isfinite(tvds)]
    if tvds.size == 0:
        return float("nan"), float("nan")
    return float(tvds.mean()), float(tvds.std(ddof=1)) if tvds.size > 1 else 0.0


def zero_noise_tvd(scaled: ScaledOutputs, scales: Sequence[int], method: str,
                   exact: np.ndarray) -> float:
    """The zero-noise distribution's TVD to ``exact`` at unlimited shots under the model:
    what the extrapolation leaves of the model's noise (the unfolded one-qubit gates'
    errors; Richardson's polynomial against F^lambda), with no shot floor."""
    outputs = np.asarray(scaled.outputs, dtype=float)[None]  # (1, scales, outcomes)
    return float(zero_noise_tvds(scales, method, outputs, np.asarray(exact))[0][0])
