"""bench_phenomena lists every phenomenon module, and each one exposes ``rows``."""

import importlib
import math
from pathlib import Path

import pytest

from benchmarks.bench_phenomena import PHENOMENA

FOLDER = Path(__file__).parents[2] / "benchmarks" / "phenomena"


def test_every_module_in_the_folder_is_a_choice_of_only() -> None:
    modules = {p.stem for p in FOLDER.glob("*.py") if p.stem != "__init__"}
    assert modules == set(PHENOMENA)


def test_every_phenomenon_module_exposes_rows() -> None:
    for name in PHENOMENA:
        assert callable(importlib.import_module(f"benchmarks.phenomena.{name}").rows)


def test_measure_early_is_refused_for_modules_that_do_not_apply_it(capsys) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from benchmarks.bench_phenomena import main

    with pytest.raises(SystemExit):
        main(["--only", "anderson_chain", "--measure-early"])
    assert "--measure-early is not applied by anderson_chain" in capsys.readouterr().err


def test_configured_sets_measure_early_only_when_asked(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.phenomena import OPTIONS, configured
    from qwalk_circuits.pipeline import resolve_config

    config = resolve_config("fake_fez")
    assert configured(config) is config
    monkeypatch.setattr(OPTIONS, "measure_early", True)
    early = configured(config)
    assert early.run.measure_early and not config.run.measure_early
    assert early.run.model_dump(exclude={"measure_early"}) == config.run.model_dump(
        exclude={"measure_early"})


def test_configured_sets_the_zne_model_only_where_zne_is_on(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.bench_zne import zne_config
    from benchmarks.phenomena import OPTIONS, configured
    from qwalk_circuits.pipeline import resolve_config

    plain, zne = resolve_config("fake_fez"), zne_config("fake_fez", [1, 3, 5])
    assert configured(zne) is zne and zne.run.zne_extrapolation == "richardson"
    monkeypatch.setattr(OPTIONS, "zne_extrapolation", "exponential")
    assert configured(plain) is plain  # no ZNE: nothing to set
    changed = configured(zne)
    assert changed.run.zne_extrapolation == "exponential"
    assert changed.run.model_dump(exclude={"zne_extrapolation"}) == zne.run.model_dump(
        exclude={"zne_extrapolation"})


def test_the_zne_model_is_refused_for_modules_that_do_not_apply_it(capsys) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from benchmarks.bench_phenomena import main

    with pytest.raises(SystemExit):
        main(["--only", "crossover", "--zne-extrapolation", "exponential"])
    assert "--zne-extrapolation is not applied by crossover" in capsys.readouterr().err


def test_the_ballistic_rows_take_more_shots_from_32_sites() -> None:
    from benchmarks.phenomena import ballistic

    assert [ballistic.shots_for(q) for q in ballistic.SIZES] == [
        ballistic.SHOTS, *[ballistic.LARGE_SHOTS] * (len(ballistic.SIZES) - 1)]


def test_the_ballistic_size_loop_goes_past_a_first_failure_only(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Stops at a size not observed after an observed one, or at the second failure in a
    row; a first failing size alone does not stop it."""
    from types import SimpleNamespace

    from benchmarks.phenomena import ballistic

    for verdicts, tried in (([False, False, True, True], 2), ([False, True, False, True], 3),
                            ([True, False, True, True], 2), ([True, True, True, True], 4)):
        outcome = dict(zip(ballistic.SIZES, verdicts, strict=True))
        monkeypatch.setattr(ballistic, "_row", lambda device, qubits, quick, o=outcome:
                            SimpleNamespace(observed=o[qubits]))
        assert len(ballistic.rows("fake_fez", False)) == tried, verdicts


def test_the_dynamical_rows_measured_early_send_fewer_two_qubit_gates(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The maps' last kick ends in an inverse QFT and a diagonal: measured early (the
    module declares MEASURE_EARLY), the row's dry run counts the dynamic circuit."""
    from benchmarks.phenomena import OPTIONS, dynamical

    case = dynamical.CASES[0]
    plain = dynamical._row("fake_fez", case, simulate=False)
    monkeypatch.setattr(OPTIONS, "measure_early", True)
    early = dynamical._row("fake_fez", case, simulate=False)
    assert dynamical.MEASURE_EARLY
    assert early.two_qubit_gates < 0.8 * plain.two_qubit_gates
    # the dry-run ZNE column: fewer gates to undo, a smaller zero-noise error
    assert 0 < early.zne_predicted.error < plain.zne_predicted.error
    assert [dynamical.shots_for(q) for q in (4, 5)] == [dynamical.SHOTS, dynamical.LARGE_SHOTS]


def test_the_dynamical_zne_forecast_leaves_the_fixed_grids_spread_out() -> None:
    """The plan's verdict error is shots ⊕ members' spread ⊕ the classical map's; the
    row keeps shots and the classical error, adds the grid's quadrature error and drops
    the beta spread (a fixed grid, no statistical error), and reads classical - quantum."""
    from benchmarks.phenomena import dynamical

    signature = {"no_effect_error": 0.3, "zne": {
        "predicted": 4.0, "error": math.sqrt(0.4**2 + 2.0**2 + 0.3**2), "shot_error": 0.4,
        "member_spread_error": 2.0}}
    row = dynamical._zne_forecast(signature, 10.0, 0.12)
    assert row.value == pytest.approx(6.0)
    assert row.error == pytest.approx(math.sqrt(0.4**2 + 0.12**2 + 0.3**2), rel=1e-12)


def test_the_dynamical_forecast_rows_are_dry_runs_and_skip_what_the_register_refuses(
        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """7 momentum qubits by the dry run alone: K = 10, kbar = 0.75 spills past the register
    (the experiment's own check) and is left out, K = 12, kbar = 1 is a forecast row."""
    from benchmarks.phenomena import dynamical

    monkeypatch.setattr(dynamical, "FORECAST_GRID", ((10.0, 0.75), (12.0, 1.0)))
    rows = dynamical.forecast_rows("fake_fez")
    assert len(rows) == 1 and rows[0].dry_run_only
    assert rows[0].size == "7 momentum qubits"
    assert rows[0].verdict().startswith("dry run only")
