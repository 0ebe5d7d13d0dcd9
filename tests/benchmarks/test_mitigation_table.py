"""bench_mitigation_table's helpers: the removed fraction and the solver switch."""

import math
from types import SimpleNamespace
from typing import Any

import pytest

from benchmarks import bench_mitigation_table as table
from benchmarks.phenomena import Estimate, ballistic, weak_localization

EXACT = 0.7
RAW = Estimate(0.5, 0.04)


def test_an_estimate_at_the_exact_value_removes_all_of_the_raw_deviation() -> None:
    assert abs(table.removed(RAW, Estimate(EXACT, 0.01), EXACT).value - 1) < 1e-10


def test_an_estimate_at_the_raw_value_removes_nothing() -> None:
    assert abs(table.removed(RAW, RAW, EXACT).value) < 1e-10


def test_overshooting_twice_as_far_on_the_other_side_adds_the_raw_deviation() -> None:
    far = Estimate(EXACT + 2 * (EXACT - RAW.value), 0.01)
    assert abs(table.removed(RAW, far, EXACT).value + 1) < 1e-10


def test_no_raw_deviation_leaves_the_fraction_undefined() -> None:
    assert math.isnan(table.removed(Estimate(EXACT, 0.1), RAW, EXACT).value)


def test_the_error_is_the_first_order_propagation_of_both_errors() -> None:
    estimate = Estimate(0.62, 0.03)
    step = 1e-6

    def fraction(raw: float, value: float) -> float:
        return table.removed(Estimate(raw, 0), Estimate(value, 0), EXACT).value

    d_raw = (fraction(RAW.value + step, estimate.value)
             - fraction(RAW.value - step, estimate.value)) / (2 * step)
    d_est = (fraction(RAW.value, estimate.value + step)
             - fraction(RAW.value, estimate.value - step)) / (2 * step)
    expected = math.hypot(d_raw * RAW.error, d_est * estimate.error)
    assert table.removed(RAW, estimate, EXACT).error == pytest.approx(expected, rel=1e-6)


def _config() -> Any:
    run = SimpleNamespace(readout_solver="tensored", readout_mitigation=False)
    run.model_copy = lambda update: SimpleNamespace(**{**vars(run), **update})
    config = SimpleNamespace(run=run)
    config.model_copy = lambda update: SimpleNamespace(**{**vars(config), **update})
    return config


def test_the_solver_switch_sets_every_modules_configs_and_undoes_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for module in table.CONFIGURED:
        monkeypatch.setattr(module, "resolve_config", lambda *a, **k: _config())
        monkeypatch.setattr(module, "zne_config", lambda *a, **k: _config())
    with table.readout_solver("mthree"):
        for module in (ballistic, weak_localization):
            for make in (module.resolve_config, module.zne_config):
                run = make("fake_fez", [1, 3]).run
                assert (run.readout_solver, run.readout_mitigation) == ("mthree", True)
    assert ballistic.resolve_config("fake_fez").run.readout_solver == "tensored"


def test_the_solver_switch_reports_the_solver_of_each_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_run(*args: Any, **kwargs: Any) -> Any:
        return SimpleNamespace(summary={"comparison": {"readout_solver": kwargs["solver"]}})

    monkeypatch.setattr(ballistic, "run", fake_run)
    with table.readout_solver("mthree") as used:
        patched: Any = ballistic.run
        patched(solver="mthree")
        patched(solver="tensored")
    assert used == ["mthree", "tensored"]
    assert ballistic.run is fake_run


def test_tvd_pairs_pair_the_plain_dry_run_with_the_next_runs_measured_tvd(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def fake_plan(experiment: Any, config: Any, shots: int) -> Any:
        return {"circuits": [{"tvd_predicted_sampled": experiment * v} for v in (1, 2)]}

    def fake_run(tvd: list[float]) -> Any:
        return SimpleNamespace(summary={"comparison": {"hardware": {"tvd": tvd}}})

    plain = SimpleNamespace(run=SimpleNamespace(zne_scales=None))
    zne = SimpleNamespace(run=SimpleNamespace(zne_scales=[1, 3]))
    monkeypatch.setattr(ballistic, "plan", fake_plan)
    monkeypatch.setattr(ballistic, "run", fake_run)
    with table.tvd_pairs() as pairs:
        planned: Any = ballistic.plan
        planned(0.1, plain, 10)
        planned(9.0, zne, 10)  # the ZNE config's plan is not the prediction
        patched: Any = ballistic.run
        patched([0.2, 0.4])
        patched([0.2, 0.4])  # a second run after one plan is not paired with it
        planned(0.1, plain, 10)
        patched([0.5])  # nor a run whose times do not match the plan
    assert pairs == [(pytest.approx(0.1), 0.2), (pytest.approx(0.2), 0.4)]
    assert capsys.readouterr().out.count("left out") == 2
    row = table.tvd_row("x", [(0.1, 0.2), (0.3, 0.2)])
    assert row[1] == 2 and row[4] == f"{(0.5 + 1.5) / 2:.2f}"
