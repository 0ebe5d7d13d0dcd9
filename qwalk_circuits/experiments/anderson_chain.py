"""The Anderson chain in the one-hot encoding: N qubits for N sites, made for devices.

The walker is the single excitation of N qubits in a line (``circuits/one_hot_chain.py``):
an on-site energy is one RZ per qubit, so any potential (uniform Anderson disorder, the
quasi-periodic Aubry-Andre one, static or redrawn every step) costs no two-qubit gate, and a
step is N - 1 XX+YY bonds in a brickwork that a heavy-hex line holds with no SWAP
(``boundary=ring``: N bonds, the closing one N-1 to 0, on a cycle of the device's qubits,
which heavy-hex has for 12 and every multiple of 4 from 20 sites).  The
binary register (``anderson-ctqw``) needs log2 N qubits but 2^n - 2 CX per energy layer and
a QFT per slice.  A shot with other than one excitation is discarded (post-selection), so
the device's distribution is that of the shots the model could have produced.

The model is the brickwork step itself (``reference/one_hot_chain.py``): the walk starts
in the middle site of an open chain (or a ring); its dt -> 0 limit is the continuous-time
Anderson model.  Every member's error bar is the scatter of the members, so the shots a device loses
to post-selection show in it; that is why even the clean chain (``disorder=none``) runs
``realisations`` identical copies.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field
from qiskit import QuantumCircuit

from .. import analysis
from ..analysis.ensembles import inverse_participation_ratio
from ..analysis.finite_size import FILLING_LIMIT, far_side_filling
from ..chain_forecast import chain_error_budget, emulate_members
from ..circuits.one_hot_chain import OneHotChainTemplate, one_hot_sites
from ..core.disorder import GOLDEN_CONJUGATE, chain_energies
from ..core.errors import ParameterError
from ..core.lattice import signed_displacement
from ..core.lattice_spec import MAX_ENSEMBLE_TIMES
from ..core.specs import Spec
from ..execution.backends import check_fits
from ..execution.chain_layout import device_rings, routing_gates
from ..execution.compiler import ConstructionTarget
from ..execution.config import HardwareConfig
from ..reference.one_hot_chain import brickwork_states, classical_brickwork
from .base import register
from .ctqw import ContinuousTimeSpec
from .ensemble import EnsembleExperiment

#: a sanity cap: a device's own qubit count (156 on Heron, ``check_size``) and, where the
#: chain is simulated here, this machine's memory (``work_estimate.check_work``) are the
#: limits that bite
MAX_SITES = 156


class AndersonChainSpec(ContinuousTimeSpec):
    """A chain of ``sites`` sites, open or closed into a ring, one qubit each, walked by
    brickwork steps of dt."""

    sites: int = Field(16, ge=3, le=MAX_SITES, description="sites of the chain, one "
                       "qubit each (the walk starts at the middle site, sites // 2)")
    boundary: Literal["open", "ring"] = Field(
        "open", description="open (a line of qubits) or ring (the closing bond N-1 to 0 too: "
        "even N; SWAP-free only where the device has a cycle of N qubits, on heavy-hex 12 "
        "and every multiple of 4 from 20)")
    time: float = Field(6.4, gt=0, description="final time t (units of 1/J when J = 1)")
    time_steps: int = Field(8, ge=1, description="brickwork steps of dt = time/time_steps "
                            "(N - 1 two-qubit gates each, N on a ring); measured at up to "
                            f"{MAX_ENSEMBLE_TIMES} of them")
    W: float = Field(6.0, ge=0, description="disorder strength: potential=uniform, the width "
                     "(energies uniform in [-W/2, W/2]); aubry-andre, the amplitude (energies "
                     "W cos(2 pi beta x + phi))")
    potential: Literal["uniform", "aubry-andre"] = Field(
        "uniform", description="uniform (Anderson: i.i.d. energies) or aubry-andre "
        "(quasi-periodic, phi uniform in [0, 2 pi) per realisation, per step when dynamic)")
    quasi_period: float = Field(GOLDEN_CONJUGATE, gt=0, lt=1, description="beta of the "
                                "aubry-andre potential (default the golden-ratio conjugate)")
    disorder: Literal["none", "static", "dynamic"] = Field(
        "static", description="none (clean), static (drawn once), dynamic (every step)")
    realisations: int = Field(10, ge=2, description="members averaged: disorder realisations, "
                              "or identical copies of the clean chain (their scatter is the "
                              "error bar, post-selection losses included)")
    disorder_seed: int = Field(0, ge=0, description="seed s: realisation r is "
                               "default_rng((s, r))")

    default_points: ClassVar[int] = MAX_ENSEMBLE_TIMES

    def check(self) -> None:
        super().check()
        if self.ring and self.sites % 2:
            raise ParameterError("sites", f"a ring's brickwork needs an even number of sites, "
                                 f"not {self.sites}; use sites={self.sites - 1} or "
                                 f"{self.sites + 1} (a heavy-hex device holds rings of 12, 20, "
                                 "24, 28, ... qubits with no SWAP) or boundary=open")

    @property
    def ring(self) -> bool:
        return self.boundary == "ring"

    @property
    def num_sites(self) -> int:
        return self.sites

    @property
    def start(self) -> int:
        return self.sites // 2


@register
class AndersonChain(EnsembleExperiment[AndersonChainSpec]):
    """Anderson localization on a one-hot chain: RZ energies, XX+YY brickwork, post-selected."""

    name = "anderson-chain"
    summary = "Anderson chain, one qubit per site (RZ disorder, XX+YY brickwork), averaged"
    spec_type: ClassVar[type[Spec]] = AndersonChainSpec
    mean_over_realisations = ("ipr",)
    second_observable = ("p_origin", "P(origin)")

    def times(self) -> list[float]:
        return self.spec.measured_times()

    def realisations(self) -> int:
        return self.spec.realisations

    def check_size(self, config: HardwareConfig) -> None:
        """The device's (or simulator's) qubits bound N; the memory of a local simulation
        (a statevector of N qubits) is the work estimate's to refuse (``check_work``: a dry
        run simulates nothing, and the reference, the analysis and readout mitigation hold
        only N-long vectors: :meth:`readout_outcomes`)."""
        n = self.spec.sites
        check_fits(n, config, "sites", n, memory=False)

    def distribution_length(self, qubits: int) -> int:
        return self.spec.sites

    def readout_outcomes(self) -> np.ndarray:
        """The N one-excitation strings 1 << x (Python ints: N may pass 64), the only
        outcomes post-selection keeps."""
        return np.array([1 << x for x in range(self.spec.sites)], dtype=object)

    def energies(self, realisation: int) -> np.ndarray:
        """On-site energies (layers, N): one layer (static, clean) or one per step."""
        s = self.spec
        return chain_energies(s.disorder_seed, realisation, s.sites, s.W, s.disorder,
                              s.potential, s.quasi_period, s.time_steps)

    def _template(self, steps: int, measured: bool = True) -> OneHotChainTemplate:
        s = self.spec
        return OneHotChainTemplate.build(s.sites, s.start, s.hopping, s.dt, steps,
                                         static=s.disorder != "dynamic", measured=measured,
                                         ring=s.ring)

    @cached_property
    def _walk_templates(self) -> list[OneHotChainTemplate]:
        return [self._template(k) for k in self.spec.measured_slices()]

    def templates(self, target: ConstructionTarget) -> list[QuantumCircuit]:
        return [template.circuit for template in self._walk_templates]

    def template_values(self, index: int, template: QuantumCircuit) -> np.ndarray:
        walk = self._walk_templates[index]
        return np.array([walk.values(self.energies(r), self.spec.dt)
                         for r in range(self.realisations())]).reshape(
            self.realisations(), template.num_parameters)

    def work_steps(self) -> list[int]:
        return self.spec.measured_slices()

    def step_circuit(self, steps: int) -> QuantumCircuit:
        return self._template(steps, measured=False).circuit

    def site_distribution(self, circuit: QuantumCircuit, probabilities: np.ndarray | None,
                          counts: dict[int, int] | None) -> np.ndarray:
        """The one-excitation outcomes, renormalised (post-selection); a mitigated
        quasi-distribution's negative entries count as 0.  ``probabilities`` holds all 2^N
        outcomes (a statevector's) or only the N of :meth:`readout_outcomes` (readout
        mitigation's).  Nothing kept (every shot an error): the uniform distribution, what
        a device of pure noise shows."""
        n = self.spec.sites
        if probabilities is not None:
            vector = np.asarray(probabilities, dtype=float)
            kept = np.clip(vector if vector.size == n else one_hot_sites(vector, n), 0.0, None)
        elif counts is not None:
            kept = np.array([counts.get(1 << x, 0) for x in range(n)], dtype=float)
        else:
            raise ValueError("a circuit result needs probabilities or counts")
        total = kept.sum()
        return kept / total if total > 0 else np.full(n, 1 / n)

    @cached_property
    def _reference(self) -> list[np.ndarray]:
        s = self.spec
        slices = s.measured_slices()
        out = np.empty((len(slices), self.realisations(), s.sites))
        for r in range(self.realisations()):
            states = brickwork_states(s.start, s.sites, s.hopping, self.energies(r), s.dt,
                                      slices, ring=s.ring)
            for i, k in enumerate(slices):
                out[i, r] = np.abs(states[k]) ** 2
        return list(out)

    def reference_ensemble(self) -> list[np.ndarray]:
        return list(self._reference)

    def classical_distributions(self) -> list[np.ndarray]:
        s = self.spec
        slices = s.measured_slices()
        out = classical_brickwork(s.start, s.sites, s.hopping, s.dt, slices, ring=s.ring)
        return [out[k] for k in slices]

    def observables(self, p: np.ndarray) -> dict[str, float]:
        values = analysis.observables(p, self.spec.start, 1)
        values["ipr"] = inverse_participation_ratio(p)
        return values

    def observable_errors(self, p: np.ndarray, shots: int) -> dict[str, float]:
        """Shot noise of one member with every shot kept (the run's own errors are the
        members' scatter, which holds the post-selection losses)."""
        errors = analysis.observable_errors(p, self.spec.start, shots, 1)
        ipr = inverse_participation_ratio(p)
        errors["ipr"] = float(2 * np.sqrt(max(float(np.sum(p**3)) - ipr**2, 0.0) / shots))
        return errors

    def calibration_mix(self, p: np.ndarray, fidelity: float) -> tuple[np.ndarray, float]:
        """The dry run's model with the post-selection: the noise, uniform over the 2^N
        bitstrings, lands on the N one-excitation ones with weight N/2^N, the rest is
        discarded; kept: F + (1 - F) N/2^N of the shots."""
        n = self.spec.sites
        noise = (1 - fidelity) * n / 2.0**n
        kept = fidelity + noise
        return (fidelity * p + noise * self.noise_outcome(p.size)) / kept, kept

    def device_emulation(self, isa: list[QuantumCircuit], target: Any,
                         two_qubit_factor: float = 1.0, readout_errors: bool = True
                         ) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """Every member through the one-excitation sector with each ISA circuit's own
        calibrated errors (``chain_forecast``): the noise that survives post-selection
        (phase flips, swaps within a bond) blurs the walk, which the global mix misses."""
        s = self.spec
        energies = [self.energies(r) for r in range(self.realisations())]
        out = []
        for circuit, steps in zip(isa, s.measured_slices(), strict=True):
            budget = chain_error_budget(circuit, target, s.sites, steps, ring=s.ring)
            out.append(emulate_members(s.start, s.hopping, energies, s.dt,
                                       budget.scaled(two_qubit_factor, readout_errors)))
        return out

    def layout_notes(self, isa: list[QuantumCircuit], backend: Any) -> list[str]:
        """Where the longest circuit holds two-qubit gates off the chain's bonds (only SWAPs
        the router added can put them there): the chain (ring) found no line (cycle) of
        the device's qubits.  Says how many gates it costs against the SWAP-free count (2
        per bond and step: XX+YY takes two CZ, CX, ECR or RZZ gates) and which ring lengths
        the device has."""
        s = self.spec
        if not isa:
            return []
        routing, total = routing_gates(isa[-1], s.sites, s.ring)
        if routing == 0:
            return []
        shape = "ring" if s.ring else "chain"
        bonds = s.sites if s.ring else s.sites - 1
        swap_free = 2 * bonds * int(isa[-1].metadata.get("steps", s.measured_slices()[-1]))
        note = (f"the {s.sites}-site {shape} found no {'cycle' if s.ring else 'line'} of "
                f"{s.sites} coupled qubits on {getattr(backend, 'name', 'the device')}: the "
                f"router added SWAPs, {total} two-qubit gates in the last circuit against "
                f"{swap_free} without")
        coupling = getattr(backend, "coupling_map", None)
        if s.ring and coupling is not None:
            reach = max(40, s.sites)
            rings = device_rings(coupling, up_to=reach)
            note += (f"; rings found on it (searched up to {reach} sites): "
                     f"{', '.join(map(str, rings)) or 'none found'}; or boundary=open")
        return [note]

    def signature_side(self) -> int:
        """Localization narrows the walk: the signature is sigma below its no-effect value,
        for static disorder that localizes (uniform at any W; aubry-andre above W = 2J,
        the continuous-time threshold); else either side."""
        s = self.spec
        localizes = s.potential == "uniform" or s.W > 2 * s.hopping
        return -1 if s.disorder == "static" and localizes else 0

    def outcome_axis(self) -> tuple[np.ndarray, str] | None:
        return signed_displacement(self.spec.sites, self.spec.start), "x - x0"

    def result_warnings(self, summary: dict[str, Any]) -> list[str]:
        """The exact walk at the chain's ends (within sites/16 of them; a ring's far side,
        the same sites) past 2 % of their uniform share: from there on it reflects (wraps
        round), and sigma is bounded by the chain (ring)."""
        s = self.spec
        filling = [far_side_filling(p, s.start, 1) for p in self.reference_distributions()]
        over = [i for i, f in enumerate(filling) if f > FILLING_LIMIT]
        if not over:
            return []
        t, f = self.times()[over[0]], filling[over[0]]
        uniform = np.sqrt((s.sites**2 - 1) / 12)
        shape, where = ("ring", "ring's far side") if s.ring else ("chain", "chain's ends")
        return [f"finite size: from t = {t:g} the exact walk reaches the {where} "
                f"({f:.0%} of their uniform share, limit {FILLING_LIMIT:.0%}): sigma from "
                f"there on is bounded by the {s.sites}-site {shape} (uniform: sigma = "
                f"{uniform:.2f}) as well as by the disorder; use more sites or a shorter "
                "time to see the infinite chain's"]

    def layer_circuits(self) -> dict[str, QuantumCircuit]:
        """One brickwork step (realisation 0's energies), for its cost: N - 1 XX+YY bonds
        (N on a ring), the energies none."""
        one = self._template(1, measured=False)
        values = one.values(self.energies(0), self.spec.dt)
        return {"brickwork step (RZ energies + XX+YY bonds)": one.circuit.assign_parameters(
            dict(zip(one.circuit.parameters, values, strict=True)))}

    def summary_notes(self, summary: dict[str, Any]) -> list[str]:
        lines = super().summary_notes(summary)
        shape = "ring" if self.spec.ring else "chain"
        lines.append(f"one-hot {shape} of {self.spec.sites} sites: shots with other than one "
                     "excitation discarded (post-selection)")
        return lines
