"""The kicked rotor at its principal quantum resonance (kbar a multiple of 4 pi, beta = 0):
the free rotation is the identity and <m^2> grows ballistically, k^2 t^2 / 2 exactly."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from ..analysis.theory import named_curve
from ..core.errors import ParameterError
from ..core.specs import Spec
from .base import register
from .kicked_rotor import KickedRotor, KickedRotorSpec
from .kicked_rotor_register import RESONANCE_TOLERANCE


class KickedRotorResonanceSpec(KickedRotorSpec):
    """The principal resonance: kbar a multiple of 4 pi, beta = 0 (one quasi-momentum)."""

    kick_strength: float = Field(5.0, ge=0, description="kick strength K (k = K/kbar)")
    kbar: float = Field(4 * np.pi, gt=0, description="effective Planck constant: a "
                        "multiple of 4 pi")
    quasi_momenta: int = Field(1, ge=1, le=1, description="one quasi-momentum")
    beta: float | None = Field(0.0, description="quasi-momentum: 0 (resonant)")

    warn_resonance: ClassVar[bool] = False

    def check(self) -> None:
        ratio = self.kbar / (4 * np.pi)
        if round(ratio) < 1 or abs(ratio - round(ratio)) > RESONANCE_TOLERANCE * ratio:
            raise ParameterError("kbar", f"{self.kbar:g} is not a multiple of 4 pi: use "
                                 "kbar=12.566370614359172 (4 pi), or the kicked-rotor "
                                 "experiment for other values")
        if self.beta != 0:
            raise ParameterError("beta", "the ballistic resonance needs beta=0; other "
                                 "quasi-momenta belong to the kicked-rotor experiment")
        super().check()


@register
class KickedRotorResonance(KickedRotor):
    """kbar = 4 pi, beta = 0: the free rotation is the identity, <m^2> = k^2 t^2 / 2."""

    name = "kicked-rotor-resonance"
    summary = "kicked rotor at the quantum resonance kbar = 4 pi: ballistic <m^2> = k^2 t^2/2"
    spec_type: ClassVar[type[Spec]] = KickedRotorResonanceSpec

    def ensemble_extra(self, summary: dict[str, Any]) -> dict[str, Any]:
        extra = super().ensemble_extra(summary)
        k = self.spec.kick_strength / self.spec.kbar
        extra["ballistic"] = named_curve(
            "model", "quantum resonance hbar = 4 pi, beta = 0: <m^2> = k^2 t^2 / 2 exactly",
            k=k, p2=[k**2 * t**2 / 2 for t in self.times()])
        return extra
