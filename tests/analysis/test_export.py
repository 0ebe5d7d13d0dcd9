"""A run's results leave the tool: rows per time and observable, as CSV, JSON, Parquet and a
pandas DataFrame, through the Python API and ``qwalk results export``."""

from __future__ import annotations

import csv
import io
import json

import pytest

from qwalk_circuits import pipeline
from qwalk_circuits.analysis.export import COLUMNS, export_text, result_rows, to_dataframe
from qwalk_circuits.cli import main
from qwalk_circuits.execution import ResultStore, load_config
from qwalk_circuits.experiments import get_experiment


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    store = ResultStore(tmp_path_factory.mktemp("export") / "runs.sqlite")
    experiment = get_experiment("coined-walk").from_settings({"position_qubits": 3,
                                                              "steps": 3})
    record = pipeline.run(experiment, load_config("aer_ideal"), shots=200, seed=4, store=store)
    return record, store


def test_one_row_per_time_and_observable_with_errors_and_reference(sampled):
    record, _ = sampled
    summary = record.summary
    rows = result_rows(summary)
    names = list(summary["observables"])
    assert len(rows) == len(summary["times"]) * len(names)
    row = rows[len(names) * 2 + names.index("sigma")]  # the third time's sigma
    assert row["time"] == summary["times"][2] and row["observable"] == "sigma"
    assert row["value"] == summary["observables"]["sigma"][2]
    assert row["error"] == summary["observable_errors"]["sigma"][2]
    assert row["reference"] == summary["reference"]["sigma"][2]
    assert row["classical"] == summary["classical"]["sigma"][2]
    assert row["reference_error"] is None  # a single circuit's reference is exact
    assert row["run_id"] == summary["run_id"] and row["shots"] == 200


def test_csv_and_json_hold_the_same_rows(sampled):
    summary = sampled[0].summary
    from_csv = list(csv.DictReader(io.StringIO(export_text(summary, "csv"))))
    from_json = json.loads(export_text(summary, "json"))
    assert list(from_csv[0]) == list(COLUMNS)
    assert len(from_csv) == len(from_json) == len(result_rows(summary))
    for a, b in zip(from_csv, from_json, strict=True):
        assert float(a["value"]) == pytest.approx(b["value"], rel=1e-15)
        assert a["reference_error"] == "" and b["reference_error"] is None


def test_a_dataframe_and_parquet_round_trip(sampled, tmp_path):
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    summary = sampled[0].summary
    frame = to_dataframe(summary)
    assert list(frame.columns) == list(COLUMNS) and len(frame) == len(result_rows(summary))
    sigma = frame[frame.observable == "sigma"].set_index("time")["value"]
    assert sigma.tolist() == summary["observables"]["sigma"]
    frame.to_parquet(tmp_path / "r.parquet", index=False)
    pandas.testing.assert_frame_equal(pandas.read_parquet(tmp_path / "r.parquet"), frame)


def test_qwalk_results_export(sampled, tmp_path, capsys):
    record, store = sampled
    run_id = record.summary["run_id"]
    base = ["--store", str(store.path), "results", "export", run_id]
    assert main(base) == 0
    text = capsys.readouterr().out
    assert text == export_text(store.get_run(run_id)["summary"], "csv")
    out = tmp_path / "r.parquet"
    assert main([*base, "--format", "parquet", "--out", str(out)]) == 0
    assert f"rows written to {out}" in capsys.readouterr().err
    if pytest.importorskip("pandas") and out.exists():
        assert len(__import__("pandas").read_parquet(out)) == len(result_rows(record.summary))
    assert main([*base, "--format", "parquet"]) == 2
    assert "give a file with --out" in capsys.readouterr().err
    assert main([*base, "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["--store", str(store.path), "results", "export", "nope"]) == 2
    assert "qwalk results list" in capsys.readouterr().err
