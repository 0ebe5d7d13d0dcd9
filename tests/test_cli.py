"""The `qwalk` command: JSON contract, store, resources, demo, and bad input (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qwalk_circuits.cli import main
from qwalk_circuits.execution.store import ResultStore

SMALL = ["--set", "position_qubits=4", "--set", "steps=5"]


def run_json(capsys, *args):
    assert main(["run", "coined-walk", *SMALL, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_list_names_experiment_and_parameters(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for word in ("coined-walk", "position_qubits", "steps", "coin", "initial_coin", "shift"):
        assert word in out


def test_run_json_contract(capsys, isolated_store):
    summary = run_json(capsys, "--shots", "300", "--seed", "3")
    for key in ("experiment", "params", "backend", "shots", "times", "observables", "reference",
                "classical", "distance", "run_id"):
        assert key in summary
    assert summary["times"] == [0, 1, 2, 3, 4, 5]
    for block in ("observables", "reference", "classical"):
        assert set(summary[block]) >= {"sigma", "mean", "p_origin"}
        assert all(len(v) == 6 for v in summary[block].values())
    assert set(summary["distance"]) >= {"tvd", "hellinger"}
    assert summary["shots"] == 300 and summary["seed"] == 3
    stored = ResultStore(isolated_store).get_run(summary["run_id"])
    assert stored["summary"]["times"] == summary["times"]
    assert len(stored["circuits"]) == 6


def test_exact_mode_and_results_commands(capsys):
    summary = run_json(capsys, "--shots", "exact")
    assert summary["shots"] == "exact" and max(summary["distance"]["tvd"]) < 1e-10
    assert main(["results", "list"]) == 0
    assert summary["run_id"] in capsys.readouterr().out
    assert main(["results", "show", summary["run_id"]]) == 0
    assert "sigma" in capsys.readouterr().out


@pytest.mark.parametrize("where", ["env", "option", "xdg"])
def test_reading_results_never_creates_the_store(where, tmp_path, monkeypatch, capsys):
    """``results list`` / ``show`` are read-only: no store yet means no runs (list: exit 0,
    show: exit 2), each naming where it looked, and no file or folder left behind."""
    path = tmp_path / "nowhere" / "runs.sqlite"
    option = []
    if where == "env":
        monkeypatch.setenv("QWALK_STORE", str(path))
    elif where == "option":
        option = ["--store", str(path)]
    else:
        monkeypatch.delenv("QWALK_STORE")
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "nowhere"))
        path = tmp_path / "nowhere" / "qwalk" / "runs.sqlite"
    assert main([*option, "results", "list"]) == 0
    out = capsys.readouterr().out
    assert "no runs yet" in out and str(path) in out
    assert main([*option, "results", "show", "20250101-000000-abcdef"]) == 2
    err = capsys.readouterr().err
    assert "no run '20250101-000000-abcdef'" in err and str(path) in err
    assert err.count("\n") == 1
    assert not (tmp_path / "nowhere").exists()


def test_results_list_on_an_empty_store_says_so(capsys, isolated_store):
    ResultStore(isolated_store)  # created, holding no runs
    assert main(["results", "list"]) == 0
    assert f"no runs yet in {isolated_store}" in capsys.readouterr().out


def test_plot_file(tmp_path, capsys):
    out = tmp_path / "walk.png"
    assert main(["run", "coined-walk", *SMALL, "--shots", "exact", "--plot", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_resources_report(capsys):
    assert main(["resources", "coined-walk", "--set", "position_qubits=4", "--set", "steps=8",
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {r["construction"]: r for r in report["constructions"]}
    assert rows["fourier"]["two_qubit_per_step"] == 2 * 4 - 3  # Razzoli et al. 2024
    assert rows["fast-forward"]["two_qubit_per_step"] is None
    assert rows["increment"]["two_qubit_total"] > rows["fourier"]["two_qubit_total"]


# bad input (one line, exit 2, nothing stored): the table in tests/test_bad_inputs.py


def test_console_script_exit_status():
    done = subprocess.run([sys.executable, "-m", "qwalk_circuits.cli", "run", "coined-walk",
                           "--set", "steps=-2"], capture_output=True, text=True)
    assert done.returncode == 2 and "steps" in done.stderr


def test_demo_runs_on_a_fake_device_sized_for_it(tmp_path, capsys):
    """On a device the walk chapters run at device sizes through the device path (their
    runs are in the ledger); the chapters that do not fit say why instead."""
    from qwalk_circuits.execution.ledger import Ledger

    assert main(["demo", "--backend", "fake_fez", "--out", str(tmp_path)]) == 0
    for name in ("packet_sigma.png", "walk_sigma.png", "walk_distributions.png"):
        assert (tmp_path / name).stat().st_size > 0
    summary = (tmp_path / "summary.md").read_text()
    assert summary.count("on fake_fez") >= 2 and summary.count("Skipped on fake_fez:") == 3
    for chapter in ("## 1.", "## 2.", "## 3.", "## 4.", "## 5."):
        assert chapter in summary
    runs = Ledger(ResultStore()).runs()
    assert len(runs) == 2 and all(r["status"] == "done" for r in runs)


def test_resources_for_a_config_target_and_unknown_target(capsys):
    assert main(["resources", "coined-walk", *SMALL, "--target", "aer_ideal"]) == 0
    out = capsys.readouterr().out
    assert "fourier" in out
    # the table says what its per-step column is: a flat construction reads 0 or '-'
    assert "+2q/step" in out and "cost(T=2) - cost(T=1)" in out
    assert main(["resources", "coined-walk", *SMALL, "--target", "moon"]) == 2
    assert "unknown target" in capsys.readouterr().err


def test_sweep_fits_diffusion_against_hsr(tmp_path, capsys):
    plot = tmp_path / "sweep.png"
    assert main(["sweep", "dephasing", "--over", "gamma=2,4", "--set", "position_qubits=4",
                 "--set", "time=4", "--set", "time_steps=16", "--shots", "exact", "--json",
                 "--plot", str(plot)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["gamma"] for r in rows] == [2, 4]
    for row in rows:
        assert row["fit"]["D"] == pytest.approx(row["fit_reference"]["D"], rel=1e-8)
        assert abs(row["D_fit"]["value"] - row["D_model"]["value"]) <= row["D_fit"]["error"]
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_sweep_refuses_a_swept_parameter_that_is_also_set(capsys):
    assert main(["sweep", "dephasing", "--over", "gamma=1,2", "--set", "gamma=3"]) == 2
    assert "swept" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["ctqw", "dephasing", "coin-dephasing", "position-dephasing",
                                  "free-packet"])
def test_every_experiment_runs_from_the_cli(name, capsys):
    small = {"ctqw": ["time=2", "time_steps=2"], "dephasing": ["time=2", "time_steps=2"],
             "coin-dephasing": ["steps=3"], "position-dephasing": ["steps=3"],
             "free-packet": ["time=4", "time_steps=2"]}[name]
    qubits = "position_qubits=5" if name == "free-packet" else "position_qubits=3"
    args = ["run", name, "--set", qubits, "--shots", "exact", "--json"]
    for setting in small:
        args += ["--set", setting]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["experiment"] == name and max(summary["distance"]["tvd"]) < 1e-8


def test_resources_on_a_fake_heron_device(capsys):
    """fake_fez from qiskit-ibm-runtime's local testing mode: CZ basis, heavy-hex coupling."""
    assert main(["resources", "coined-walk", "--set", "position_qubits=3", "--set", "steps=4",
                 "--target", "fake_fez", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {r["construction"]: r for r in report["constructions"]}
    assert set(rows) == {"increment", "fourier", "fast-forward", "fourier-line",
                         "fast-forward-line"}
    assert all(r["two_qubit_total"] > 0 for r in rows.values())


def test_version_prints_the_installed_version(capsys):
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"qwalk {version('qwalk_circuits')}"


def test_backends_lists_shipped_and_user_configs(capsys, tmp_path, monkeypatch):
    from qwalk_circuits.execution import service

    monkeypatch.setattr(service, "list_backends", lambda config=None: ([], "offline test"))
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "my_aer.toml").write_text("[run]\nseed = 7\n")
    (folder / "aer_ideal.toml").write_text("[run]\nseed = 7\n")
    monkeypatch.setenv("QWALK_HARDWARE_CONFIGS", str(folder))
    assert main(["backends"]) == 0
    out = capsys.readouterr().out
    assert "configs shipped with qwalk" in out and "aer_ideal" in out and "fake_fez" in out
    assert str(folder) in out and "my_aer" in out and "rename it" in out
    assert "fake_sherbrooke" in out


def test_any_fake_device_runs_by_name(capsys):
    assert main(["run", "coined-walk", "--backend", "fake_sherbrooke", "--set",
                 "position_qubits=2", "--set", "steps=2", "--shots", "100"]) == 0
    assert "fake_sherbrooke" in capsys.readouterr().out


def test_unknown_backend_name_is_one_line(capsys):
    assert main(["run", "coined-walk", "--backend", "fake_nowhere"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "qwalk backends" in err


def test_results_reanalyse_rebuilds_the_stored_summary(capsys):
    """An Aer run re-analysed from the store gives the summary it printed."""
    summary = run_json(capsys, "--shots", "300", "--seed", "4")
    assert main(["results", "reanalyse", summary["run_id"], "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == summary
    assert "the same summary as stored" in captured.err


def test_results_reanalyse_refuses_a_run_stored_without_its_metadata(capsys, isolated_store):
    """Runs stored before outcome rows carried their circuits' metadata say what to do."""
    import sqlite3

    summary = run_json(capsys, "--shots", "exact")
    with sqlite3.connect(isolated_store) as db:
        db.execute("UPDATE circuits SET data = '[0.5, 0.5]' WHERE run_id = ?",
                   (summary["run_id"],))
    assert main(["results", "reanalyse", summary["run_id"]]) == 2
    assert "run it again" in capsys.readouterr().err


def test_the_demo_skips_what_its_config_cannot_run_and_says_why(tmp_path, monkeypatch):
    """The dephasing chapter on a noisy Aer config (two noise sources) and any chapter a
    target refuses become a 'Skipped on CONFIG: why' section; the other chapters run."""
    from qwalk_circuits.core.errors import QwalkError
    from qwalk_circuits.demo import story
    from qwalk_circuits.demo.chapter import Chapter, DemoContext, SkipChapter
    from qwalk_circuits.execution import load_config

    with pytest.raises(SkipChapter, match="only one can be applied"):
        story._decoherence(DemoContext(load_config("aer_dephasing"), None, 1, None))

    def refused(ctx):
        raise QwalkError("this target cannot run it")

    def fine(ctx):
        return Chapter("2. fine", "ran", {}, ["a"], [["1"]])

    monkeypatch.setattr(story, "CHAPTERS", [("1. refused", refused), ("2. fine", fine)])
    summary = story.run_demo(tmp_path, load_config("aer_ideal"), 1, None).read_text()
    assert "## 1. refused" in summary and "Skipped on aer_ideal: this target" in summary
    assert "## 2. fine" in summary and "ran" in summary


def test_reanalysing_an_unfinished_device_run_says_to_fetch_it_first(capsys, tmp_path):
    store = ["--store", str(tmp_path / "s.sqlite")]
    assert main([*store, "submit", "coined-walk", *SMALL, "--backend", "fake_fez",
                 "--shots", "100"]) == 0
    run_id = capsys.readouterr().out.strip().splitlines()[-1]
    assert main([*store, "results", "reanalyse", run_id]) == 2
    assert "qwalk jobs fetch" in capsys.readouterr().err
