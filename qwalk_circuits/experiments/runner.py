"""Run an experiment end to end: circuits -> backend -> distributions -> analysis -> store.

The result is the JSON contract of ``qwalk run --json``: experiment, params,
backend, shots, times, observables (circuits), reference (exact quantum
solver), classical (classical walk), distance (tvd, hellinger), run_id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import analysis
from ..execution import ResultStore, execute
from ..execution.config import HardwareConfig
from ..execution.dask_cluster import cluster_executor
from ..execution.store import new_run_id
from .base import Experiment

AER_TARGET = "all-to-all"


@dataclass
class RunRecord:
    """A finished run: the JSON summary plus the distributions behind it."""

    summary: dict[str, Any]
    distributions: list[np.ndarray]
    reference: list[np.ndarray]
    classical: list[np.ndarray] | None
    #: ensembles: standard error of each averaged outcome probability (spread over members)
    distribution_errors: list[np.ndarray] | None = None


def _series(dicts: list[dict[str, float]]) -> dict[str, list[float]]:
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


def run_experiment(experiment: Experiment[Any], config: HardwareConfig, shots: int | None = None,
                   seed: int | None = None, store: ResultStore | None = None,
                   save: bool = True, executor: Any = None) -> RunRecord:
    """Run on the config's backend (``shots=None``: exact probabilities) and record the run.

    The run goes to ``store`` (default: the store at QWALK_STORE or the user's
    default location) unless ``save`` is False.  The circuits (or an ensemble's
    chunks) run on ``executor`` (a ``distributed.Client``) when given, else on
    a client to the config's ``dask_address`` (closed after the run), else here;
    the results are the same for the same seed.
    """
    from .ensemble import EnsembleExperiment  # (the ensemble runner imports this module)
    from .ensemble_runner import run_ensemble

    if executor is None and config.backend.dask_address is not None:
        experiment.check_size(config)  # bad input fails before connecting
        with cluster_executor(config.backend.dask_address) as client:
            return run_experiment(experiment, config, shots, seed, store, save, client)
    if isinstance(experiment, EnsembleExperiment):
        return run_ensemble(experiment, config, shots, seed, store, save, executor=executor)
    experiment.check_size(config)
    times = list(experiment.times())
    circuits = experiment.circuits(AER_TARGET)
    executed = execute(circuits, config, shots, seed, noise_model=experiment.noise_model(),
                       method=experiment.simulation_method(), executor=executor)
    distributions = [experiment.site_distribution(c, r.probabilities, r.counts)
                     for c, r in zip(circuits, executed.results, strict=True)]
    reference = experiment.reference_distributions()
    classical = experiment.classical_distributions()

    observed = [experiment.observables(p) for p in distributions]
    summary: dict[str, Any] = {
        "experiment": experiment.name,
        "params": experiment.spec.as_json(),
        "backend": {**config.summary(), "simulator": executed.backend},
        "shots": "exact" if shots is None else shots,
        "seed": seed,
        "times": times,
        "construction": [c.metadata["construction"] for c in circuits],
        "observables": _series(observed),
        "reference": _series([experiment.observables(p) for p in reference]),
    }
    if classical is not None:
        summary["classical"] = _series([experiment.observables(p) for p in classical])
    errors = None
    if shots is not None:
        # error bars from the exact distribution: unbiased by the sample itself
        summary["observable_errors"] = _series(
            [experiment.observable_errors(q, shots) for q in reference])
        errors = summary["observable_errors"]["sigma"]
    summary["distance"] = distances(distributions, reference, shots)
    summary["fits"] = {"sigma_power_law": sigma_fits(times, summary, errors)}
    summary.update(experiment.extra_results())
    summary["resources"] = [r.stats for r in executed.results]
    summary["run_id"] = new_run_id()
    if save:
        store = store if store is not None else ResultStore()
        store.save_run(
            summary["run_id"], experiment.name, summary["params"], summary["backend"], shots, seed,
            summary,
            [{"label": c.name, "stats": r.stats,
              "data": (r.probabilities.tolist() if r.probabilities is not None
                       else {str(k): v for k, v in (r.counts or {}).items()})}
             for c, r in zip(circuits, executed.results, strict=True)])
    return RunRecord(summary, distributions, reference, classical)
