"""The one summary builder: outcomes of a run in, the ``--json`` summary out.

Every run is analysed from its *outcome rows* (what the store keeps for each executed
circuit or ensemble member: its label, circuit metadata, ISA statistics and
probabilities or counts), so a stored run can be re-analysed into the very summary it
printed (:func:`summarise`).  Single-circuit experiments report each time's
observables with shot-noise errors from the exact distribution; ensembles report
ensemble values with errors from the spread between members (jackknife for the
averaged-distribution ones), in exact and sampled mode alike.

Keys of every summary: experiment, params, backend, shots, seed, times, construction,
observables, reference, resources, run_id, warnings (strings: what the numbers do not
mean, e.g. a result dominated by the lattice size); where there is one: classical, distance
(tvd, hellinger, and tvd_shot_noise_bound when sampled), observable_errors, fits;
ensembles add ensemble and reference_errors; device runs add comparison and jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from qiskit import QuantumCircuit

from .. import analysis
from ..core.errors import QwalkError
from .ensembles import jackknife_errors, mean_and_error

if TYPE_CHECKING:  # analysis sits below experiments: it reads them through their hooks
    from ..experiments.base import Experiment
    from ..experiments.ensemble import EnsembleExperiment

#: keys of every run's summary (the ``--json`` contract)
COMMON_KEYS = frozenset({"experiment", "params", "backend", "shots", "seed", "times",
                         "construction", "observables", "reference", "resources", "run_id",
                         "warnings"})
#: added by every sampled run (shot-noise errors) and every ensemble (spread over members)
ERROR_KEYS = frozenset({"observable_errors"})
#: added by ensembles (disorder realisations, quasi-momenta, trajectories)
ENSEMBLE_KEYS = frozenset({"ensemble", "reference_errors", "observable_errors"})
#: added by device runs (fake or real)
DEVICE_KEYS = frozenset({"comparison", "jobs"})
#: every other top-level key that is data (what ran, was measured or fitted as a result),
#: not theory: any key outside these, COMMON_KEYS and the sets above is a ``*_theory``
#: block or names its kind (``analysis/theory.py``; the contract test checks this)
DATA_KEYS = frozenset({
    "classical", "distance", "fits", "reference_errors", "ensemble", "observable_errors",
    "trotter_dt", "slice_strength", "splitting_error_tvd", "channel", "localization_fit",
    "k0", "k0_energies", "members", "momentum_map", "quadrature_error", "saturation",
    "break_time", "resonance", "dephased", "origin", "unravelled", "dephasing_equivalent",
    "spin_orbit_regime", "mitigated_observables", "mitigated_observable_errors"})


@dataclass
class RunRecord:
    """A finished run: the JSON summary plus the distributions behind it."""

    summary: dict[str, Any]
    distributions: list[np.ndarray]
    reference: list[np.ndarray]
    classical: list[np.ndarray] | None
    #: ensembles: standard error of each averaged outcome probability (spread over members)
    distribution_errors: list[np.ndarray] | None = None

    def to_dataframe(self) -> Any:
        """The run's results as a pandas DataFrame, one row per time and observable with
        errors beside the reference (:mod:`.export`; pandas is the ``dataframe`` extra)."""
        from .export import to_dataframe

        return to_dataframe(self.summary)


def series(dicts: list[dict[str, float]]) -> dict[str, list[float]]:
    """A list of per-time observable dicts as one series per observable."""
    return {key: [d[key] for d in dicts] for key in dicts[0]} if dicts else {}


def _fit(times: Sequence[float], sigma: list[float], errors: list[float] | None
         ) -> dict[str, float] | None:
    """sigma ~ t**alpha over the later half of the times (the asymptotic regime)."""
    late = [i for i, t in enumerate(times) if t >= max(times) / 2]
    try:
        return analysis.fit_power_law([times[i] for i in late], [sigma[i] for i in late],
                                      None if errors is None else [errors[i] for i in late]
                                      ).as_dict()
    except ValueError:
        return None


def distances(measured: Sequence[np.ndarray], reference: Sequence[np.ndarray],
              samples: int | None) -> dict[str, list[float]]:
    """TVD and Hellinger distance to the reference per time, and the TVD's shot-noise bound
    for ``samples`` draws per distribution (None: exact probabilities, no bound)."""
    pairs = list(zip(measured, reference, strict=True))
    out = {"tvd": [analysis.total_variation(p, q) for p, q in pairs],
           "hellinger": [analysis.hellinger(p, q) for p, q in pairs]}
    if samples is not None:
        out["tvd_shot_noise_bound"] = [analysis.tvd_shot_noise_bound(q, samples)
                                       for q in reference]
    return out


def sigma_fits(times: Sequence[float], summary: dict[str, Any], errors: list[float] | None
               ) -> dict[str, dict[str, float] | None]:
    """sigma ~ t^alpha for the circuits, the exact reference and (if any) the classical walk."""
    fits = {"observables": _fit(times, summary["observables"]["sigma"], errors),
            "reference": _fit(times, summary["reference"]["sigma"], None)}
    if "sigma" in summary.get("classical", {}):
        fits["classical"] = _fit(times, summary["classical"]["sigma"], None)
    return fits


def json_safe(value: Any) -> Any:
    """NaN and infinities (an undefined fit) become None, so the summary is valid JSON."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    return value


def _header(experiment: Experiment[Any], shells: list[QuantumCircuit], shots: int | None,
            seed: int | None, backend: dict[str, Any]) -> dict[str, Any]:
    """The keys every summary starts with: what ran, on what, with which shots and seed,
    at which times, by which construction."""
    return {"experiment": experiment.name, "params": experiment.spec.as_json(),
            "backend": backend, "shots": "exact" if shots is None else shots, "seed": seed,
            "times": list(experiment.times()),
            "construction": [c.metadata["construction"] for c in shells]}


def _analyse(experiment: Experiment[Any], summary: dict[str, Any]) -> None:
    """The experiment's analysis of its own series, then its warnings (last: they may read
    everything above)."""
    summary.update(experiment.analysed_results(summary))
    summary["warnings"] = [str(w) for w in (*experiment.spec.warnings(),
                                             *experiment.result_warnings(summary))]


def single_summary(experiment: Experiment[Any], shells: list[QuantumCircuit],
                   distributions: list[np.ndarray], shots: int | None, seed: int | None,
                   backend: dict[str, Any]) -> tuple[dict[str, Any], list[np.ndarray],
                                                     list[np.ndarray] | None]:
    """A single-circuit run's summary (without resources and run id), its exact reference
    and classical distributions."""
    times = list(experiment.times())
    reference = experiment.reference_distributions()
    classical = experiment.classical_distributions()
    summary: dict[str, Any] = {
        **_header(experiment, shells, shots, seed, backend),
        "observables": series([experiment.observables(p) for p in distributions]),
        "reference": series([experiment.observables(p) for p in reference]),
    }
    if classical is not None:
        summary["classical"] = series([experiment.observables(p) for p in classical])
    errors = None
    if shots is not None:
        # error bars from the exact distribution: unbiased by the sample itself
        summary["observable_errors"] = series(
            [experiment.observable_errors(q, shots) for q in reference])
        errors = summary["observable_errors"]["sigma"]
    summary["distance"] = distances(distributions, reference, shots)
    summary["fits"] = {"sigma_power_law": sigma_fits(times, summary, errors)}
    summary.update(experiment.extra_results())
    _analyse(experiment, summary)
    return summary, reference, classical


FitProcedure = Callable[[np.ndarray], dict[str, float]]


def ensemble_observables(experiment: EnsembleExperiment[Any], samples: np.ndarray,
                         shots: int | None = None, procedure: FitProcedure | None = None
                         ) -> tuple[dict[str, float], dict[str, float], dict[str, list[float]]]:
    """(values, standard errors, per-realisation values) of one time's (R, outcomes) samples
    (``shots`` per member when sampled: per-member estimates are made unbiased).  The fitted
    values come from ``procedure`` when given (the measured data's, applied to the exact
    ensemble), else from the one :meth:`fit_procedure` chooses from these samples, else from
    ``ensemble_fits``."""
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
    if procedure is None:
        procedure = experiment.fit_procedure(mean, weights, shots, len(samples))
    fit: FitProcedure = procedure if procedure is not None else (
        lambda p: experiment.ensemble_fits(p, weights))
    fits = fit(mean)
    for key, value in fits.items():
        if not key.endswith("_error"):
            values[key] = value
    if fits and len(samples) > 1:
        # every fitted point comes from the same members, so the points are correlated and
        # the fit's own error is too small (2x for README's tail fit): jackknife the whole fit
        errors.update(jackknife_errors(samples, lambda p: {
            k: v for k, v in fit(p).items() if not k.endswith("_error")}))
    else:
        errors.update({k[: -len("_error")]: v for k, v in fits.items() if k.endswith("_error")})
    return values, errors, per_realisation


def _mean_with_error(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The members' mean and its standard error (None for a single member)."""
    mean, error = mean_and_error(samples)
    return mean, (error if len(samples) > 1 else None)


def _fit_differences(procedures: list[Any], samples: list[np.ndarray],
                     reference_samples: list[np.ndarray]) -> dict[str, Any]:
    """Each time's fit procedure (what it chose), and the paired difference circuits minus
    exact ensemble of its fitted values, with the jackknife error of the pair: both come
    from the same realisations, so what the disorder moves cancels and shot noise is left."""
    described: list[dict[str, Any] | None] = []
    differences: list[dict[str, float]] = []
    errors: list[dict[str, float]] = []
    for f, s, r in zip(procedures, samples, reference_samples, strict=True):
        described.append(f.describe() if hasattr(f, "describe") else None)
        if f is None or s.shape != r.shape:
            differences.append({})
            errors.append({})
            continue
        size = s.shape[1]

        def gap(both: np.ndarray, f: FitProcedure = f, size: int = size) -> dict[str, float]:
            a, b = f(both[:size]), f(both[size:])
            return {k: a[k] - b[k] for k in a if not k.endswith("_error")}

        both = np.concatenate([s, r], axis=1)
        differences.append(gap(both.mean(axis=0)))
        errors.append(jackknife_errors(both, gap) if len(s) > 1 else {})
    keys = sorted({k for d in differences for k in d})
    return {"fit_procedure": described,
            "fit_difference": {k: [d.get(k) for d in differences] for k in keys},
            "fit_difference_error": {k: [e.get(k) for e in errors] for k in keys}}


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

    # one fit procedure per time, chosen from the measured members (a tail window from
    # their noise floor), fits the circuits and the exact ensemble alike
    procedures = [experiment.fit_procedure(*_mean_with_error(s), shots, len(s))
                  for s in samples]
    measured = [ensemble_observables(experiment, s, shots, f)
                for s, f in zip(samples, procedures, strict=True)]
    exact = [ensemble_observables(experiment, s, None, f)
             for s, f in zip(reference_samples, procedures, strict=True)]
    averaged = [s.mean(axis=0) for s in samples]
    reference = [s.mean(axis=0) for s in reference_samples]
    realisations = experiment.realisations()
    if realisations == 1 and shots is not None:
        # one realisation has no spread to measure: its errors are the shot noise alone,
        # computed from the exact distribution as in the single-circuit runner
        for (_, errors, _), q in zip(measured, reference, strict=True):
            errors.update(experiment.observable_errors(q, shots))
    summary: dict[str, Any] = {
        **_header(experiment, templates, shots, seed, backend),
        "observables": series([m[0] for m in measured]),
        "observable_errors": series([m[1] for m in measured]),
        "reference": series([m[0] for m in exact]),
        "reference_errors": series([m[1] for m in exact]),
        "ensemble": {"realisations": realisations,
                     "per_realisation": {key: [m[2][key] for m in measured]
                                         for key in measured[0][2]}},
    }
    if any(f is not None for f in procedures):
        summary["ensemble"].update(_fit_differences(procedures, samples, reference_samples))
    if classical is not None:
        summary["classical"] = series([experiment.observables(p) for p in classical])
    # R realisations of S shots are R*S independent draws of the averaged distribution --
    # unless the members are random draws themselves (trajectories), whose spread the
    # shot-noise bound knows nothing of: no bound then
    measured_part = [experiment.distance_distribution(p) for p in averaged]
    exact_part = [experiment.distance_distribution(q) for q in reference]
    drawn = experiment.members_are_samples
    if all(p is not None for p in measured_part + exact_part):
        summary["distance"] = distances(
            [p for p in measured_part if p is not None], [q for q in exact_part if q is not None],
            None if shots is None or drawn else shots * realisations)
    if "sigma" in summary["observables"]:
        summary["fits"] = {"sigma_power_law": sigma_fits(
            times, summary, summary["observable_errors"]["sigma"])}
    summary.update(experiment.extra_results())
    summary.update(experiment.ensemble_extra(summary))
    _analyse(experiment, summary)
    return summary, averaged, reference, classical


# -- outcome rows: what the store keeps of each executed circuit, and the analysis of them

def outcome_row(label: str, metadata: dict[str, Any], stats: dict[str, Any],
                probabilities: np.ndarray | None, counts: dict[int, int] | None,
                template: int | None = None, member: int | None = None) -> dict[str, Any]:
    """One stored circuit: ``data`` holds its metadata (what the analysis reads off the
    circuit), its place in an ensemble, and its probabilities or counts."""
    data: dict[str, Any] = {"metadata": metadata}
    if template is not None:
        data["template"], data["member"] = template, member
    if probabilities is not None:
        data["probabilities"] = np.asarray(probabilities, dtype=float).tolist()
    else:
        data["counts"] = {str(k): v for k, v in (counts or {}).items()}
    return {"label": label, "stats": stats, "data": data}


def _outcome(data: dict[str, Any]) -> tuple[np.ndarray | None, dict[int, int] | None]:
    if "probabilities" in data:
        return np.asarray(data["probabilities"], dtype=float), None
    return None, {int(k): v for k, v in data["counts"].items()}


def summarise(experiment: Experiment[Any], rows: list[dict[str, Any]], shots: int | None,
              seed: int | None, backend: dict[str, Any], run_id: str) -> RunRecord:
    """The run's record from its outcome rows (as run, or as read back from the store)."""
    if any(not isinstance(row["data"], dict) or "metadata" not in row["data"]
           for row in rows):
        raise QwalkError(f"run {run_id} was stored by an older qwalk without its circuits' "
                         "metadata, so it cannot be re-analysed: run it again")
    if experiment.is_ensemble:
        return _summarise_ensemble(experiment, rows, shots, seed, backend,  # type: ignore[arg-type]
                                   run_id)
    shells = [QuantumCircuit(name=row["label"], metadata=row["data"]["metadata"])
              for row in rows]
    distributions = [experiment.site_distribution(shell, *_outcome(row["data"]))
                     for shell, row in zip(shells, rows, strict=True)]
    summary, reference, classical = single_summary(experiment, shells, distributions, shots,
                                                   seed, backend)
    summary["resources"] = [row["stats"] for row in rows]
    summary["run_id"] = run_id
    return RunRecord(summary, distributions, reference, classical)


def _summarise_ensemble(experiment: EnsembleExperiment[Any], rows: list[dict[str, Any]],
                        shots: int | None, seed: int | None, backend: dict[str, Any],
                        run_id: str) -> RunRecord:
    groups: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["data"]["template"], []).append(row)
    ordered = [sorted(groups[t], key=lambda r: r["data"]["member"]) for t in sorted(groups)]
    shells = [QuantumCircuit(name=group[0]["label"].rsplit("[", 1)[0],
                             metadata=group[0]["data"]["metadata"]) for group in ordered]
    samples = [np.array([experiment.member_distribution(shell, row["data"]["member"],
                                                        *_outcome(row["data"]))
                         for row in group])
               for shell, group in zip(shells, ordered, strict=True)]
    summary, averaged, reference, classical = ensemble_summary(
        experiment, shells, samples, shots, seed, backend)
    summary["resources"] = [group[0]["stats"] for group in ordered]
    summary["run_id"] = run_id
    errors = [mean_and_error(s)[1] for s in samples]
    return RunRecord(json_safe(summary), averaged, reference, classical, errors)
