"""What backscattering's r is compared with: exp(-iHt) on the same members (the split step's
shift of r, a paired difference), the symmetry class's long-time limit and where it applies
(weak spin-orbit coupling, a torus large for the time), as a mixin of the experiment."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np

from ..analysis.backscattering import (
    RELAXED_SPIN,
    SLOTS,
    WEAK_SPIN_ORBIT,
    band_energy,
    heisenberg_time,
    paired_ratio_shift,
    ratio_observables,
    slot_probabilities,
    spin_orbit_regime,
)
from ..analysis.ensembles import jackknife_errors
from ..analysis.theory import theory_value
from ..reference.lattice_2d import momentum_distribution, plane_wave
from ..reference.lattice_2d_exact import lattice_2d_exact_states

#: past this fraction of the Heisenberg time the torus's finite size shows (measured on the
#: 8 x 8 torus, W = 3, t_H = 50: forward_ratio 1.16 at t = 16, r 1.76 instead of 2 at t = 24)
HEISENBERG_FRACTION = 1 / 3


class BackscatteringTheory:
    """exp(-iHt) beside the split step, the class's limit, the warnings and notes; for
    :class:`Backscattering`, which gives what is declared here."""

    spec: Any

    @property
    def k0s(self) -> list[tuple[int, int]]:
        raise NotImplementedError

    @property
    def _disorders(self) -> list[Any]:
        raise NotImplementedError

    @property
    def _reference(self) -> list[np.ndarray]:
        raise NotImplementedError

    def member(self, index: int) -> tuple[tuple[int, int], int]:
        raise NotImplementedError

    def times(self) -> list[float]:
        raise NotImplementedError

    def realisations(self) -> int:
        raise NotImplementedError

    @cached_property
    def _hamiltonian_reference(self) -> list[np.ndarray]:
        """The slots of exp(-iHt) -- the Hamiltonian the split step splits, not the model
        the circuits implement -- for the same members (realisations, k0s, spins) and
        times, so the splitting's shift of r is a paired difference."""
        s = self.spec
        times = self.times()
        out = np.empty((len(times), self.realisations(), SLOTS))
        for i, disorder in enumerate(self._disorders):
            k0, spin = self.member(i)
            states = lattice_2d_exact_states(s.model, disorder, plane_wave(s.model, k0, spin),
                                             times)
            for j, t in enumerate(times):
                grid = momentum_distribution(s.model, states[float(t)]).sum(axis=0)
                out[j, i] = slot_probabilities(grid, k0)
        return list(out)

    def hamiltonian_theory(self) -> dict[str, Any]:
        """r of exp(-iHt) on the same members (kind continuum: the unsplit model) and the
        split step's shift of r from it (kind difference, jackknife over the pairs)."""
        split = [r[:, :SLOTS] for r in self._reference]
        exact = self._hamiltonian_reference
        ratio, ratio_error, shift, shift_error = [], [], [], []
        for a, b in zip(split, exact, strict=True):
            ratio.append(ratio_observables(b.mean(axis=0))["ratio"])
            ratio_error.append(jackknife_errors(b, ratio_observables)["ratio"])
            gap, gap_error = paired_ratio_shift(a, b)
            shift.append(gap)
            shift_error.append(gap_error)
        dt = self.spec.dt
        return {
            "ratio_exact_hamiltonian": theory_value(
                "continuum", ratio, ratio_error, source="r of exp(-iHt), H = H_x + H_y + V "
                "unsplit, same realisations and starts; error: jackknife over members"),
            "split_step_shift": theory_value(
                "difference", shift, shift_error, source=f"r(split step dt = {dt:g}) - "
                "r(exp(-iHt)), paired over the same members: jackknife of the pair"),
        }

    def long_time_ratio(self, kind: str, expected: float) -> dict[str, Any]:
        """The symmetry class's long-time r (kind asymptotic); none with strong spin-orbit
        coupling, where no closed form applies."""
        regime = self.spin_orbit_regime()
        if regime is not None and not regime["weak"]:
            return theory_value("asymptotic", None, source=(
                f"no closed form: strong spin-orbit coupling (splitting x scattering time "
                f"{regime['splitting_times_tau']:.2f}) drives r below the symplectic 1/2"))
        return theory_value("asymptotic", expected, source=(
            f"{kind} class, spin-summed, unpolarised: 2 with time-reversal symmetry, 1 "
            "without, 1/2 with weak spin-orbit coupling (splitting x scattering time < "
            f"{WEAK_SPIN_ORBIT}, t >> spin relaxation time)"))

    def heisenberg_time(self) -> float:
        """The torus's Heisenberg time at the k0s' mean band energy: where its finite size
        shows (see analysis/backscattering)."""
        s = self.spec
        energy = float(np.mean([band_energy(k, s.side, s.hopping) for k in self.k0s]))
        return heisenberg_time(energy, s.side, s.hopping)

    def spin_orbit_regime(self) -> dict[str, float | bool] | None:
        """Where theta puts the k0s (the least favourable of them): splitting x scattering
        time and spin relaxation time (analysis/backscattering.py); None without SOC."""
        s = self.spec
        if s.spin_orbit is None:
            return None
        regimes = [spin_orbit_regime(s.spin_orbit, k, s.side, s.W, s.hopping)
                   for k in self.k0s]
        worst = max(regimes, key=lambda r: float(r["splitting_times_tau"]))
        slowest = max(float(r["spin_relaxation_time"]) for r in regimes)
        # the theta at which the worst k0's splitting x tau reaches the weak-coupling bound
        per_sin = float(worst["splitting_times_tau"]) / max(abs(np.sin(s.spin_orbit)), 1e-300)
        weak_theta = float(np.arcsin(min(1.0, WEAK_SPIN_ORBIT / per_sin))) if per_sin else 0.0
        return {**worst, "spin_relaxation_time": slowest,
                "weak": all(bool(r["weak"]) for r in regimes), "weak_below_theta": weak_theta}

    def backscattering_warnings(self, summary: dict[str, Any]) -> list[str]:
        """A torus too small for the times measured (past a third of its Heisenberg time a
        forward peak grows and r is the torus's, not the infinite lattice's); spin-orbit
        coupling too strong for the symplectic 1/2, or a spin not yet relaxed."""
        out = []
        regime = self.spin_orbit_regime()
        t_last = float(summary["times"][-1])
        if regime is not None and not regime["weak"]:
            out.append(f"spin-orbit coupling is strong here (splitting x scattering time = "
                       f"{regime['splitting_times_tau']:.2f} >= {WEAK_SPIN_ORBIT}): the "
                       "symplectic 1/2 does not apply, r falls towards 0 as the helicity bands "
                       f"decouple; use spin_orbit <= {regime['weak_below_theta']:.3f} for 1/2")
        elif regime is not None and t_last < RELAXED_SPIN * float(regime["spin_relaxation_time"]):
            tau_so = float(regime["spin_relaxation_time"])
            out.append(f"the spin has not relaxed by t = {t_last:g} (spin relaxation time "
                       f"1/(Delta^2 tau) = {tau_so:.1f}): r is still on its way to 1/2; use "
                       f"time >= {RELAXED_SPIN * tau_so:.0f}")
        t, t_h = float(summary["times"][-1]), self.heisenberg_time()
        if t > t_h * HEISENBERG_FRACTION:
            forward = (summary["reference"].get("forward_ratio") or [None])[-1]
            seen = "" if forward is None else f" (forward_ratio {forward:.2f} at t = {t:g})"
            m = self.spec.axis_qubits
            out.append(f"the {self.spec.side} x {self.spec.side} torus is too small for t = "
                       f"{t:g}: past a third of its Heisenberg time 2 pi rho L^2 = {t_h:.0f} a "
                       f"coherent forward peak grows{seen} and r is the torus's; use "
                       f"lattice_qubits_per_axis = {m + 1} or times <= "
                       f"{t_h * HEISENBERG_FRACTION:.0f}")
        return out

    def backscattering_notes(self, summary: dict[str, Any]) -> list[str]:
        """r at the last time beside its symmetry class's limit and beside exp(-iHt)."""
        theory = summary.get("backscattering_theory")
        if not theory:
            return []
        t = summary["times"][-1]
        exact, shift = theory["ratio_exact_hamiltonian"], theory["split_step_shift"]
        limit = theory["long_time_ratio"]["value"]
        shown = "none at strong spin-orbit coupling" if limit is None else f"{limit:g}"

        def last(entry: dict[str, Any], key: str) -> str:
            value = entry[key][-1]
            return "-" if value is None else f"{value:.3f}"

        return [f"r(t = {t:g}) of exp(-iHt) on the same members: {last(exact, 'value')} ± "
                f"{last(exact, 'error')}; split-step shift of r (paired): "
                f"{last(shift, 'value')} ± {last(shift, 'error')}",
                f"long-time r of the {summary['symmetry_class']['class']} class: {shown} "
                "(asymptotic)"]
