"""A dephasing experiment as an ensemble of phase-kick trajectories, for devices.

A device cannot apply the Aer noise model a dephasing experiment is made of;
:func:`unravelled` turns the experiment into an :class:`EnsembleExperiment`
whose members are random phase-kick trajectories (``unravelling.py``): the
same circuits with each noise marker an RZ(0 or pi) kick, ``kick_trajectories``
of them, drawn with the channel's probabilities.  Their average is the
channel's distribution up to 1/sqrt(R); the exact reference stays the
channel's (the density-matrix twin), so every member's reference is that
distribution and the comparison's error bars resample the trajectories too.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, ClassVar

import numpy as np
from qiskit import QuantumCircuit

from ..circuits.unravelling import KickGroup, sample_kicks, unravel
from ..core.errors import QwalkError
from ..execution.compiler import ConstructionTarget
from ..execution.config import HardwareConfig
from .base import Experiment
from .ensemble import EnsembleExperiment


class Unravelled(EnsembleExperiment[Any]):
    """Trajectories of a noisy experiment ``inner`` (see :func:`unravelled`)."""

    #: members are independent draws (not paired with their own exact reference)
    members_are_samples: ClassVar[bool] = True

    def __init__(self, inner: Experiment[Any]) -> None:
        super().__init__(inner.spec)
        self.inner = inner
        self._groups: dict[int, list[KickGroup]] = {}

    def realisations(self) -> int:
        return int(self.spec.kick_trajectories)

    def templates(self, target: ConstructionTarget) -> list[QuantumCircuit]:
        out = []
        for index, circuit in enumerate(self.inner.circuits(target)):
            template, self._groups[index] = unravel(circuit)
            out.append(template)
        return out

    def template_values(self, index: int, template: QuantumCircuit) -> np.ndarray:
        if index not in self._groups:  # the kick groups are the same for every target
            self.templates("all-to-all")
        rng = np.random.default_rng((self.spec.kick_seed, index))
        strength = self.inner.channel_strength()
        assert strength is not None  # (checked by unravelled())
        return sample_kicks(self._groups[index], strength, self.realisations(), rng)

    def reference_ensemble(self) -> list[np.ndarray]:
        """The channel's exact distribution for every trajectory (their exact average)."""
        return [np.tile(q, (self.realisations(), 1))
                for q in self.inner.reference_distributions()]

    def reference_distributions(self) -> list[np.ndarray]:
        return self.inner.reference_distributions()

    def times(self) -> Sequence[float]:
        return self.inner.times()

    def check_size(self, config: HardwareConfig) -> None:
        self.inner.check_size(config)

    def work_steps(self) -> list[int]:
        return self.inner.work_steps()

    def step_circuit(self, steps: int) -> QuantumCircuit:
        return self.inner.step_circuit(steps)

    def reference_steps(self) -> int:
        return self.inner.reference_steps()  # (one exact channel, not one per trajectory)

    def reference_bytes(self) -> int:
        return self.inner.reference_bytes()

    def distribution_length(self, qubits: int) -> int:
        return self.inner.distribution_length(qubits)

    def readout_outcomes(self) -> np.ndarray | None:
        return self.inner.readout_outcomes()

    def site_distribution(self, circuit: QuantumCircuit, probabilities: np.ndarray | None,
                          counts: dict[int, int] | None) -> np.ndarray:
        return self.inner.site_distribution(circuit, probabilities, counts)

    def observables(self, p: np.ndarray) -> dict[str, float]:
        return self.inner.observables(p)

    def observable_errors(self, p: np.ndarray, shots: int) -> dict[str, float]:
        return self.inner.observable_errors(p, shots)

    def classical_distributions(self) -> list[np.ndarray] | None:
        return self.inner.classical_distributions()

    def analysed_results(self, summary: dict[str, Any]) -> dict[str, Any]:
        return self.inner.analysed_results(summary)

    def result_warnings(self, summary: dict[str, Any]) -> list[str]:
        return self.inner.result_warnings(summary)

    def extra_results(self) -> dict[str, Any]:
        return {**self.inner.extra_results(),
                "unravelled": {"trajectories": self.realisations(),
                               "kick_seed": self.spec.kick_seed}}


@cache
def _wrapper_class(inner: type[Experiment[Any]]) -> type[Unravelled]:
    return type(f"Unravelled{inner.__name__}", (Unravelled,),
                {"name": inner.name, "summary": inner.summary, "spec_type": inner.spec_type})


def unravelled(experiment: Experiment[Any]) -> Unravelled:
    """``experiment`` (one with a noise model) as phase-kick trajectories, for a device."""
    if experiment.channel_strength() is None:
        raise QwalkError(f"{experiment.name} has a noise model whose channel cannot be "
                         "unravelled into phase kicks; run it on an Aer config")
    return _wrapper_class(type(experiment))(experiment)


def on_device(experiment: Experiment[Any]) -> Experiment[Any]:
    """The experiment as a device runs it: one whose physics is an Aer noise model
    (dephasing) becomes an ensemble of phase-kick trajectories."""
    return unravelled(experiment) if experiment.noise_model() is not None else experiment
