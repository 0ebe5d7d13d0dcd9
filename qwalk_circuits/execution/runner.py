"""Run measured circuits on a backend: sampled counts (Sampler V2) or exact probabilities.

One entry point, :func:`execute`; it transpiles once per circuit and records
the transpiled statistics next to each result.  :func:`aer_settings` is the
one place that decides the noise, the simulation method and the optimization
level of an Aer run (``execute``, ``ensemble.execute_ensemble`` and
``timeline`` all call it); :func:`methods_used` reads back the method Aer
actually used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qiskit_aer.library import SaveProbabilities
from qiskit_aer.noise import NoiseModel
from qiskit_aer.primitives import SamplerV2
from tqdm import tqdm  # plain: tqdm.auto warns in notebooks without ipywidgets

from ..core.errors import QwalkError
from .config import HardwareConfig
from .dask_cluster import run_tasks, share
from .deferred_measurement import deferred, needs_deferral
from .resources import circuit_stats

# Aer's native "multiplexer" instruction mishandles a UCGate whose identical
# gates Qiskit simplified away (wrong state, or "qubits don't match
# parameters"); decomposing it first gives the exact gate.
AER_DECOMPOSE = ("multiplexer",)
PROGRESS_MIN_CIRCUITS = 2
SINGLE_THREAD_MAX_STATE_QUBITS = 20  # statevector qubits, or twice the density-matrix qubits
MAX_MARKER_OPTIMIZATION_LEVEL = 0  # level 1 merges away 1-qubit identity markers


@dataclass
class CircuitResult:
    """Outcome of one circuit: ``probabilities`` (exact) or ``counts`` (sampled)."""

    stats: dict[str, Any]
    probabilities: np.ndarray | None = None
    counts: dict[int, int] | None = None


@dataclass
class ExecutionResult:
    """All circuits of one run, with what is needed to reproduce it.

    ``methods`` holds the simulation method Aer reports for each circuit (its
    result metadata ``method``: with ``method = "automatic"`` Aer chooses per
    circuit, e.g. ``stabilizer`` for a Clifford t = 0 circuit); None where Aer
    does not report it (sampled runs go through Sampler V2, which drops the
    per-circuit metadata: there the requested method is recorded, or None for
    ``automatic``).  ``method_used`` summarises them in one string.
    """

    results: list[CircuitResult]
    backend: str
    shots: int | None
    seed: int | None
    extra: dict[str, Any] = field(default_factory=dict)
    methods: list[str | None] = field(default_factory=list)

    @property
    def method_used(self) -> str | None:
        """The method Aer used: one name, several joined by ``+`` (sorted), or None."""
        return summarise_methods(self.methods)


def summarise_methods(methods: list[str | None]) -> str | None:
    """One method name, several distinct ones joined by ``+`` (sorted), None if unknown."""
    known = sorted({m for m in methods if m is not None})
    return "+".join(known) if known else None


def methods_used(data: Any) -> list[str | None]:
    """The ``method`` Aer reports for each experiment of a ``Result`` (None if absent)."""
    return [(r.metadata or {}).get("method") for r in data.results]


DEPHASING_BASIS = ("rz", "sx", "x", "cx")


def dephasing_model(lam: float) -> NoiseModel:
    """The ``noise = "dephasing"`` config model: after every gate, phase damping with
    parameter ``lam`` on each qubit it acts on (gates in the rz, sx, x, cx basis)."""
    from qiskit_aer.noise import phase_damping_error

    error = phase_damping_error(lam)
    model = NoiseModel(basis_gates=list(DEPHASING_BASIS))
    model.add_all_qubit_quantum_error(error, ["rz", "sx", "x"])
    model.add_all_qubit_quantum_error(error.tensor(error), ["cx"])
    return model


def measured_qubits(circuit: QuantumCircuit) -> list[int]:
    """Qubit indices in classical-bit order (bit 0 first) of a circuit's measurements."""
    pairs = {}
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            clbit = circuit.find_bit(instruction.clbits[0]).index
            pairs[clbit] = circuit.find_bit(instruction.qubits[0]).index
    return [pairs[c] for c in sorted(pairs)]


def exact_variant(circuit: QuantumCircuit) -> QuantumCircuit:
    """The circuit with its (final) measurements replaced by a saved probability vector.

    Copied instruction by instruction: ``remove_final_measurements`` goes
    through a DAG and is 3x slower on the large parameterized ensemble templates.  A
    dynamic circuit (measured early, or a qubit measured and used again) is first
    rewritten by deferred measurement (:mod:`.deferred_measurement`): dropping its
    measurements would switch its conditioned gates off.
    """
    if needs_deferral(circuit):
        unitary, holders = deferred(circuit)
        unitary.append(SaveProbabilities(len(holders), label="probabilities"), holders)
        return unitary
    qubits = measured_qubits(circuit)
    exact = circuit.copy_empty_like()
    for instruction in circuit.data:
        if instruction.operation.name != "measure":
            exact._append(instruction)
    exact.append(SaveProbabilities(len(qubits), label="probabilities"), qubits)
    return exact


def exact_variants(circuits: list[QuantumCircuit], noise_model: NoiseModel | None
                   ) -> list[QuantumCircuit]:
    """:func:`exact_variant` of each circuit; a dynamic circuit under a noise model is
    refused: its deferred form adds gates (the ancillas' copies, the controlled blocks)
    that a gate-wide noise model would charge and the circuit does not have."""
    if noise_model is not None and any(needs_deferral(c) for c in circuits):
        raise QwalkError("exact probabilities of a dynamic circuit (mid-circuit "
                         "measurements, conditions) under a noise model are not supported: "
                         "run it with shots, or without the noise model")
    return [exact_variant(c) for c in circuits]


def transpile_for(backend: AerSimulator, circuits: list[QuantumCircuit], optimization_level: int,
                  seed: int | None) -> list[QuantumCircuit]:
    """Transpile for the backend, with a progress bar when there are many circuits."""
    manager = generate_preset_pass_manager(optimization_level, backend=backend,
                                           seed_transpiler=seed)
    prepared = [c.decompose(gates_to_decompose=list(AER_DECOMPOSE))
                if any(name in c.count_ops() for name in AER_DECOMPOSE) else c
                for c in circuits]
    return [manager.run(c) for c in tqdm(prepared, desc="transpiling", unit="circuit",
                                         disable=len(prepared) < PROGRESS_MIN_CIRCUITS or None,
                                         leave=False)]


def threads_for(state_qubits: int) -> int:
    """Aer threads: one for small states (its OpenMP start-up costs more than it saves
    there: 5x slower on an 8-qubit density matrix on 2 cores), all (0) for large ones."""
    return 1 if state_qubits <= SINGLE_THREAD_MAX_STATE_QUBITS else 0


def _labels(circuit: QuantumCircuit, labels: set[str]) -> int:
    return sum(1 for inst in circuit.data if getattr(inst.operation, "label", None) in labels)


def check_markers(originals: list[QuantumCircuit], compiled: list[QuantumCircuit],
                  noise_model: NoiseModel | None) -> None:
    """The transpiler must keep every noise marker, or the noise would silently vanish."""
    if noise_model is None:
        return
    labels = set(noise_model.noise_instructions)
    for before, after in zip(originals, compiled, strict=True):
        if _labels(before, labels) != _labels(after, labels):
            raise RuntimeError(f"transpiling {before.name} dropped noise markers {labels}")


@dataclass(frozen=True)
class AerSettings:
    """How an Aer run simulates: the method asked for, the noise model applied (the
    experiment's, or the config's ``noise = "dephasing"`` one) and the optimization level
    (capped at MAX_MARKER_OPTIMIZATION_LEVEL under noise, so markers survive)."""

    method: str
    noise_model: NoiseModel | None
    optimization_level: int
    noise_source: str  # "none" | "experiment" (given) | "config" (noise = "dephasing")
    device: str = "CPU"  # where Aer simulates (the config's aer_device)

    def options(self, state_qubits: int, **extra: Any) -> dict[str, Any]:
        """AerSimulator options for circuits of ``state_qubits`` qubits (threads as
        :func:`threads_for`; ``extra`` added or overriding)."""
        factor = 2 if self.method == "density_matrix" else 1
        options: dict[str, Any] = {"method": self.method,
                                   "max_parallel_threads": threads_for(state_qubits * factor)}
        if self.noise_model is not None:
            options["noise_model"] = self.noise_model
        if self.device != "CPU":
            options.update(aer_device_options(self.device))
        options.update(extra)
        return options


def aer_settings(config: HardwareConfig, shots: int | None,
                 noise_model: NoiseModel | None = None, method: str | None = None
                 ) -> AerSettings:
    """The noise, method and optimization level of an Aer run, shared by every Aer path.

    ``method`` overrides the config's; without a ``noise_model`` the config's
    ``noise = "dephasing"`` model applies.  Exact probabilities (``shots=None``)
    under noise need the density_matrix method: anything else is refused with a
    one-line :class:`QwalkError` saying what to do, never run without the noise.
    """
    method = method or config.backend.method
    source = "experiment" if noise_model is not None else "none"
    if noise_model is None and config.backend.noise == "dephasing":
        noise_model = dephasing_model(config.backend.dephasing_lambda)
        source = "config"
    if noise_model is not None and shots is None and method != "density_matrix":
        raise QwalkError(f"exact probabilities under noise need the density_matrix method "
                         f"(got {method}); use the density_matrix method or give --shots N "
                         "to sample noisy trajectories")
    level = config.run.optimization_level
    if noise_model is not None:
        level = min(level, MAX_MARKER_OPTIMIZATION_LEVEL)
    device = config.backend.aer_device
    if device != "CPU":
        aer_device_options(device)  # no GPU build, or no GPU: one line, before any work
    return AerSettings(method, noise_model, level, source, device)


GPU_HINT = ("the installed qiskit-aer has no GPU: pip install qiskit-aer-gpu "
            "(it replaces qiskit-aer)")


def aer_device_options(device: str) -> dict[str, Any]:
    """AerSimulator options for ``device`` (``"CPU"`` or ``"GPU"``, any case).

    ``"GPU"`` needs a GPU build of Aer (``pip install qiskit-aer-gpu``, which
    replaces ``qiskit-aer``) and a visible GPU: a one-line :class:`QwalkError`
    says so when ``AerSimulator().available_devices()`` has none.
    """
    name = device.upper()
    if name not in ("CPU", "GPU"):
        raise QwalkError(f"unknown Aer device {device!r}; use CPU or GPU")
    if name == "GPU" and "GPU" not in AerSimulator().available_devices():
        raise QwalkError(GPU_HINT)
    return {"device": name}


@cache
def aer_seed_stride() -> int:
    """Aer seeds experiment j of a run ``seed_simulator + j * stride`` (2113 in Aer 0.18).

    Read from a two-circuit run (a few ms, once) rather than hard-coded, so a
    circuit run alone gets exactly the seed it has inside the whole batch.
    """
    probe = QuantumCircuit(1, 1)
    probe.measure(0, 0)
    data = AerSimulator().run([probe, probe], shots=1, seed_simulator=0).result()
    return int(data.results[1].seed_simulator) - int(data.results[0].seed_simulator)


def _run_exact_block(circuits: list[QuantumCircuit], options: dict[str, Any],
                     seed: int | None) -> list[tuple[np.ndarray, str | None]]:
    data = AerSimulator(**options).run(circuits, shots=1, seed_simulator=seed).result()
    return [(np.asarray(data.data(i)["probabilities"], dtype=float), method)
            for i, method in zip(range(len(circuits)), methods_used(data), strict=True)]


def _run_sampled_block(circuits: list[QuantumCircuit], shots: int, seed: int | None,
                       options: dict[str, Any]) -> list[dict[int, int]]:
    sampler = SamplerV2(default_shots=shots, seed=seed, options={"backend_options": options})
    pub_results = sampler.run([(c,) for c in circuits]).result()
    return [dict(getattr(pub.data, c.cregs[0].name).get_int_counts())
            for c, pub in zip(circuits, pub_results, strict=True)]


def _run_blocks(fn: Callable[..., list[Any]], circuits: list[QuantumCircuit],
                seed: int | None, executor: Any, make_args: Callable[..., tuple[Any, ...]]
                ) -> list[Any]:
    """Each circuit as its own Aer run (in turn, with a progress bar on a terminal; or one
    task per circuit on the executor), seeded as that circuit is inside one whole-batch
    run, so the results are the batch's (Aer runs a batch's circuits one after the other
    anyway).  A single circuit without an executor is one plain run."""
    if len(circuits) == 1 and executor is None:
        return fn(*make_args(circuits, seed))
    stride = aer_seed_stride()
    tasks = [make_args([c], None if seed is None else seed + j * stride)
             for j, c in enumerate(circuits)]
    if executor is not None:
        return [out[0] for out in run_tasks(executor, fn, tasks)]
    with tqdm(total=len(tasks), desc="simulating", unit="circuit", leave=False,
              disable=None) as bar:  # None: shown on a terminal only (stderr)
        out = []
        for task in tasks:
            out.append(fn(*task)[0])
            bar.update()
    return out


def execute(circuits: list[QuantumCircuit], config: HardwareConfig, shots: int | None,
            seed: int | None, noise_model: NoiseModel | None = None,
            method: str | None = None, executor: Any = None) -> ExecutionResult:
    """Run measured circuits; ``shots=None`` gives exact probabilities of the measured bits.

    With a ``noise_model`` the channels act on the circuits' labelled markers;
    ``method`` overrides the config's simulation method (``density_matrix``
    for exact noisy probabilities, ``statevector`` for sampled trajectories).
    Noise, method and optimization level come from :func:`aer_settings`.
    ``executor`` (a ``distributed.Client`` or ``concurrent.futures`` executor)
    runs each circuit as one task, with the results of the local run.  The
    method Aer actually used is in the result's ``methods`` / ``method_used``.
    """
    from .targets import require_aer

    require_aer(config, "execute() runs circuits on Aer")
    settings = aer_settings(config, shots, noise_model, method)
    method, noise_model, level = settings.method, settings.noise_model, settings.optimization_level
    prepared = exact_variants(circuits, noise_model) if shots is None else circuits
    options = settings.options(max(c.num_qubits for c in prepared))
    backend = AerSimulator(**options)
    shared = share(executor, options)
    if shots is None:
        compiled = transpile_for(backend, prepared, level, seed)
        check_markers(prepared, compiled, noise_model)
        outcomes = _run_blocks(_run_exact_block, compiled, seed, executor,
                               lambda block, s: (block, shared, s))
        results = [CircuitResult(stats=circuit_stats(c), probabilities=p)
                   for c, (p, _) in zip(compiled, outcomes, strict=True)]
        methods = [m for _, m in outcomes]
    else:
        if shots < 1:
            raise ValueError("shots must be >= 1, or None for exact probabilities")
        compiled = transpile_for(backend, circuits, level, seed)
        check_markers(circuits, compiled, noise_model)
        counts = _run_blocks(_run_sampled_block, compiled, seed, executor,
                             lambda block, s: (block, shots, s, shared))
        results = [CircuitResult(stats=circuit_stats(c), counts=n)
                   for c, n in zip(compiled, counts, strict=True)]
        # Sampler V2 does not pass Aer's per-circuit metadata on: the method asked for
        methods = [None if method == "automatic" else method] * len(results)
    return ExecutionResult(results=results, backend=f"aer_simulator({method})",
                           shots=shots, seed=seed, methods=methods)


def simulate_statevector(circuit: QuantumCircuit, optimization_level: int = 0) -> np.ndarray:
    """Exact final statevector of an unmeasured circuit on Aer (qubit 0 least significant)."""
    backend = AerSimulator(method="statevector")
    prepared = circuit.copy()
    prepared.save_statevector()
    compiled = transpile_for(backend, [prepared], optimization_level, seed=None)[0]
    return np.asarray(backend.run(compiled).result().get_statevector(), dtype=complex)
