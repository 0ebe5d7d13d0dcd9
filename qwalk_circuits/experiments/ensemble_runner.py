"""Run an ensemble experiment: bind every realisation, average, and report means with errors.

The summary follows the JSON contract of ``runner.py``; ``observables``
hold ensemble values (observables of the averaged distribution, or the mean
over realisations for ``mean_over_realisations``) and ``observable_errors``
their standard errors from the spread between realisations (jackknife for
the averaged-distribution ones), in exact and sampled mode alike.
``ensemble`` adds the realisation count and the per-realisation values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from ..ensemble_analysis import jackknife_errors, mean_and_error
from ..execution import ResultStore
from ..execution.config import HardwareConfig
from ..execution.ensemble import execute_ensemble
from ..execution.store import new_run_id
from .ensemble import EnsembleExperiment
from .runner import AER_TARGET, RunRecord, _series, distances, sigma_fits


def _ensemble_observables(experiment: EnsembleExperiment[Any], samples: np.ndarray,
                          shots: int | None = None
                          ) -> tuple[dict[str, float], dict[str, float], dict[str, list[float]]]:
    """(values, standard errors, per-realisation values) of one time's (R, outcomes) samples
    (``shots`` per member when sampled: per-member estimates are made unbiased)."""
    mean, error = mean_and_error(samples)
    values = dict(experiment.observables(mean))
    errors = jackknife_errors(samples, experiment.observables)
    per = [experiment.observables(s) for s in samples]
    per_realisation = {key: [p[key] for p in per] for key in per[0]}
    if shots is not None and shots > 1 and "ipr" in per_realisation:
        # sum p_hat^2 of S shots overestimates the IPR by (1 - IPR)/S; averaging members
        # shrinks the error bar but not this bias: (S sum p_hat^2 - 1)/(S - 1) is unbiased
        per_realisation["ipr"] = [(shots * v - 1) / (shots - 1) for v in per_realisation["ipr"]]
    for key in experiment.mean_over_realisations:
        m, e = mean_and_error(np.array(per_realisation[key]))
        values[key], errors[key] = float(m), float(e)
    weights = error if len(samples) > 1 else None
    fits = experiment.ensemble_fits(mean, weights)
    for key, value in fits.items():
        if not key.endswith("_error"):
            values[key] = value
    if fits and len(samples) > 1:
        # every fitted point comes from the same members, so the points are correlated and
        # the fit's own error is too small (3.5x for a tail fit): jackknife the whole fit
        errors.update(jackknife_errors(samples, lambda p: {
            k: v for k, v in experiment.ensemble_fits(p, weights).items()
            if not k.endswith("_error")}))
    else:
        errors.update({k[: -len("_error")]: v for k, v in fits.items() if k.endswith("_error")})
    return values, errors, per_realisation


def json_safe(value: Any) -> Any:
    """NaN and infinities (an undefined fit) become None, so the summary is valid JSON."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    return value


def ensemble_summary(experiment: EnsembleExperiment[Any], templates: list[QuantumCircuit],
                     samples: list[np.ndarray], shots: int | None, seed: int | None,
                     backend: dict[str, Any]
                     ) -> tuple[dict[str, Any], list[np.ndarray], list[np.ndarray],
                                list[np.ndarray] | None]:
    """The ensemble analysis of per-member distributions ``samples[i]`` (R, outcomes) of
    each time, shared by Aer runs and device runs: (summary without resources and run
    id, averaged, exact ensemble average, classical)."""
    times = list(experiment.times())
    reference_samples = experiment.reference_ensemble()
    classical = experiment.classical_distributions()

    measured = [_ensemble_observables(experiment, s, shots) for s in samples]
    exact = [_ensemble_observables(experiment, s) for s in reference_samples]
    averaged = [s.mean(axis=0) for s in samples]
    reference = [s.mean(axis=0) for s in reference_samples]
    realisations = experiment.realisations()
    if realisations == 1 and shots is not None:
        # one realisation has no spread to measure: its errors are the shot noise alone,
        # computed from the exact distribution as in the single-circuit runner
        for (_, errors, _), q in zip(measured, reference, strict=True):
            errors.update(experiment.observable_errors(q, shots))
    summary: dict[str, Any] = {
        "experiment": experiment.name,
        "params": experiment.spec.as_json(),
        "backend": backend,
        "shots": "exact" if shots is None else shots,
        "seed": seed,
        "times": times,
        "construction": [t.metadata["construction"] for t in templates],
        "observables": _series([m[0] for m in measured]),
        "observable_errors": _series([m[1] for m in measured]),
        "reference": _series([m[0] for m in exact]),
        "reference_errors": _series([m[1] for m in exact]),
        "ensemble": {"realisations": realisations,
                     "per_realisation": {key: [m[2][key] for m in measured]
                                         for key in measured[0][2]}},
    }
    if classical is not None:
        summary["classical"] = _series([experiment.observables(p) for p in classical])
    # R realisations of S shots are R*S independent draws of the averaged distribution --
    # unless the members are random draws themselves (trajectories), whose spread the
    # shot-noise bound knows nothing of: no bound then
    measured_part = [experiment.distance_distribution(p) for p in averaged]
    exact_part = [experiment.distance_distribution(q) for q in reference]
    drawn = getattr(experiment, "members_are_samples", False)
    if all(p is not None for p in measured_part + exact_part):
        summary["distance"] = distances(
            [p for p in measured_part if p is not None], [q for q in exact_part if q is not None],
            None if shots is None or drawn else shots * realisations)
    if "sigma" in summary["observables"]:
        summary["fits"] = {"sigma_power_law": sigma_fits(
            times, summary, summary["observable_errors"]["sigma"])}
    summary.update(experiment.extra_results())
    summary.update(experiment.ensemble_extra(summary))
    return summary, averaged, reference, classical


def run_ensemble(experiment: EnsembleExperiment[Any], config: HardwareConfig,
                 shots: int | None = None, seed: int | None = None,
                 store: ResultStore | None = None, save: bool = True,
                 executor: Any = None) -> RunRecord:
    """Execute all realisations (one transpilation per time), average, compare, store."""
    experiment.check_size(config)
    templates = experiment.templates(AER_TARGET)
    values = [experiment.template_values(i, t) for i, t in enumerate(templates)]
    executed = execute_ensemble(templates, values, config, shots, seed,
                                method=experiment.simulation_method(), executor=executor)
    samples = [np.array([experiment.member_distribution(t, r, result.probabilities,
                                                        result.counts)
                         for r, result in enumerate(results)])
               for t, results in zip(templates, executed, strict=True)]
    summary, averaged, reference, classical = ensemble_summary(
        experiment, templates, samples, shots, seed,
        {**config.summary(), "simulator": f"aer_simulator({config.backend.method})"})
    summary["resources"] = [results[0].stats for results in executed]
    summary["run_id"] = new_run_id()
    summary = json_safe(summary)
    if save:
        store = store if store is not None else ResultStore()
        store.save_run(
            summary["run_id"], experiment.name, summary["params"], summary["backend"], shots,
            seed, summary,
            [{"label": f"{t.name}[{r}]", "stats": result.stats,
              "data": (result.probabilities.tolist() if result.probabilities is not None
                       else {str(k): v for k, v in (result.counts or {}).items()})}
             for t, results in zip(templates, executed, strict=True)
             for r, result in enumerate(results)])
    errors = [mean_and_error(s)[1] for s in samples]
    return RunRecord(summary, averaged, reference, classical, errors)
