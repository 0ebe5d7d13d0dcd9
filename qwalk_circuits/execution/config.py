"""Hardware configs: TOML files in ``hardware_configs/`` that name a target and how to run on it.

A config never holds a credential: IBM accounts come from qiskit-ibm-runtime's
saved account or its environment variables.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

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
    """Which simulator or device runs the circuits.

    ``aer``: the local simulator (``noise = "dephasing"`` adds a per-qubit
    phase-damping channel after every gate); ``fake``: a fake IBM device from
    qiskit-ibm-runtime (its noise, simulated locally: the local testing mode);
    ``ibm``: a real IBM device through qiskit-ibm-runtime.
    """

    kind: Literal["aer", "fake", "ibm"] = "aer"
    device: str | None = Field(default=None, description="fake_fez | fake_torino | ... for "
                               "kind = fake; ibm_fez | ibm_torino | ... for kind = ibm")
    fractional_gates: bool = Field(default=False, description="use RZZ(theta)/RX(theta) on "
                                   "Heron devices (kind = ibm; fake devices: see README)")
    noise: Literal["none", "dephasing"] = "none"
    dephasing_lambda: float = Field(default=0.01, ge=0.0, le=1.0,
                                    description="phase-damping parameter per qubit per gate")
    method: Literal["automatic", "statevector", "density_matrix", "matrix_product_state"] = (
        "statevector")
    dask_address: str | None = Field(
        default=None,
        description="Dask scheduler (tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786) over whose "
                    "workers ensembles and the circuits of each run are spread; start one with "
                    "`dask scheduler` and `dask worker ADDRESS` (needs the 'dask' extra). "
                    "Unset: everything runs in this process. `--dask ADDRESS` overrides it.")

    @model_validator(mode="after")
    def _check_device(self) -> BackendSection:
        if self.kind == "aer":
            if self.device is not None:
                raise ValueError("device is only for kind = 'fake' or 'ibm'")
        elif self.device is None:
            raise ValueError(f"kind = '{self.kind}' needs a device name, e.g. "
                             + ("'fake_fez'" if self.kind == "fake" else "'ibm_fez'"))
        elif self.kind == "fake" and not self.device.startswith("fake_"):
            raise ValueError(f"a fake device's name starts with 'fake_' (got {self.device!r})")
        elif self.kind == "ibm" and self.device.startswith("fake_"):
            raise ValueError(f"kind = 'ibm' needs a real device (got {self.device!r}); "
                             "use kind = 'fake' for fake devices")
        if self.noise != "none" and self.kind != "aer":
            raise ValueError("noise = 'dephasing' is only for kind = 'aer' (devices bring "
                             "their own noise)")
        return self

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
    layout_method: Literal["default", "trivial", "dense", "sabre", "noise_aware"] = Field(
        default="default", description="transpiler layout; noise_aware picks the qubits with "
        "the lowest two-qubit and readout errors for the circuit's interaction graph (VF2)")
    dynamical_decoupling: bool = False
    dd_sequence: Literal["XX", "XpXm", "XY4"] = "XX"
    twirling: bool = Field(default=False, description="Pauli twirling of gates and "
                           "measurements (runtime option)")
    readout_mitigation: bool = Field(default=False, description="calibrate the measured "
                                     "qubits' readout and store mitigated results too")


class JobsSection(_Strict):
    """How device runs are split into jobs and waited on."""

    max_circuits_per_job: PositiveInt = 100
    max_shots_per_job: PositiveInt = 5_000_000
    poll_interval_s: float = Field(default=10.0, gt=0)
    max_retries: int = Field(default=5, ge=0, description="retries of transient errors "
                             "(with exponential backoff)")
    retry_backoff_s: float = Field(default=1.0, gt=0, description="first backoff; doubles "
                                   "after each failure, at most 60 s")
    timeout_s: float | None = Field(default=None, gt=0, description="give up waiting after "
                                    "this long (the jobs keep running; `qwalk jobs fetch`)")


class IBMSection(_Strict):
    """Which IBM account entry to use (names only: credentials stay in the saved account)."""

    channel: Literal["ibm_quantum_platform", "ibm_cloud", "local"] | None = None
    instance: str | None = Field(default=None, description="CRN or instance name")
    account_name: str | None = Field(default=None, description="a name given to "
                                     "QiskitRuntimeService.save_account(name=...)")

class HardwareConfig(_Strict):
    """A validated hardware config."""

    name: str
    description: str = ""
    backend: BackendSection = BackendSection()
    run: RunSection = RunSection()
    jobs: JobsSection = JobsSection()
    ibm: IBMSection = IBMSection()

    @property
    def is_device(self) -> bool:
        """True for fake and real IBM devices (the job path), False for plain Aer."""
        return self.backend.kind != "aer"

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
        raise QwalkError(f"{where}: '{key}': {first['msg'].removeprefix('Value error, ')}"
                         ) from None


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
