"""Simulate each template once: exact probabilities of every measured time from one Aer run.

A run measuring M times of a T-step walk as M circuits simulates about
M T / 2 steps; a timeline (``circuits/timeline.py``) is one unmeasured
circuit with a labelled, non-destructive ``save_probabilities`` after each
measured time, so Aer simulates T steps once.  Exact mode only (``shots=None``:
statevector, or density matrix under noise); sampled runs keep one measured
circuit per time (sampling from the saved probabilities would change seeded
sampled results).

- :func:`execute_timeline`: one circuit, one result per time.
- :func:`execute_ensemble_timeline`: one parameterized template, every
  member's binds in one Aer run per chunk (``parameter_binds`` lists); how
  Aer spreads them is ``binding`` (:data:`BINDINGS`, measured in
  ``benchmarks/bench_timeline.py``): by default Aer's runtime binding, all the
  chunk's members in one batched experiment on every thread; or one
  experiment per member with the threads across members
  (``max_parallel_experiments``) rather than inside their small states; or
  one thread, one member after the other.  A progress bar counts the members;
  with an ``executor`` (Dask, ``concurrent.futures``) each chunk is one task,
  and the results are those of the local run.  results[time][member].
- :func:`execute_packed_timeline`: an ensemble whose experiment can hold a
  chunk of members in one state (``EnsembleExperiment.timeline_members``: a
  member register labels them, e.g. one diagonal per step holds every
  member's disorder phases): one circuit per chunk and no binding, for
  noiseless runs; about 10x faster than binding members one by one into
  Gray-code chains (``benchmarks/bench_timeline.py``).
- :func:`simulate_exact`: the one call for an Aer target: an experiment's
  timeline (``Experiment.timeline``) or template
  (``EnsembleExperiment.timeline_template``), run with the experiment's noise
  and method; None where the experiment has none, or where its timeline is
  not a prefix of the per-time circuits and the noise is gate-level (the
  config's ``noise = "dephasing"``): the extra frame changes would be noisy.

Results are shaped as ``runner.execute`` / ``ensemble.execute_ensemble``
give them: a :class:`CircuitResult` per time (per member), ``probabilities``
in the register labelling of the experiment's per-time circuit i (the
timeline's ``relabel`` applied), and ``stats`` the ISA statistics of the
transpiled timeline up to and including save i (earlier saves left out: the
shape ``circuit_stats`` gives a per-time circuit).  They count the gates
actually simulated to reach time i -- for a Fourier-frame timeline that
includes the QFT pairs of the earlier saves -- not the per-time circuit's
cost; a device compiles per-time circuits.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel
from tqdm import tqdm

from ..circuits.timeline import Timeline
from .config import HardwareConfig
from .dask_cluster import run_tasks, share
from .ensemble import CHUNK_REALISATIONS, parameter_columns, run_report
from .resources import stats_through
from .runner import (
    AerSettings,
    CircuitResult,
    ExecutionResult,
    aer_settings,
    check_markers,
    methods_used,
    summarise_methods,
    transpile_for,
)
from .targets import require_aer

PROGRESS_MIN_MEMBERS = 2 * CHUNK_REALISATIONS
#: how a chunk's parameter binds run on Aer -> the AerSimulator options that do it
BINDINGS: dict[str, dict[str, Any]] = {
    "runtime": {"runtime_parameter_bind_enable": True, "max_parallel_threads": 0},
    "experiments": {"max_parallel_threads": 0, "max_parallel_experiments": 0,
                    "max_parallel_shots": 1},
    "serial": {},
}


def prefix_stats(circuit: QuantumCircuit, labels: Sequence[str]) -> list[dict[str, Any]]:
    """``circuit_stats`` of ``circuit`` up to and including each save ``labels[i]``, the
    other saves left out, in one pass (the shape a per-time circuit's stats have)."""
    try:
        return stats_through(circuit, labels)[:-1]
    except RuntimeError as lost:
        raise RuntimeError(f"transpiling dropped saves: {lost}") from None


def _relabelled(probabilities: np.ndarray, roll: int) -> np.ndarray:
    return np.roll(probabilities, roll) if roll else probabilities


def gate_level_noise(noise_model: NoiseModel | None, circuit: QuantumCircuit) -> bool:
    """True when the noise acts on gates (not only on the circuit's labelled markers)."""
    if noise_model is None:
        return False
    labels = {getattr(inst.operation, "label", None) for inst in circuit.data}
    return bool(set(noise_model.noise_instructions) - labels)


def _compile(timeline: Timeline, settings: AerSettings, seed: int | None,
             binding: str = "serial") -> tuple[QuantumCircuit, dict[str, Any]]:
    if binding not in BINDINGS:
        raise ValueError(f"binding must be one of {sorted(BINDINGS)}, got {binding!r}")
    options = settings.options(timeline.circuit.num_qubits, **BINDINGS[binding])
    (compiled,) = transpile_for(AerSimulator(**options), [timeline.circuit],
                                settings.optimization_level, seed)
    check_markers([timeline.circuit], [compiled], settings.noise_model)
    # only probabilities are saved: a (parameterized) global phase changes none of them, and
    # Aer's runtime binding fails on one ("instruction param position out of range")
    compiled.global_phase = 0.0
    return compiled, options


def _run_timeline(circuit: QuantumCircuit, labels: list[str], options: dict[str, Any],
                  seed: int | None) -> tuple[list[np.ndarray], str | None]:
    """One timeline circuit: the unit of work, locally or on a Dask worker."""
    data = AerSimulator(**options).run([circuit], shots=1, seed_simulator=seed).result()
    return ([np.asarray(data.data(0)[label], dtype=float) for label in labels],
            methods_used(data)[0])


def execute_timeline(timeline: Timeline, config: HardwareConfig, seed: int | None,
                     noise_model: NoiseModel | None = None, method: str | None = None,
                     executor: Any = None) -> ExecutionResult:
    """Exact probabilities at every save of one timeline, from one Aer run.

    Noise, method and optimization level as ``runner.execute`` with
    ``shots=None`` (:func:`.runner.aer_settings`: the config's noise applies
    without a ``noise_model``, noise needs the density_matrix method).
    ``results[i]`` is time i (see the module doc for its probabilities and
    stats); ``methods`` the method Aer used, once per time.  ``executor``
    runs the circuit as one task there.
    """
    require_aer(config, "timelines are for Aer (a device runs one measured circuit per "
                "time)")
    settings = aer_settings(config, None, noise_model, method)
    compiled, options = _compile(timeline, settings, seed)
    stats = prefix_stats(compiled, timeline.labels)
    shared = share(executor, compiled)
    (outcome,) = run_tasks(executor, _run_timeline, [(shared, timeline.labels, options, seed)])
    probabilities, used = outcome
    results = [CircuitResult(stats=s, probabilities=_relabelled(p, roll))
               for s, p, roll in zip(stats, probabilities, timeline.relabel, strict=True)]
    return ExecutionResult(results=results, backend=f"aer_simulator({settings.method})",
                           shots=None, seed=seed, methods=[used] * len(results),
                           extra={"timeline": timeline.construction,
                                  "noise": settings.noise_source})


def _run_members(circuit: QuantumCircuit, labels: list[str], block: np.ndarray,
                 options: dict[str, Any], seed: int | None
                 ) -> tuple[list[list[np.ndarray]], list[str | None]]:
    """One chunk of members of a timeline template: [member][time] probabilities."""
    backend = AerSimulator(**options)
    if circuit.num_parameters == 0:
        data = backend.run([circuit] * len(block), shots=1, seed_simulator=seed).result()
    else:
        binds = [{p: block[:, j].tolist() for j, p in enumerate(circuit.parameters)}]
        data = backend.run([circuit], parameter_binds=binds, shots=1,
                           seed_simulator=seed).result()
    return ([[np.asarray(data.data(r)[label], dtype=float) for label in labels]
             for r in range(len(block))], methods_used(data)[:len(block)])


def execute_ensemble_timeline(timeline: Timeline, values: np.ndarray, config: HardwareConfig,
                              seed: int | None, noise_model: NoiseModel | None = None,
                              method: str | None = None, chunk: int = CHUNK_REALISATIONS,
                              executor: Any = None, report: dict[str, Any] | None = None,
                              binding: str | None = None) -> list[list[CircuitResult]]:
    """results[i][r]: time i of member r, the template bound to ``values[r]``.

    ``values`` is (members, parameters) in ``timeline.circuit.parameters``
    order: one table for all times.  The template is transpiled once; each
    chunk of ``chunk`` members is one Aer run with their parameter binds (one
    task on ``executor``), seeded like ``execute_ensemble``'s chunks.
    ``binding`` (a key of :data:`BINDINGS`; default ``runtime`` for a
    parameterized template with several members, else ``serial``) is how Aer
    runs a chunk's binds.  ``report`` is filled as by ``execute_ensemble``
    (``method``, ``noise``, ``optimization_level``; ``methods`` per time) plus
    ``timeline`` and ``binding``.
    """
    require_aer(config, "timelines are for Aer (a device runs one measured circuit per "
                "time)")
    template = timeline.circuit
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] != template.num_parameters:
        raise ValueError(f"{template.name}: values must be (members, "
                         f"{template.num_parameters}), got {values.shape}")
    settings = aer_settings(config, None, noise_model, method)
    if binding is None:
        several = chunk > 1 and len(values) > 1
        binding = "runtime" if several and template.num_parameters else "serial"
    compiled, options = _compile(timeline, settings, seed, binding)
    stats = prefix_stats(compiled, timeline.labels)
    columns = parameter_columns(compiled, [p.name for p in template.parameters], values)
    parts = [range(start, min(start + chunk, len(values)))
             for start in range(0, len(values), chunk)]
    labels = timeline.labels

    def tasks() -> Iterator[tuple[Any, ...]]:
        shared = share(executor, compiled)
        for part in parts:
            child = None if seed is None else int(np.random.SeedSequence(
                (seed, 0, part.start)).generate_state(1)[0])
            yield shared, labels, columns[part.start:part.stop], options, child

    with tqdm(total=len(values), desc="members", unit="member", leave=False,
              disable=len(values) < PROGRESS_MIN_MEMBERS or None) as bar:
        outcomes = run_tasks(executor, _run_members, tasks(),
                             done=lambda outcome: bar.update(len(outcome[0])))
    per_member = [row for rows, _ in outcomes for row in rows]
    methods = [m for _, used in outcomes for m in used]
    if report is not None:
        report.update(run_report(settings, methods, None))
        report["methods"] = [summarise_methods(methods)] * len(labels)
        report["timeline"] = timeline.construction
        report["binding"] = binding
    return [[CircuitResult(stats=stats[i], probabilities=_relabelled(row[i], roll))
             for row in per_member]
            for i, roll in enumerate(timeline.relabel)]


def _run_timelines(circuits: list[QuantumCircuit], labels: list[str], options: dict[str, Any],
                   seed: int | None) -> list[tuple[list[np.ndarray], str | None]]:
    """Several timeline circuits in one Aer run (threads across them): the unit of work."""
    data = AerSimulator(**options).run(circuits, shots=1, seed_simulator=seed).result()
    return [([np.asarray(data.data(j)[label], dtype=float) for label in labels], method)
            for j, method in enumerate(methods_used(data))]


def execute_packed_timeline(timeline: Timeline, members: int, config: HardwareConfig,
                            seed: int | None, method: str | None = None,
                            chunk: int | None = None, executor: Any = None,
                            report: dict[str, Any] | None = None, group: int | None = None
                            ) -> list[list[CircuitResult]]:
    """results[i][r]: time i of member r, from circuits that each hold a chunk of members.

    ``timeline`` is a packed skeleton (``EnsembleExperiment.timeline_members``):
    transpiled once, then ``timeline.template.fill`` puts each chunk of up to
    ``timeline.members`` members (``chunk``, default that) into it.  Noiseless only
    (a config with noise is refused: bind members with
    :func:`execute_ensemble_timeline`).  Without an ``executor`` ``group`` chunks
    (default: the CPU count) run as one Aer run, one thread each
    (``max_parallel_experiments``); with one, each chunk is one task.  ``stats``
    are those of a chunk's packed circuit (member qubits included) up to each save.
    """
    require_aer(config, "timelines are for Aer (a device runs one measured circuit per "
                "time)")
    settings = aer_settings(config, None, None, method)
    if settings.noise_model is not None:
        raise ValueError("packed members are for noiseless runs; bind them with "
                         "execute_ensemble_timeline under noise")
    chunk = min(chunk or timeline.members, timeline.members)
    group = 1 if executor is not None else max(1, group or os.cpu_count() or 1)
    compiled, options = _compile(timeline, settings, seed)
    if group > 1:
        options.update(BINDINGS["experiments"])
    size = 1 << timeline.member_qubits
    parts = [range(start, min(start + chunk, members)) for start in range(0, members, chunk)]
    batches = [parts[j:j + group] for j in range(0, len(parts), group)]
    stats: list[list[dict[str, Any]]] = []

    def tasks() -> Iterator[tuple[Any, ...]]:
        for batch in batches:
            filled = [timeline.template.fill(compiled, part) for part in batch]
            if not stats:
                stats.append(prefix_stats(filled[0], timeline.labels))
            child = None if seed is None else int(np.random.SeedSequence(
                (seed, 0, batch[0].start)).generate_state(1)[0])
            yield share(executor, filled), timeline.labels, options, child

    finished = iter(batches)
    with tqdm(total=members, desc="members", unit="member", leave=False,
              disable=members < PROGRESS_MIN_MEMBERS or None) as bar:
        outcomes = run_tasks(executor, _run_timelines, tasks(),
                             done=lambda _: bar.update(sum(len(p) for p in next(finished))))
    results: list[list[CircuitResult]] = [[] for _ in timeline.labels]
    methods = []
    for batch, outcome in zip(batches, outcomes, strict=True):
        for part, (probabilities, used) in zip(batch, outcome, strict=True):
            methods.append(used)
            for i, (p, roll) in enumerate(zip(probabilities, timeline.relabel, strict=True)):
                joint = p.reshape(size, -1)[:len(part)] * size  # P_m(x) of each member m
                results[i] += [CircuitResult(stats=stats[0][i],
                                             probabilities=_relabelled(row, roll))
                               for row in joint]
    if report is not None:
        report.update(run_report(settings, methods, None))
        report["methods"] = [summarise_methods(methods)] * len(results)
        report["timeline"] = timeline.construction
        report["binding"] = "packed"
    return results


def simulate_exact(experiment: Any, config: HardwareConfig, seed: int | None,
                   executor: Any = None, report: dict[str, Any] | None = None,
                   chunk: int = CHUNK_REALISATIONS
                   ) -> list[CircuitResult] | list[list[CircuitResult]] | None:
    """Exact probabilities of every measured time of ``experiment`` from its timeline.

    A plain experiment gives one :class:`CircuitResult` per time (as
    ``execute(experiment.circuits(...), config, None, ...).results``), an
    ensemble results[time][member] (as ``execute_ensemble``); None when the
    experiment has no timeline (``Experiment.timeline`` /
    ``EnsembleExperiment.timeline_template`` returned None), or when the
    noise acts on gates and the timeline is not gate for gate a prefix of the
    per-time circuits -- then run those as before.  The experiment's own noise
    model and simulation method are used, as ``run_experiment`` does.
    ``report`` is filled with ``method`` (what Aer used), ``noise``,
    ``optimization_level``, ``methods``, ``timeline`` (the construction) and
    ``site_offsets`` (the ``site_offset`` each time's relabelled probabilities are read
    with, as the per-time circuit's metadata would give it).
    """
    noise_model = experiment.noise_model()
    method = experiment.simulation_method()
    ensemble = experiment.is_ensemble
    settings = aer_settings(config, None, noise_model, method)
    if ensemble and settings.noise_model is None:
        members = experiment.realisations()
        packed = experiment.timeline_members(min(chunk, members))
        if packed is not None:
            if report is not None:
                report["site_offsets"] = list(packed.site_offsets)
            return execute_packed_timeline(packed, members, config, seed, method, chunk,
                                           executor, report)
    timeline = experiment.timeline_template() if ensemble else experiment.timeline()
    if timeline is None:
        return None
    if gate_level_noise(settings.noise_model, timeline.circuit) and not timeline.prefix:
        return None
    if report is not None:
        report["site_offsets"] = list(timeline.site_offsets)
    if ensemble:
        values = experiment.timeline_values(timeline)
        return execute_ensemble_timeline(timeline, values, config, seed, noise_model, method,
                                         chunk, executor, report)
    executed = execute_timeline(timeline, config, seed, noise_model, method, executor)
    if report is not None:
        report.update({"method": executed.method_used, "noise": executed.extra["noise"],
                       "optimization_level": settings.optimization_level,
                       "methods": executed.methods, "timeline": timeline.construction})
    return executed.results
