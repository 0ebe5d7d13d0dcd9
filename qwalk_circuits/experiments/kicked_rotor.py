"""The quantum kicked rotor: dynamical localization, and the quantum resonance.

H = p^2/2 + K cos(theta) sum_n delta(t - n), [theta, p] = i kbar, p = kbar (m + beta).
Classically (the standard map) <m^2> = <p^2>/kbar^2 grows like D t / kbar^2
(Rechester-White's D is a truncated series, 4 % low at K = 5 and 10: the
summary prints the simulated map's D beside it); quantum mechanically it grows
at the quantum-corrected D_q (Shepelyansky, Physica D 28, 103 (1987): the
Bessel corrections at K_q = 2 k sin(kbar/2)) up to a break time and then
freezes (dynamical localization; Shepelyansky, PRL 56, 677 (1986)): Floquet
states with exponential tails of length l ~ D_q / (2 kbar^2).  The saturated
<m^2> depends on the quasi-momentum, so the experiment averages R
quasi-momenta, beta_r = (r + 1/2) / R (midpoints of [0, 1); ``beta`` fixes a
single one), each a binding of one template per kick count
(``circuits/kicked_rotor.py``).  The grid is deterministic: the "standard
errors" the ensemble runner reports are the spread over beta over sqrt(R), not
a statistical error, and not a bound on the quadrature error either (narrow
near-resonant peaks in beta); ``quadrature_error`` holds the error of the R
points against the exact reference refined until converged, and
``quadrature_target`` doubles R until it is met.  ``saturation`` comes from a
plateau test (``kicked_rotor_analysis.py``): a lower bound until it passes.
The default construction ``auto`` simulates the ``fused`` form (the fewest,
cheapest-to-convert instructions for Aer) and compiles ``quadratic`` (the
fewest two-qubit gates) for devices; ``qwalk resources kicked-rotor``
compares the device constructions.

Where kbar/(4 pi) is rational the rotor is resonant: resonant quasi-momenta
grow ballistically and nothing localizes (a warning, and ``resonance`` in
the summary).  ``kicked-rotor-resonance`` shows the principal resonance,
kbar = 4 pi, beta = 0: the free rotation is the identity and <m^2> = k^2 t^2/2
exactly, k = K/kbar.  (Near K = 2 pi .. 7.4 the classical map has
accelerator modes and diffuses faster than Rechester-White.)
"""

from __future__ import annotations

import warnings
from functools import cached_property, lru_cache
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field
from qiskit import QuantumCircuit

from .. import analysis
from ..analysis.ensembles import fit_exponential_tails, inverse_participation_ratio
from ..circuits.kicked_rotor import (
    HARDWARE_CONSTRUCTIONS,
    KickedRotorConstruction,
    KickedRotorTemplate,
)
from ..circuits.timeline import Timeline
from ..core.errors import ParameterError
from ..core.lattice_spec import sample_steps
from ..core.memory import require_memory
from ..core.specs import Spec
from ..execution.backends import check_fits
from ..execution.compiler import ConstructionTarget
from ..execution.config import HardwareConfig
from ..execution.targets import AER_CONSTRUCTION_TARGET as AER_TARGET
from ..reference.kicked_rotor import (
    KickPotential,
    classical_moments,
    classical_p2_errors,
    midpoint_betas,
    momentum_distributions,
    momentum_grid,
)
from .base import register
from .ensemble import EnsembleExperiment
from .kicked_rotor_analysis import quasi_momenta_for
from .kicked_rotor_register import (
    ESCAPE_TOLERANCE,
    escaped_probability,
    register_advice,
    resonance,
)
from .kicked_rotor_report import rotor_notes, rotor_results, rotor_theory, rotor_warnings

TAIL_MIN_DISTANCE = 2
CLASSICAL_PARTICLES = 20_000
CLASSICAL_SEED = 0


@lru_cache(maxsize=8)
def _distributions(kick: float, kbar: float, times: tuple[int, ...], momentum_qubits: int,
                   betas: tuple[float, ...], potential: KickPotential = "cos") -> np.ndarray:
    """Exact (times, betas, N) distributions, cached and read-only."""
    out = momentum_distributions(kick, kbar, times, momentum_qubits, betas, potential)
    out.setflags(write=False)
    return out


class KickedRotorSpec(Spec):
    """Kicked rotor from m = 0, averaged over quasi-momenta, measured at evenly spaced kicks."""

    kick_strength: float = Field(5.0, ge=0, description="kick strength K (stochasticity)")
    kbar: float = Field(1.0, gt=0, description="effective Planck constant (kick k = K/kbar)")
    kicks: int = Field(40, ge=0, description="kicks T")
    momentum_qubits: int = Field(8, ge=1, description="qubits (momenta m = -N/2..N/2-1, "
                                 "N = 2**n; 8 holds K=5, kbar=1 for 40 kicks)")
    quasi_momenta: int = Field(16, ge=1, description="quasi-momenta R averaged: beta_r = "
                               "(r + 1/2)/R")
    beta: float | None = Field(None, description="a single quasi-momentum (needs "
                               "quasi_momenta=1)")
    quadrature_target: float | None = Field(None, gt=0, lt=1, description="relative "
                                            "quadrature error wanted on every measured "
                                            "<m^2>: quasi_momenta is doubled until the "
                                            "exact reference meets it")
    times: list[int] | None = Field(None, description="kicks to measure; default: up to 25 "
                                    "evenly spaced in 0..kicks")
    construction: Literal["auto", "quadratic", "multiplexor", "diagonal-gate", "fused"] = Field(
        "auto", description="auto: fused on the simulator (all-to-all), quadratic (the "
        "fewest two-qubit gates) for a device; see circuits/kicked_rotor.py")

    #: warn when kbar/(4 pi) is rational (the resonance experiment means it)
    warn_resonance: ClassVar[bool] = True
    #: the kick potential: cos theta here, the sawtooth map's in ``sawtooth_map.py``
    potential: ClassVar[KickPotential] = "cos"

    dimension: ClassVar[int] = 1

    @property
    def num_sites(self) -> int:
        return 1 << self.momentum_qubits

    def origin(self) -> int:
        """m = 0 is register value 0 (distributions are in register order)."""
        return 0

    @property
    def steps(self) -> int:
        """The kicks, under the name the resource report reads."""
        return self.kicks

    def betas(self) -> list[float]:
        """The quasi-momenta averaged: ``beta``, or the midpoints of quasi_momenta (doubled
        until ``quadrature_target`` is met)."""
        if self.beta is not None:
            return [self.beta]
        if self.quadrature_target is None:
            return midpoint_betas(self.quasi_momenta)
        return midpoint_betas(quasi_momenta_for(
            self.kick_strength, self.kbar, self.measured_times(), self.momentum_qubits,
            self.quasi_momenta, self.quadrature_target, self.potential))

    def measured_times(self) -> list[int]:
        return sorted(set(self.times)) if self.times is not None else sample_steps(self.kicks)

    def distributions(self, momentum_qubits: int | None = None) -> np.ndarray:
        """Exact (times, betas, N) distributions (read-only, cached)."""
        n = self.momentum_qubits if momentum_qubits is None else momentum_qubits
        return _distributions(self.kick_strength, self.kbar, tuple(self.measured_times()), n,
                              tuple(self.betas()), self.potential)

    def check(self) -> None:
        require_memory(self.momentum_qubits, "momentum_qubits", self.momentum_qubits)
        members = 1 if self.beta is not None else self.quasi_momenta
        work = self.kicks * members * (1 << self.momentum_qubits)
        if work > MAX_REGISTER_CHECK:  # before the register check, which steps every kick
            raise ParameterError("kicks", f"kicks x quasi_momenta x 2**momentum_qubits = "
                                 f"{work:.3g} amplitude-kicks, over {MAX_REGISTER_CHECK:.0e}: "
                                 "checking the register alone would take minutes; lower "
                                 "kicks, quasi_momenta or momentum_qubits")
        if self.times is not None and [t for t in self.times if not 0 <= t <= self.kicks]:
            raise ParameterError("times", f"each time must lie in 0..kicks={self.kicks}")
        if self.beta is not None and self.quasi_momenta != 1:
            raise ParameterError("beta", "fixes one quasi-momentum: set quasi_momenta=1, or "
                                 "drop beta to average quasi_momenta evenly spaced values")
        if self.beta is not None and self.quadrature_target is not None:
            raise ParameterError("quadrature_target", "needs a quasi-momentum average: drop "
                                 "beta, or drop quadrature_target")
        fraction = resonance(self.kbar)
        if fraction is not None and self.warn_resonance:
            warnings.warn(f"kbar/(4 pi) = {fraction} is rational: quantum resonance -- resonant "
                          "quasi-momenta grow ballistically and the rotor does not localize; "
                          "use an irrational kbar/(4 pi) (e.g. kbar=1) for dynamical "
                          "localization", stacklevel=2)
        self.check_register()

    def check_register(self) -> None:
        """Refuse a register whose edge the momentum reaches, and suggest one that holds it."""
        n = self.momentum_qubits
        args = (self.kick_strength, self.kbar, tuple(self.measured_times()))
        betas = tuple(self.betas())
        escaped = escaped_probability(*args, n, betas, self.potential)
        if escaped <= ESCAPE_TOLERANCE:
            return
        advice = register_advice(n, lambda k: escaped_probability(
            *args, k, betas, self.potential) <= ESCAPE_TOLERANCE)
        raise ParameterError("momentum_qubits", f"{n} qubits hold m = {-(1 << (n - 1))}.."
                             f"{(1 << (n - 1)) - 1}, but a probability {escaped:.2g} "
                             f"(> {ESCAPE_TOLERANCE:g}) reaches |m| >= {1 << (n - 1)} "
                             f"and would wrap around; {advice}")


#: the most kicks x quasi-momenta x 2^n the register check may step (1e8: ~10 s; defaults 1.6e5)
MAX_REGISTER_CHECK = 100_000_000


@register
class KickedRotor(EnsembleExperiment[KickedRotorSpec]):
    """Dynamical localization: quantum <m^2> freezes while the standard map keeps diffusing."""

    name = "kicked-rotor"
    summary = "quantum kicked rotor averaged over quasi-momenta vs the classical standard map"
    spec_type: ClassVar[type[Spec]] = KickedRotorSpec
    main_observable = "p2"
    mean_over_realisations = ("ipr",)

    def times(self) -> list[int]:
        return self.spec.measured_times()

    def realisations(self) -> int:
        return len(self.spec.betas())

    def check_size(self, config: HardwareConfig) -> None:
        n = self.spec.momentum_qubits
        check_fits(n, config, "momentum_qubits", n)

    def construction(self, target: ConstructionTarget) -> KickedRotorConstruction:
        """The spec's construction; ``auto``: ``fused`` for the simulator's all-to-all target
        (the fastest to simulate), ``quadratic`` (the cheapest) for any device."""
        if self.spec.construction != "auto":
            return self.spec.construction
        return "fused" if target == AER_TARGET else "quadratic"

    @cached_property
    def _templates(self) -> dict[str, list[KickedRotorTemplate]]:
        return {}

    def rotor_templates(self, target: ConstructionTarget = AER_TARGET) -> list[KickedRotorTemplate]:
        """One measured, parameterized template per measured kick count."""
        s = self.spec
        construction = self.construction(target)
        if construction not in self._templates:
            self._templates[construction] = [
                KickedRotorTemplate.build(s.kick_strength, s.kbar, t, s.momentum_qubits,
                                          construction, measured=True, potential=s.potential)
                for t in self.times()]
        return self._templates[construction]

    def allowed_constructions(self) -> list[str]:
        """The constructions meant for devices, for the resource report (``qwalk resources``)."""
        return list(HARDWARE_CONSTRUCTIONS)

    def build(self, kicks: int, construction: str) -> QuantumCircuit:
        """``kicks`` periods by ``construction``, beta left as parameters: the circuit the
        ensemble transpiles once (bound numbers would let the transpiler simplify more)."""
        s = self.spec
        return KickedRotorTemplate.build(s.kick_strength, s.kbar, kicks, s.momentum_qubits,
                                         construction,  # type: ignore[arg-type]
                                         potential=s.potential).circuit

    def step_circuit(self, steps: int) -> QuantumCircuit:
        s = self.spec
        return KickedRotorTemplate.build(s.kick_strength, s.kbar, steps, s.momentum_qubits,
                                         self.construction(AER_TARGET),
                                         potential=s.potential).circuit

    def reference_steps(self) -> int:
        """Every quasi-momentum's kicks (on n and, for the register check, n + 1 qubits)
        and the classical standard map's kicks."""
        return max(self.times(), default=0) * 2 * self.realisations() + self.spec.kicks

    def reference_bytes(self) -> int:
        """The classical map's two moment series (one entry per kick), its particles, and
        every time's distribution per quasi-momentum on n + 1 qubits."""
        s = self.spec
        outcomes = 1 << (s.momentum_qubits + 1)
        return (16 * (s.kicks + 1) + 8 * 4 * CLASSICAL_PARTICLES
                + 16 * outcomes * len(self.times()) * self.realisations() * 2)

    def templates(self, target: ConstructionTarget) -> list[QuantumCircuit]:
        return [t.circuit for t in self.rotor_templates(target)]

    def template_values(self, index: int, template: QuantumCircuit) -> np.ndarray:
        rotor = self._templates[template.metadata["construction"]][index]  # from templates()
        return np.array([rotor.values(beta) for beta in self.spec.betas()]).reshape(
            self.realisations(), template.num_parameters)

    def reference_ensemble(self) -> list[np.ndarray]:
        return list(self.spec.distributions())

    def site_distribution(self, circuit: QuantumCircuit, probabilities: np.ndarray | None,
                          counts: dict[int, int] | None) -> np.ndarray:
        """The momentum distribution in register order (index i holds m = i or i - N)."""
        if probabilities is not None:
            return np.asarray(probabilities, dtype=float)
        if counts is None:
            raise ValueError("a circuit result needs probabilities or counts")
        return analysis.distribution_from_counts(counts, self.spec.num_sites)

    @cached_property
    def _m(self) -> np.ndarray:
        return momentum_grid(self.spec.momentum_qubits)

    def observables(self, p: np.ndarray) -> dict[str, float]:
        """mean, sigma, p_origin (of m), p2 = <m^2> (integer units) and the IPR."""
        values = analysis.observables(p, 0, 1)
        values["p2"] = float(p @ self._m**2)
        values["ipr"] = inverse_participation_ratio(p)
        return values

    def observable_errors(self, p: np.ndarray, shots: int) -> dict[str, float]:
        errors = analysis.observable_errors(p, 0, shots, 1)
        p2 = float(p @ self._m**2)
        errors["p2"] = float(np.sqrt(max(float(p @ self._m**4) - p2**2, 0.0) / shots))
        ipr = float(p @ p)
        errors["ipr"] = float(2 * np.sqrt(max(float(p @ p**2) - ipr**2, 0.0) / shots))
        return errors

    def ensemble_fits(self, mean: np.ndarray, error: np.ndarray | None) -> dict[str, float]:
        fit = fit_exponential_tails(mean, self._m, error, TAIL_MIN_DISTANCE)
        return {"localization_length": fit.length, "localization_length_error": fit.error}

    def classical_p2(self) -> dict[str, list[float]]:
        """The standard map (the sawtooth map for its kick) from p = 0 (theta uniform) in
        integer units: p2, mean, sigma."""
        s = self.spec
        mean, p2 = classical_moments(s.kick_strength, s.kicks, CLASSICAL_PARTICLES,
                                     CLASSICAL_SEED, s.potential)
        t = self.times()
        mean_m, p2_m = mean[t] / s.kbar, p2[t] / s.kbar**2
        return {"p2": p2_m.tolist(), "mean": mean_m.tolist(),
                "sigma": np.sqrt(np.maximum(p2_m - mean_m**2, 0.0)).tolist()}

    def signature_side(self) -> int:
        """Dynamical localization holds <m^2> below the classical map's diffusion."""
        return -1

    def no_effect_value(self) -> tuple[float, str]:
        """<m^2> without dynamical localization: the classical map's at the last kick."""
        kind = "sawtooth" if self.spec.potential == "sawtooth" else "standard"
        return (float(self.classical_p2()["p2"][-1]),
                f"the classical {kind} map (no dynamical localization)")

    def no_effect_error(self) -> float:
        """The classical map's Monte-Carlo error of <m^2> at the last kick (the same
        particles as :meth:`classical_p2`), in integer units."""
        s = self.spec
        errors = classical_p2_errors(s.kick_strength, s.kicks, CLASSICAL_PARTICLES,
                                     CLASSICAL_SEED, s.potential)
        return float(errors[self.times()][-1] / s.kbar**2)

    def rotor_theory(self, summary: dict[str, Any]) -> dict[str, Any]:
        """diffusion_theory and localization_theory, each value named for what it is
        (``kicked_rotor_report.rotor_theory``)."""
        return rotor_theory(self.spec.kick_strength, self.spec.kbar, summary)

    def ensemble_extra(self, summary: dict[str, Any]) -> dict[str, Any]:
        """saturation (a plateau test), break_time, quadrature_error, diffusion_theory,
        localization_theory, classical and resonance (``kicked_rotor_report.py``)."""
        return {**rotor_results(self, summary), "classical": self.classical_p2()}

    def result_warnings(self, summary: dict[str, Any]) -> list[str]:
        """Not saturated (a lower bound), a quadrature not converged, a register whose
        edges carry weight."""
        return rotor_warnings(self, summary)

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        return super().summary_notes(summary) + rotor_notes(summary)

    def timeline_template(self, target: ConstructionTarget = AER_TARGET) -> Timeline:
        """max(times) kicks of the per-time construction, saved after each measured kick:
        the register is in the momentum basis there, so it is their prefix."""
        s = self.spec
        times = self.times()
        rotor = KickedRotorTemplate.build(s.kick_strength, s.kbar, max(times),
                                          s.momentum_qubits, self.construction(target),
                                          saves=times, potential=s.potential)
        return Timeline.of(rotor.circuit, len(times), rotor.construction, prefix=True,
                           template=rotor)

    def timeline_values(self, timeline: Timeline) -> np.ndarray:
        rotor = timeline.template
        return np.array([rotor.values(beta) for beta in self.spec.betas()]).reshape(
            self.realisations(), timeline.circuit.num_parameters)
