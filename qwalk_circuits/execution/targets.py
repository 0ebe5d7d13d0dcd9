"""Targets: one object per backend kind (Aer, fake IBM device, real IBM device).

A target owns what differs between backends: on a device, the compiler that prices
constructions for ``auto`` *and* compiles what runs (the same :class:`.Compiler`, so the
circuit ``auto`` chose is transpiled once; Aer prices on the abstract all-to-all CX basis,
what a fully connected device would pay, and compiles for its own simulator); whether its
work is deferred through the job ledger; whether it can apply an Aer noise model (devices
cannot: the pipeline then runs the experiment's phase-kick trajectories); whether a
device run is compared with a noisy emulation; how a device is looked up, its jobs
submitted, and whether they outlive this process.  :func:`make_target` is the one place
that looks at the config's backend kind.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from qiskit.providers import BackendV2

from ..core.errors import QwalkError
from .compiler import Compiler
from .config import HardwareConfig

#: Aer simulates any gate; its constructions are priced on the abstract all-to-all CX
#: basis (what a device with full connectivity would pay), as `qwalk resources` does
AER_CONSTRUCTION_TARGET = "all-to-all"


class Target:
    """What every backend kind provides to the pipeline."""

    kind: ClassVar[str]
    #: True: circuits go to jobs recorded in the ledger, collected later (devices)
    deferred: ClassVar[bool] = False

    def __init__(self, config: HardwareConfig, service: Any = None) -> None:
        self.config = config
        self.service = service

    @property
    def construction_target(self) -> str | Compiler:
        """What ``auto`` prices constructions with (a name or this target's compiler)."""
        raise NotImplementedError

    #: False: an experiment whose physics is an Aer noise model runs as trajectories
    applies_noise_models: ClassVar[bool] = True

    def check(self, experiment: Any) -> None:
        """Refuse, in one line, an experiment this target cannot run as asked."""

    def check_shots(self, shots: int | None) -> None:
        """Refuse a shot setting this target cannot honour."""

    @property
    def compares_emulation(self) -> bool:
        """Whether a run is compared with a noisy emulation of its ISA circuits."""
        return False


class AerTarget(Target):
    """The local Aer simulator, ideal or with the config's noise model."""

    kind = "aer"

    @property
    def construction_target(self) -> str:
        return AER_CONSTRUCTION_TARGET

    def check(self, experiment: Any) -> None:
        """Refuse two noise sources: the experiment's own channel (dephasing experiments)
        and the config's noise model cannot both be applied in one place."""
        if self.config.backend.noise != "none" and experiment.noise_model() is not None:
            raise QwalkError(
                f"{experiment.name} brings its own noise model (its dephasing channel) and "
                f"config '{self.config.name}' adds noise = '{self.config.backend.noise}': "
                "only one can be applied; run it on a noiseless Aer config (aer_ideal)")


class DeviceTarget(Target):
    """A fake or real IBM device: ISA circuits, PUBs in jobs, the ledger."""

    deferred = True

    @cached_property
    def backend(self) -> BackendV2:
        """The device (looked up once, with the config's retries)."""
        from .jobs import with_retries

        return with_retries(self.lookup, self.config, what="looking up the device")

    def lookup(self) -> BackendV2:
        """The device, looked up now (one try)."""
        raise NotImplementedError

    @cached_property
    def compiler(self) -> Compiler:
        """The run's own pass manager (its gates, fractional ones included, its layout)."""
        from .devices import pass_manager

        return Compiler(self.config.name, pass_manager(self.backend, self.config))

    @property
    def construction_target(self) -> Compiler:
        return self.compiler

    applies_noise_models = False

    def check_shots(self, shots: int | None) -> None:
        if shots is None:
            raise QwalkError("devices sample: give --shots N (or shots = N in the config), "
                             "not 'exact'")

    @property
    def compares_emulation(self) -> bool:
        setting = self.config.run.emulation
        return self.default_emulation if setting is None else setting

    #: compare with a noisy emulation unless the config says otherwise
    default_emulation: ClassVar[bool] = True
    #: True: jobs live on a service and outlive this process (a submission can resume)
    jobs_outlive_process: ClassVar[bool] = True
    #: True: the device is simulated here (a simulator seed; no gate timings for DD)
    simulates_locally: ClassVar[bool] = False
    #: True: circuits go full width on the device's qubits; False: compacted to the qubits
    #: they use (a local simulation of 156 qubits would not fit)
    sends_full_width: ClassVar[bool] = True

    @property
    def twin(self) -> str:
        """The fake device whose noise model emulates this one (offline costing, emulation)."""
        from .devices import twin_of

        device = self.config.backend.device or ""
        return device if device.startswith("fake_") else twin_of(device)

    def submit_jobs(self, run_id: str, ledger: Any, circuits: list[Any],
                    physical: list[tuple[int, ...]], shots: int, seed: int | None,
                    plan: list[list[int]], roles: list[str],
                    values: list[Any] | None) -> None:
        """Send the planned jobs, recording each job id in the ledger as it is returned."""
        from .jobs import submit_ibm

        submit_ibm(run_id, ledger, self.backend, circuits, self.config, shots, seed,
                   dict(enumerate(plan)), roles, values=values, service=self.service)


class FakeDeviceTarget(DeviceTarget):
    """A fake IBM device of qiskit-ibm-runtime's local testing mode: its noise, simulated
    here.  An "emulation" would be the same noisy simulation again (it measures only shot
    noise), so it is off unless the config's ``emulation = true`` asks for it."""

    kind = "fake"
    default_emulation = False
    jobs_outlive_process = False
    sends_full_width = False
    simulates_locally = True

    def submit_jobs(self, run_id: str, ledger: Any, circuits: list[Any],
                    physical: list[tuple[int, ...]], shots: int, seed: int | None,
                    plan: list[list[int]], roles: list[str],
                    values: list[Any] | None) -> None:
        """Run the planned jobs in runtime's local testing mode (they end with this
        process), recording each job id in the ledger."""
        from .jobs import submit_fake

        submit_fake(run_id, ledger, circuits, physical, self.config, shots, seed, plan, roles,
                    values=values)

    def lookup(self) -> BackendV2:
        from .devices import fake_backend

        return fake_backend(self.config.backend.device or "")


class IBMDeviceTarget(DeviceTarget):
    """A real IBM device through qiskit-ibm-runtime, compared with its fake twin's noise."""

    kind = "ibm"

    def lookup(self) -> BackendV2:
        if self.service is None:  # the account is needed only once a device is asked for
            from .service import runtime_service

            self.service = runtime_service(self.config)
        return self.service.backend(self.config.backend.device,
                                    use_fractional_gates=self.config.backend.fractional_gates)


TARGETS: dict[str, type[Target]] = {"aer": AerTarget, "fake": FakeDeviceTarget,
                                    "ibm": IBMDeviceTarget}


def make_target(config: HardwareConfig, service: Any = None) -> Target:
    """The target a config names: the one place that branches on the backend kind."""
    return TARGETS[config.backend.kind](config, service)


def require_aer(config: HardwareConfig, what: str) -> AerTarget:
    """The Aer target of ``config``; a one-line QwalkError naming ``what`` for a device."""
    target = make_target(config)
    if not isinstance(target, AerTarget):
        raise QwalkError(f"config '{config.name}' is a device (kind = '{target.kind}'): "
                         f"{what}; run experiments on it with 'qwalk run' or 'qwalk submit' "
                         "(the job path)")
    return target


def device_target(config: HardwareConfig, service: Any = None) -> DeviceTarget:
    """The target of a device config (a fake or real IBM device); a one-line QwalkError
    for an Aer config."""
    target = make_target(config, service)
    if not isinstance(target, DeviceTarget):
        raise QwalkError(f"config '{config.name}' runs on Aer, which does not defer: use "
                         "'qwalk run' (submit is for kind = 'fake' or 'ibm')")
    return target
