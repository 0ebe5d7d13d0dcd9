"""Hardware configs: TOML files that name a target and how to run on it.

A bare name (``--backend NAME``) is looked up, in this order:

1. the configs shipped inside the package (``qwalk_circuits/hardware_configs/``,
   read with :mod:`importlib.resources`, so a wheel and a clone load the same
   files; the repository's top-level ``hardware_configs`` is a link to them);
2. the user config folder, :func:`user_config_dir`:
   ``$QWALK_HARDWARE_CONFIGS`` if set, else ``$XDG_CONFIG_HOME/qwalk/hardware_configs``
   (default ``~/.config/qwalk/hardware_configs``);
3. any fake device qiskit-ibm-runtime ships (``fake_sherbrooke``, ...): the
   shipped ``fake_fez.toml`` with that device (:func:`fake_device_config`).

A user file may not reuse a shipped name: loading that name is refused with a
message saying to rename the file (shipped configs, ``aer_ideal`` the default
above all, mean the same on every machine). A user file named after a fake
device (``fake_sherbrooke.toml``) replaces the generated config for it. A path
to a file is always read as given.

A config never holds a credential: IBM accounts come from qiskit-ibm-runtime's
saved account or its environment variables.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
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

from ..analysis.readout_solvers import ReadoutSolver, mthree_missing
from ..analysis.zne import check_scales
from ..core.errors import QwalkError
from ..core.specs import INT64_MAX, out_of_range
from .config_secrets import reject_credentials
from .dask_address import check_dask_address

CONFIG_DIR_NAME = "hardware_configs"
DEFAULT_CONFIG = "aer_ideal"
FAKE_TEMPLATE = "fake_fez"  # the settings a fake device named without a file runs with
USER_DIR_ENV = "QWALK_HARDWARE_CONFIGS"


class _Strict(BaseModel):
    """Strict types (no ``1`` for ``true``, no ``"0.1"`` for a number), finite numbers,
    64-bit integers, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_overflow(cls, value: Any) -> Any:
        if not isinstance(value, dict) and (why := out_of_range(value)) is not None:
            raise ValueError(why)
        return value


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
    aer_device: Literal["CPU", "GPU"] = Field(
        default="CPU", description="where Aer simulates (kind = 'aer', and a device's "
        "noisy emulation here: kind = 'fake', or a real device's emulation); GPU needs "
        "qiskit-aer-gpu in place of qiskit-aer ('device' already names an IBM device)")
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
    seed: int | None = Field(default=None, ge=0, le=INT64_MAX)
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
    readout_solver: ReadoutSolver = Field(
        default="tensored", description="how readout_mitigation inverts the calibration: "
        "tensored (every qubit's 2x2 inverse over all outcomes, clipped) or mthree (the "
        "observed outcomes only, nearest probability distribution; needs the mthree package)")
    emulation: bool | None = Field(
        default=None, description="compare a device run with a noisy Aer emulation of the same "
        "ISA circuits (default: real devices yes; fake devices no, where the emulation is the "
        "same noisy simulation again and measures only shot noise)")
    zne_scales: list[int] | None = Field(
        default=None, description="zero-noise extrapolation (device runs): each measured "
        "circuit is also sent with its two-qubit gates folded to run lambda times, for each "
        "odd lambda listed after 1 (e.g. [1, 3, 5]); the summary's comparison.zne holds the "
        "observables extrapolated to lambda = 0 beside the raw and mitigated ones, and "
        "the TVD of the extrapolated distribution")
    measure_early: bool = Field(
        default=False, description="measure each qubit as soon as only controlled phases "
        "remain on it and apply those as classically controlled phases (the semi-classical "
        "QFT: the walk's closing inverse QFT costs no two-qubit gate); the outcome "
        "distribution is unchanged; needs dynamic circuits (device runs; fake devices "
        "simulate no feed-forward latency)")
    zne_extrapolation: Literal["richardson", "exponential"] = Field(
        default="richardson", description="the ZNE model: the polynomial through the points "
        "(richardson) or a + b exp(-c lambda) (exponential, needs three scales)")

    @field_validator("readout_solver")
    @classmethod
    def _check_readout_solver(cls, value: ReadoutSolver) -> ReadoutSolver:
        if value == "mthree" and mthree_missing():
            raise ValueError("readout_solver = 'mthree' needs the mthree package: pip install "
                             "'qwalk_circuits[mthree]' (or mthree), or use the default "
                             "'tensored'")
        return value

    @field_validator("zne_scales")
    @classmethod
    def _check_zne_scales(cls, value: list[int] | None) -> list[int] | None:
        return None if value is None else check_scales(value)

    @model_validator(mode="after")
    def _check_zne_model(self) -> RunSection:
        if (self.zne_scales is not None and self.zne_extrapolation == "exponential"
                and len(self.zne_scales) < 3):
            raise ValueError("zne_extrapolation = 'exponential' fits three parameters: give "
                             "at least three zne_scales (e.g. [1, 3, 5]), or use 'richardson'")
        return self


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
    lease_s: float = Field(default=60.0, gt=0, description="a submitting process's lease "
                           "on its run, renewed while it works: a resume takes over a run "
                           "only after its submitter stopped renewing for this long")


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

    @model_validator(mode="after")
    def _zne_needs_a_device(self) -> HardwareConfig:
        if self.run.zne_scales is not None and self.backend.kind == "aer":
            raise ValueError("'run.zne_scales': zero-noise extrapolation folds a device's ISA "
                             "circuits; use it with kind = 'fake' or 'ibm'")
        if self.run.measure_early and self.backend.kind == "aer":
            raise ValueError("'run.measure_early' makes the device's circuits dynamic; the "
                             "local simulator reads exact probabilities without it: use it "
                             "with kind = 'fake' or 'ibm'")
        if self.run.measure_early and self.backend.fractional_gates:
            raise ValueError("'run.measure_early' needs dynamic circuits, which IBM devices do "
                             "not run with fractional gates: set one of fractional_gates and "
                             "measure_early to false")
        return self

    @property
    def is_device(self) -> bool:
        """True for fake and real IBM devices (the job path), False for plain Aer."""
        return self.backend.kind != "aer"

    def with_run(self, **settings: Any) -> HardwareConfig:
        """This config with ``[run]`` settings changed, validated as a file would be (a
        setting the backend cannot take is refused here, not at the device)."""
        data = self.model_dump()
        data["run"].update(settings)
        return HardwareConfig.model_validate(data)

    def summary(self) -> dict[str, Any]:
        return self.model_dump()


def shipped_config_dir() -> Traversable:
    """The configs shipped in the package (a folder in a wheel and in a clone alike)."""
    return resources.files("qwalk_circuits") / CONFIG_DIR_NAME


def user_config_dir() -> Path:
    """The user's own configs: ``$QWALK_HARDWARE_CONFIGS``, else
    ``$XDG_CONFIG_HOME/qwalk/hardware_configs`` (default ``~/.config/qwalk/hardware_configs``)."""
    if os.environ.get(USER_DIR_ENV):
        return Path(os.environ[USER_DIR_ENV]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "qwalk" / CONFIG_DIR_NAME


@dataclass(frozen=True)
class ConfigEntry:
    """A config found by name: where it comes from and the file that holds it."""

    name: str
    source: str  # "shipped" | "user"
    path: Traversable
    shadows_shipped: bool = False  # a user file reusing a shipped name (refused on load)


def _toml_files(folder: Traversable) -> dict[str, Traversable]:
    if not folder.is_dir():
        return {}
    return {f.name.removesuffix(".toml"): f for f in folder.iterdir()
            if f.name.endswith(".toml") and f.is_file()}


def list_configs() -> list[ConfigEntry]:
    """Every config a bare name reaches: the shipped ones, then the user folder's."""
    shipped = _toml_files(shipped_config_dir())
    user = _toml_files(user_config_dir())
    return ([ConfigEntry(name, "shipped", path) for name, path in sorted(shipped.items())]
            + [ConfigEntry(name, "user", path, shadows_shipped=name in shipped)
               for name, path in sorted(user.items())])


def fake_device_names() -> list[str]:
    """The fake devices qiskit-ibm-runtime's fake_provider ships (``fake_fez``, ...)."""
    from .service import fake_devices

    return [device["name"] for device in fake_devices()]


def _find_config(name_or_path: str) -> Traversable | None:
    """The file a path or bare name means; None for a fake device without a file."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    stem = path.name.removesuffix(".toml")
    shipped = _toml_files(shipped_config_dir())
    user = _toml_files(user_config_dir())
    if stem in shipped:
        if stem in user:
            raise QwalkError(
                f"user config {user_config_dir() / (stem + '.toml')} has the name of a shipped "
                f"config; rename it (shipped names mean the same everywhere: "
                f"{sorted(shipped)})")
        return shipped[stem]
    if stem in user:
        return user[stem]
    if stem.startswith("fake_") and stem in fake_device_names():
        return None
    raise QwalkError(
        f"backend config '{name_or_path}' not found: not a file, a shipped config "
        f"({', '.join(sorted(shipped))}), a config in {user_config_dir()} or a fake device; "
        "`qwalk backends` lists them all")


def fake_device_config(device: str) -> HardwareConfig:
    """The config of a fake device named without a file: ``fake_fez.toml``'s settings
    (shots, seed, transpiler, readout mitigation, jobs) with ``device`` in place of fake_fez."""
    template = shipped_config_dir() / f"{FAKE_TEMPLATE}.toml"
    data = tomllib.loads(template.read_text())
    data["backend"]["device"] = device
    data["description"] = (f"{device} from qiskit-ibm-runtime's fake_provider: device noise "
                           f"simulated locally (the settings of {FAKE_TEMPLATE}.toml)")
    return parse_config(data, device, f"{device} (from {FAKE_TEMPLATE}.toml)")


def parse_config(data: dict[str, Any], name: str, where: str) -> HardwareConfig:
    """Validate a config mapping; errors name the offending key."""
    reject_credentials(data, where)
    try:
        return HardwareConfig.model_validate({"name": name, **data})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]  # union branches are no keys
                       if not isinstance(p, str) or p.isidentifier())
        message = first["msg"].removeprefix("Value error, ")
        raise QwalkError(f"{where}: '{key}': {message}" if key else f"{where}: {message}"
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
    """Load a config by path or bare name (default: the shipped ``aer_ideal``).

    Names are looked up as the module docstring says: shipped, user folder,
    fake device. There is no built-in fallback: the default is always the
    shipped file, so a wheel and a clone run with the same seed and settings.
    """
    name = DEFAULT_CONFIG if name_or_path is None else name_or_path
    path = _find_config(name)
    if path is None:
        return fake_device_config(Path(name).name.removesuffix(".toml"))
    return parse_config(read_toml(path), Path(path.name).stem, str(path))


def read_toml(path: Traversable) -> dict[str, Any]:
    """A config file's TOML, or a one-line QwalkError naming the file: unreadable, binary,
    not UTF-8, not TOML, nested too deeply."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise QwalkError(f"{path}: cannot read the config: {exc.strerror or exc}") from None
    if b"\0" in raw:
        raise QwalkError(f"{path}: a binary file, not a TOML config")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QwalkError(f"{path}: not UTF-8 text (byte {exc.start}); save the config as "
                         "UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QwalkError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise QwalkError(f"{path}: nested too deeply to read; a config is [section] "
                         "key = value") from None
