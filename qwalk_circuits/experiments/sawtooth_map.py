"""The quantum sawtooth map: dynamical localization in n(n-1) CX per kick.

One period U = exp(-i T (m + beta)^2 / 2) exp(+i k (theta - pi)^2 / 2), theta in [0, 2 pi),
and classically m' = m + k (theta - pi), theta' = theta + T m' (Benenti, Casati, Montangero,
Shepelyansky, PRL 87, 227901 (2001); on 3 IBM qubits: Pizzamiglio, Chang, Bondani,
Montangero, Gerace, Benenti, Entropy 23, 654 (2021)).  It is the kicked rotor
(``kicked_rotor.py``) with the kick potential cos theta replaced by -(theta - pi)^2 / 2, in
the same parameters: ``kick_strength`` is K = k T (the classical map depends on it alone,
chaotic for K > 0), ``kbar`` is the period T (the effective Planck constant), so k = K / T.
Everything else -- the quasi-momentum average, the plateau test, the quadrature error, the
classical comparison, the templates -- is the kicked rotor's.

Why a device wants it: with theta_j = 2 pi j / N the kick phase k pi^2 (2 j / N - 1)^2 / 2 is
quadratic in the bits of j, so the kick is n(n-1)/2 controlled phases (n(n-1) CX), where the
exact cos theta kick is a diagonal of 2^(n-1) CX; with the quadratic free rotation and the
two QFTs a period is H, phase (P, RZ) and CP gates alone (``circuits/kicked_rotor.py``).

Physics.  Classically <m^2> grows like D t / T^2 with the quasi-linear D = (pi^2/3) K^2 for
K > 1 (the variance of K (theta - pi); the simulated map differs by up to ~12 %: both are
printed).  Quantum mechanically it freezes (dynamical localization).  Unlike the kicked
rotor's, the sawtooth kick's Fourier tails fall only like k^2 / m^4 (its force jumps at
theta = 0): the distribution keeps power-law wings and the exponential tail fit is an
upper estimate.  Those wings reach any register's edge, so the register check here asks what
the edge does to the observable: one more qubit may change the beta-averaged <m^2>(t) by at
most :data:`TRUNCATION_TOLERANCE` (``kicked_rotor_register.truncation_change``).

Defaults (K = 1.5, T = 3, so k = 1/2; 6 qubits, 30 kicks, 16 quasi-momenta): the exact
<m^2>(30) is ~7 against the classical map's ~27; within 10 kicks already 4.8 against 8.7
(tests/experiments/test_sawtooth_map.py).  The papers' own parameters are not reproduced
here (see BENCHMARKS.md section 19).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from ..analysis.theory import theory_value
from ..core.errors import ParameterError
from ..core.specs import Spec
from ..reference.kicked_rotor import KickPotential, sawtooth_diffusion
from .base import register
from .kicked_rotor import KickedRotor, KickedRotorSpec
from .kicked_rotor_register import register_advice, resonance, truncation_change
from .kicked_rotor_report import localization_block, simulated_classical_diffusion, simulated_source

#: one more momentum qubit may change the beta-averaged <m^2>(t) by this fraction at most
TRUNCATION_TOLERANCE = 0.05

BENENTI = "Benenti, Casati, Montangero, Shepelyansky, PRL 87, 227901 (2001)"


class SawtoothMapSpec(KickedRotorSpec):
    """The quantum sawtooth map from m = 0, averaged over quasi-momenta."""

    kick_strength: float = Field(1.5, ge=0, description="K = k T: the classical map's one "
                                 "parameter (chaotic for K > 0; D ~ (pi^2/3) K^2 for K > 1)")
    kbar: float = Field(3.0, gt=0, description="the period T, the effective Planck constant "
                        "(kick k = K/T)")
    kicks: int = Field(30, ge=0, description="kicks t (measured at up to 25 of them)")
    momentum_qubits: int = Field(6, ge=1, description="qubits (momenta m = -N/2..N/2-1, "
                                 "N = 2**n; 6 hold the defaults: one more changes <m^2> "
                                 "by under 5 %)")

    potential: ClassVar[KickPotential] = "sawtooth"

    def check_register(self) -> None:
        """Refuse a register whose edge changes <m^2> by more than TRUNCATION_TOLERANCE,
        and suggest one whose does not."""
        n = self.momentum_qubits
        args = (self.kick_strength, self.kbar, tuple(self.measured_times()))
        betas = tuple(self.betas())
        change = truncation_change(*args, n, betas, self.potential)
        if change <= TRUNCATION_TOLERANCE:
            return
        advice = register_advice(n, lambda k: truncation_change(
            *args, k, betas, self.potential) <= TRUNCATION_TOLERANCE)
        raise ParameterError("momentum_qubits", f"{n} qubits hold m = {-(1 << (n - 1))}.."
                             f"{(1 << (n - 1)) - 1}, but one more qubit changes <m^2> by "
                             f"{change:.1%} (> {TRUNCATION_TOLERANCE:.0%}): the sawtooth "
                             f"kick's k^2/m^4 tails reach the edge; {advice}")


@register
class SawtoothMap(KickedRotor):
    """Dynamical localization of the quantum sawtooth map against its classical diffusion."""

    name = "sawtooth-map"
    summary = ("quantum sawtooth map (a kick of n(n-1) CX) averaged over quasi-momenta vs "
               "the classical sawtooth map")
    spec_type: ClassVar[type[Spec]] = SawtoothMapSpec

    def rotor_theory(self, summary: dict[str, Any]) -> dict[str, Any]:
        """diffusion_theory (the quasi-linear D, the simulated map's, their gap, the quantum
        rate) and localization_theory (l = D / (2 T^2) beside the tail fits)."""
        kick, period = self.spec.kick_strength, self.spec.kbar
        quasi = sawtooth_diffusion(kick)
        classical, error = simulated_classical_diffusion(kick, "sawtooth")
        at_resonance = resonance(period) is not None
        quasilinear = (BENENTI + ": D = (pi^2/3) K^2 for K > 1, the variance of one kick "
                       "K (theta - pi) with the kicks uncorrelated")
        quantum_source = ("before the break time the quantum <m^2> grows at the quasi-linear "
                          "rate: from m = 0 one kick gives <m^2> = k^2 <(theta - pi)^2> = "
                          "(pi^2/3) k^2 on the continuum (no Bessel-type correction)"
                          + ("; none at a quantum resonance (ballistic)" if at_resonance
                             else ""))
        quantum = None if at_resonance else quasi
        return {
            "diffusion_theory": {
                "quasilinear_D": theory_value("asymptotic", quasi, source=quasilinear),
                "classical_D": theory_value("asymptotic", classical, error,
                                            source="the classical limit (T -> 0 at fixed K), "
                                                   "sawtooth map simulated: "
                                                   + simulated_source()),
                "quasilinear_minus_classical": theory_value(
                    "difference", quasi - classical, error,
                    source="quasi-linear D minus the simulated map's D (kick correlations)"),
                "quantum_D": theory_value("asymptotic", quantum, source=quantum_source),
                "classical_rate": theory_value("asymptotic", classical / period**2,
                                               error / period**2,
                                               source="the simulated map's D / T^2, m^2 per "
                                                      "kick"),
                "quantum_rate": theory_value("asymptotic",
                                             None if quantum is None else quantum / period**2,
                                             source="(pi^2/3) k^2: m^2 per kick before the "
                                                    "break time"),
            },
            "localization_theory": localization_block(
                summary, None if at_resonance else quasi / (2 * period**2),
                "l = D / (2 T^2) = (pi^2/6) k^2: the Floquet-state estimate l ~ D/2 of "
                "Chirikov, Izrailev, Shepelyansky, Physica D 33, 77 (1988) with the sawtooth "
                f"map's D ({BENENTI} use l ~ D / T^2); the kick's power-law tails are not "
                "exponential, so the tail fit overestimates it"
                + ("; none at a quantum resonance (ballistic)" if at_resonance else "")),
        }
