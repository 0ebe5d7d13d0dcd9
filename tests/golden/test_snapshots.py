"""Golden snapshots: the ``qwalk run --json`` summary of every experiment at small sizes.

Pinned before the run paths were merged into one pipeline, so a refactor that changes a
number, a key or a construction fails here.  Each case runs through the CLI exactly as a
user would (exact and seeded sampled on aer_ideal, the dephasing config, fake_fez).

A deliberate change regenerates the files and lists the difference in its commit::

    QWALK_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden

Values compare to 1e-9 (relative) so that a different BLAS summation order passes and a
model change does not; where rounding is amplified (a width or distance that is the root of
a rounding error, an ill-conditioned tail fit) the path has its own documented floor or
tolerance below.  Volatile fields (run and job ids, the echo of the config's
defaults) are left out; see :func:`comparable`.

A fake-device case also depends on the transpiler and the simulator: a new Qiskit, Aer or
qiskit-ibm-runtime release may route a circuit differently, and its noisy counts change.
Its snapshot records those versions beside it (``CASE.versions.json``); under other
versions the device's numbers (:data:`DEVICE_DEPENDENT`) are compared for their shape only
-- every key, length and label, and every exact-reference, classical and theory value,
still to 1e-9.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest

from qwalk_circuits.cli import main

from .cases import SMALL

SNAPSHOTS = Path(__file__).parent / "snapshots"
REGENERATE = os.environ.get("QWALK_REGENERATE_GOLDEN") == "1"
RELATIVE = 1e-9
ABSOLUTE = 1e-12
HELLINGER_ABSOLUTE = 1e-7
#: paths of widths, whose value at a point-like distribution is the root of a rounding error
SQRT_OF_ROUNDING = re.compile(r"\.sigma\[\d+\]$")
#: paths of exponential-tail fits of a localization length, and their relative tolerance: a
#: site where the members agree exactly has zero error, and the fit weighs it by
#: 1/max(relative error, 1e-6) (analysis/ensembles.py: fit_exponential_tails; tails.py:
#: tail_procedure), a million times the others.  The weighted least squares is then
#: ill-conditioned (error ~ cond^2 x rounding x residual), so LAPACK kernels that differ in
#: the last bit move xi at 1e-5: sawtooth-map-sampled's jackknife error at t = 1 is
#: 1.2824176259005504 under OpenBLAS's SkylakeX kernel, 1.2824028545605166 under Haswell's
TAIL_FIT = re.compile(r"\.localization_length\[\d+\]$")
TAIL_FIT_RELATIVE = 1e-4
SAMPLED = ("--shots", "200", "--seed", "5")

#: (case name, experiment, CLI arguments after the settings)
CASES: list[tuple[str, str, tuple[str, ...]]] = [
    *[(f"{name}-exact", name, ("--shots", "exact", "--seed", "5")) for name in SMALL],
    *[(f"{name}-sampled", name, SAMPLED) for name in SMALL],
    ("coined-walk-aer_dephasing", "coined-walk", ("--backend", "aer_dephasing", *SAMPLED)),
    ("anderson-walk-aer_dephasing", "anderson-walk",
     ("--backend", "aer_dephasing", "--shots", "exact", "--seed", "5")),
    ("coined-walk-fake_fez", "coined-walk", ("--backend", "fake_fez", *SAMPLED)),
    ("anderson-walk-fake_fez", "anderson-walk", ("--backend", "fake_fez", *SAMPLED)),
]

VOLATILE = ("run_id", "jobs")
#: the packages a fake-device case's numbers depend on beyond qwalk itself
DEVICE_PACKAGES = ("qiskit", "qiskit-aer", "qiskit-ibm-runtime")
#: summary paths whose numbers come from the (emulated) device: compared for shape only
#: when the installed DEVICE_PACKAGES differ from the snapshot's
DEVICE_DEPENDENT = (".comparison.hardware", ".comparison.mitigated", ".comparison.emulation",
                    ".comparison.ensemble_average", ".comparison.zne", ".distance",
                    ".observables", ".observable_errors", ".mitigated_observables",
                    ".mitigated_observable_errors",
                    ".resources", ".fits.sigma_power_law.observables",
                    ".ensemble.per_realisation", ".ensemble.fit_difference",
                    ".ensemble.fit_difference_error", ".localization_fit.statistical_error",
                    ".localization_fit.cutoff_systematic", ".localization_theory.circuits",
                    ".localization_theory.circuits_minus_exact")


def installed_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in DEVICE_PACKAGES}


def device_dependent(where: str) -> bool:
    return any(where == p or where.startswith((p + ".", p + "[")) for p in DEVICE_DEPENDENT)


def comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without what differs between identical runs (ids) or echoes defaults
    that are not the experiment's (the config sections: only its name, kind and the
    simulator actually used are kept)."""
    out = {k: v for k, v in summary.items() if k not in VOLATILE}
    backend = summary.get("backend", {})
    out["backend"] = {"name": backend.get("name"), "simulator": backend.get("simulator"),
                      "kind": backend.get("backend", {}).get("kind")}
    return out


def differences(expected: Any, actual: Any, where: str = "", shape_only: bool = False
                ) -> list[str]:
    """Every place where ``actual`` differs from ``expected`` (floats to RELATIVE); with
    ``shape_only``, the numbers under :data:`DEVICE_DEPENDENT` are not compared."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{where}: keys {sorted(set(expected) ^ set(actual))} differ"] \
            if set(expected) != set(actual) else []
        for key in sorted(set(expected) & set(actual)):
            out += differences(expected[key], actual[key], f"{where}.{key}", shape_only)
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: length {len(expected)} != {len(actual)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for d in differences(e, a, f"{where}[{i}]", shape_only)]
    if isinstance(expected, bool) or isinstance(actual, bool):
        return [] if expected == actual else [f"{where}: {expected!r} != {actual!r}"]
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if shape_only and device_dependent(where):
            return []
        # the Hellinger distance of two equal distributions is sqrt(rounding) ~ 1e-8
        # (so is a width sigma = sqrt(variance) of a variance that is rounding, at t = 0:
        # 3.7e-8 against 7.6e-8 between two numpy builds)
        floor = (HELLINGER_ABSOLUTE if "hellinger" in where or SQRT_OF_ROUNDING.search(where)
                 else ABSOLUTE)
        relative = TAIL_FIT_RELATIVE if TAIL_FIT.search(where) else RELATIVE
        if math.isclose(expected, actual, rel_tol=relative, abs_tol=floor):
            return []
        return [f"{where}: {expected!r} != {actual!r}"]
    return [] if expected == actual else [f"{where}: {expected!r} != {actual!r}"]


def run_case(capsys: pytest.CaptureFixture[str], experiment: str,
             arguments: tuple[str, ...]) -> dict[str, Any]:
    settings = [part for key, value in SMALL[experiment].items()
                for part in ("--set", f"{key}={json.dumps(value)}")]
    assert main(["run", experiment, *settings, *arguments, "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.parametrize(("case", "experiment", "arguments"), CASES,
                         ids=[case for case, _, _ in CASES])
def test_summary_matches_its_snapshot(case: str, experiment: str, arguments: tuple[str, ...],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    actual = comparable(run_case(capsys, experiment, arguments))
    path = SNAPSHOTS / f"{case}.json"
    versions = SNAPSHOTS / f"{case}.versions.json"
    on_device = "fake_" in " ".join(arguments)
    if REGENERATE or not path.exists():
        path.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n")
        if on_device:
            versions.write_text(json.dumps(installed_versions(), indent=1) + "\n")
        if not REGENERATE:
            pytest.fail(f"no snapshot for {case}: written now, check it in")
    expected = json.loads(path.read_text())
    if on_device and not versions.exists():
        pytest.fail(f"{case}: no {versions.name} beside the snapshot (the package versions it "
                    "was made with): regenerate it with QWALK_REGENERATE_GOLDEN=1")
    shape_only = on_device and json.loads(versions.read_text()) != installed_versions()
    found = differences(expected, json.loads(json.dumps(actual)), shape_only=shape_only)
    assert not found, f"{case} differs from its snapshot:\n  " + "\n  ".join(found[:20])


def test_the_comparison_can_fail() -> None:
    """A changed number, a missing key and a changed label are each caught."""
    base = {"a": [1.0, 2.0], "b": {"c": "x"}}
    assert not differences(base, {"a": [1.0, 2.0 * (1 + 1e-12)], "b": {"c": "x"}})
    assert differences(base, {"a": [1.0, 2.0 * (1 + 1e-6)], "b": {"c": "x"}})
    assert differences(base, {"a": [1.0, 2.0], "b": {}})
    assert differences(base, {"a": [1.0, 2.0], "b": {"c": "y"}})
    widths = {"classical": {"sigma": [3.7e-8, 2.0]}}
    assert not differences(widths, {"classical": {"sigma": [7.6e-8, 2.0]}})
    assert differences(widths, {"classical": {"sigma": [3.7e-8, 2.0 + 1e-6]}})


def test_only_tail_fit_lengths_get_the_tail_fit_tolerance() -> None:
    """The two kernels' jackknife errors of one tail fit pass; a 1e-3 change of it, or a
    1e-5 change of a value that is no tail fit, fails."""
    skylake = {"observable_errors": {"localization_length": [None, 1.2824176259005504],
                                     "mean": [0.04]}}
    haswell = json.loads(json.dumps(skylake))
    haswell["observable_errors"]["localization_length"][1] = 1.2824028545605166
    assert not differences(skylake, haswell)
    moved = json.loads(json.dumps(skylake))
    moved["observable_errors"]["localization_length"][1] *= 1 + 1e-3
    assert differences(skylake, moved)
    other = json.loads(json.dumps(skylake))
    other["observable_errors"]["mean"][0] *= 1 + 1e-5
    assert differences(skylake, other)


def test_other_package_versions_relax_only_the_device_numbers() -> None:
    """Under other Qiskit/Aer/runtime versions a device case still fails on a changed
    reference value, key or length; only the device's own numbers are let through."""
    base = {"reference": {"sigma": [0.0, 1.0]}, "observables": {"sigma": [0.1, 1.2]},
            "comparison": {"hardware": {"tvd": [0.1]}, "uniform_tvd": [0.5]}}
    moved = json.loads(json.dumps(base))
    moved["observables"]["sigma"][1] = 1.3
    moved["comparison"]["hardware"]["tvd"][0] = 0.2
    assert differences(base, moved) and not differences(base, moved, shape_only=True)
    for path in (("reference", "sigma"), ("comparison", "uniform_tvd")):
        wrong = json.loads(json.dumps(base))
        wrong[path[0]][path[1]][0] += 0.01
        assert differences(base, wrong, shape_only=True)
    shorter = json.loads(json.dumps(base))
    shorter["observables"]["sigma"].pop()
    assert differences(base, shorter, shape_only=True)
