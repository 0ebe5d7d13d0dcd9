"""Dask: ensembles and sweep points spread over a LocalCluster equal the local run exactly."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest

from qwalk_circuits.cli import main
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import dask_cluster, execute, load_config
from qwalk_circuits.execution.config import parse_config, with_dask_address
from qwalk_circuits.execution.dask_cluster import cluster_executor, connect
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.experiments.runner import AER_TARGET
from qwalk_circuits.pipeline import run

distributed = pytest.importorskip("distributed")

ENSEMBLE = {"position_qubits": 4, "steps": 6, "realisations": 6, "disorder": "static"}
FAST_FAIL_S = 3.0
DASHBOARD = "127.0.0.1:0"  # any free port: None would still take 8787 (warns)


@pytest.fixture(scope="module")
def cluster():
    """Two one-thread workers in this process, on loopback TCP (a real address to connect to)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  protocol="tcp", host="127.0.0.1",
                                  dashboard_address=DASHBOARD) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster):
    client = connect(cluster.scheduler_address)
    yield client
    client.close()


def tasks_done(client) -> int:
    """Tasks the workers have finished so far (the proof that the work went to them)."""
    return sum(client.run(lambda dask_worker: dask_worker.state.transition_counter).values())


def connected(client) -> int:
    return client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.clients))


def ensemble():
    return get_experiment("anderson-walk").from_settings(ENSEMBLE)


@pytest.mark.parametrize("shots", [None, 64], ids=["exact", "sampled"])
def test_ensemble_on_the_cluster_equals_the_local_run(client, shots):
    config = load_config()
    local = run(ensemble(), config, shots=shots, seed=7, save=False)
    before = tasks_done(client)
    remote = run(ensemble(), config, shots=shots, seed=7, save=False,
                            executor=client)
    assert tasks_done(client) > before
    for a, b in zip(local.distributions, remote.distributions, strict=True):
        np.testing.assert_array_equal(a, b)
    assert local.summary["observables"] == remote.summary["observables"]
    assert local.summary["ensemble"] == remote.summary["ensemble"]


def test_config_address_is_used_and_closed(cluster, client):
    config = with_dask_address(load_config(), cluster.scheduler_address)
    local = run(ensemble(), load_config(), shots=32, seed=3, save=False)
    before, clients = tasks_done(client), connected(client)
    remote = run(ensemble(), config, shots=32, seed=3, save=False)
    assert tasks_done(client) > before
    assert connected(client) == clients  # the run's own client is closed
    assert remote.summary["backend"]["backend"]["dask_address"] == cluster.scheduler_address
    assert local.summary["observables"] == remote.summary["observables"]


@pytest.mark.parametrize("shots", [None, 100], ids=["exact", "sampled"])
def test_sweep_point_circuits_equal_the_local_run(client, shots):
    """A noisy sweep point (the dephasing crossover), one task per circuit."""
    experiment = get_experiment("coin-dephasing").from_settings(
        {"position_qubits": 3, "steps": 4, "p": 0.3,
         "method": "density_matrix" if shots is None else "trajectories"})
    circuits = experiment.circuits(AER_TARGET)
    run = {"noise_model": experiment.noise_model(), "method": experiment.simulation_method()}
    local = execute(circuits, load_config(), shots, 11, **run)
    before = tasks_done(client)
    remote = execute(circuits, load_config(), shots, 11, executor=client, **run)
    assert tasks_done(client) > before
    for a, b in zip(local.results, remote.results, strict=True):
        if shots is None:
            np.testing.assert_array_equal(a.probabilities, b.probabilities)
        else:
            assert a.counts == b.counts
        assert a.stats == b.stats


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_address_fails_fast_and_says_what_to_do():
    address = f"tcp://127.0.0.1:{free_port()}"
    start = time.monotonic()
    with pytest.raises(QwalkError, match=r"dask scheduler.*dask worker"), \
            cluster_executor(address):
        pass
    assert time.monotonic() - start < FAST_FAIL_S


@pytest.mark.parametrize("command", [["run", "coined-walk"],
                                     ["sweep", "coin-dephasing", "--over", "p=0.1,0.2"]])
def test_cli_dask_flag_unreachable_is_one_line_exit_2(capsys, command):
    address = f"tcp://127.0.0.1:{free_port()}"
    assert main([*command, "--set", "steps=2", "--dask", address]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"qwalk: error: no Dask scheduler reachable at {address}")
    assert "\n" not in err
    assert main(["run", "coined-walk", "--dask", "localhost:8786"]) == 2
    assert "tcp://HOST:PORT" in capsys.readouterr().err


def test_cli_dask_flag_runs_on_the_cluster(cluster, client, capsys):
    before = tasks_done(client)
    assert main(["run", "anderson-walk", *[f"--set={k}={v}" for k, v in ENSEMBLE.items()],
                 "--shots", "exact", "--json", "--dask", cluster.scheduler_address]) == 0
    assert tasks_done(client) > before
    assert '"dask_address": "' + cluster.scheduler_address in capsys.readouterr().out


def test_scheduler_without_workers_says_start_one(monkeypatch):
    monkeypatch.setattr(dask_cluster, "WORKER_WAIT_S", 0.5)
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=DASHBOARD) as empty, \
            pytest.raises(QwalkError, match=r"no workers.*dask worker tcp://"):
        connect(empty.scheduler_address)


def test_no_address_means_local():
    with cluster_executor(None) as executor:
        assert executor is None


def test_address_is_validated(tmp_path):
    good = parse_config({"backend": {"dask_address": "tcp://127.0.0.1:8786"}}, "x", "x.toml")
    assert good.backend.dask_address == "tcp://127.0.0.1:8786"
    assert load_config().backend.dask_address is None
    for bad in ("127.0.0.1:8786", "tcp://host", "tcp://host:70000", "http://host:80"):
        with pytest.raises(QwalkError, match=r"'backend\.dask_address'.*tcp://HOST:PORT"):
            parse_config({"backend": {"dask_address": bad}}, "x", "x.toml")
        with pytest.raises(QwalkError, match=r"--dask: .*tcp://HOST:PORT"):
            with_dask_address(load_config(), bad)
