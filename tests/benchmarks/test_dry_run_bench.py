"""``bench_dry_run --zne``: the forecast's and the device path's zero-noise sigma paired per
step, with the error ratio and the difference in device errors."""

from __future__ import annotations

import pytest

from benchmarks import bench_dry_run


def test_compare_zne_pairs_each_steps_forecast_with_the_device_paths_zne(monkeypatch):
    planned = {"circuits": [
        {"time": 0.0, "two_qubit_gates": 0, "observable_exact": 0.0,
         "zne_observable_predicted": 0.1, "zne_observable_error": 0.02},
        {"time": 1.0, "two_qubit_gates": 6, "observable_exact": 1.0,
         "zne_observable_predicted": 1.1, "zne_observable_error": 0.03}]}
    summary = {"comparison": {"zne": {"zne": {"sigma": [0.12, 1.0]},
                                      "zne_errors": {"sigma": [0.02, 0.04]}}}}
    seen = {}

    def fake_run(config, settings):
        seen["config"], seen["settings"] = config, settings
        return planned, summary

    monkeypatch.setattr(bench_dry_run, "_run", fake_run)
    rows = bench_dry_run.compare_zne("fake_fez", 3, 1, "exponential")
    assert seen["config"].run.zne_scales == bench_dry_run.SCALES
    assert seen["config"].run.zne_extrapolation == "exponential"
    assert seen["settings"] == {"position_qubits": 3, "steps": 1}
    assert [r["sites"] for r in rows] == [8, 8]
    assert rows[1]["error_ratio"] == pytest.approx(0.75)
    # read in the device's error: the forecast's ± is the spread it predicts for that value
    assert rows[1]["deviation"] == pytest.approx(0.1 / 0.04)
    assert rows[0]["deviation"] == pytest.approx(-0.02 / 0.02)
