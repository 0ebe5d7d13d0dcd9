"""What a run will cost, from its spec and config alone, and the limits it must respect.

:func:`estimate_work` counts, before any circuit or reference is built (it builds the
experiment's circuit for one and two steps only, ``Experiment.step_circuit``, to count the
gates per step):

- **circuits**: what the simulator or device runs: one timeline (exact Aer runs), or one
  circuit per measured time; an ensemble's members (``realisations()``: disorder draws,
  quasi-momenta, kick trajectories) each count;
- **gates**: instructions of the circuits as built and held in memory (steps x gates per
  step + the fixed preparation; a device's transpiled circuit is a few times longer);
  **gate applications**: gates x members, what is simulated;
- **memory** (bytes, at the peak): the circuits as built, compiled and handed to Aer
  (``BYTES_PER_GATE`` per instruction plus ``BYTES_PER_PARAMETER`` per gate parameter,
  measured on this package's runs), the simulator's states (statevector 16 2^n bytes,
  density matrix 16 4^n, one per circuit simulated at once), the saved probabilities, and
  the exact reference (``Experiment.reference_bytes``: dense density matrices, stored
  distributions);
- **reference steps**: steps the exact solvers iterate (``Experiment.reference_steps``);
- **stored** bytes: the outcome rows written to the result store;
- **seconds**: a rough guide (calibrated on a 2-core machine; within a factor of about 3
  of the measured wall time); only a run it puts over an hour is refused.

What grows in a long walk is the circuit itself: ``dephasing`` builds 51 instructions per
slice, about 3.6 kB each at the peak (the circuit, its transpiled copy, Aer's copy) and
11 ms per slice, so ``time_steps=1000000`` is ~5e7 gates, ~200 GiB and hours; its
density-matrix reference is 24 stored 64 x 64 matrices whatever the length.  The memory
estimate lies within 1/2..3x of the measured peak (tests/test_work_estimate.py; it errs
high: 1.2-1.4x for sliced and stepped walks, 2.5x for packed ensembles).

:func:`check_work` refuses, in one line with the estimate and the fields to lower, a run
over :data:`LIMITS` (:class:`WorkLimits`):

- 5e6 gates built (~17 min of building and compiling, ~20 GiB);
- 1e10 gate applications (gates x ensemble members);
- 1e5 circuits (per-time circuits x members);
- 1e7 reference steps (minutes of the exact solvers);
- memory: half this machine's physical memory (``core.memory.USABLE_FRACTION``);
- an hour of the rough time (many members of a mid-sized register pass every count
  above and still take hours: exact ``anderson-ctqw`` with 5000 realisations at 10
  qubits, roughly 1.3 h).

``run``, ``submit``, ``sweep`` and the resource report call it before building anything;
``allow_large=True`` (the CLI's ``--allow-large``) skips it; tests lower the limits by
replacing :data:`LIMITS`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from qiskit import QuantumCircuit

from .core.errors import QwalkError
from .core.memory import GIB, USABLE_FRACTION, available_memory_bytes, state_memory_bytes
from .execution.config import HardwareConfig
from .execution.targets import DeviceTarget, Target, make_target
from .experiments.base import Experiment

#: peak memory per built instruction (the circuit, its transpiled copy, Aer's copy),
#: and per gate parameter (a diagonal's entries), measured with tests/test_work_estimate.py
BYTES_PER_GATE = 4_000
BYTES_PER_PARAMETER = 200
#: what any Aer run adds at its peak (transpiler passes, Aer's buffers), measured
RUN_OVERHEAD_BYTES = 64 << 20
#: rough speeds (2 cores): Python-side cost per built gate (build, transpile, hand to Aer),
#: simulated amplitude updates per second, reference amplitude updates per second
SECONDS_PER_GATE = 2e-4
AMPLITUDE_UPDATES_PER_SECOND = 2e8
#: bytes per stored probability (JSON text in the result store)
STORED_BYTES_PER_VALUE = 24
#: members an exact ensemble run holds in one state (packed chunks, ensemble.py's 32)
MEMBERS_PER_STATE = 32


@dataclass(frozen=True)
class WorkLimits:
    """The documented limits of one run (``allow_large=True`` lifts all of them)."""

    max_gates: int = 5_000_000
    max_gate_applications: int = 10_000_000_000
    max_circuits: int = 100_000
    max_reference_steps: int = 10_000_000
    #: of the rough time guide: an hour
    max_seconds: float = 3600.0
    #: of this machine's physical memory (core/memory.py's USABLE_FRACTION)
    memory_fraction: float = USABLE_FRACTION

    def memory_bytes(self) -> int:
        return int(self.memory_fraction * available_memory_bytes())


LIMITS = WorkLimits()


@dataclass(frozen=True)
class WorkEstimate:
    """What one run of an experiment on a config will take (see the module doc)."""

    experiment: str
    qubits: int
    circuits: int
    members: int
    gates: int
    gate_applications: int
    reference_steps: int
    memory_bytes: int
    stored_bytes: int
    seconds: float
    memory_parts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"qubits": self.qubits, "circuits": self.circuits, "members": self.members,
                "gates": self.gates, "gate_applications": self.gate_applications,
                "reference_steps": self.reference_steps, "memory_bytes": self.memory_bytes,
                "memory_parts": dict(self.memory_parts), "stored_bytes": self.stored_bytes,
                "seconds_rough": float(f"{self.seconds:.3g}")}

    def line(self) -> str:
        """The estimate in a few words."""
        return (f"~{_num(self.gates)} gates in {_num(self.circuits)} circuit(s), "
                f"~{_num(self.memory_bytes / GIB)} GiB, roughly {_duration(self.seconds)}")


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{_num(seconds / size)} {unit}"
    return f"{seconds:.2g} s"


def _count(circuit: QuantumCircuit) -> tuple[int, int]:
    """(instructions, gate parameters) of a built circuit."""
    return len(circuit.data), sum(len(i.operation.params) for i in circuit.data)


def simulated_here(experiment: Experiment[Any], target: Target, simulate: bool = True
                   ) -> bool:
    """Whether a run of ``experiment`` on ``target`` simulates circuits on this machine:
    Aer and fake devices always, a real device where its results are compared with a
    noisy emulation of its ISA circuits (``[run] emulation``, on by default), nothing when
    ``simulate`` is False (a dry run); but phase-kick trajectories' ideal members
    (``members_are_samples``) are simulated on Aer in every run and dry run."""
    if getattr(experiment, "members_are_samples", False):
        return True
    if not simulate:
        return False
    if isinstance(target, DeviceTarget):
        return target.simulates_locally or target.compares_emulation
    return True


def estimate_work(experiment: Experiment[Any], target: Target,
                  shots: int | None, simulate: bool = True) -> WorkEstimate:
    """The work of running ``experiment`` (as ``target`` runs it: :func:`pipeline.prepare`
    unravels a noisy one for a device) on ``target``, from the spec and two tiny circuits.
    ``simulate=False``: a dry run of an experiment whose plan simulates nothing (it builds
    and compiles only), so no simulator state or simulated outcomes count even on a fake
    device; a real device counts them only where its run is compared with a noisy
    emulation here, and phase-kick trajectories' ideal members count on every target
    (:func:`simulated_here`)."""
    config = target.config
    steps = experiment.work_steps()
    one, two = experiment.step_circuit(1), experiment.step_circuit(2)
    (g1, p1), (g2, p2) = _count(one), _count(two)
    per_gate, per_param = max(g2 - g1, 0), max(p2 - p1, 0)
    fixed_gates, fixed_params = max(g1 - per_gate, 1), max(p1 - per_param, 0)
    members = experiment.realisations() if experiment.is_ensemble else 1  # type: ignore[attr-defined]
    device = isinstance(target, DeviceTarget)
    local = simulated_here(experiment, target, simulate)
    timeline = shots is None and not device and config.backend.noise == "none"
    if timeline and per_gate:  # one walk to the last time, a save after each measured one
        gates = fixed_gates + per_gate * max(steps, default=0) + len(steps)
        params = fixed_params + per_param * max(steps, default=0)
        circuits = members
    else:  # one circuit per time (flat circuits: the timeline holds each time's frame too)
        gates = sum(fixed_gates + per_gate * k for k in steps)
        params = sum(fixed_params + per_param * k for k in steps)
        circuits = len(steps) * members
    applications = gates * members  # (members are bound into one compiled template)
    held, held_params = gates, params
    qubits = one.num_qubits
    density = (experiment.simulation_method() or config.backend.method) == "density_matrix"
    if experiment.is_ensemble and timeline:
        packed = min(members, MEMBERS_PER_STATE)
        states = state_memory_bytes(qubits + max(packed - 1, 0).bit_length(), density)
    else:
        states = state_memory_bytes(qubits, density) * min(circuits, os.cpu_count() or 1)
    outcomes = 1 << qubits
    kept = experiment.distribution_length(qubits)  # what the reference and analysis hold
    # Aer saves every outcome's probability; a device (or its emulation here) samples
    # counts: at most ``shots`` distinct outcomes, read into ``kept``-long distributions
    stored = (outcomes if local and not device else
              min(outcomes, max(kept, shots if shots is not None else outcomes)))
    saved = 8 * stored * len(steps) * members
    reference = (16 * kept * 8 + 8 * kept * len(steps) * members * 3
                 + experiment.reference_bytes())
    parts = {"circuits": held * BYTES_PER_GATE + held_params * BYTES_PER_PARAMETER,
             "states": states if local else 0, "overhead": RUN_OVERHEAD_BYTES,
             "saved": 2 * saved, "reference": reference}
    amplitudes = outcomes * (outcomes if density else 1)
    reference_steps = experiment.reference_steps()
    seconds = (held * SECONDS_PER_GATE
               + (applications * amplitudes / AMPLITUDE_UPDATES_PER_SECOND if local else 0)
               + reference_steps * 16 * kept / AMPLITUDE_UPDATES_PER_SECOND)
    return WorkEstimate(experiment.name, qubits, circuits, members, held, applications,
                        reference_steps, sum(parts.values()),
                        saved // 8 * STORED_BYTES_PER_VALUE, seconds, parts)


#: the spec fields that set each kind of work, in the order they are suggested
STEP_FIELDS = ("time_steps", "steps", "kicks", "time")
SIZE_FIELDS = ("position_qubits", "momentum_qubits", "lattice_qubits_per_axis", "sites")
MEMBER_FIELDS = ("realisations", "quasi_momenta", "kick_trajectories")


def _num(value: float) -> str:
    """1.2e7 rather than 1.2e+07; small counts as they are."""
    if value < 1e4:
        return f"{value:.4g}"
    mantissa, exponent = f"{value:.3g}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _shrink(experiment: Experiment[Any], estimate: WorkEstimate, over: set[str]) -> str:
    """The spec fields that set the work over its limits, as advice."""
    wanted: list[str] = []
    circuits_heavy = estimate.memory_parts.get("circuits", 0) >= estimate.memory_bytes / 2
    if over & {"gates", "gate applications", "reference steps"} or (
            "memory" in over and circuits_heavy):
        wanted += STEP_FIELDS
    if "memory" in over and not circuits_heavy:
        wanted += SIZE_FIELDS
    if estimate.members > 1 and over & {"gate applications", "circuits", "memory"}:
        wanted += MEMBER_FIELDS
    if "circuits" in over:
        wanted.append("times")
    if "time" in over:
        wanted += STEP_FIELDS + (MEMBER_FIELDS if estimate.members > 1 else ())
    fields = set(type(experiment.spec).model_fields)
    knobs = [f for f in dict.fromkeys(wanted) if f in fields]
    return "lower " + " or ".join(knobs) if knobs else "shrink the spec"


def require_state_fits(experiment: Experiment[Any], target: Target) -> None:
    """Refuse, whatever ``allow_large`` says, a run whose one simulated dense state needs
    over ``USABLE_FRACTION`` (half) of this machine's memory (a register whose reference is
    N-long, such as the one-hot chain, is not refused by its spec; a simulator would fail
    on it with a raw memory error)."""
    qubits = experiment.step_circuit(1).num_qubits
    method = experiment.simulation_method() or target.config.backend.method
    if method == "matrix_product_state":
        return  # its memory is set by entanglement, not by 2^n: not estimated here
    density = method == "density_matrix"
    need, have = state_memory_bytes(qubits, density), available_memory_bytes()
    if need <= USABLE_FRACTION * have:
        return
    fields = [f for f in SIZE_FIELDS if f in type(experiment.spec).model_fields]
    advice = "lower " + " or ".join(fields) if fields else "shrink the spec"
    if isinstance(target, DeviceTarget) and not target.simulates_locally:
        advice += (", or set [run] emulation = false (the run is compared with a noisy "
                   "emulation here)")
    elif getattr(experiment, "members_are_samples", False):
        advice += " (phase-kick trajectories' ideal members are simulated here, even in a dry run)"
    elif isinstance(target, DeviceTarget):
        advice += " (a dry run, --dry-run, simulates nothing)"
    kind = "density matrix" if density else "statevector"
    raise QwalkError(f"{experiment.name}: a {kind} of {qubits} qubits needs "
                     f"{_num(need / GIB)} GiB of memory, over half of this machine's "
                     f"{_num(have / GIB)} GiB, which --allow-large cannot lift; {advice}")


def check_work(experiment: Experiment[Any], target: Target | HardwareConfig,
               shots: int | None, allow_large: bool = False,
               limits: WorkLimits | None = None, simulate: bool = True,
               state_check: bool = True) -> WorkEstimate:
    """The run's estimate; raise a one-line QwalkError (the estimate, the limits it passes,
    what to lower) where it passes a limit of ``limits`` (default :data:`LIMITS`), unless
    ``allow_large`` (``simulate``: as :func:`estimate_work`).  A state that this machine
    cannot hold is refused whatever ``allow_large`` says, where it is simulated here and
    ``state_check`` (False for a report that builds circuits but simulates none)."""
    if not isinstance(target, Target):
        target = make_target(target)
    estimate = estimate_work(experiment, target, shots, simulate)
    if state_check and simulated_here(experiment, target, simulate):
        require_state_fits(experiment, target)
    if allow_large:
        return estimate
    limits = limits if limits is not None else LIMITS
    memory = limits.memory_bytes()
    over = {what: f"{what} {_num(value)} > {_num(limit)}" for what, value, limit in (
        ("gates", estimate.gates, limits.max_gates),
        ("gate applications", estimate.gate_applications, limits.max_gate_applications),
        ("circuits", estimate.circuits, limits.max_circuits),
        ("reference steps", estimate.reference_steps, limits.max_reference_steps))
        if value > limit}
    if estimate.seconds > limits.max_seconds:
        over["time"] = (f"roughly {estimate.seconds / 3600:.2g} h > "
                        f"{limits.max_seconds / 3600:.2g} h")
    if estimate.memory_bytes > memory:
        over["memory"] = f"memory > {_num(memory / GIB)} GiB (half of this machine's)" \
            if limits.memory_fraction == USABLE_FRACTION else \
            f"memory > {_num(memory / GIB)} GiB"
    if not over:
        return estimate
    raise QwalkError(f"{experiment.name}: this run needs {estimate.line()}, over the limits "
                     f"({'; '.join(over.values())}); {_shrink(experiment, estimate, set(over))}"
                     ", or pass allow_large=True (--allow-large)")
