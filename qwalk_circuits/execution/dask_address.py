"""The Dask scheduler address a config or ``--dask`` names: checked before anything
connects, so a typo is a one-line error, not a timeout."""

from __future__ import annotations

import re

DASK_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})")


def check_dask_address(address: str) -> tuple[str, int]:
    """(host, port) of a Dask scheduler address ``tcp://HOST:PORT``; ValueError otherwise."""
    match = DASK_ADDRESS.fullmatch(address)
    if match is None or not 1 <= int(match.group(3)) <= 65535:
        raise ValueError(f"expected a Dask scheduler address tcp://HOST:PORT "
                         f"(e.g. tcp://127.0.0.1:8786), got {address!r}")
    return match.group(2).strip("[]"), int(match.group(3))
