"""Return probability P(origin, t) of a disordered chain (1D) or torus (2D) against classical walks.

A particle starts on one site; the ensemble averages the split-step walk
over static disorder (member i: realisation i; with spin-orbit coupling the
two starting spins alternate, an unpolarised start, and detection sums over
the spin).  The classical random walk on the same lattice (continuous time,
rate J per bond) returns with P ~ (4 pi J t)^(-d/2): the t^(-d/2) law.  The
dephased walk is the same disordered walk with site dephasing
rho_xy -> e^{-gamma dt} rho_xy after every step, sampled by trajectories:
Gaussian phase kicks of variance gamma dt on every site per step, one
trajectory per member on the member's own disorder (reference only, no
circuits), whose average is that channel exactly.  Dephasing removes the
interference of time-reversed loops, so the coherent walk returns more often.

1D reuses the ``anderson-ctqw`` model (e^{-iV dt/2} e^{-iH dt} e^{-iV dt/2},
same energies for realisation i); 2D is ``disorder_2d.py``'s torus with flux
and spin-orbit coupling.  Power laws P ~ t^alpha are fitted for t >= fit_from (default:
the later half of the run), each with a window error: how far the exponent moves when only
the later half of the window is fitted (a regime not yet asymptotic shows there).

The defaults keep every walk off the lattice's far side (``analysis/finite_size.py``, which
warns otherwise): a 128-site ring to t = 16 in 1D; in 2D a 32 x 32 torus to t = 6, because
the coherent walk at W = 3 J is nearly ballistic and fills a 16 x 16 torus by t ~ 5, where
its return probability sits on the torus's plateau (about 3/N) and its exponent means
nothing.  Infinite-lattice laws (``return_theory``): the classical walk ~ t^(-d/2), with
the exact closed form (e^{-2Jt} I_0(2Jt))^d fitted over the same window beside it; the
dephased walk diffuses, ~ t^(-d/2) for t >> 2/gamma; the coherent walk localizes in 1D
(exponent 0 for t >> xi/v) and in 2D has no closed form at W ~ 3 J (ballistic t^(-2) at
W = 0, diffusive t^(-1) with the echo's factor 2 at the origin for t >> the scattering time).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator
from qiskit import QuantumCircuit

from .. import analysis
from ..circuits import measure_position
from ..circuits.anderson_ctqw import AndersonCtqwTemplate
from ..circuits.lattice_2d import Lattice2dTemplate
from ..core.disorder import onsite_energies
from ..core.disorder_2d import lattice_2d_disorder
from ..core.errors import ParameterError
from ..core.specs import Spec
from ..core.states import site_state as chain_site
from ..execution.backends import check_fits
from ..execution.compiler import ConstructionTarget
from ..execution.config import HardwareConfig
from ..reference.classical_walk import classical_ctrw_distributions
from ..reference.disordered import anderson_split_states
from ..reference.lattice_2d import Lattice2dReference, site_state
from . import return_probability_analysis as return_analysis
from .base import register
from .disordered_torus import DisorderedTorusSpec
from .ensemble import EnsembleExperiment

KICK_STREAM = 1  # trajectory kicks of member i come from default_rng((seed, i, KICK_STREAM))
#: per dimension: qubits per axis and final time that keep every walk off the far side
DEFAULT_QUBITS = {1: 7, 2: 5}
DEFAULT_TIME = {1: 16.0, 2: 6.0}


class ReturnProbabilitySpec(DisorderedTorusSpec):
    """A site start on a disordered chain or torus, averaged over realisations."""

    dimension: Literal[1, 2] = Field(2, description="1: a chain of 2**m sites; 2: an L x L "
                                     "torus")
    lattice_qubits_per_axis: int | None = Field(None, ge=1, description="qubits per axis "
                                                "(L = 2**m sites per axis); default 7 in 1D, "
                                                "5 in 2D")
    time: float = Field(DEFAULT_TIME[2], gt=0, description="final time t (a whole number of "
                        "steps dt); default 16 in 1D, 6 in 2D (before the walk reaches the "
                        "lattice's far side)")
    x0: int | None = Field(None, description="start site (x); default: the middle")
    y0: int | None = Field(None, description="start row in 2D; default: the middle")
    dephasing: float = Field(2.0, ge=0, description="gamma of the dephased comparison walk "
                             "(sampled trajectories, reference only; 2 J: HSR D = 2J^2/gamma = "
                             "J, diffusive from t ~ 2/gamma = 1); 0: none")
    fit_from: float | None = Field(None, ge=0, description="power-law fits of P(origin, t) "
                                   "use t >= fit_from (at least three times; else no fit); "
                                   "default: the later half, time/2")

    @model_validator(mode="before")
    @classmethod
    def _time_for_dimension(cls, data: Any) -> Any:
        """No time given: the dimension's default (a bad dimension is left to its field)."""
        if isinstance(data, dict) and "time" not in data:
            dimension = data.get("dimension", 2)
            if dimension in DEFAULT_TIME:
                return {**data, "time": DEFAULT_TIME[dimension]}
        return data

    def lattice_dimension(self) -> int:
        return self.dimension

    @property
    def axis_qubits(self) -> int:
        """m, with its per-dimension default resolved."""
        if self.lattice_qubits_per_axis is not None:
            return self.lattice_qubits_per_axis
        return DEFAULT_QUBITS[self.dimension]

    def fit_start(self) -> float:
        """The first time the power-law fits use: fit_from, else half the final time."""
        return self.time / 2 if self.fit_from is None else self.fit_from

    def check(self) -> None:
        if self.dimension == 1:
            if self.flux != "none":
                raise ParameterError("flux", "a chain has no plaquettes to thread; use "
                                     "dimension=2 or flux=none")
            if self.spin_orbit is not None:
                raise ParameterError("spin_orbit", "SU(2) hopping on a chain is a pure gauge "
                                     "(no effect on spin-summed returns); use dimension=2")
            if self.y0 is not None:
                raise ParameterError("y0", "a chain has no y; drop y0 or set dimension=2")
        super().check()
        for name, value in (("x0", self.x0), ("y0", self.y0)):
            if value is not None and not 0 <= value < self.side:
                raise ParameterError(name, f"{value} is outside the register 0..{self.side - 1}")
        self.check_members(self.realisations * self.spins)

    def start(self) -> tuple[int, int]:
        middle = self.side // 2
        return (middle if self.x0 is None else self.x0,
                0 if self.dimension == 1 else (middle if self.y0 is None else self.y0))

    def origin(self) -> int:
        x, y = self.start()
        return x + self.side * y


@register
class ReturnProbability(EnsembleExperiment[ReturnProbabilitySpec]):
    """P(origin, t): coherent disordered walk vs dephased walk vs classical t^(-d/2)."""

    name = "return-probability"
    summary = "return probability of a disordered 1D/2D walk vs the classical t^(-d/2) law"
    spec_type: ClassVar[type[Spec]] = ReturnProbabilitySpec
    main_observable = "p_origin"
    second_observable = ("sigma", "sigma")

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        """The fitted exponents (fit (+) window errors) beside the infinite-lattice laws."""
        fits = summary.get("fits", {}).get("return_power_law", {})
        theory = summary.get("return_theory", {})
        laws = {"observables": "coherent_exponent", "reference": "coherent_exponent",
                "dephased": "dephased_exponent", "classical": "classical_window_exponent"}
        lines = [f"P(origin) ~ t^alpha for t >= {self.spec.fit_start():g} (errors: fit and "
                 "window combined); infinite-lattice law in brackets"]
        for name, label in (("observables", "coherent, circuits"),
                            ("reference", "coherent, exact"), ("dephased", "dephased"),
                            ("classical", "classical")):
            fit = fits.get(name)
            if fit is None:
                continue
            law = theory.get(laws[name])
            lines.append(f"  {label}: alpha = {fit['exponent']:+.3f} ± "
                         f"{fit['exponent_total_error']:.3f}"
                         + (f" [{law['value']:+.3f}]" if law and law["value"] is not None
                            else ""))
        return lines

    def realisations(self) -> int:
        return self.spec.realisations * self.spec.spins

    def times(self) -> list[float]:
        return self.spec.measured_times()

    def check_size(self, config: HardwareConfig) -> None:
        s = self.spec
        check_fits(s.total_qubits, config, "lattice_qubits_per_axis", s.axis_qubits)

    def spin(self, member: int) -> int:
        return member % self.spec.spins

    # -- the walk -----------------------------------------------------------------------
    def energies(self, member: int) -> np.ndarray:
        """1D on-site energies of member i (anderson-ctqw's static realisation i)."""
        s = self.spec
        return onsite_energies(s.disorder_seed, member, s.side, s.W)

    @cached_property
    def _disorders(self) -> list[Any]:
        s = self.spec
        if s.dimension == 1:
            return [self.energies(i) for i in range(self.realisations())]
        return [lattice_2d_disorder(s.model, s.disorder_seed, i)
                for i in range(self.realisations())]

    def _initial(self, member: int) -> np.ndarray:
        s = self.spec
        if s.dimension == 1:
            return chain_site(s.side, s.start()[0]).astype(complex)
        return site_state(s.model, s.start(), self.spin(member))

    def _stepper(self, member: int) -> Any:
        """psi -> one split step of member ``member``'s realisation."""
        s = self.spec
        if s.dimension == 1:
            energies = self._disorders[member][None]
            return lambda psi: anderson_split_states(psi, s.hopping, energies, s.dt, [1])[1]
        return Lattice2dReference(s.model, self._disorders[member]).step

    def _positions(self, psi: np.ndarray) -> np.ndarray:
        """Spin-summed |psi|^2 over the sites (flat x + L*y)."""
        return (np.abs(psi) ** 2).reshape(-1, self.spec.side ** self.spec.dimension).sum(axis=0)

    # -- circuits -----------------------------------------------------------------------
    @cached_property
    def _walks(self) -> list[Any]:
        s = self.spec
        if s.dimension == 1:
            start = chain_site(s.side, s.start()[0])
            return [AndersonCtqwTemplate.build(start, s.hopping, s.dt, k, s.axis_qubits,
                                               static=True) for k in s.measured_steps()]
        return [Lattice2dTemplate.build(s.model, k, "site") for k in s.measured_steps()]

    def _values(self, walk: Any, member: int) -> np.ndarray:
        if self.spec.dimension == 1:
            return walk.values(self._disorders[member][None], self.spec.dt)
        return walk.values(self._disorders[member], self.spec.start(), self.spin(member))

    def templates(self, target: ConstructionTarget) -> list[QuantumCircuit]:
        """Each time: the walk with its position registers measured (the spin traced out)."""
        return [measure_position(walk.circuit) for walk in self._walks]

    def template_values(self, index: int, template: QuantumCircuit) -> np.ndarray:
        walk = self._walks[index]
        return np.array([self._values(walk, i) for i in range(self.realisations())])

    def work_steps(self) -> list[int]:
        return self.spec.measured_steps()

    def step_circuit(self, steps: int) -> QuantumCircuit:
        s = self.spec
        if s.dimension == 1:
            return AndersonCtqwTemplate.build(chain_site(s.side, s.start()[0]), s.hopping, s.dt,
                                              steps, s.axis_qubits, static=True).circuit
        return Lattice2dTemplate.build(s.model, steps, "site").circuit

    def reference_steps(self) -> int:
        """Every member's walk, and its dephased trajectory where there is one."""
        walks = 2 if self.spec.dephasing else 1
        return walks * max(self.work_steps(), default=0) * self.realisations()

    def reference_bytes(self) -> int:
        """The classical walk's dense generator over the sites, diagonalised."""
        return 48 * (self.spec.side ** self.spec.dimension) ** 2

    def layer_circuits(self) -> dict[str, QuantumCircuit]:
        """One split step of member 0 (its two-qubit cost per step)."""
        s = self.spec
        if s.dimension == 1:
            one = AndersonCtqwTemplate.build(chain_site(s.side, s.start()[0]), s.hopping, s.dt,
                                             1, s.axis_qubits, static=True)
            values = one.values(self._disorders[0][None], s.dt)
            return {"split step": one.circuit.assign_parameters(values)}
        walk = Lattice2dTemplate.build(s.model, 1, "site")
        return {"split step": walk.bind(self._disorders[0], s.start(), self.spin(0))}

    def site_distribution(self, circuit: QuantumCircuit, probabilities: np.ndarray | None,
                          counts: dict[int, int] | None) -> np.ndarray:
        if probabilities is not None:
            return np.asarray(probabilities, dtype=float)
        if counts is None:
            raise ValueError("a circuit result needs probabilities or counts")
        return analysis.distribution_from_counts(counts, self.spec.side ** self.spec.dimension)

    # -- references ---------------------------------------------------------------------
    @cached_property
    def _reference(self) -> list[np.ndarray]:
        s = self.spec
        steps = s.measured_steps()
        out = np.empty((len(steps), self.realisations(), s.side ** s.dimension))
        for i in range(self.realisations()):
            if s.dimension == 1:
                states = anderson_split_states(self._initial(i), s.hopping,
                                               self._disorders[i][None], s.dt, steps)
            else:
                states = Lattice2dReference(s.model, self._disorders[i]).states(
                    self._initial(i), steps)
            for j, k in enumerate(steps):
                out[j, i] = self._positions(states[k])
        return list(out)

    def reference_ensemble(self) -> list[np.ndarray]:
        return self._reference

    def dephased_ensemble(self) -> list[np.ndarray] | None:
        """One dephased trajectory per member, per time (None without dephasing)."""
        return self._dephased

    @cached_property
    def _dephased(self) -> list[np.ndarray] | None:
        """Sampled once: the summary and the finite-size guard both read it."""
        s = self.spec
        if s.dephasing == 0:
            return None
        steps = s.measured_steps()
        sites = s.side ** s.dimension
        spread = np.sqrt(s.dephasing * s.dt)
        out = np.empty((len(steps), self.realisations(), sites))
        for i in range(self.realisations()):
            rng = np.random.default_rng((s.disorder_seed, i, KICK_STREAM))
            step = self._stepper(i)
            psi = self._initial(i)
            done = 0
            for j, k in enumerate(steps):
                while done < k:
                    kicks = np.exp(1j * rng.normal(0.0, spread, sites))
                    psi = (step(psi).reshape(-1, sites) * kicks).reshape(-1)
                    done += 1
                out[j, i] = self._positions(psi)
        return list(out)

    def classical_distributions(self) -> list[np.ndarray]:
        """The classical continuous-time random walk (rate J per bond) on the same lattice."""
        s = self.spec
        start = np.zeros((s.side,) * s.dimension)
        x, y = s.start()
        start[(x,) if s.dimension == 1 else (y, x)] = 1.0
        out = classical_ctrw_distributions(start, s.hopping, self.times(), s.dimension)
        return [out[t] for t in self.times()]

    # -- observables --------------------------------------------------------------------
    def observables(self, p: np.ndarray) -> dict[str, float]:
        """P(origin) (the return probability), sigma and the mean displacement."""
        return analysis.observables(p, self.spec.origin(), self.spec.dimension)

    def observable_errors(self, p: np.ndarray, shots: int) -> dict[str, float]:
        return analysis.observable_errors(p, self.spec.origin(), shots, self.spec.dimension)

    def return_fit(self, values: Sequence[float | None],
                   errors: Sequence[float | None] | None, *, window: bool = True
                   ) -> dict[str, float] | None:
        """P(origin, t) ~ a t^alpha over t >= fit_start, with its window error
        (:func:`.return_probability_analysis.return_fit`)."""
        return return_analysis.return_fit(self, values, errors, window=window)

    def return_theory(self) -> dict[str, Any]:
        """The infinite-lattice laws the fitted exponents are read against (module doc)."""
        return return_analysis.return_theory(self)

    def ensemble_extra(self, summary: dict[str, Any]) -> dict[str, Any]:
        return return_analysis.return_results(self, summary)

    def result_warnings(self, summary: dict[str, Any]) -> list[str]:
        """The finite-size guard on the coherent, dephased and classical walks."""
        return return_analysis.finite_size_warnings(self, summary)
