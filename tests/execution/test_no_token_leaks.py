"""No token reaches the store, stdout/stderr, the summary JSON or an exception message."""

from __future__ import annotations

import json

import pytest

from qwalk_circuits.cli import main
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import service
from qwalk_circuits.execution.service import list_backends, runtime_service, scrub

from . import service_double

TOKEN = "tok3n-ZXJ5c2VjcmV0LXRva2VuLWRvLW5vdC1wcmludA-q9"


@pytest.fixture(autouse=True)
def token_in_env(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)


def everything_written(capsys, store_path):
    out, err = capsys.readouterr()
    return out + err + store_path.read_bytes().decode("latin-1")


def test_full_fake_device_cycle_never_shows_the_token(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    config = tmp_path / "fake.toml"
    config.write_text('[backend]\nkind = "fake"\ndevice = "fake_manila"\n'
                      '[run]\nshots = 200\nseed = 1\nreadout_mitigation = true\n')
    assert main(["--store", str(store), "submit", "coined-walk", "--backend", str(config),
                 "--set", "position_qubits=2", "--set", "steps=2"]) == 0
    run_id = capsys.readouterr().out.strip()
    assert main(["--store", str(store), "jobs", "fetch", run_id, "--json"]) == 0
    summary_text = capsys.readouterr().out
    assert TOKEN not in summary_text and json.loads(summary_text)["run_id"] == run_id
    assert main(["--store", str(store), "jobs", "status", run_id]) == 0
    assert main(["--store", str(store), "results", "show", run_id, "--json"]) == 0
    assert TOKEN not in everything_written(capsys, store)


def test_ibm_cycle_with_the_service_double_never_shows_the_token(tmp_path, capsys,
                                                                 monkeypatch):
    service_double.install(tmp_path / "server", monkeypatch)
    store = tmp_path / "s.sqlite"
    config = service_double.ibm_config(tmp_path)
    assert main(["--store", str(store), "run", "coined-walk", "--backend", str(config),
                 "--set", "position_qubits=2", "--set", "steps=2", "--json"]) == 0
    assert main(["--store", str(store), "backends"]) == 0
    assert TOKEN not in everything_written(capsys, store)


def test_service_errors_that_quote_the_token_are_scrubbed(monkeypatch, capsys, tmp_path):
    def failing(**kwargs):
        raise RuntimeError(f"401 Unauthorized for token {TOKEN} at https://example")

    monkeypatch.setattr(service, "_factory", failing)
    with pytest.raises(QwalkError) as info:
        runtime_service()
    assert TOKEN not in str(info.value) and "<redacted>" in str(info.value)
    rows, why = list_backends()
    assert rows == [] and why is not None and TOKEN not in why
    assert main(["--store", str(tmp_path / "s.sqlite"), "backends"]) == 0
    out = capsys.readouterr().out
    assert "none reachable" in out and TOKEN not in out


def test_scrub_removes_long_token_like_strings_even_without_env(monkeypatch):
    monkeypatch.delenv("QISKIT_IBM_TOKEN")
    assert "<redacted>" in scrub("key=" + "a" * 44)
    assert scrub("job d6eb0cd4-61bb-491a-89be-6bc7edd5d048 done") == (
        "job d6eb0cd4-61bb-491a-89be-6bc7edd5d048 done")
