"""Transpiled-circuit statistics and the targets a resource report compiles for."""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from qiskit import QuantumCircuit
from qiskit.providers import BackendV2
from qiskit.transpiler import CouplingMap, generate_preset_pass_manager

from ..errors import QwalkError

ABSTRACT_TARGETS = ("all-to-all", "line")
FAKE_DEVICES = {"fake_fez": "FakeFez", "fake_torino": "FakeTorino",
                "fake_kingston": "FakeKingston"}
TARGET_NAMES = (*ABSTRACT_TARGETS, *FAKE_DEVICES)
ABSTRACT_BASIS = ("cx", "rz", "sx", "x")


def circuit_stats(circuit: QuantumCircuit) -> dict[str, Any]:
    """Qubits, depth, two-qubit gate count and two-qubit depth of a (transpiled) circuit.

    One pass over the instructions, with Qiskit's depth rules (directives such
    as barriers do not count; clbits are wires): ``QuantumCircuit.depth`` twice
    took a third of an ensemble run on large templates.
    """
    qubits = {q: i for i, q in enumerate(circuit.qubits)}
    clbits = {c: len(qubits) + i for i, c in enumerate(circuit.clbits)}
    level = [0] * (len(qubits) + len(clbits))
    level_two = [0] * len(level)
    ops: Counter[str] = Counter()
    two = 0
    for instruction in circuit.data:
        operation = instruction.operation
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
    return {"num_qubits": circuit.num_qubits, "depth": max(level, default=0),
            "two_qubit_gates": two, "two_qubit_depth": max(level_two, default=0),
            "ops": dict(ops)}


@cache
def fake_device(name: str) -> BackendV2:
    """A fake IBM device from qiskit-ibm-runtime's local testing mode."""
    from qiskit_ibm_runtime import fake_provider

    return getattr(fake_provider, FAKE_DEVICES[name])()


def _config_backend(target: str) -> BackendV2:
    """The backend of a hardware config named as a target."""
    from .backends import make_backend
    from .config import load_config

    try:
        config = load_config(target)
    except QwalkError:
        raise QwalkError(f"unknown target '{target}'; choose one of {list(TARGET_NAMES)} "
                         "or a hardware config") from None
    return make_backend(config)


def transpile_to_target(circuit: QuantumCircuit, target: str, optimization_level: int = 2,
                        seed: int = 11) -> QuantumCircuit:
    """Transpile for a target: all-to-all, line (CX + 1q basis), a fake IBM device or a config."""
    if target == "all-to-all":
        manager = generate_preset_pass_manager(optimization_level, basis_gates=list(ABSTRACT_BASIS),
                                               seed_transpiler=seed)
    elif target == "line":
        manager = generate_preset_pass_manager(
            optimization_level, basis_gates=list(ABSTRACT_BASIS),
            coupling_map=CouplingMap.from_line(circuit.num_qubits), seed_transpiler=seed)
    elif target in FAKE_DEVICES:
        manager = generate_preset_pass_manager(optimization_level, backend=fake_device(target),
                                               seed_transpiler=seed)
    else:
        manager = generate_preset_pass_manager(optimization_level,
                                               backend=_config_backend(target),
                                               seed_transpiler=seed)
    return manager.run(circuit)
