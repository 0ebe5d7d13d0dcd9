"""Fake and real IBM devices: the backend, transpiling for it, the sampler, local emulation.

The one place that chooses the qiskit-ibm-runtime sampler is :func:`make_sampler`.
qiskit-ibm-runtime 0.50 deprecated ``SamplerV2`` in favour of the client-side
``qiskit_ibm_runtime.executor_sampler.Sampler``; we use the latter.

Fake devices run in the runtime's local testing mode, with one speed-up that
does not change the result: the runtime simulates a transpiled 156-qubit
circuit with the whole device's noise model (about 5 s per circuit), so
we hand it the circuit *compacted* to the qubits it uses, and an
``AerSimulator`` whose noise model is the device's restricted to those
qubits (the same errors, relabelled; 0.1 s per circuit).
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass
from functools import cache
from math import pi
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import RXGate, RZZGate
from qiskit.providers import BackendV2
from qiskit.transpiler import PassManager, Target, generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel

from ..core.errors import QwalkError
from .config import HardwareConfig
from .measure_early import MeasureEarly
from .runner import aer_device_options

IDLE_OPS = ("barrier", "delay")
LAYOUTS = {"default": None, "noise_aware": None, "trivial": "trivial", "dense": "dense",
           "sabre": "sabre"}


def fake_class_name(device: str) -> str:
    """``fake_fez`` -> ``FakeFez`` (the qiskit-ibm-runtime fake_provider class)."""
    return "Fake" + "".join(part.capitalize() for part in device.removeprefix("fake_").split("_"))


@cache
def fake_backend(device: str) -> BackendV2:
    """A fake IBM device by config name (``fake_fez``, ``fake_torino``, ``fake_manila`` ...)."""
    from qiskit_ibm_runtime import fake_provider

    for name in (fake_class_name(device), fake_class_name(device) + "V2"):
        if hasattr(fake_provider, name):
            return getattr(fake_provider, name)()
    raise QwalkError(f"unknown fake device '{device}'; `qwalk backends` lists them")


def twin_of(device: str) -> str:
    """The fake twin of a real device (``ibm_fez`` -> ``fake_fez``), for offline emulation."""
    return "fake_" + device.removeprefix("ibm_")


def device_backend(config: HardwareConfig, service: Any = None) -> BackendV2:
    """The device a config names: a fake one, or a real one from the runtime service
    (its target's :meth:`~.targets.DeviceTarget.lookup`, one try)."""
    from .targets import device_target

    return device_target(config, service).lookup()


@cache
def fractional_target(device: str) -> Target:
    """A fake Heron's target with the fractional gates a real one offers when asked
    (``use_fractional_gates=True``): RZZ(theta), 0 < theta <= pi/2, on every CZ pair
    (with the CZ's error) and RX(theta) on every qubit (with the SX's error).
    Used offline only (resource reports, construction choice); a real device brings
    its own target."""
    target = deepcopy(fake_backend(device).target)
    theta = Parameter("theta")
    target.add_instruction(RZZGate(theta), dict(target["cz"]), angle_bounds=[(0.0, pi / 2)])
    target.add_instruction(RXGate(theta), dict(target["sx"]))
    return target


def pass_manager(backend: BackendV2, config: HardwareConfig) -> Any:
    """The preset pass manager for the device: its native gates (CZ, or RZZ/RX with
    fractional gates), its coupling map, and (level >= 1) Qiskit's VF2 layout
    scoring, which prefers the qubits with the lowest gate and readout errors.
    ``run.measure_early`` runs :class:`.MeasureEarly` first (before layout)."""
    common = {"optimization_level": config.run.optimization_level,
              "layout_method": LAYOUTS[config.run.layout_method],
              "seed_transpiler": config.run.seed}
    fractional = config.backend.fractional_gates and "rzz" not in backend.target.operation_names
    name = backend.name if backend.name.startswith("fake_") else twin_of(backend.name)
    target = fractional_target(name) if fractional else backend.target
    if config.run.measure_early and "if_else" not in target.operation_names:
        raise QwalkError(f"{backend.name} runs no dynamic circuits (no if_else in its "
                         f"target), which run.measure_early needs: set it to false in "
                         f"{config.name}")
    manager = (generate_preset_pass_manager(target=target, **common) if fractional
               else generate_preset_pass_manager(backend=backend, **common))
    if config.run.measure_early:
        # before the preset's own checks (which refuse control flow the target lacks)
        manager.pre_init = (PassManager([MeasureEarly()]) if manager.pre_init is None
                            else PassManager([MeasureEarly()]) + manager.pre_init)
    return manager


def transpile_for_device(circuits: list[QuantumCircuit], backend: BackendV2,
                         config: HardwareConfig) -> list[QuantumCircuit]:
    """ISA circuits for the device (what is submitted, and what `qwalk resources` counts)."""
    manager = pass_manager(backend, config)
    return [manager.run(c) for c in circuits]


def active_qubits(circuit: QuantumCircuit) -> list[int]:
    """Physical qubits a transpiled circuit acts on (idle delays and barriers excluded)."""
    return sorted({circuit.find_bit(q).index for inst in circuit.data
                   if inst.operation.name not in IDLE_OPS for q in inst.qubits})


@dataclass(frozen=True)
class Compacted:
    """A transpiled circuit relabelled onto its active qubits 0..k-1."""

    circuit: QuantumCircuit
    physical: tuple[int, ...]   # compact qubit i is device qubit physical[i]


def compact(circuit: QuantumCircuit) -> Compacted:
    """The circuit on its active qubits only (same gates, same classical bits)."""
    physical = active_qubits(circuit)
    index = {p: i for i, p in enumerate(physical)}
    small = QuantumCircuit(len(physical), name=circuit.name, metadata=dict(circuit.metadata),
                           global_phase=circuit.global_phase)  # parameters may sit there
    for register in circuit.cregs:
        small.add_register(register)
    for inst in circuit.data:
        if inst.operation.name == "delay":
            continue
        positions = [circuit.find_bit(q).index for q in inst.qubits]
        if inst.operation.name == "barrier":  # it may span idle qubits: keep the active ones
            kept = [index[p] for p in positions if p in index]
            if kept:
                small.barrier(kept)
            continue
        small.append(inst.operation, [index[p] for p in positions],
                     [circuit.find_bit(c).index for c in inst.clbits])
    return Compacted(small, tuple(physical))


def expand(circuit: QuantumCircuit, physical: Sequence[int], width: int) -> QuantumCircuit:
    """A compacted circuit back on the device: compact qubit i onto device qubit
    ``physical[i]`` of ``width`` (the inverse of :func:`compact`, idle delays aside)."""
    full = QuantumCircuit(width, name=circuit.name, metadata=dict(circuit.metadata),
                          global_phase=circuit.global_phase)
    for register in circuit.cregs:
        full.add_register(register)
    for inst in circuit.data:
        full.append(inst.operation, [physical[circuit.find_bit(q).index] for q in inst.qubits],
                    [circuit.find_bit(c).index for c in inst.clbits])
    return full


@cache
def device_noise_model(device: str) -> NoiseModel:
    """The full noise model of a fake device (built once per process: seconds)."""
    return NoiseModel.from_backend(fake_backend(device))


FRACTIONAL_ERROR_STAND_INS = {"rzz": "cz", "rx": "sx"}


def restricted_noise_model(device: str, physical: tuple[int, ...]) -> NoiseModel:
    """The device's noise on ``physical`` qubits, relabelled to 0..k-1."""
    full = device_noise_model(device)
    index = {p: i for i, p in enumerate(physical)}
    model = NoiseModel(basis_gates=full.basis_gates)
    local = dict(full._local_quantum_errors)
    # the fake twins carry no errors for the fractional gates: give RZZ the CZ error and
    # RX the SX error of the same qubits, or the emulation of a fractional run is noiseless
    for fractional, native in FRACTIONAL_ERROR_STAND_INS.items():
        if fractional not in local and native in local:
            local[fractional] = local[native]
    for name, errors in local.items():
        for qubits, error in errors.items():
            if all(q in index for q in qubits):
                model.add_quantum_error(error, name, [index[q] for q in qubits])
    for qubits, error in full._local_readout_errors.items():
        if all(q in index for q in qubits):
            model.add_readout_error(error, [index[q] for q in qubits])
    return model


def emulator(device: str, physical: tuple[int, ...], seed: int | None, *,
             aer_device: str) -> AerSimulator:
    """Aer with the fake device's noise on the given physical qubits, on ``aer_device``
    (the config's ``aer_device``, no default so that no caller forgets it: GPU for
    registers whose noisy trajectories take hours per circuit on a CPU, BENCHMARKS.md
    §24)."""
    model = restricted_noise_model(device, physical)
    return AerSimulator(noise_model=model, basis_gates=model.basis_gates, seed_simulator=seed,
                        **aer_device_options(aer_device))


def sampler_options(config: HardwareConfig, shots: int, seed: int | None,
                    tags: list[str]) -> dict[str, Any]:
    """Runtime sampler options from the config (DD, twirling, tags, simulator seed)."""
    from .targets import device_target

    target = device_target(config)
    run = config.run
    options: dict[str, Any] = {
        "default_shots": shots,
        # DD needs the device's gate timings, which a local emulator does not have
        "dynamical_decoupling": {"enable": run.dynamical_decoupling
                                 and not target.simulates_locally,
                                 "sequence_type": run.dd_sequence,
                                 # the ISA circuits span the whole device: without this the
                                 # runtime pads every idle, never-used qubit with pulses too
                                 "skip_reset_qubits": True},
        "twirling": {"enable_gates": run.twirling, "enable_measure": run.twirling},
        "environment": {"job_tags": tags},
    }
    if target.simulates_locally:
        options["simulator"] = {"seed_simulator": seed}
    return options


def make_sampler(mode: Any, config: HardwareConfig, shots: int, seed: int | None,
                 tags: list[str]) -> Any:
    """THE sampler for fake and real devices (the one place to change when the API moves).

    ``mode``: a backend (job mode; for fake devices the compact emulator), or a
    ``Batch`` / ``Session`` for real devices.
    """
    from qiskit_ibm_runtime.executor_sampler import Sampler

    return Sampler(mode=mode, options=sampler_options(config, shots, seed, tags))
