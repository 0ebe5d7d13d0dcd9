"""No credentials in a hardware config: keys named like one, and strings that look like a
token or an API key, are refused without being echoed (a config is a shared file)."""

from __future__ import annotations

from typing import Any

from ..core.errors import QwalkError

FORBIDDEN_KEYS = ("token", "api_key", "apikey", "password", "secret", "credential")
#: how deep a config's tables may nest (``[section] key = value`` is two levels)
MAX_CONFIG_DEPTH = 4

NO_CREDENTIALS = ("a config never holds credentials; save your IBM account with "
                  "QiskitRuntimeService.save_account(...) or set QISKIT_IBM_TOKEN in the "
                  "environment")


def config_entries(data: dict[str, Any], where: str) -> list[tuple[str, Any]]:
    """Every (dotted key, value) of a config, tables and arrays walked without recursion;
    QwalkError past :data:`MAX_CONFIG_DEPTH` levels."""
    out: list[tuple[str, Any]] = []
    todo: list[tuple[str, Any, int]] = [(str(k), v, 1) for k, v in data.items()]
    while todo:
        key, value, depth = todo.pop()
        if depth > MAX_CONFIG_DEPTH:
            raise QwalkError(f"{where}: '{key.split('.')[0]}' nests deeper than "
                             f"{MAX_CONFIG_DEPTH} levels; a config is [section] key = value")
        out.append((key, value))
        if isinstance(value, dict):
            todo += [(f"{key}.{k}", v, depth + 1) for k, v in value.items()]
        elif isinstance(value, list):
            todo += [(f"{key}[{i}]", v, depth + 1) for i, v in enumerate(value)]
    return out


def reject_credentials(data: dict[str, Any], where: str) -> None:
    """Refuse a key named like a credential, and any string that looks like a token or
    API key (what :func:`.service.scrub` would hide), without echoing it."""
    from .service import scrub

    for key, value in config_entries(data, where):
        last = key.rsplit(".", 1)[-1]
        if any(word in last.lower() for word in FORBIDDEN_KEYS):
            raise QwalkError(f"{where}: key '{key}' is not allowed: {NO_CREDENTIALS}")
        if scrub(last) != last or (isinstance(value, str) and scrub(value) != value):
            raise QwalkError(f"{where}: '{key}' holds what looks like a token or API key "
                             f"(not shown); remove it: {NO_CREDENTIALS}")
