"""Hardware configs: TOML files in ``hardware_configs/`` that name a target and how to run on it.

A config never holds a credential: IBM accounts come from qiskit-ibm-runtime's
saved account or its environment variables.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, field_validator

from ..errors import QwalkError

CONFIG_DIR_NAME = "hardware_configs"
DEFAULT_CONFIG = "aer_ideal"
FORBIDDEN_KEYS = ("token", "api_key", "apikey", "password", "secret", "credential")


DASK_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})")


def check_dask_address(address: str) -> tuple[str, int]:
    """(host, port) of a Dask scheduler address ``tcp://HOST:PORT``; ValueError otherwise."""
    match = DASK_ADDRESS.fullmatch(address)
    if match is None or not 1 <= int(match.group(3)) <= 65535:
        raise ValueError(f"expected a Dask scheduler address tcp://HOST:PORT "
                         f"(e.g. tcp://127.0.0.1:8786), got {address!r}")
    return match.group(2).strip("[]"), int(match.group(3))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BackendSection(_Strict):
    """Which simulator or device runs the circuits."""

    kind: Literal["aer"] = "aer"
    method: Literal["automatic", "statevector", "density_matrix", "matrix_product_state"] = (
        "statevector")
    dask_address: str | None = Field(
        default=None,
        description="Dask scheduler (tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786) over whose "
                    "workers ensembles and the circuits of each run are spread; start one with "
                    "`dask scheduler` and `dask worker ADDRESS` (needs the 'dask' extra). "
                    "Unset: everything runs in this process. `--dask ADDRESS` overrides it.")

    @field_validator("dask_address")
    @classmethod
    def _check_dask_address(cls, value: str | None) -> str | None:
        if value is not None:
            check_dask_address(value)
        return value


class RunSection(_Strict):
    """How circuits are run: shots (or exact probabilities), seed, transpiler effort."""

    shots: PositiveInt | Literal["exact"] = Field(default=4096)
    seed: int | None = None
    optimization_level: int = Field(default=1, ge=0, le=3)


class HardwareConfig(_Strict):
    """A validated hardware config."""

    name: str
    description: str = ""
    backend: BackendSection = BackendSection()
    run: RunSection = RunSection()

    def summary(self) -> dict[str, Any]:
        return self.model_dump()


def config_search_dirs() -> list[Path]:
    """Where bare config names are looked up: ./hardware_configs, then the project's own."""
    here = Path(__file__).resolve().parents[2] / CONFIG_DIR_NAME
    return [Path.cwd() / CONFIG_DIR_NAME, here]


def _find_config(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.is_file():
        return path
    stem = path.name.removesuffix(".toml")
    for folder in config_search_dirs():
        candidate = folder / f"{stem}.toml"
        if candidate.is_file():
            return candidate
    known = sorted({p.stem for d in config_search_dirs() if d.is_dir() for p in d.glob("*.toml")})
    raise QwalkError(f"backend config '{name_or_path}' not found; give a path or one of {known}")


def _reject_credentials(data: Any, where: str) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if any(word in str(key).lower() for word in FORBIDDEN_KEYS):
                raise QwalkError(
                    f"{where}: key '{key}' is not allowed: a config never holds credentials; "
                    "save your IBM account with QiskitRuntimeService.save_account(...) or set "
                    "QISKIT_IBM_TOKEN in the environment")
            _reject_credentials(value, where)


def parse_config(data: dict[str, Any], name: str, where: str) -> HardwareConfig:
    """Validate a config mapping; errors name the offending key."""
    _reject_credentials(data, where)
    try:
        return HardwareConfig.model_validate({"name": name, **data})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise QwalkError(f"{where}: '{key}': {first['msg']}") from None


def with_dask_address(config: HardwareConfig, address: str | None) -> HardwareConfig:
    """The config with ``[backend] dask_address`` replaced (``--dask``); ``None`` keeps it."""
    if address is None:
        return config
    data = config.model_dump()
    data["backend"]["dask_address"] = address
    try:
        return HardwareConfig.model_validate(data)
    except ValidationError as exc:
        raise QwalkError("--dask: " + exc.errors()[0]["msg"].removeprefix("Value error, ")
                         ) from None


def load_config(name_or_path: str | None = None) -> HardwareConfig:
    """Load a config by path or bare name (default: ``aer_ideal``)."""
    if name_or_path is None:
        try:
            path = _find_config(DEFAULT_CONFIG)
        except QwalkError:
            return HardwareConfig(name=DEFAULT_CONFIG, description="built-in default")
    else:
        path = _find_config(name_or_path)
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise QwalkError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, path.stem, str(path))
