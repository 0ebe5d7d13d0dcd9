"""Building a device submission, before anything is stored or sent: pack an experiment's ISA
circuits (or an ensemble's PUBs, or the folded copies zero-noise extrapolation needs) into
jobs, each with the readout calibrations of the qubits it measures.

The submission (:mod:`.device_submission`) and the dry run (:mod:`..device_plan`) both build
here, so the circuits a dry run reports are the ones a submission sends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterExpression

from ..core.errors import QwalkError
from .config import HardwareConfig
from .devices import compact
from .ensemble import parameter_columns
from .folding import fold_two_qubit_gates
from .jobs import job_limit, pack_jobs
from .measure_early import idle_notes, readout_idle_dephasing
from .mitigation import calibration_circuits
from .qpy_text import qpy_text
from .resources import circuit_stats
from .targets import DeviceTarget, device_target

FRACTIONAL = ("rzz", "rx")


def _bit_qubits(circuit: QuantumCircuit) -> list[int]:
    """Compact qubit read into each clbit (clbit order)."""
    pairs = {circuit.find_bit(i.clbits[0]).index: circuit.find_bit(i.qubits[0]).index
             for i in circuit.data if i.operation.name == "measure"}
    return [pairs[c] for c in sorted(pairs)]


def _info(logical: QuantumCircuit, isa: QuantumCircuit, small: Any) -> dict[str, Any]:
    return {"label": logical.name, "role": "circuits", "metadata": json.loads(json.dumps(
        logical.metadata, default=str)), "physical": list(small.physical),
        "stats": circuit_stats(isa), "creg": isa.cregs[0].name,
        "bits": _bit_qubits(small.circuit), "qpy": qpy_text(small.circuit)}


def foldable_scales(isa: QuantumCircuit, scales: list[int]) -> list[int]:
    """The noise scales a circuit is sent at: every one, or only 1 when it has no two-qubit
    gate to fold (the folded copies would be the same circuit: shots paid for nothing)."""
    return scales if circuit_stats(isa)["two_qubit_gates"] else [1]


def folded_submission(logical: list[QuantumCircuit], isa: list[QuantumCircuit],
                      scales: list[int], full_width: bool
                      ) -> tuple[list[dict[str, Any]], list[QuantumCircuit]]:
    """Zero-noise extrapolation: each time's ISA circuit at every noise scale (its
    two-qubit gates folded, ``execution/folding.py``), one after another so that a job
    holds a time's scales together; each info carries ``time_index`` and
    ``noise_scale``.  A circuit with no two-qubit gate (t = 0) has nothing to fold: it is
    sent once, at scale 1, and its zero-noise value is that one."""
    infos: list[dict[str, Any]] = []
    submitted: list[QuantumCircuit] = []
    for t, (circuit, unfolded) in enumerate(zip(logical, isa, strict=True)):
        for scale in foldable_scales(unfolded, scales):
            folded = unfolded if scale == 1 else fold_two_qubit_gates(unfolded, scale)
            small = compact(folded)
            infos.append({**_info(circuit, folded, small), "time_index": t,
                          "noise_scale": scale})
            submitted.append(folded if full_width else small.circuit)
    return infos, submitted


def ensemble_submission(members: Any, logical: list[QuantumCircuit], isa: list[QuantumCircuit],
                        size: int, scales: list[int] | None, full_width: bool
                        ) -> tuple[list[dict[str, Any]], list[QuantumCircuit],
                                   list[np.ndarray | None]]:
    """An ensemble's PUBs: each time's template (at every noise scale, with ZNE) with its
    members' parameter sets, ``size`` per PUB; a folded template's infos carry
    ``noise_scale``."""
    infos: list[dict[str, Any]] = []
    submitted: list[QuantumCircuit] = []
    values: list[np.ndarray | None] = []
    for t, (c, unfolded) in enumerate(zip(logical, isa, strict=True)):
        array = np.asarray(members.template_values(t, c), dtype=float)
        names = [p.name for p in c.parameters]
        for scale in ([None] if scales is None else
                      list[int | None](foldable_scales(unfolded, scales))):
            i = unfolded if scale in (None, 1) else fold_two_qubit_gates(unfolded, scale)
            k = compact(i)
            circuit = i if full_width else k.circuit
            extra = {} if scale is None else {"noise_scale": scale}
            # a circuit left without parameters goes once per member (the runtime's local
            # sampler takes a (circuit, (m, 0) array) PUB as one shot per member)
            step = size if circuit.num_parameters else 1
            for start in range(0, len(array), step):
                part = array[start:start + step]
                infos.append({**_info(c, i, k), "template": t,
                              "members": [start, start + len(part)], "parameters": names,
                              "values": part.tolist(), "array": bool(circuit.num_parameters),
                              **extra})
                submitted.append(circuit)
                values.append(parameter_columns(circuit, names, part) if circuit.num_parameters
                              else None)
    return infos, submitted, values


#: circuits each job spends on the readout calibration of each qubit set it measures
CALIBRATION_CIRCUITS = 2


def job_capacity(config: HardwareConfig, shots: int) -> int:
    """Circuits (PUB rows) one job may hold (its circuit and shot limits), checked to
    leave room for at least one circuit beside a readout calibration."""
    if shots > config.jobs.max_shots_per_job:
        raise QwalkError(f"{shots} shots exceed max_shots_per_job = "
                         f"{config.jobs.max_shots_per_job}; lower the shots")
    limit = job_limit(config, shots)
    if config.run.readout_mitigation and limit <= CALIBRATION_CIRCUITS:
        raise QwalkError(
            f"a job holds at most {limit} circuits of {shots} shots (max_circuits_per_job, "
            f"max_shots_per_job), and readout mitigation puts {CALIBRATION_CIRCUITS} "
            "calibration circuits in every job beside the circuits they correct: raise the "
            "limits, lower the shots, or set readout_mitigation = false")
    return limit


def members_per_pub(config: HardwareConfig, shots: int) -> int:
    """Parameter sets of one PUB: a job's capacity, less its readout calibration."""
    reserve = CALIBRATION_CIRCUITS if config.run.readout_mitigation else 0
    return job_capacity(config, shots) - reserve


def plan_with_calibration(infos: list[dict[str, Any]], submitted: list[QuantumCircuit],
                          values: list[np.ndarray | None] | None, config: HardwareConfig,
                          shots: int, width: int) -> list[list[int]]:
    """Pack the circuits into jobs and, with readout mitigation, append to every job the
    calibration pair of each qubit set it measures (readout drifts between jobs on a
    device: a calibration corrects the circuits it ran beside).  Extends ``infos``,
    ``submitted`` and ``values`` in place; every info gets its job number ``job``."""
    physical = [tuple(info["physical"]) for info in infos]
    weights = [1 if values is None or v is None else len(v) for v in
               (values if values is not None else [None] * len(infos))]
    reserve = CALIBRATION_CIRCUITS if config.run.readout_mitigation else 0
    plan = pack_jobs(range(len(infos)), physical, job_capacity(config, shots), weights,
                     reserve)
    on_device = device_target(config).sends_full_width
    for job, part in enumerate(plan):
        for i in part:
            infos[i]["job"] = job
        if not reserve:
            continue
        for qubits in dict.fromkeys(physical[i] for i in part):
            for cal in calibration_circuits(width if on_device else len(qubits),
                                            list(qubits) if on_device else range(len(qubits))):
                part.append(len(infos))
                infos.append({"label": cal.name, "role": "calibration", "metadata": {},
                              "physical": list(qubits), "stats": {}, "creg": "c", "bits": [],
                              "qpy": "", "job": job})
                submitted.append(cal)
                if values is not None:
                    values.append(None)
    return plan


@dataclass
class BuiltSubmission:
    """What a submission sends, built before anything is stored or sent (a dry run stops
    here): per circuit its ledger info (``job`` number, ISA ``stats``, compacted QPY), the
    circuits as sent, their PUB parameter arrays (ensembles) and the job plan."""

    infos: list[dict[str, Any]]
    submitted: list[QuantumCircuit]
    values: list[np.ndarray | None] | None
    plan: list[list[int]]
    backend: Any
    isa: list[QuantumCircuit]

    @property
    def physical(self) -> list[tuple[int, ...]]:
        return [tuple(info["physical"]) for info in self.infos]


def build_submission(experiment: Any, config: HardwareConfig, shots: int,
                     target: DeviceTarget) -> BuiltSubmission:
    """Transpile and pack the experiment's circuits (or an ensemble's PUBs) into jobs.

    The circuits are priced (``auto``) and compiled by ``target``'s one compiler (the
    run's own pass manager), so the ISA circuit chosen is the one sent.  An ensemble
    experiment's templates are transpiled once each (parameters kept) and sent as PUBs
    ``(circuit, values)`` with one parameter set per member, split only where the job
    limits demand it."""
    experiment.check_size(config)
    backend = target.backend
    ensemble = experiment.is_ensemble
    members: Any = experiment  # an EnsembleExperiment when ``ensemble``
    compiler = target.compiler
    logical = members.templates(compiler) if ensemble else experiment.circuits(compiler)
    isa = [compiler.transpile(c) for c in logical]
    if ensemble and any(isinstance(inst.operation.params[0], ParameterExpression)
                        for c in isa for inst in c.data if inst.operation.name in FRACTIONAL):
        raise QwalkError("a fractional gate (RZZ/RX) kept a parameter, whose bound values "
                         "could leave the device's angle range; use a config without "
                         "fractional gates for this ensemble")
    values: list[np.ndarray | None] | None = None
    scales = config.run.zne_scales
    if ensemble:
        infos, submitted, values = ensemble_submission(
            members, logical, isa, members_per_pub(config, shots), scales,
            target.sends_full_width)
    elif scales is not None:
        infos, submitted = folded_submission(logical, isa, scales, target.sends_full_width)
    else:
        compacted = [compact(c) for c in isa]
        infos = [_info(c, i, k) for c, i, k in zip(logical, isa, compacted, strict=True)]
        submitted = list(isa) if target.sends_full_width else [k.circuit for k in compacted]
    notes = [*experiment.layout_notes(isa, backend),
             *idle_notes([readout_idle_dephasing(c, backend) for c in isa])]
    if notes:  # kept with the first measured circuit: the run's summary warns with them
        next(info for info in infos if info["role"] == "circuits")["notes"] = notes
    plan = plan_with_calibration(infos, submitted, values, config, shots, backend.num_qubits)
    return BuiltSubmission(infos, submitted, values, plan, backend, isa)


def submission_notes(infos: list[dict[str, Any]]) -> list[str]:
    """What the submission's circuits say about themselves on this device (a routed chain,
    the idle cost of measuring early): the dry run's notes and the finished run's
    warnings."""
    return [note for info in infos for note in info.get("notes", [])]
