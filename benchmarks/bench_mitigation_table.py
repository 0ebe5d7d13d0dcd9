"""Mitigation per phenomenon (issue 15, part 4): how much of the signature's error against
the exact value readout mitigation (tensored, mthree) and ZNE remove, on one fake device.

    python -m benchmarks.bench_mitigation_table [--device fake_fez] [--only ballistic ...]
        [--wl-members 32] [--wal-realisations 16]

Each phenomenon's row comes from its own module in ``benchmarks/phenomena`` (the size is
the largest observed one of BENCHMARKS §24; Anderson's 16 sites, not observed, too), run
twice with the same seed: once with ``readout_solver = "tensored"`` (the default) and once
with ``"mthree"``.  The same seed gives the same counts (§23): the raw signatures of the two
runs are checked to agree exactly, so the columns are one set of counts mitigated two ways.
ZNE is the module's (Richardson over scales 1, 3, 5 on the tensored-mitigated values; the
mthree run's ZNE is shown too).  Per estimate: |estimate - exact| and the fraction of the
raw |raw - exact| it removes, ``1 - |est - exact| / |raw - exact|`` (negative: it adds
error).  Error bars: each module's own (see its docstring), the removed fraction's by the
delta method treating the two deviations as independent; they come from the same counts
and are positively correlated, so that bar overstates the difference's.  Not a timing.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from ._common import markdown_table, print_header
from .phenomena import (
    Estimate,
    Row,
    anderson,
    ballistic,
    crossover,
    dynamical,
    weak_antilocalization,
    weak_localization,
)

MODULE = "benchmarks.bench_mitigation_table"
SOLVERS = ("tensored", "mthree")
#: the modules whose configs the solver is set in (weak anti-localization runs through
#: weak_localization's ``_device``)
CONFIGURED = (ballistic, crossover, anderson, dynamical, weak_localization)


def removed(raw: Estimate, estimate: Estimate, exact: float) -> Estimate:
    """The fraction of the raw deviation |raw - exact| that ``estimate`` removes, with its
    delta-method error (the two deviations taken as independent; ``exact`` as exact)."""
    a, b = abs(raw.value - exact), abs(estimate.value - exact)
    if a == 0:
        return Estimate(math.nan, math.nan)
    return Estimate(1 - b / a, math.hypot(estimate.error / a, b * raw.error / a**2))


def _with_solver(solver: str, make: Callable[..., Any]) -> Callable[..., Any]:
    def configured(*args: Any, **kwargs: Any) -> Any:
        config = make(*args, **kwargs)
        return config.model_copy(update={"run": config.run.model_copy(update={
            "readout_mitigation": True, "readout_solver": solver})})
    return configured


def _recording(used: list[str], run: Callable[..., Any]) -> Callable[..., Any]:
    def recorded(*args: Any, **kwargs: Any) -> Any:
        record = run(*args, **kwargs)
        used.append(str(record.summary["comparison"].get("readout_solver")))
        return record
    return recorded


@contextmanager
def readout_solver(solver: str) -> Iterator[list[str]]:
    """The phenomenon modules' configs (plain and ZNE) with ``solver`` for readout; yields
    the solver each device run reported (its summary's ``comparison.readout_solver``)."""
    used: list[str] = []
    with ExitStack() as stack:
        for module in CONFIGURED:
            for name in ("zne_config", "resolve_config"):
                original = getattr(module, name)
                stack.enter_context(mock.patch.object(module, name,
                                                      _with_solver(solver, original)))
            stack.enter_context(mock.patch.object(module, "run",
                                                  _recording(used, module.run)))
        yield used


@contextmanager
def tvd_pairs() -> Iterator[list[tuple[float, float]]]:
    """(dry-run predicted, measured raw) TVD per time of every device run in the block: the
    plain-config ``plan`` before a run (its ``tvd_predicted_sampled``: the calibration mix
    with the shot floor) paired with the run's ``comparison.hardware.tvd``."""
    pairs: list[tuple[float, float]] = []
    planned: list[float] = []

    def planning(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(experiment: Any, config: Any, *args: Any, **kwargs: Any) -> Any:
            out = original(experiment, config, *args, **kwargs)
            if config.run.zne_scales is None:
                planned[:] = [float(c["tvd_predicted_sampled"]) for c in out["circuits"]]
            return out
        return wrapped

    def running(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            record = original(*args, **kwargs)
            measured = record.summary["comparison"].get("hardware", {}).get("tvd", [])
            if len(measured) == len(planned):
                pairs.extend(zip(planned, map(float, measured), strict=True))
            else:  # said, not hidden: a run that no plain plan of its times came before
                print(f"  (a run of {len(measured)} times left out: the plan before it had "
                      f"{len(planned)})", flush=True)
            planned.clear()  # one plan, one run: never paired with a stale plan
            return record
        return wrapped

    with ExitStack() as stack:
        for module in CONFIGURED:
            stack.enter_context(mock.patch.object(module, "plan", planning(module.plan)))
            stack.enter_context(mock.patch.object(module, "run", running(module.run)))
        yield pairs


def tvd_row(name: str, pairs: list[tuple[float, float]]) -> list[object]:
    """Mean predicted and measured TVD and the mean ratio predicted / measured."""
    predicted, measured = (np.asarray(x) for x in zip(*pairs, strict=True))
    ratio = predicted / measured
    return [name, len(pairs), f"{measured.mean():.3f}", f"{predicted.mean():.3f}",
            f"{ratio.mean():.2f}", f"{ratio.min():.2f} .. {ratio.max():.2f}"]


def cases(wl_members: int, wal_realisations: int) -> dict[str, Callable[[str], list[Row]]]:
    """Per phenomenon: the rows of its largest observed size on one device."""
    def wal(device: str) -> list[Row]:
        with mock.patch.object(weak_antilocalization, "REALISATIONS", wal_realisations):
            return weak_antilocalization.rows(device, False)

    return {
        "ballistic": lambda d: [ballistic._row(d, 4, False)],
        "crossover": lambda d: [crossover._row(d, 3, False)],
        "anderson": lambda d: [anderson._row(d, 4, 6, anderson.MEMBERS)],
        "dynamical": lambda d: [dynamical._row(d, c, True) for c in dynamical.CASES[:2]],
        "weak_localization": lambda d: [weak_localization._row(d, 3, wl_members, True)],
        "weak_antilocalization": wal,
    }


def _dev(e: Estimate, exact: float) -> str:
    return "-" if math.isnan(e.value) else f"{abs(e.value - exact):.3f} ± {e.error:.3f}"


def _frac(raw: Estimate, e: Estimate, exact: float) -> str:
    f = removed(raw, e, exact)
    return "-" if math.isnan(f.value) else f"{100 * f.value:.0f} % ± {100 * f.error:.0f} %"


def table_rows(t: Row, m: Row, extra: str) -> tuple[list[object], list[object]]:
    """The estimates row and the deviations / removed row of one phenomenon."""
    label = f"{t.phenomenon} ({t.size}{extra})"
    estimates: list[object] = [label, t.signature, f"{t.exact:.3f}",
                               *(e.text() for e in (t.raw, t.mitigated, m.mitigated, t.zne,
                                                    m.zne)),
                               f"{m.mitigated.value - t.mitigated.value:+.1e}"]
    deviations: list[object] = [label, t.two_qubit_gates, _dev(t.raw, t.exact)]
    for e in (t.mitigated, m.mitigated, t.zne, m.zne):
        deviations += [_dev(e, t.exact), _frac(t.raw, e, t.exact)]
    return estimates, deviations


ESTIMATES = ["phenomenon (size)", "signature", "exact", "raw", "tensored", "mthree",
             "ZNE (tensored)", "ZNE (mthree)", "mthree − tensored"]
DEVIATIONS = ["phenomenon (size)", "2q gates", "raw |Δ|", "tensored |Δ|", "removed",
              "mthree |Δ|", "removed", "ZNE |Δ|", "removed", "ZNE (mthree) |Δ|", "removed"]

TVD = ["phenomenon", "circuits (times x runs)", "measured TVD (mean)", "predicted TVD (mean)",
       "mean ratio predicted / measured", "ratio range"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="fake_fez")
    parser.add_argument("--wl-members", type=int, default=weak_localization.MEMBERS)
    parser.add_argument("--wal-realisations", type=int,
                        default=weak_antilocalization.REALISATIONS)
    table = cases(1, 1)
    parser.add_argument("--only", nargs="+", choices=list(table), default=list(table))
    parser.add_argument("--tvd", action="store_true", help="instead: the tensored run only, "
                        "the dry run's predicted TVD against the measured raw TVD")
    args = parser.parse_args(argv)
    os.environ.setdefault("QWALK_STORE", str(Path(tempfile.mkdtemp()) / "runs.sqlite"))
    print_header(f"Mitigation per phenomenon on {args.device} (bench_mitigation_table)",
                 MODULE, argv)
    table = cases(args.wl_members, args.wal_realisations)
    extras = {"weak_localization": f", {args.wl_members} members",
              "weak_antilocalization": f", {args.wal_realisations} realisations x 2 spins"}
    if args.tvd:
        found_tvd = []
        for name in args.only:
            with readout_solver("tensored"), tvd_pairs() as pairs:
                table[name](args.device)
            found_tvd.append(tvd_row(name, pairs))
            print(f"  {found_tvd[-1]}", flush=True)
        print(f"\n### Dry-run predicted TVD against the measured raw TVD, {args.device}\n")
        print(markdown_table(TVD, found_tvd))
        return 0
    estimates, deviations = [], []
    for name in args.only:
        found: dict[str, list[Row]] = {}
        for solver in SOLVERS:
            start = time.perf_counter()
            with readout_solver(solver) as used:
                found[solver] = table[name](args.device)
            if set(used) != {solver}:
                raise SystemExit(f"{name}: runs reported solvers {used}, not {solver}")
            print(f"- {name}, {solver}: {len(used)} device runs, "
                  f"{time.perf_counter() - start:.0f} s", flush=True)
        for t, m in zip(found["tensored"], found["mthree"], strict=True):
            if t.raw.value != m.raw.value:
                raise SystemExit(f"{name}: the two runs' raw values differ "
                                 f"({t.raw.value!r} vs {m.raw.value!r}): not the same counts")
            e, d = table_rows(t, m, extras.get(name, ""))
            estimates.append(e)
            deviations.append(d)
            print(f"  {e}\n  {d}\n  mthree − tensored: {m.mitigated.value - t.mitigated.value:.2e}"
                  f", ZNE {m.zne.value - t.zne.value:.2e}", flush=True)
    print(f"\n### Signatures on {args.device} (one set of counts per row)\n")
    print(markdown_table(ESTIMATES, estimates))
    print("\n### |estimate − exact| and the fraction of the raw deviation removed\n")
    print(markdown_table(DEVIATIONS, deviations))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
