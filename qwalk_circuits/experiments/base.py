"""What every experiment provides: a spec, measured circuits, exact and classical references.

An experiment only *describes*: :mod:`.runner` executes its circuits, and the
analysis works on the distributions, so each piece is testable on its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from qiskit import QuantumCircuit
from qiskit_aer.noise import NoiseModel

from ..circuits.timeline import Timeline
from ..core.specs import Spec, parse_spec
from ..execution.compiler import ConstructionTarget
from ..execution.config import HardwareConfig

SpecT = TypeVar("SpecT", bound=Spec)


class Experiment(ABC, Generic[SpecT]):
    """One physics experiment; subclasses register with :func:`register`."""

    name: ClassVar[str]
    summary: ClassVar[str]
    spec_type: ClassVar[type[Spec]]

    def __init__(self, spec: SpecT) -> None:
        self.spec = spec

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Experiment[Any]:
        return cls(parse_spec(cls.spec_type, settings))  # type: ignore[arg-type]

    @abstractmethod
    def times(self) -> Sequence[float]:
        """The time points (step numbers) measured, one circuit each."""

    @abstractmethod
    def check_size(self, config: HardwareConfig) -> None:
        """Raise QwalkError if the circuits or the reference do not fit."""

    @abstractmethod
    def circuits(self, target: ConstructionTarget) -> list[QuantumCircuit]:
        """One measured circuit per time, compiled for ``target`` by the cheapest route."""

    @abstractmethod
    def site_distribution(self, circuit: QuantumCircuit, probabilities: np.ndarray | None,
                          counts: dict[int, int] | None) -> np.ndarray:
        """Physical site distribution from a circuit's exact probabilities or counts."""

    @abstractmethod
    def reference_distributions(self) -> list[np.ndarray]:
        """Exact quantum distributions at each time (from ``reference/``, never qiskit)."""

    def noise_model(self) -> NoiseModel | None:
        """The Aer noise model the experiment's physics calls for (None: coherent)."""
        return None

    def simulation_method(self) -> str | None:
        """An Aer method the experiment needs (None: the config's)."""
        return None

    def timeline(self, target: ConstructionTarget = "all-to-all") -> Timeline | None:
        """One unmeasured circuit with a labelled probability save per measured time
        (``circuits/timeline.py``), for exact runs on Aer: save i gives, after the
        timeline's ``relabel``, what ``circuits(target)[i]`` gives exactly.  None (the
        default): not available, run the per-time circuits."""
        return None

    def extra_results(self) -> dict[str, Any]:
        """Experiment-specific additions to the run summary (closed forms, SI values)."""
        return {}

    def classical_distributions(self) -> list[np.ndarray] | None:
        """The classical counterpart at each time, where one exists."""
        return None

    def analysed_results(self, summary: dict[str, Any]) -> dict[str, Any]:
        """Additions computed from the run's own series (a fit of D with its window
        systematic, beside the model's exact value): called after :meth:`extra_results`
        with the summary so far, for every run (single, ensemble, device).  Theory values
        go in ``*_theory`` blocks as :func:`analysis.theory.theory_value` dicts."""
        return {}

    def result_warnings(self, summary: dict[str, Any]) -> list[str]:
        """Warnings about what a finished run's numbers mean (a result dominated by the
        lattice size, a fit window not yet asymptotic): the summary's ``warnings`` list,
        which the CLI prints.  None by default."""
        return []

    def allowed_constructions(self) -> Sequence[str]:
        """The step-by-step constructions ``qwalk resources`` compares, each built by
        :meth:`build` (none by default: the report costs the experiment's own circuits)."""
        return ()

    def build(self, steps: int, construction: str) -> QuantumCircuit:
        """The unmeasured circuit of ``steps`` steps by ``construction`` (for
        :meth:`allowed_constructions`)."""
        raise NotImplementedError(f"{self.name} offers no constructions to build")

    def layer_circuits(self) -> dict[str, QuantumCircuit]:
        """Named layers whose two-qubit cost ``qwalk resources`` reports (disorder
        diagonals, kicks); none by default."""
        return {}

    def channel_strength(self) -> float | None:
        """The per-marker strength of the noise channel a device unravels into phase kicks;
        None: the noise model (if any) cannot be unravelled."""
        return None

    def work_steps(self) -> list[int]:
        """The steps (slices, kicks) each measured circuit applies, read from the spec
        without building anything: what the work estimate (``work_estimate.py``) multiplies
        the gates per step by.  Default: the measured times, as step counts."""
        return [round(t) for t in self.times()]

    def step_circuit(self, steps: int) -> QuantumCircuit:
        """The unmeasured circuit of ``steps`` steps as a run builds it (an ensemble's
        template, parameters unbound), for the work estimate: built for 1 and 2 steps only,
        to count the gates per step (none where the circuits are flat in time)."""
        raise NotImplementedError(f"{self.name} gives no step circuit for the work estimate")

    def distribution_length(self, qubits: int) -> int:
        """Entries of one exact (reference or analysed) distribution of a circuit on
        ``qubits`` qubits, for the work estimate: every outcome by default; an encoding
        that post-selects to fewer (one qubit per site) says how many."""
        return 1 << qubits

    def readout_outcomes(self) -> np.ndarray | None:
        """The outcomes the analysis reads of each measured circuit, where it reads only a
        few (the one-hot chain post-selects its N one-excitation strings); None: all.
        Readout mitigation then evaluates its inverse on these alone and hands
        :meth:`site_distribution` a vector over them, in this order, so no 2^n vector is
        built (``analysis/device_comparison.mitigated_vector``)."""
        return None

    def reference_bytes(self) -> int:
        """Memory the exact (and classical) reference holds at its peak beyond a few state
        copies and every time's distribution per member, which the work estimate always
        counts: dense matrices (a diagonalised Hamiltonian, a density matrix per time).
        From the spec alone; default 0."""
        return 0

    def reference_steps(self) -> int:
        """Steps the exact reference iterates (summed over members), for the work estimate;
        default: the last measured step, once per member.  0 where it is flat in time
        (a diagonalised Hamiltonian)."""
        members = self.realisations() if self.is_ensemble else 1  # type: ignore[attr-defined]
        return max(self.work_steps(), default=0) * members

    #: True for an :class:`.ensemble.EnsembleExperiment` (members averaged)
    is_ensemble: ClassVar[bool] = False

    #: the observable a run is read by (the CLI's table and plot, the sweeps' default)
    main_observable: ClassVar[str] = "sigma"
    #: a second observable the CLI's table shows beside it, with its column title
    second_observable: ClassVar[tuple[str, str] | None] = None

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        """Lines the CLI prints under a run's table: closed forms and theory values of this
        experiment found in its ``summary`` (none by default)."""
        return []

    def no_effect_value(self) -> tuple[float, str] | None:
        """The main observable's value were the phenomenon absent, and what that is (the
        classical map's for dynamical localization), against which ``qwalk submit
        --dry-run`` asks whether a device would show it; None (the default): its value
        on the uniform distribution, a device that returns only noise."""
        return None

    def no_effect_error(self) -> float:
        """The standard error of :meth:`no_effect_value` where it is itself estimated (the
        classical map's Monte-Carlo error); 0: known exactly.  The dry run adds it to the
        signature's error: no number of shots on the device removes it."""
        return 0.0

    def noise_outcome(self, size: int) -> np.ndarray:
        """The outcome vector (of ``size`` entries, as :meth:`observables` reads it) that a
        device returning only noise gives: by default the uniform distribution; an
        experiment whose outcome is not the measured distribution itself says what the
        uniform one becomes (the backscattering slots)."""
        return np.full(size, 1 / size)

    def calibration_mix(self, p: np.ndarray, fidelity: float) -> tuple[np.ndarray, float]:
        """The dry run's calibration model for this experiment's outcome ``p``: a device
        that keeps the signal with probability F and otherwise returns noise gives
        F p + (1 - F) u (u: :meth:`noise_outcome`); and the fraction of shots the analysis
        keeps (1; less where it post-selects, which also drops most of the noise)."""
        return fidelity * p + (1 - fidelity) * self.noise_outcome(p.size), 1.0

    def layout_notes(self, isa: list[QuantumCircuit], backend: Any) -> list[str]:
        """What the dry run should say about how the ISA circuits sit on ``backend``'s
        qubits (a register the device cannot hold without SWAPs); none by default."""
        return []

    def device_emulation(self, isa: list[QuantumCircuit], target: Any,
                         two_qubit_factor: float = 1.0, readout_errors: bool = True
                         ) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """The dry run's noisy emulation, where the experiment has one that the calibration
        mix cannot replace: per measured time (``isa``: its ISA circuits, ``target``: the
        device's calibration, two-qubit errors times ``two_qubit_factor``; readout errors
        left out where ``readout_errors`` is False, as a readout mitigation would undo them)
        the members' distributions as the device would return them (members, outcomes) and
        the fraction of shots each keeps.  None (the default): the plan uses
        :meth:`calibration_mix`."""
        return None

    def signature_side(self) -> int:
        """Which side of :meth:`no_effect_value` the phenomenon puts the main observable:
        -1 below (localization: a narrower walk, a smaller <m^2>), +1 above (coherent
        backscattering's r > 1), 0 either (the distance from noise alone)."""
        return 0

    #: whether :meth:`diffusion_fit` fits D (the sweeps' crossover table)
    has_diffusion_fit: ClassVar[bool] = False

    def diffusion_fit(self, sigma: list[float], errors: list[float] | None = None
                      ) -> dict[str, float | None]:
        """The diffusion constant (and crossover time) fitted to a sigma(t) series."""
        raise NotImplementedError(f"{self.name} fits no diffusion constant")

    def outcome_axis(self) -> tuple[np.ndarray, str] | None:
        """What a distribution is over, for plots: (values, axis label); None: the walk's
        signed displacement where the experiment is a 1D walk, else no axis."""
        return None

    def plot_final_distribution(self, axis: Any, record: Any) -> bool:
        """Draw the run's final distribution on the plot's panel of it (a matplotlib
        ``axis``; ``record`` is the run's RunRecord) the experiment's own way, with what it
        fitted to it (a tail on a log scale): True when drawn.  False (the default): the
        renderer's bar chart over :meth:`outcome_axis`."""
        return False

    @abstractmethod
    def observables(self, p: np.ndarray) -> dict[str, float]:
        """Named observables of one distribution."""

    @abstractmethod
    def observable_errors(self, p: np.ndarray, shots: int) -> dict[str, float]:
        """Shot-noise standard errors of :meth:`observables`."""


REGISTRY: dict[str, type[Experiment[Any]]] = {}
E = TypeVar("E", bound=type[Experiment[Any]])


def register(cls: E) -> E:
    """Class decorator: make an experiment known to the CLI and the tests by its name."""
    REGISTRY[cls.name] = cls
    return cls
