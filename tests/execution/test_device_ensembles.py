"""Ensemble experiments and sweeps on the device path: one transpiled template per time,
its members sent as Sampler V2 PUBs with parameter arrays, through the job ledger."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qwalk_circuits.cli import main
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.device_analysis import finish_run
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.config import load_config, parse_config
from qwalk_circuits.execution.device_submission import submit_experiment
from qwalk_circuits.execution.jobs import cancel, pack_jobs
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run

from . import service_double

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"position_qubits": 2, "steps": 2, "realisations": 3}
FAKE = {"backend": {"kind": "fake", "device": "fake_manila"},
        "run": {"shots": 300, "seed": 3, "readout_mitigation": True},
        "jobs": {"poll_interval_s": 0.01}}


def fake_config(**run):
    data = json.loads(json.dumps(FAKE))
    data["run"] = {**data.get("run", {}), **run}
    return parse_config(data, "fake_manila_test", "test")


def walk(**extra):
    return get_experiment("anderson-walk").from_settings({**SETTINGS, **extra})


def finish(run_id, store, rounds=10):
    for _ in range(rounds):
        summary = finish_run(run_id, store)
        if summary is not None:
            return summary
    raise AssertionError("run did not finish")


def test_jobs_are_packed_within_the_circuit_limit_with_room_for_calibrations():
    one = [(0,)] * 4
    assert pack_jobs([0, 1, 2], one, 2) == [[0, 1], [2]]
    assert pack_jobs([0, 1, 2], one, 2, [1, 1, 1]) == [[0, 1], [2]]  # = the unweighted split
    assert pack_jobs([0, 1, 2, 3], one, 6, [1, 3, 3, 2]) == [[0, 1], [2, 3]]
    # each qubit set in a job costs its two calibration circuits once
    assert pack_jobs([0, 1, 2, 3], one, 4, reserve=2) == [[0, 1], [2, 3]]
    assert pack_jobs([0, 1, 2], [(0,), (1,), (1,)], 6, reserve=2) == [[0, 1], [2]]
    assert pack_jobs([0, 1, 2], [(0,), (1,), (1,)], 5, reserve=2) == [[0], [1, 2]]
    assert pack_jobs([0, 1], one, 3, [5, 1], reserve=2) == [[0], [1]]  # too big: alone


def test_an_ensemble_runs_on_a_fake_device_and_is_averaged_like_on_aer(tmp_path):
    config = fake_config(emulation=True)
    store = ResultStore(tmp_path / "a.sqlite")
    summary = run(walk(), config, 300, 3, store, progress=False).summary
    times = summary["times"]
    realisations = SETTINGS["realisations"]
    assert summary["ensemble"]["realisations"] == realisations
    assert all(len(v) == realisations for v in
               summary["ensemble"]["per_realisation"]["sigma"])
    # the same summary contract as the Aer ensemble runner, plus the device comparison
    aer = get_experiment("anderson-walk").from_settings(SETTINGS)
    record = run(aer, load_config("aer_ideal"), shots=300, seed=3, save=False)
    assert set(record.summary) <= set(summary)
    assert set(summary["observables"]) == set(record.summary["observables"])
    comparison = summary["comparison"]
    assert set(comparison) >= {"hardware", "emulation", "mitigated", "uniform_tvd"}
    for key in ("hardware", "emulation", "mitigated"):
        assert len(comparison[key]["tvd"]) == len(times)
    # the averaged TVD to the exact ensemble: shot noise of shots x members draws plus
    # the device's errors on a few-gate walk, far below the uniform distribution's
    bound = summary["distance"]["tvd_shot_noise_bound"]
    for tvd, noise, uniform in zip(comparison["hardware"]["tvd"], bound,
                                   comparison["uniform_tvd"], strict=True):
        assert tvd < 3 * noise + 0.1 < uniform
    # every member stored, raw and mitigated; the ledger run finished
    stored = store.get_run(summary["run_id"])
    assert len(stored["circuits"]) == len(times) * realisations
    assert set(stored["circuits"][0]["data"]) == {"raw", "mitigated_sites"}
    # the mitigated observables carry their errors, from the stored mitigated members as
    # the raw ones' from the raw members (sigma's also against the bare jackknife)
    from qwalk_circuits.analysis.ensembles import jackknife_errors
    from qwalk_circuits.analysis.summary import ensemble_observables

    rows = np.array([c["data"]["mitigated_sites"] for c in stored["circuits"]])
    stored_errors = summary["mitigated_observable_errors"]
    assert set(stored_errors) == set(summary["mitigated_observables"])
    for i, members in enumerate(rows.reshape(len(times), realisations, -1)):
        values, errors, _ = ensemble_observables(aer, members)
        for key in stored_errors:  # (NaN, a fit that failed on 4 sites, is stored None)
            for stored_value, value in ((stored_errors[key][i], errors[key]),
                                        (summary["mitigated_observables"][key][i],
                                         values[key])):
                assert (stored_value is None if np.isnan(value) else
                        stored_value == pytest.approx(value, rel=1e-9, abs=1e-12)), key
        assert stored_errors["sigma"][i] == pytest.approx(jackknife_errors(
            members, lambda p: {"sigma": aer.observables(p)["sigma"]})["sigma"], rel=1e-9)
    assert max(stored_errors["sigma"]) > 0
    ledger = Ledger(store)
    assert ledger.submission(summary["run_id"])["status"] == "done"
    infos = ledger.submission(summary["run_id"])["circuits"]
    # one transpiled template per time: every parameterized time is one array PUB
    arrays = [i for i in infos if i.get("array")]
    assert len({i["template"] for i in arrays}) == len(arrays)
    assert all(i["members"] == [0, realisations] for i in arrays)
    assert finish_run(summary["run_id"], store) == summary  # fetching again is harmless
    # deterministic for a seed: a second run gives the same member counts
    again = run(walk(), config, 300, 3, ResultStore(tmp_path / "b.sqlite"),
                          progress=False).summary
    assert again["ensemble"] == summary["ensemble"]
    assert again["comparison"]["hardware"] == comparison["hardware"]


def test_a_dephasing_experiment_runs_on_a_device_as_phase_kick_trajectories(tmp_path):
    """A device cannot apply the noise model: the run averages random phase-kick
    trajectories (one PUB per time, a kick pattern per member) and compares them with the
    exact channel; its error bars resample the trajectories."""
    settings = {"position_qubits": 3, "steps": 5, "p": 0.5, "kick_trajectories": 12}
    experiment = get_experiment("coin-dephasing").from_settings(settings)
    store = ResultStore(tmp_path / "s.sqlite")
    summary = run(experiment, fake_config(emulation=True), 300, 1, store, progress=False).summary
    assert summary["ensemble"]["realisations"] == 12
    assert summary["unravelled"] == {"trajectories": 12, "kick_seed": 0}
    assert "tvd_shot_noise_bound" not in summary["distance"]  # it knows nothing of kicks
    comparison = summary["comparison"]
    # the device's trajectories against the same noise model's emulation: within errors
    for h, e, sh, se in zip(comparison["hardware"]["tvd"], comparison["emulation"]["tvd"],
                            comparison["hardware"]["tvd_error"],
                            comparison["emulation"]["tvd_error"], strict=True):
        assert abs(h - e) < 4 * np.hypot(sh, se) + 0.01
    # the floor 12 trajectories leave on an ideal device: none before the first kick acts
    floor = comparison["trajectory_floor"]["tvd"]
    assert floor[:2] == pytest.approx([0, 0], abs=1e-9) and floor[-1] > 0
    assert all(h > f - 4 * e for h, f, e in zip(comparison["hardware"]["tvd"], floor,
                                                comparison["hardware"]["tvd_error"],
                                                strict=True))


IBM_ENSEMBLE = service_double.IBM_CONFIG.replace("max_circuits_per_job = 4",
                                                 "max_circuits_per_job = 6")


@pytest.fixture
def server(tmp_path, monkeypatch):
    return service_double.install(tmp_path / "server", monkeypatch)


@pytest.fixture
def ibm(tmp_path):
    path = tmp_path / "ibm_ensemble.toml"
    path.write_text(IBM_ENSEMBLE)
    return load_config(str(path))


def test_members_go_as_parameter_arrays_in_as_few_jobs_as_the_limits_allow(server, ibm,
                                                                           tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    run_id = submit_experiment(walk(), ibm, 200, 5, store)
    ledger = Ledger(store)
    infos = ledger.submission(run_id)["circuits"]
    jobs = ledger.jobs(run_id)
    weights = [len(i["values"]) if i.get("array") else 1 for i in infos]
    limit = ibm.jobs.max_circuits_per_job
    # every job: within the limit, its circuits' readout calibration beside them
    assert all(sum(weights[i] for i in j["circuits"]) <= limit for j in jobs)
    for job in jobs:
        measured = {tuple(infos[i]["physical"]) for i in job["circuits"]
                    if infos[i]["role"] == "circuits"}
        calibrated = [tuple(infos[i]["physical"]) for i in job["circuits"]
                      if infos[i]["role"] == "calibration"]
        assert job["role"] == "circuits+calibration"
        assert sorted(calibrated) == sorted(2 * list(measured))
    # one template PUB (3 members) + 2 calibrations per job of 6: a job per time
    assert len(jobs) == len(walk().times())
    shapes = [s for upload in server.uploads() for s in upload if s is not None]
    assert shapes and all(s[0] == SETTINGS["realisations"] for s in shapes)
    assert all(j["status"] == "QUEUED" for j in ledger.jobs(run_id))  # nothing waited
    summary = finish(run_id, store)
    # the double's device is ideal: the ensemble average is off by shot noise alone
    bound = summary["distance"]["tvd_shot_noise_bound"]
    assert all(t < 3 * b + 0.02 for t, b in zip(summary["comparison"]["hardware"]["tvd"],
                                                bound, strict=True))
    assert finish_run(run_id, store) == summary
    assert len(store.list_runs()) == 1


def test_an_ensemble_pub_split_by_the_job_limit(server, tmp_path):
    path = tmp_path / "ibm_tight.toml"
    # 4 circuits per job, 2 of them calibrations: PUBs of 2 members < 3 members
    path.write_text(service_double.IBM_CONFIG)
    assert "max_circuits_per_job = 4" in service_double.IBM_CONFIG
    config = load_config(str(path))
    store = ResultStore(tmp_path / "s.sqlite")
    summary = finish(submit_experiment(walk(), config, 200, 5, store), store)
    shapes = [s for upload in server.uploads() for s in upload if s is not None]
    assert sorted({s[0] for s in shapes}) == [1, 2]
    assert summary["ensemble"]["realisations"] == 3
    assert len(store.get_run(summary["run_id"])["circuits"]) == 3 * len(summary["times"])


def test_a_job_too_small_for_its_readout_calibration_is_refused(tmp_path):
    config = parse_config({**json.loads(json.dumps(FAKE)),
                           "jobs": {"max_circuits_per_job": 2}}, "tight", "test")
    with pytest.raises(QwalkError, match="readout_mitigation = false"):
        submit_experiment(walk(), config, 100, 1, ResultStore(tmp_path / "s.sqlite"))


def test_an_interrupted_ensemble_submission_is_resumed(server, ibm, tmp_path):
    """The resubmitted PUBs are rebuilt from the ledger: each template back on its device
    qubits with its members' parameter array."""
    from qwalk_circuits.execution.device_submission import resume_submission

    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(crash_after=0)  # dies while the service accepts the first job
    with pytest.raises(KeyboardInterrupt):
        submit_experiment(walk(), ibm, 200, 5, store)
    (row,) = Ledger(store).runs()
    server.set_mode()
    jobs = len(walk().times())  # one template PUB + its calibration per job
    assert resume_submission(row["run_id"], store) == jobs - 1
    assert len(server.job_ids()) == jobs
    for upload in server.uploads()[1:]:  # (members, parameters) array, two calibrations
        assert upload[0][0] == SETTINGS["realisations"] and upload[1:] == [None, None]
    summary = finish(row["run_id"], store)
    bound = summary["distance"]["tvd_shot_noise_bound"]
    assert all(t < 3 * b + 0.02 for t, b in zip(summary["comparison"]["hardware"]["tvd"],
                                                bound, strict=True))


def test_phase_kick_trajectories_on_an_ideal_device_reproduce_the_channel(server, ibm,
                                                                          tmp_path):
    settings = {"position_qubits": 3, "steps": 5, "p": 0.6, "kick_trajectories": 16}
    experiment = get_experiment("position-dephasing").from_settings(settings)
    summary = run(experiment, ibm, 200, 5, ResultStore(tmp_path / "s.sqlite"),
                            progress=False).summary
    sigma, error = summary["observables"]["sigma"], summary["observable_errors"]["sigma"]
    for s, e, x in zip(sigma, error, summary["reference"]["sigma"], strict=True):
        assert abs(s - x) <= 4 * e + 1e-9
    # ... and not the coherent walk: the kicks act (sigma 2.23 against 2.65 at t = 5)
    coherent = get_experiment("position-dephasing").from_settings({**settings, "p": 0})
    ballistic = coherent.observables(coherent.reference_distributions()[-1])["sigma"]
    assert abs(sigma[-1] - ballistic) > 3 * error[-1]
    # an ideal device: the distance to the channel is the trajectories' floor, to shot noise
    comparison = summary["comparison"]
    for h, f, e in zip(comparison["hardware"]["tvd"], comparison["trajectory_floor"]["tvd"],
                       comparison["hardware"]["tvd_error"], strict=True):
        assert abs(h - f) < 4 * e + 0.02


def test_cancelling_an_ensemble_run(server, ibm, tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    server.set_mode(hold=True)
    run_id = submit_experiment(walk(), ibm, 200, 5, store)
    ledger = Ledger(store)
    assert cancel(run_id, ledger, ibm) == len(ledger.jobs(run_id))
    with pytest.raises(QwalkError, match="CANCELLED"):
        finish_run(run_id, store)


CHILD = """
import sys
from tests.execution import service_double
service_double.install(sys.argv[1])
from qwalk_circuits.cli import main
sys.exit(main(["--store", sys.argv[2], "run", "anderson-walk", "--backend", sys.argv[3],
               "--set", "position_qubits=2", "--set", "steps=2", "--set", "realisations=3"]))
"""


def test_an_ensemble_run_killed_while_waiting_is_recovered_not_duplicated(tmp_path):
    server = service_double.Server(tmp_path / "server")
    server.set_mode(hold=True)
    store_path = tmp_path / "s.sqlite"
    config = tmp_path / "ibm_ensemble.toml"
    config.write_text(IBM_ENSEMBLE)
    service_double.kill_child_once_submitted(
        CHILD, [str(server.root), str(store_path), str(config)], store_path,
        tmp_path / "child.err", timeout=90)
    store = ResultStore(store_path)
    (row,) = Ledger(store).runs()
    jobs_before = server.job_ids()
    assert row["status"] == "submitted" and row["jobs"] == len(jobs_before)
    server.set_mode()
    service_double.install(server.root)
    try:
        summary = finish(row["run_id"], store)
    finally:
        service_double.uninstall()
    assert summary["ensemble"]["realisations"] == 3
    assert len(store.list_runs()) == 1 and server.job_ids() == jobs_before


def fake_toml(tmp_path):
    path = tmp_path / "fake_manila.toml"
    path.write_text('# test\n[backend]\nkind = "fake"\ndevice = "fake_manila"\n'
                    '[run]\nshots = 200\nseed = 2\nreadout_mitigation = true\n'
                    '[jobs]\npoll_interval_s = 0.01\n')
    return str(path)


ARGS = ["--set", "position_qubits=2", "--set", "steps=2", "--set", "realisations=3"]


def test_cli_run_submit_and_fetch_an_ensemble_on_a_fake_device(tmp_path, capsys):
    config = fake_toml(tmp_path)
    store = ["--store", str(tmp_path / "s.sqlite")]
    assert main([*store, "run", "anderson-walk", "--backend", config, *ARGS]) == 0
    out = capsys.readouterr().out
    assert "device fake_manila" in out and "ensemble of 3 realisations" in out
    assert main([*store, "submit", "anderson-walk", "--backend", config, *ARGS]) == 0
    run_id = capsys.readouterr().out.strip()
    assert main([*store, "jobs", "fetch", run_id, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["ensemble"]["realisations"] == 3 and first["run_id"] == run_id
    assert main([*store, "jobs", "fetch", run_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == first


def test_a_sweep_runs_each_point_through_the_device_path(tmp_path):
    from qwalk_circuits.sweeps import sweep

    store = ResultStore(tmp_path / "s.sqlite")
    rows = sweep("anderson-walk", "strength", [0.25, 1.0], SETTINGS, fake_config(), 200, 4,
                 store)
    assert [r["strength"] for r in rows] == [0.25, 1.0]
    runs = {r["run_id"]: r for r in Ledger(store).runs()}
    assert set(runs) == {r["run_id"] for r in rows}
    assert all(r["status"] == "done" for r in runs.values())
    for row in rows:
        summary = store.get_run(row["run_id"])["summary"]
        assert summary["comparison"]["device"] == "fake_manila"
        assert np.allclose(row["sigma"], summary["observables"]["sigma"])


def test_a_device_sweep_refuses_what_it_cannot_finish_before_submitting(tmp_path):
    from qwalk_circuits.sweeps import sweep

    store = ResultStore(tmp_path / "s.sqlite")
    with pytest.raises(QwalkError, match="--shots"):
        sweep("anderson-walk", "strength", [0.5], SETTINGS, fake_config(), None, 1, store)
    assert Ledger(store).runs() == []


FEZ = {"backend": {"kind": "fake", "device": "fake_fez"},
       "run": {"shots": 300, "seed": 3, "readout_mitigation": True},
       "jobs": {"poll_interval_s": 0.01}}
BACKSCATTERING = {"lattice_qubits_per_axis": 3, "time": 0.5, "dt": 0.5, "realisations": 9}


def test_backscattering_on_a_device_is_compared_on_its_momentum_map(tmp_path):
    """The outcome vector holds 8 point-group slots before the map; distances compare the
    map alone, as on Aer (the uniform yardstick has the map's 64 entries)."""
    from qwalk_circuits import analysis

    experiment = get_experiment("backscattering").from_settings(
        {**BACKSCATTERING, "k0": [3, 1]})
    data = json.loads(json.dumps(FEZ))
    data["run"] = {**data.get("run", {}), "emulation": True}
    config = parse_config(data, "fake_fez_test", "test")
    summary = run(experiment, config, 300, 3, ResultStore(tmp_path / "s.sqlite"),
                  progress=False).summary
    comparison = summary["comparison"]
    exact = [experiment.distance_distribution(q.mean(axis=0))
             for q in experiment.reference_ensemble()]
    assert all(q.size == 64 for q in exact)
    assert comparison["uniform_tvd"] == pytest.approx(
        [analysis.total_variation(np.full(64, 1 / 64), q) for q in exact], abs=1e-12)
    for key in ("hardware", "emulation", "mitigated"):
        assert all(0 < e < 0.1 for e in comparison[key]["tvd_error"])
    # the device's momentum map: the same noise model as the emulation, within errors
    for h, e, sh, se in zip(comparison["hardware"]["tvd"], comparison["emulation"]["tvd"],
                            comparison["hardware"]["tvd_error"],
                            comparison["emulation"]["tvd_error"], strict=True):
        assert abs(h - e) < 4 * np.hypot(sh, se)


def test_an_energy_shell_on_a_device_says_it_has_no_distances(tmp_path, capsys):
    path = tmp_path / "fez.toml"
    path.write_text('description = "test"\n[backend]\nkind = "fake"\ndevice = "fake_fez"\n'
                    "[run]\nshots = 300\nseed = 3\nreadout_mitigation = false\n")
    settings = [f"{k}={v}" for k, v in {**BACKSCATTERING, "shell": 2,
                                        "realisations": 5}.items()]
    argv = ["--store", str(tmp_path / "s.sqlite"), "run", "backscattering", "--backend",
            str(path)]
    for setting in settings:
        argv += ["--set", setting]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "no TVD / Hellinger: backscattering's outcome holds no probability" in out
    assert "ratio (device)" in out
