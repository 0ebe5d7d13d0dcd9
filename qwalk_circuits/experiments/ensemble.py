"""Experiments over an ensemble: one parameterized circuit per time, bound once per realisation.

Disorder realisations and quasi-momenta are both "realisations" here.  A
subclass gives the measured templates, the parameter values of each
realisation, and the exact reference distribution of each realisation;
:func:`qwalk_circuits.run` executes and averages.  ``circuits()``
(the resource report, exactness tests) binds realisation 0.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
from qiskit import QuantumCircuit

from ..circuits.timeline import Timeline
from ..execution.compiler import ConstructionTarget
from .base import Experiment, SpecT


class EnsembleExperiment(Experiment[SpecT]):
    """An experiment averaged over realisations of a parameterized circuit."""

    #: observables reported as the mean over realisations (the others are computed
    #: from the averaged distribution)
    mean_over_realisations: ClassVar[tuple[str, ...]] = ()
    #: True when the members are random draws compared with their exact average (phase-kick
    #: trajectories): their scatter already holds their shot noise
    members_are_samples: ClassVar[bool] = False
    is_ensemble: ClassVar[bool] = True

    @abstractmethod
    def realisations(self) -> int:
        """How many realisations the ensemble averages."""

    @abstractmethod
    def templates(self, target: ConstructionTarget) -> list[QuantumCircuit]:
        """One measured, parameterized circuit per time."""

    @abstractmethod
    def template_values(self, index: int, template: QuantumCircuit) -> np.ndarray:
        """Parameter values (realisations, parameters) in ``template.parameters`` order."""

    @abstractmethod
    def reference_ensemble(self) -> list[np.ndarray]:
        """Exact distributions per time, shaped (realisations, outcomes), from ``reference/``."""

    def member_distribution(self, template: QuantumCircuit, member: int,
                            probabilities: np.ndarray | None,
                            counts: dict[int, int] | None) -> np.ndarray:
        """The distribution of ensemble member ``member`` (realisation r of ``template``);
        members that need relabelling (each its own k0, say) override this."""
        return self.site_distribution(template, probabilities, counts)

    def distance_distribution(self, outcome: np.ndarray) -> np.ndarray | None:
        """The probability distribution inside an (averaged) outcome vector that the TVD and
        Hellinger distances compare; None when the outcome holds none (then no distance)."""
        return outcome

    def ensemble_fits(self, mean: np.ndarray, error: np.ndarray | None) -> dict[str, float]:
        """Observables fitted to an averaged distribution with its per-outcome errors
        (e.g. a localization length); the value and ``<name>_error``."""
        return {}

    def fit_procedure(self, mean: np.ndarray, error: np.ndarray | None, shots: int | None,
                      members: int) -> Callable[[np.ndarray], dict[str, float]] | None:
        """The fits of one time as one procedure chosen from the run's *measured* average
        (its per-outcome ``error``, ``shots`` per member, ``members``): e.g. a tail window
        from their noise floor, with fixed weights.  The summary applies it alike to the
        circuits, their exact ensemble and every jackknife sample, so the two are fitted the
        same way; it gives what :meth:`ensemble_fits` gives, and may have ``describe()``
        (what it chose, for the JSON).  None (the default): :meth:`ensemble_fits`."""
        return None

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        """The final-time IPR and localization length, with errors, where the ensemble
        reports them (and what a subclass adds)."""
        obs, err, ref = (summary["observables"], summary["observable_errors"],
                         summary["reference"])
        lines = []
        for key, label in (("ipr", "IPR"), ("localization_length", "localization length")):
            if key in obs and obs[key][-1] is not None:
                error = err.get(key, [None])[-1]
                exact = ref.get(key, [None])[-1]
                lines.append(f"{label} at t = {summary['times'][-1]:.4g}: {obs[key][-1]:.3f}"
                             + (f" ± {error:.3f}" if error is not None else "")
                             + (f" (exact ensemble {exact:.3f})" if exact is not None else ""))
        return lines

    def ensemble_extra(self, summary: dict[str, Any]) -> dict[str, Any]:
        """Additions to the summary computed from it (saturation values, break times)."""
        return {}

    def circuits(self, target: ConstructionTarget = "all-to-all") -> list[QuantumCircuit]:
        """Realisation 0 of each time, bound (for resource reports and checks)."""
        out = []
        for i, template in enumerate(self.templates(target)):
            values = self.template_values(i, template)[0]
            bound = template.assign_parameters(dict(zip(template.parameters, values,
                                                        strict=True)))
            bound.metadata = dict(template.metadata or {})
            out.append(bound)
        return out

    def reference_distributions(self) -> list[np.ndarray]:
        """The ensemble-averaged exact distribution at each time."""
        return [ensemble.mean(axis=0) for ensemble in self.reference_ensemble()]

    def timeline_template(self, target: ConstructionTarget = "all-to-all") -> Timeline | None:
        """One parameterized, unmeasured template with a probability save per measured time
        (see :meth:`Experiment.timeline`), bound per member with :meth:`timeline_values`.
        None (the default): not available, run the per-time templates."""
        return None

    def timeline_values(self, timeline: Timeline) -> np.ndarray:
        """(members, parameters) values of :meth:`timeline_template`'s circuit, in its
        ``parameters`` order: one table for every time."""
        raise NotImplementedError(f"{self.name} has no timeline template")

    def timeline_members(self, size: int, target: str = "all-to-all") -> Timeline | None:
        """A timeline that holds up to ``size`` members at once in a member register, for
        exact noiseless runs on Aer: one state per chunk of members instead of one bind
        per member.  ``circuit`` is a skeleton (``Timeline.member_qubits`` member qubits;
        saves over the measured qubits then the member register) that
        ``template.fill(compiled, members)`` completes for given realisation numbers.
        None (the default): not available, the members are bound into
        :meth:`timeline_template`."""
        return None
