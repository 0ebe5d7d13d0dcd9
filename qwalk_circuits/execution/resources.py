"""Transpiled-circuit statistics and the targets a resource report compiles for."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from qiskit import QuantumCircuit
from qiskit.providers import BackendV2
from qiskit.transpiler import CouplingMap, generate_preset_pass_manager

from ..core.errors import QwalkError
from .compiler import Compiler
from .config import HardwareConfig

ABSTRACT_TARGETS = ("all-to-all", "line")
ABSTRACT_BASIS = ("cx", "rz", "sx", "x")


def circuit_stats(circuit: QuantumCircuit) -> dict[str, Any]:
    """Qubits, depth, two-qubit gate count and two-qubit depth of a (transpiled) circuit.

    One pass over the instructions, with Qiskit's depth rules (directives such
    as barriers do not count; clbits are wires): ``QuantumCircuit.depth`` twice
    took a third of an ensemble run on large templates.
    """
    return stats_through(circuit, ())[-1]


def stats_through(circuit: QuantumCircuit, labels: Sequence[str]) -> list[dict[str, Any]]:
    """:func:`circuit_stats` of ``circuit`` up to and including each instruction labelled
    ``labels[i]`` (those instructions are left out of the others' counts and of every
    depth), then of the whole circuit without them: one pass for all."""
    index = {label: i for i, label in enumerate(labels)}
    qubits = {q: i for i, q in enumerate(circuit.qubits)}
    clbits = {c: len(qubits) + i for i, c in enumerate(circuit.clbits)}
    level = [0] * (len(qubits) + len(clbits))
    level_two = [0] * len(level)
    ops: Counter[str] = Counter()
    two = 0
    out: list[dict[str, Any] | None] = [None] * len(labels)

    def snapshot(counted: dict[str, int]) -> dict[str, Any]:
        return {"num_qubits": circuit.num_qubits, "depth": max(level, default=0),
                "two_qubit_gates": two, "two_qubit_depth": max(level_two, default=0),
                "ops": counted}

    for instruction in circuit.data:
        operation = instruction.operation
        label = getattr(operation, "label", None) if index else None
        if label in index:
            counted = dict(ops)
            counted[operation.name] = counted.get(operation.name, 0) + 1
            out[index[label]] = snapshot(counted)
            continue
        ops[operation.name] += 1
        if getattr(operation, "_directive", False):
            continue
        wires = [qubits[q] for q in instruction.qubits] + [clbits[c] for c in instruction.clbits]
        if not wires:
            continue
        depth = max(level[w] for w in wires) + 1
        for w in wires:
            level[w] = depth
        if operation.num_qubits == 2 and operation.name != "measure":
            two += 1
            depth = max(level_two[w] for w in wires) + 1
            for w in wires:
                level_two[w] = depth
    missing = [labels[i] for i, stats in enumerate(out) if stats is None]
    if missing:
        raise RuntimeError(f"transpiling dropped the labelled instructions {missing}")
    return [stats for stats in out if stats is not None] + [snapshot(dict(ops))]


def fake_device(name: str) -> BackendV2:
    """A fake IBM device from qiskit-ibm-runtime's local testing mode."""
    from .devices import fake_backend

    return fake_backend(name)


def device_config(target: str) -> HardwareConfig | None:
    """The hardware config a target names, as `qwalk run --backend TARGET` reads it (so
    `qwalk resources --target fake_fez` transpiles as `qwalk run --backend fake_fez` does,
    and any fake device of qiskit-ibm-runtime gets fake_fez.toml's settings); None for an
    Aer config."""
    from .config import load_config

    try:
        config = load_config(target)
    except QwalkError as exc:
        if "not found" not in str(exc):
            raise  # a config that exists but is broken says so itself
        raise QwalkError(f"unknown target '{target}'; choose {' or '.join(ABSTRACT_TARGETS)}, "
                         "a hardware config or a fake device (`qwalk backends` lists them)"
                         ) from None
    from .targets import make_target

    return config if make_target(config).deferred else None


def transpile_to_target(circuit: QuantumCircuit, target: str | Compiler,
                        optimization_level: int = 2, seed: int = 11) -> QuantumCircuit:
    """Transpile for a target: all-to-all, line (CX + 1q basis), a fake IBM device, a config,
    or a running target's own :class:`.Compiler` (which compiles each circuit once).

    Devices (fake, or real ones through their fake twin: no network here) use
    the pass manager of the device run itself (:func:`.devices.pass_manager`).
    """
    if isinstance(target, Compiler):
        return target.transpile(circuit)
    from .backends import make_backend
    from .config import load_config
    from .devices import fake_backend, pass_manager

    if target == "all-to-all":
        manager = generate_preset_pass_manager(optimization_level, basis_gates=list(ABSTRACT_BASIS),
                                               seed_transpiler=seed)
    elif target == "line":
        manager = generate_preset_pass_manager(
            optimization_level, basis_gates=list(ABSTRACT_BASIS),
            coupling_map=CouplingMap.from_line(circuit.num_qubits), seed_transpiler=seed)
    else:
        config = device_config(target)
        if config is None:
            manager = generate_preset_pass_manager(optimization_level,
                                                   backend=make_backend(load_config(target)),
                                                   seed_transpiler=seed)
        else:
            from .targets import device_target

            manager = pass_manager(fake_backend(device_target(config).twin), config)
    return manager.run(circuit)
