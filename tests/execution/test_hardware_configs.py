"""Every file in hardware_configs/ loads, is documented, and holds no credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution.config import load_config, parse_config

CONFIG_DIR = Path(__file__).resolve().parents[2] / "hardware_configs"
FILES = sorted(CONFIG_DIR.glob("*.toml"))


def test_the_required_configs_exist():
    names = {p.stem for p in FILES}
    assert {"aer_ideal", "aer_dephasing", "fake_fez", "fake_torino", "ibm_fez", "ibm_torino",
            "ibm_kingston", "ibm_fez_fractional"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_config_loads_and_is_commented(path):
    config = load_config(str(path))
    assert config.name == path.stem and config.description
    text = path.read_text()
    assert text.count("#") >= 5, "configs are documented with comments"
    assert "token" not in "".join(line.split("#")[0] for line in text.splitlines()).lower()
    if config.is_device:
        assert config.backend.device and config.run.shots != "exact"


def test_fractional_config_turns_fractional_gates_on():
    config = load_config("ibm_fez_fractional")
    assert config.backend.kind == "ibm" and config.backend.fractional_gates
    assert not config.run.twirling  # fractional gates cannot be twirled


@pytest.mark.parametrize("data, match", [
    ({"backend": {"kind": "fake"}}, "needs a device name"),
    ({"backend": {"kind": "ibm", "device": "fake_fez"}}, "real device"),
    ({"backend": {"kind": "fake", "device": "ibm_fez"}}, "starts with 'fake_'"),
    ({"backend": {"kind": "aer", "device": "ibm_fez"}}, "only for kind"),
    ({"backend": {"kind": "fake", "device": "fake_fez", "noise": "dephasing"}}, "only for"),
    ({"run": {"layout_method": "magic"}}, "layout_method"),
    ({"jobs": {"max_circuits_per_job": 0}}, "max_circuits_per_job"),
    ({"ibm": {"token": "abc"}}, "never holds credentials"),
    ({"ibm": {"api_key": "abc"}}, "QISKIT_IBM_TOKEN"),
])
def test_bad_configs_are_refused_with_a_clear_message(data, match):
    with pytest.raises(QwalkError, match=match):
        parse_config(data, "x", "x.toml")


def test_aer_dephasing_config_adds_noise_and_aer_ideal_does_not():
    from qwalk_circuits.experiments import get_experiment
    from qwalk_circuits.pipeline import run

    walk = get_experiment("coined-walk").from_settings({"position_qubits": 3, "steps": 4})
    ideal = run(walk, load_config("aer_ideal"), shots=None, save=False)
    noisy = run(walk, load_config("aer_dephasing"), shots=None, save=False)
    assert max(ideal.summary["distance"]["tvd"]) < 1e-9
    assert 1e-3 < max(noisy.summary["distance"]["tvd"]) < 0.5
