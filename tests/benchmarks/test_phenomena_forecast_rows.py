"""Dry-run-only rows of the phenomenon table: never "observed", and their shot count holds."""

from typing import Any

import pytest

from benchmarks.phenomena import NOT_MEASURED, Estimate, Row
from benchmarks.phenomena.anderson_chain import (
    _forecast_row,
    _settings,
    plan_gap,
    shots_for_3_sigma,
)
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, resolve_config


def _row(**change: Any) -> Row:
    fields: dict[str, Any] = {
        "phenomenon": "p", "device": "fake_fez", "size": "8 sites", "steps": "T = 4",
        "two_qubit_gates": 10, "signature": "s", "no_effect": 0.0, "exact": 1.0,
        "raw": NOT_MEASURED, "mitigated": NOT_MEASURED, "predicted": Estimate(1.0, 0.2)}
    return Row(**{**fields, **change})


def test_a_forecast_alone_is_never_observed_and_says_so() -> None:
    row = _row()
    assert row.dry_run_only and not row.observed
    assert row.verdict() == "dry run only (forecast 5.0 σ)"
    assert _row(predicted=Estimate(-1.0, 0.2)).verdict() == \
        "dry run only (forecast 5.0 σ, wrong side)"
    assert _row(predicted=NOT_MEASURED).verdict() == "not run"


def test_a_measured_row_keeps_its_verdict() -> None:
    row = _row(raw=Estimate(1.0, 0.1), mitigated=Estimate(1.0, 0.1))
    assert not row.dry_run_only and row.observed
    assert row.verdict() == "observed (10.0 σ)"


@pytest.fixture(scope="module")
def chain_plans() -> dict[tuple[str, int], dict[str, Any]]:
    config = resolve_config("fake_fez")
    return {(kind, shots): plan(get_experiment("anderson-chain").from_settings(
        _settings(8, 4, kind, 4)), config, shots) for kind in ("none", "static")
        for shots in (20, 1000)}  # 4 members: their scatter leaves room for shots


def test_the_shots_it_asks_for_bring_the_forecast_to_3_sigma(
        chain_plans: dict[tuple[str, int], dict[str, Any]]) -> None:
    few = chain_plans["none", 20], chain_plans["static", 20]
    value = plan_gap(*few)
    assert value.value / value.error < 3  # 20 shots per member: short of 3 σ
    needed = shots_for_3_sigma(*few)
    assert needed is not None and needed > 20
    # planned again at that many shots, the forecast stands 3 errors from 0
    config = resolve_config("fake_fez")
    clean, static = (plan(get_experiment("anderson-chain").from_settings(
        _settings(8, 4, kind, 4)), config, needed) for kind in ("none", "static"))
    gap = plan_gap(clean, static)
    margin = gap.value / gap.error
    assert margin == pytest.approx(3.0, rel=0.1)


def test_no_shot_count_when_the_members_scatter_is_too_large(
        chain_plans: dict[tuple[str, int], dict[str, Any]]) -> None:
    clean, static = chain_plans["none", 1000], chain_plans["static", 1000]
    wide = {**static, "signature": {**static["signature"], "member_spread_error": 10.0}}
    assert shots_for_3_sigma(clean, wide) is None


def test_the_forecast_row_is_the_plans_difference() -> None:
    row = _forecast_row("fake_fez", 8, 4)
    assert row.dry_run_only and row.verdict().startswith("dry run only")
    assert row.size == "8 sites (dry run only)"
    config = resolve_config("fake_fez")
    clean, static = (plan(get_experiment("anderson-chain").from_settings(
        _settings(8, 4, kind, 6)), config, 1000) for kind in ("none", "static"))
    assert row.predicted == plan_gap(clean, static)
    assert row.exact == pytest.approx(clean["signature"]["exact"]
                                      - static["signature"]["exact"], abs=1e-12)


def test_forecast_only_prints_the_dry_run_rows_and_no_observed_summary(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import bench_phenomena
    from benchmarks.phenomena import anderson_chain

    monkeypatch.setattr(anderson_chain, "FORECAST_SIZES", ((8, 4),))
    assert bench_phenomena.main(["--devices", "fake_fez", "--only", "ballistic",
                                 "anderson_chain", "--forecast-only"]) == 0
    out = capsys.readouterr().out
    assert "8 sites (dry run only)" in out and "dry run only (forecast" in out
    assert "ballistic on" not in out  # no dry-run-only sizes: skipped, not simulated
    assert "Largest size observed" not in out


@pytest.mark.parametrize(("sites", "routed"), [(12, False), (16, True)])
def test_a_ring_row_is_the_ring_s_and_says_where_it_was_routed(sites: int,
                                                              routed: bool) -> None:
    """anderson_ring's rows plan the ring (N bonds: 2 CZ x N x T on a heavy-hex cycle of
    12) and carry the dry run's note where the device has no cycle of N qubits (16)."""
    from benchmarks.phenomena import anderson_ring

    row = _forecast_row("fake_fez", sites, 2, anderson_ring.BOUNDARY)
    assert row.phenomenon == "anderson (one-hot ring)"
    routing = [n for n in row.notes if "router added SWAPs" in n]
    if routed:
        assert row.two_qubit_gates > 2 * sites * 2 and routing
    else:
        assert row.two_qubit_gates == 2 * sites * 2 and not routing


def test_the_chain_zne_row_removes_only_what_the_raw_value_resolves() -> None:
    """A raw value within its error of exact has nothing to remove (no fraction printed:
    it would be noise over noise); beyond it, the fractions are bench_mitigation_table's."""
    from benchmarks.bench_mitigation_table import removed
    from benchmarks.phenomena.anderson_chain_zne import deviations

    close = {"raw": Estimate(1.02, 0.05), "mitigated": Estimate(1.01, 0.05),
             "zne": Estimate(0.9, 0.1)}
    assert deviations(close, 1.0).endswith("nothing resolved to remove)")
    far = {**close, "raw": Estimate(0.6, 0.05)}
    text = deviations(far, 1.0)
    assert "raw |Δ| 0.400 ± 0.050" in text
    assert f"ZNE {removed(far['raw'], far['zne'], 1.0).text()}" in text
    assert "nothing resolved" not in text
