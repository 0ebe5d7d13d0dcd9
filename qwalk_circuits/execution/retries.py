"""Calls to the IBM Quantum service that may fail for a moment: retried with exponential
backoff, permanent refusals reported at once, each as one-line :class:`QwalkError`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from ..core.errors import QwalkError
from .config import HardwareConfig
from .service import scrub

Sleep = Callable[[float], None]

#: qiskit-ibm-runtime errors that another try cannot fix (matched by class name)
PERMANENT_ERRORS = ("RuntimeJobNotFound", "IBMInputValueError", "RuntimeInvalidStateError",
                    "IBMNotAuthorizedError", "IBMAccountError")


def is_permanent(exc: BaseException) -> bool:
    return any(cls.__name__ in PERMANENT_ERRORS for cls in type(exc).__mro__)


def with_retries(action: Callable[[], Any], config: HardwareConfig, sleep: Sleep = time.sleep,
                 what: str = "the IBM Quantum service") -> Any:
    """``action()``, retrying transient errors with exponential backoff (1, 2, 4 ... s by
    default: ``[jobs] retry_backoff_s``); a permanent error (job not found, invalid input
    or state, not authorised) is reported at once."""
    attempts = config.jobs.max_retries + 1
    for attempt in range(attempts):
        try:
            return action()
        except QwalkError:
            raise
        except Exception as exc:
            if is_permanent(exc):
                raise QwalkError(f"{what} refused: "
                                 f"{scrub(type(exc).__name__ + ': ' + str(exc))[:300]}"
                                 ) from None
            if attempt == attempts - 1:
                raise QwalkError(f"{what} failed {attempts} times: "
                                 f"{scrub(type(exc).__name__ + ': ' + str(exc))[:300]}; "
                                 "the run is in the ledger: retry with 'qwalk jobs fetch'"
                                 ) from None
            sleep(min(config.jobs.retry_backoff_s * 2.0 ** attempt, 60.0))
    raise AssertionError("unreachable")  # pragma: no mutate


def billed_seconds(remote: Any, config: HardwareConfig, sleep: Sleep = time.sleep
                   ) -> float | None:
    """The QPU seconds the service billed for a finished job (``RuntimeJobV2.usage()``),
    or None where it reports none (local jobs) or the lookup fails: the usage is a record,
    never a reason to lose the job's result."""
    usage = getattr(remote, "usage", None)
    if usage is None:
        return None
    try:
        value = with_retries(usage, config, sleep, "reading a job's usage")
    except Exception:  # reported as unknown; the counts are what matters
        return None
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None
