"""The phenomenon table (issue 15, part 1): each phenomenon's signature through the device
path on fake Heron devices, against its "no effect" value and the exact value of the
simulated model.

One module per phenomenon (``ballistic``, ``crossover``, ``anderson``, ``anderson_chain``,
``dynamical``, ``weak_localization``, ``weak_antilocalization``) exposes
``rows(device: str, quick: bool) -> list[Row]``: one row per size tried, the largest first
is not assumed; :func:`largest_observed` picks the row the table shows.
``python -m benchmarks.bench_phenomena`` prints the table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

#: standard errors the signature must stand from its "no effect" value (as the dry run's)
SIGNIFICANCE = 3.0


@dataclass
class RunOptions:
    """What ``bench_phenomena``'s flags change in the device configs of the modules that
    declare ``MEASURE_EARLY = True`` (they pass their configs through :func:`configured`):
    ``run.measure_early``, and the ZNE model of a config that has ZNE on."""

    measure_early: bool = False
    zne_extrapolation: str = "richardson"


OPTIONS = RunOptions()


def configured(config: Any) -> Any:
    """``config`` with :data:`OPTIONS` applied (``run.measure_early``; the extrapolation
    where ``run.zne_scales`` is set)."""
    changes: dict[str, Any] = {}
    if OPTIONS.measure_early:
        changes["measure_early"] = True
    if config.run.zne_scales is not None \
            and config.run.zne_extrapolation != OPTIONS.zne_extrapolation:
        changes["zne_extrapolation"] = OPTIONS.zne_extrapolation
    return config.with_run(**changes) if changes else config


@dataclass(frozen=True)
class Estimate:
    """A signature's value with its one-standard-error bar (NaN: not measured)."""

    value: float
    error: float

    def text(self) -> str:
        if math.isnan(self.value):
            return "-"
        return f"{self.value:.3f} ± {self.error:.3f}"

    def margin(self, no_effect: float) -> float:
        """Standard errors between this value and the no-effect value."""
        gap = abs(self.value - no_effect)
        if self.error > 0:
            return gap / self.error
        return math.inf if gap > 0 else 0.0


NOT_MEASURED = Estimate(math.nan, math.nan)


@dataclass(frozen=True)
class Row:
    """One size of one phenomenon on one device.

    ``exact`` is the signature of the simulated model computed exactly (reference solver,
    same parameters and the same estimator); ``no_effect`` what it would be without the
    phenomenon (classical exponent 1/2, the clean walk's sigma, r = 1, ...).  ``raw``,
    ``mitigated`` (readout) and ``zne`` are the device path's; ``predicted`` the dry run's
    calibration model at the same shots, ``zne_predicted`` its zero-noise forecast
    (``qwalk_circuits/zne_forecast.py``) where the module reads it.  The verdict reads the
    best mitigated estimate (ZNE where measured, else readout-mitigated): observed when it
    stands beyond :data:`SIGNIFICANCE` errors from ``no_effect`` on the same side as
    ``exact``.
    """

    phenomenon: str
    device: str
    size: str            # e.g. "32 sites", "4x4 torus", "4 momentum qubits"
    steps: str           # e.g. "t = 2..16"
    two_qubit_gates: int  # the largest ISA circuit's two-qubit gates
    signature: str       # what is measured, e.g. "exponent of sigma(t)"
    no_effect: float
    exact: float
    raw: Estimate
    mitigated: Estimate
    zne: Estimate = NOT_MEASURED
    predicted: Estimate = NOT_MEASURED
    zne_predicted: Estimate = NOT_MEASURED  # the dry run's zero-noise forecast, where given
    shots: int = 0       # per circuit (per member for ensembles)
    circuits: int = 0    # sent, calibration and folded ones included
    qpu_s: float = math.nan  # the dry run's QPU-time lower bound
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def dry_run_only(self) -> bool:
        """A size the device path did not run (too costly to simulate here): forecast only."""
        return math.isnan(self.raw.value) and math.isnan(self.mitigated.value)

    @property
    def best(self) -> Estimate:
        return self.zne if not math.isnan(self.zne.value) else self.mitigated

    @property
    def observed(self) -> bool:
        best = self.best
        same_side = (best.value - self.no_effect) * (self.exact - self.no_effect) > 0
        return same_side and best.margin(self.no_effect) > SIGNIFICANCE

    def verdict(self) -> str:
        if self.dry_run_only:  # never "observed": nothing was measured
            if math.isnan(self.predicted.value):
                return "not run"
            margin = self.predicted.margin(self.no_effect)
            wrong = (self.predicted.value - self.no_effect) * (self.exact - self.no_effect) < 0
            return f"dry run only (forecast {margin:.1f} σ{', wrong side' if wrong else ''})"
        margin = self.best.margin(self.no_effect)
        if self.observed:
            return f"observed ({margin:.1f} σ)"
        wrong = (self.best.value - self.no_effect) * (self.exact - self.no_effect) < 0
        return f"not observed ({margin:.1f} σ{', wrong side' if wrong else ''})"


HEADER = ["phenomenon", "device", "size", "steps", "2q gates", "signature", "no effect",
          "exact", "raw", "mitigated", "ZNE", "dry-run prediction", "dry-run ZNE", "verdict",
          "shots",
          "circuits", "QPU s (lower bound)"]


def cells(row: Row) -> list[object]:
    return [row.phenomenon, row.device, row.size, row.steps, row.two_qubit_gates,
            row.signature, f"{row.no_effect:.3f}", f"{row.exact:.3f}", row.raw.text(),
            row.mitigated.text(), row.zne.text(), row.predicted.text(),
            row.zne_predicted.text(), row.verdict(),
            row.shots, row.circuits, "-" if math.isnan(row.qpu_s) else f"{row.qpu_s:.0f}"]


def largest_observed(rows: list[Row]) -> Row | None:
    """The row of the largest size whose signature is observed (rows in increasing size)."""
    observed = [r for r in rows if r.observed]
    return observed[-1] if observed else None


def difference(a: Estimate, b: Estimate) -> Estimate:
    """a - b, the two independent errors in quadrature (a signature of two runs)."""
    return Estimate(a.value - b.value, math.hypot(a.error, b.error))


def rows_until_unobserved(sizes: Iterable[tuple[int, int]],
                          make_row: Callable[[int, int], Row]) -> list[Row]:
    """One row per size in increasing order, stopping after the first not observed."""
    out: list[Row] = []
    for size, steps in sizes:
        out.append(make_row(size, steps))
        if not out[-1].observed:
            break
    return out
