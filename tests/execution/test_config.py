"""Hardware configs: the shipped ones load, bad ones fail with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwalk_circuits.errors import QwalkError
from qwalk_circuits.execution.config import load_config

CONFIG_DIR = Path(__file__).resolve().parents[2] / "hardware_configs"


@pytest.mark.parametrize("path", sorted(CONFIG_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_configs_validate(path):
    config = load_config(str(path))
    assert config.name == path.stem


def test_default_is_aer_ideal():
    config = load_config()
    assert config.name == "aer_ideal" and config.backend.kind == "aer"


def write(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text)
    return str(path)


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(QwalkError, match=r"'run\.shot'"):
        load_config(write(tmp_path, "[run]\nshot = 5\n"))


def test_bad_value_is_named(tmp_path):
    with pytest.raises(QwalkError, match=r"'run\.optimization_level'"):
        load_config(write(tmp_path, "[run]\noptimization_level = 7\n"))


def test_non_positive_shots_are_refused(tmp_path):
    with pytest.raises(QwalkError, match=r"'run\.shots"):
        load_config(write(tmp_path, "[run]\nshots = 0\n"))


def test_token_is_rejected_with_where_credentials_belong(tmp_path):
    with pytest.raises(QwalkError, match="save_account"):
        load_config(write(tmp_path, '[backend]\ntoken = "abc"\n'))


def test_missing_config_lists_known(tmp_path):
    with pytest.raises(QwalkError, match="aer_ideal"):
        load_config("no_such_config")


def test_broken_toml(tmp_path):
    with pytest.raises(QwalkError, match="not valid TOML"):
        load_config(write(tmp_path, "[run\n"))
