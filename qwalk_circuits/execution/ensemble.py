"""Run parameterized circuits over many parameter sets: transpile once, bind R times.

A disorder ensemble (or a quasi-momentum average) is one measured template
per time point and an (R, P) array of parameter values per template, in
``template.parameters`` order.  Each template is transpiled once; the
realisations run in chunks (the progress bar counts them) as Aer
parameter binds (exact probabilities) or as one Sampler V2 PUB with a
parameter array (shots).  Each (template, chunk) samples with its own seed
derived from the run's seed, so a run is reproducible for a given chunk size.
With an ``executor`` (a Dask client) each (template, chunk) is one task on
it, running the same code with the same seed: the same results as locally.
Noise, method and optimization level come from ``runner.aer_settings``, as for
single circuits: the config's ``noise = "dephasing"`` applies to ensembles too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel
from qiskit_aer.primitives import SamplerV2
from tqdm import tqdm

from ..core.errors import QwalkError
from .config import HardwareConfig
from .dask_cluster import run_tasks, share
from .resources import circuit_stats
from .runner import (
    AerSettings,
    CircuitResult,
    aer_settings,
    check_markers,
    exact_variants,
    methods_used,
    summarise_methods,
    transpile_for,
)

CHUNK_REALISATIONS = 32


def _chunks(count: int, size: int) -> list[range]:
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def _check_values(templates: Sequence[QuantumCircuit], values: Sequence[np.ndarray]) -> None:
    for template, array in zip(templates, values, strict=True):
        if array.ndim != 2 or array.shape[1] != template.num_parameters:
            raise ValueError(f"{template.name}: values must be (realisations, "
                             f"{template.num_parameters}), got {array.shape}")


def execute_ensemble(templates: Sequence[QuantumCircuit], values: Sequence[np.ndarray],
                     config: HardwareConfig, shots: int | None, seed: int | None,
                     method: str | None = None, chunk: int = CHUNK_REALISATIONS,
                     executor: Any = None, noise_model: NoiseModel | None = None,
                     report: dict[str, Any] | None = None) -> list[list[CircuitResult]]:
    """results[i][r]: template i bound to values[i][r] (``shots=None``: exact probabilities).

    ``noise_model`` acts on the templates' labelled markers; without one the
    config's ``noise = "dephasing"`` model applies, exactly as in
    ``runner.execute`` (:func:`.runner.aer_settings`: optimization level capped
    so markers survive, markers checked after transpiling, exact probabilities
    under noise refused without the density_matrix method).

    ``report``, when given, is filled in place with what the run actually did:
    ``method`` (the simulation method Aer used, from its result metadata: one
    name, or several joined by ``+`` when ``automatic`` chose per circuit;
    None for sampled ``automatic`` runs, whose Sampler V2 does not report it),
    ``methods`` (per template, the same per member), ``noise`` (``none``,
    ``experiment`` for a given model, ``config`` for the config's) and
    ``optimization_level``.

    ``executor`` (a ``distributed.Client`` or a ``concurrent.futures``
    executor) runs each (template, chunk) as one task; the results equal the
    local run's for the same seed (Aer's own ``executor`` option does nothing
    since qiskit-aer 0.15, see ``dask_cluster``).
    """
    _check_values(templates, values)
    if shots is not None and shots < 1:
        raise QwalkError("shots must be >= 1, or omitted for exact probabilities")
    settings = aer_settings(config, shots, noise_model, method)
    prepared = (exact_variants(list(templates), settings.noise_model) if shots is None
                else list(templates))
    options = settings.options(max(t.num_qubits for t in prepared))
    backend = AerSimulator(**options)
    compiled = transpile_for(backend, prepared, settings.optimization_level, seed)
    check_markers(prepared, compiled, settings.noise_model)
    # the transpiler may drop parameters (a kick right before a measurement, one that only
    # set a global phase): bind by name, not by position
    values = [parameter_columns(c, [p.name for p in t.parameters], v)
              for t, c, v in zip(templates, compiled, values, strict=True)]
    owners = [i for i, array in enumerate(values) for _ in _chunks(len(array), chunk)]

    def tasks() -> Iterator[tuple[Any, ...]]:
        # a generator: with an executor, chunks of template i run while i + 1 is shipped
        for i, (circuit, array) in enumerate(zip(compiled, values, strict=True)):
            stats = circuit_stats(circuit)
            shared = share(executor, circuit)
            for part in _chunks(len(array), chunk):
                child = None if seed is None else int(np.random.SeedSequence(
                    (seed, i, part.start)).generate_state(1)[0])
                yield shared, array[part.start:part.stop], stats, shots, child, options

    total = sum(len(v) for v in values)
    with tqdm(total=total, desc="realisations", unit="real", leave=False,
              disable=total < 2 * chunk or None) as bar:
        outcomes = run_tasks(executor, _run_chunk, tasks(),
                             done=lambda outcome: bar.update(len(outcome[0])))
    results: list[list[CircuitResult]] = [[] for _ in templates]
    methods: list[list[str | None]] = [[] for _ in templates]
    for i, (outcome, used) in zip(owners, outcomes, strict=True):
        results[i] += outcome
        methods[i] += used
    if report is not None:
        report.update(run_report(settings, [m for ms in methods for m in ms], shots))
        report["methods"] = [summarise_methods(ms) for ms in methods]
    return results


def run_report(settings: AerSettings, methods: list[str | None], shots: int | None
               ) -> dict[str, Any]:
    """What an Aer run did: the method Aer used (sampled runs: the one asked for, None for
    ``automatic``), where the noise came from, the optimization level."""
    if shots is not None:
        methods = [None if settings.method == "automatic" else settings.method]
    return {"method": summarise_methods(methods), "noise": settings.noise_source,
            "optimization_level": settings.optimization_level}


def parameter_columns(circuit: QuantumCircuit, names: list[str], values: np.ndarray
                      ) -> np.ndarray:
    """The (members, parameters) values of a template (parameters ``names``) for its
    transpiled circuit, whose parameters are a subset of them, in the circuit's order."""
    index = {name: j for j, name in enumerate(names)}
    return np.asarray(values, dtype=float).reshape(len(values), len(names))[
        :, [index[p.name] for p in circuit.parameters]]


def _run_chunk(circuit: QuantumCircuit, block: np.ndarray, stats: dict[str, Any],
               shots: int | None, seed: int | None, options: dict[str, Any]
               ) -> tuple[list[CircuitResult], list[str | None]]:
    """One (template, chunk): the unit of work, locally or on a Dask worker; the members'
    results and the method Aer used for each (None when sampled: Sampler V2 drops it)."""
    if shots is None:
        return _run_exact(AerSimulator(**options), circuit, block, stats)
    results = _run_sampled(circuit, block, stats, shots, seed, options)
    return results, [None] * len(results)


def _run_exact(backend: AerSimulator, circuit: QuantumCircuit, block: np.ndarray,
               stats: dict[str, Any]) -> tuple[list[CircuitResult], list[str | None]]:
    if circuit.num_parameters == 0:
        bound = [circuit] * len(block)
        data = backend.run(bound, shots=1).result()
    else:
        binds = [{p: block[:, j].tolist() for j, p in enumerate(circuit.parameters)}]
        data = backend.run([circuit], parameter_binds=binds, shots=1).result()
    return ([CircuitResult(stats=stats, probabilities=np.asarray(data.data(r)["probabilities"],
                                                                 dtype=float))
             for r in range(len(block))], methods_used(data)[:len(block)])


def _run_sampled(circuit: QuantumCircuit, block: np.ndarray, stats: dict[str, Any], shots: int,
                 seed: int | None, options: dict[str, Any]) -> list[CircuitResult]:
    sampler = SamplerV2(default_shots=shots, seed=seed, options={"backend_options": options})
    register = circuit.cregs[0].name
    if circuit.num_parameters == 0:  # one independent sample per member, as with parameters
        results = sampler.run([(circuit,)] * len(block)).result()
        return [CircuitResult(stats=stats,
                              counts=dict(getattr(r.data, register).get_int_counts()))
                for r in results]
    result = sampler.run([(circuit, block)]).result()[0]
    bits = getattr(result.data, register)
    return [CircuitResult(stats=stats, counts=dict(bits.get_int_counts(loc=r)))
            for r in range(len(block))]
