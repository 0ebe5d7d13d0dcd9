"""`qwalk submit`, `qwalk jobs ...`, `qwalk backends`, and `qwalk run` on a fake device."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qwalk_circuits.cli import main

from .execution import service_double

ROOT = Path(__file__).resolve().parents[1]
WALK = ["--set", "position_qubits=2", "--set", "steps=2"]


@pytest.fixture
def fake_config(tmp_path):
    path = tmp_path / "fake_manila.toml"
    path.write_text('# test\n[backend]\nkind = "fake"\ndevice = "fake_manila"\n'
                    '[run]\nshots = 300\nseed = 2\nreadout_mitigation = true\n'
                    '[jobs]\npoll_interval_s = 0.01\n')
    return str(path)


def test_a_fake_device_emulated_on_request_prints_the_three_way_comparison(
        fake_config, capsys, tmp_path):
    path = tmp_path / "emulated.toml"
    path.write_text(Path(fake_config).read_text().replace("[run]\n", "[run]\nemulation = true\n"))
    assert main(["run", "coined-walk", "--backend", str(path), *WALK]) == 0
    out = capsys.readouterr().out
    assert "aer+noise(fake_manila)" in out
    assert "device TVD" in out and "emulation TVD" in out and "mitigated TVD" in out
    assert out.count("±") >= 3 * 6


def test_run_on_a_fake_device_prints_the_three_way_comparison(fake_config, capsys, tmp_path):
    plot = tmp_path / "tvd.png"
    assert main(["run", "coined-walk", "--backend", fake_config, *WALK, "--plot", str(plot)]) == 0
    assert plot.stat().st_size > 1000
    out = capsys.readouterr().out
    # a fake device is not emulated a second time unless the config asks (emulation = true)
    assert "device fake_manila" in out and "no emulation" in out
    assert "device TVD" in out and "emulation TVD" not in out and "mitigated TVD" in out
    assert out.count("±") >= 2 * 6


def test_submit_then_jobs_list_status_fetch(fake_config, capsys):
    assert main(["submit", "coined-walk", "--backend", fake_config, *WALK]) == 0
    run_id = capsys.readouterr().out.strip()
    assert main(["jobs", "list"]) == 0
    assert run_id in capsys.readouterr().out
    assert main(["jobs", "status", run_id]) == 0
    assert "DONE" in capsys.readouterr().out
    assert main(["jobs", "fetch", run_id, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["jobs", "fetch", run_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert main(["results", "list"]) == 0
    assert capsys.readouterr().out.count(run_id) == 1


def test_jobs_on_the_ibm_double_submit_fetch_cancel(tmp_path, monkeypatch, capsys):
    server = service_double.install(tmp_path / "server", monkeypatch)
    config = str(service_double.ibm_config(tmp_path))
    server.set_mode(hold=True)
    assert main(["submit", "coined-walk", "--backend", config, *WALK]) == 0
    run_id = capsys.readouterr().out.strip()
    assert main(["jobs", "fetch", run_id]) == 0
    assert "not finished yet" in capsys.readouterr().out
    assert main(["jobs", "cancel", run_id]) == 0
    assert "cancelled 2 job(s)" in capsys.readouterr().out
    assert main(["jobs", "fetch", run_id]) == 2
    assert "CANCELLED" in capsys.readouterr().err


def test_jobs_fetch_resume_completes_an_interrupted_submission(tmp_path, monkeypatch, capsys):
    server = service_double.install(tmp_path / "server", monkeypatch)
    config = str(service_double.ibm_config(tmp_path))
    server.set_mode(crash_after=0)  # the process dies as the service accepts the first job
    assert main(["submit", "coined-walk", "--backend", config, *WALK]) == 130  # Ctrl-C
    interrupted = capsys.readouterr().err.strip().splitlines()
    assert len(interrupted) == 1 and interrupted[0].startswith("qwalk: interrupted")
    assert "can be resumed: 'qwalk jobs fetch " in interrupted[0]
    server.set_mode()
    assert main(["jobs", "list"]) == 0
    run_id, _, status = capsys.readouterr().out.split()[:3]
    assert status == "interrupted"
    assert main(["jobs", "fetch", run_id]) == 2
    assert f"qwalk jobs fetch {run_id} --resume" in capsys.readouterr().err
    assert main(["jobs", "fetch", run_id, "--resume"]) == 0
    assert "submission completed (1 job(s) submitted now" in capsys.readouterr().out
    assert len(server.job_ids()) == 2
    while main(["jobs", "fetch", run_id]) == 0 and "not finished" in capsys.readouterr().out:
        pass
    assert main(["jobs", "fetch", run_id]) == 0
    assert "device TVD" in capsys.readouterr().out


def test_backends_lists_fake_devices_and_says_why_no_real_ones(monkeypatch, capsys, tmp_path):
    from qiskit_ibm_runtime import QiskitRuntimeService

    from qwalk_circuits.execution import service

    # the real service class, reading an empty account file: no saved account, no env token
    monkeypatch.setattr(service, "_factory", lambda **kwargs: QiskitRuntimeService(
        filename=str(tmp_path / "no_accounts.json"), **kwargs))
    for name in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["backends"]) == 0
    out = capsys.readouterr().out
    assert "fake_fez" in out and "fake_torino" in out
    assert "none reachable" in out and "save_account" in out


def test_backends_lists_real_devices_when_the_service_answers(tmp_path, monkeypatch, capsys):
    service_double.install(tmp_path / "server", monkeypatch)
    assert main(["backends"]) == 0
    assert "ibm_fez" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["submit", "coined-walk", "--backend", "aer_ideal"], "use 'qwalk run'"),
    (["jobs", "fetch", "nope"], "no submitted run 'nope'"),
    (["submit", "coined-walk", "--backend", "fake_fez", "--shots", "exact"], "--shots N"),
])
def test_job_commands_fail_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.slow
def test_the_documented_fake_fez_command(capsys):
    assert main(["run", "coined-walk", "--backend", str(ROOT / "hardware_configs/fake_fez.toml"),
                 "--set", "position_qubits=3", "--set", "steps=4", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["comparison"]["device"] == "fake_fez"
    assert all(t < u for t, u in zip(summary["comparison"]["hardware"]["tvd"],
                                      summary["comparison"]["uniform_tvd"], strict=True))


def test_status_lists_a_stray_job_and_fetch_reports_the_note(tmp_path, monkeypatch, capsys):
    from qwalk_circuits.execution import ResultStore
    from qwalk_circuits.execution.ledger import Ledger

    server = service_double.install(tmp_path / "server", monkeypatch)
    config = str(service_double.ibm_config(tmp_path))
    assert main(["submit", "coined-walk", "--backend", config, *WALK]) == 0
    run_id = capsys.readouterr().out.strip()
    ledger = Ledger(ResultStore())
    assert ledger.add_job(run_id, "late-1", 0, "circuits", [0], "CANCELLED") == "duplicate"
    ledger.note(run_id, "a second job late-1 of chunk 0 was cancelled")
    assert main(["jobs", "status", run_id]) == 0
    stray = [line for line in capsys.readouterr().out.splitlines()
             if line.startswith("  job late-1")]
    assert len(stray) == 1 and "duplicate" in stray[0] and "never merged" in stray[0]
    while main(["jobs", "fetch", run_id]) == 0 and "not finished" in capsys.readouterr().out:
        pass
    assert main(["jobs", "fetch", run_id]) == 0
    assert "a second job late-1 of chunk 0" in capsys.readouterr().err
    assert len(server.job_ids()) == 2  # the stray is not one the service received


@pytest.mark.parametrize("jobs_recorded", [0, 1])
def test_ctrl_c_in_a_fake_device_submission_says_it_cannot_be_resumed(jobs_recorded,
                                                                      monkeypatch, capsys):
    """Local jobs end with the process, recorded or not: the run is failed, not resumable."""
    from qwalk_circuits.execution import jobs

    def interrupted(run_id, ledger, circuits, physical, config, shots, seed, plan, roles,
                    values=None):
        for idx in range(jobs_recorded):
            ledger.add_job(run_id, f"local-{idx}", idx, "circuits", plan[idx], "RUNNING")
        raise KeyboardInterrupt

    monkeypatch.setattr(jobs, "submit_fake", interrupted)
    assert main(["submit", "coined-walk", "--backend", "fake_fez", *WALK]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot be resumed" in err[0] and "run it again" in err[0]
    assert main(["jobs", "list"]) == 0
    assert capsys.readouterr().out.split()[2] == "failed"
