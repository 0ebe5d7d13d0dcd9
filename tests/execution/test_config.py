"""Hardware configs: the shipped ones load, bad ones fail with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwalk_circuits.core.errors import QwalkError
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


# --- where bare names are found: shipped, user folder, fake devices --------------------

from qwalk_circuits.execution import config as config_module  # noqa: E402


def test_default_is_the_shipped_file_with_its_seed_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no hardware_configs folder here: the package's own is read
    config = load_config()
    assert config == load_config(str(config_module.shipped_config_dir() / "aer_ideal.toml"))
    assert config.run.seed == 1234 and config.description.startswith("Local Aer")


def test_top_level_hardware_configs_is_the_package_folder():
    assert CONFIG_DIR.resolve() == Path(str(config_module.shipped_config_dir())).resolve()


def user_dir(monkeypatch, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    monkeypatch.setenv("QWALK_HARDWARE_CONFIGS", str(folder))
    return folder


def test_user_config_is_found_by_name_and_listed(tmp_path, monkeypatch):
    folder = user_dir(monkeypatch, tmp_path)
    (folder / "my_aer.toml").write_text('description = "mine"\n[run]\nseed = 7\n')
    assert load_config("my_aer").run.seed == 7
    entries = {(e.name, e.source) for e in config_module.list_configs()}
    assert ("my_aer", "user") in entries and ("aer_ideal", "shipped") in entries


def test_user_config_may_not_reuse_a_shipped_name(tmp_path, monkeypatch):
    folder = user_dir(monkeypatch, tmp_path)
    (folder / "aer_ideal.toml").write_text("[run]\nseed = 7\n")
    with pytest.raises(QwalkError, match="rename it"):
        load_config()
    (entry,) = [e for e in config_module.list_configs() if e.source == "user"]
    assert entry.shadows_shipped


def test_user_folder_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("QWALK_HARDWARE_CONFIGS")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_module.user_config_dir() == tmp_path / "xdg" / "qwalk" / "hardware_configs"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_module.user_config_dir() == tmp_path / ".config" / "qwalk" / "hardware_configs"


def test_every_fake_device_is_a_backend_name_with_fake_fez_settings():
    fez = load_config("fake_fez")
    names = config_module.fake_device_names()
    assert len(names) > 50 and "fake_sherbrooke" in names
    for name in names:
        config = load_config(name)
        assert config.backend.kind == "fake" and config.backend.device == name
        if name not in ("fake_fez", "fake_torino"):  # those two have files of their own
            assert config.name == name
            assert config.run == fez.run and config.jobs == fez.jobs


def test_user_file_for_a_fake_device_replaces_the_generated_config(tmp_path, monkeypatch):
    folder = user_dir(monkeypatch, tmp_path)
    (folder / "fake_sherbrooke.toml").write_text(
        '[backend]\nkind = "fake"\ndevice = "fake_sherbrooke"\n[run]\nshots = 100\n')
    assert load_config("fake_sherbrooke").run.shots == 100


def test_unknown_fake_device_is_one_line_that_says_what_to_do():
    with pytest.raises(QwalkError, match="qwalk backends") as info:
        load_config("fake_nowhere")
    assert "\n" not in str(info.value)


def test_with_run_changes_the_run_section_and_validates_it():
    from qwalk_circuits.execution.config import load_config

    fez = load_config("fake_fez")
    early = fez.with_run(measure_early=True, shots=123)
    assert early.run.measure_early and early.run.shots == 123 and not fez.run.measure_early
    assert early.model_dump(exclude={"run"}) == fez.model_dump(exclude={"run"})
    with pytest.raises(ValueError, match="measure_early"):
        load_config("aer_ideal").with_run(measure_early=True)  # a model_copy would not ask
