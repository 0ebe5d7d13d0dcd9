"""The IBM Quantum service: credentials, reachable backends, and keeping tokens out of sight.

Credentials come only from qiskit-ibm-runtime: its saved account
(``QiskitRuntimeService.save_account``) or its environment variables
(``QISKIT_IBM_TOKEN``, ``QISKIT_IBM_INSTANCE``, ``QISKIT_IBM_CHANNEL``).
qwalk never reads, prints, logs or stores a token; every message that comes
back from the service passes through :func:`scrub` first.

Tests replace the service with a double through :func:`set_service_factory`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from ..core.errors import QwalkError
from .config import HardwareConfig

SECRET_ENV = ("QISKIT_IBM_TOKEN", "IBM_QUANTUM_TOKEN", "QISKIT_IBM_API_KEY")
LONG_HEX = re.compile(r"\b[A-Za-z0-9_\-]{40,}\b")
_factory: Callable[..., Any] | None = None


def set_service_factory(factory: Callable[..., Any] | None) -> None:
    """Replace how the runtime service is made (tests: a double; None: the real one)."""
    global _factory
    _factory = factory


def scrub(text: str) -> str:
    """``text`` with any token from the environment, and any token-like string, removed."""
    for name in SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "<redacted>")
    return LONG_HEX.sub("<redacted>", text)


def runtime_service(config: HardwareConfig | None = None) -> Any:
    """The QiskitRuntimeService of the saved account / environment, or a clear QwalkError."""
    kwargs: dict[str, Any] = {}
    if config is not None:
        ibm = config.ibm
        kwargs = {k: v for k, v in (("channel", ibm.channel), ("instance", ibm.instance),
                                    ("name", ibm.account_name)) if v is not None}
    try:
        if _factory is not None:
            return _factory(**kwargs)
        from qiskit_ibm_runtime import QiskitRuntimeService

        return QiskitRuntimeService(**kwargs)
    except Exception as exc:
        raise QwalkError(
            "no IBM Quantum service reachable: " + _why(exc) + ". Save an account with "
            "QiskitRuntimeService.save_account(token=..., instance=...) or set "
            "QISKIT_IBM_TOKEN (and QISKIT_IBM_INSTANCE); fake devices need neither") from None


def _why(exc: Exception) -> str:
    text = scrub(f"{type(exc).__name__}: {exc}").splitlines()[0] if str(exc) else type(
        exc).__name__
    if "AccountNotFound" in text:
        return f"no saved account and no QISKIT_IBM_TOKEN in the environment ({text[:200]})"
    return ("credentials found, but the service could not be reached or refused them "
            f"(no network? expired token? wrong instance?): {text[:200]}")


def fake_devices() -> list[dict[str, Any]]:
    """Fake devices with their qubit counts (always available, offline)."""
    from qiskit_ibm_runtime import fake_provider

    out = []
    for name in sorted(dir(fake_provider)):
        if not name.startswith("Fake") or name.endswith("V1") or "Provider" in name:
            continue
        cls = getattr(fake_provider, name)
        if not isinstance(cls, type):
            continue
        snake = re.sub(r"V2$", "", name.removeprefix("Fake"))
        snake = "fake_" + re.sub(r"(?<!^)(?=[A-Z])", "_", snake).lower()
        out.append({"name": snake, "class": name})
    return out


def list_backends(config: HardwareConfig | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Real devices the service offers, or ([], why not)."""
    try:
        service = runtime_service(config)
        backends = service.backends()
    except QwalkError as exc:
        return [], str(exc)
    except Exception as exc:
        return [], "the IBM Quantum service did not answer: " + scrub(str(exc))[:200]
    rows = []
    for backend in backends:
        try:
            pending = backend.status().pending_jobs
        except Exception:
            pending = None
        rows.append({"name": backend.name, "num_qubits": backend.num_qubits,
                     "pending_jobs": pending})
    return rows, None
