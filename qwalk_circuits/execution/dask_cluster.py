"""Spread runs over a Dask cluster: connect by address, submit tasks, gather in order.

Aer's own ``executor`` / ``max_job_size`` options are accepted but ignored
since qiskit-aer 0.15 (the job-splitting ``AerJobSet`` went with qobj; in
0.18 every job runs on Aer's private one-thread pool), so the execution layer
splits the work itself: one task per (template, chunk) of an ensemble, one per
circuit of an ordinary run, each running the very code the local run uses with
the seed the local run would give it. Results are therefore identical to the
local run for the same seed.

An ``executor`` is anything with ``submit(fn, *args)`` returning a future with
``result()``: a ``concurrent.futures`` executor or a ``distributed.Client``.
``distributed`` is imported only when an address is given (extra ``dask``).
Workers need the same qwalk_circuits and qiskit-aer installed as the client.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from ..core.errors import QwalkError
from .dask_address import check_dask_address

CONNECT_TIMEOUT_S = 5.0
WORKER_WAIT_S = 10.0
DETAIL_CHARS = 80
INSTALL_HINT = "install it with: pip install 'qwalk_circuits[dask]' (or pip install distributed)"


def _start_hint(address: str) -> str:
    return (f"start a scheduler with `dask scheduler` and workers with `dask worker {address}`, "
            "or drop --dask / [backend] dask_address to run locally")


def connect(address: str, timeout: float = CONNECT_TIMEOUT_S) -> Any:
    """A ``distributed.Client`` on the scheduler at ``address`` with at least one worker.

    Fails within about ``timeout`` seconds (never hangs) with a :class:`QwalkError`
    saying what to do: an unreachable address, no scheduler there, no workers.
    """
    try:
        host, port = check_dask_address(address)
    except ValueError as exc:
        raise QwalkError(f"--dask: {exc}") from None
    try:
        from distributed import Client
    except ImportError:
        raise QwalkError(f"a Dask address needs the 'distributed' package; {INSTALL_HINT}"
                         ) from None
    try:  # a refused port fails here at once; distributed would retry until its timeout
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise QwalkError(f"no Dask scheduler reachable at {address} ({exc}); "
                         f"{_start_hint(address)}") from None
    try:  # a Dask handshake first: a Client that fails half-way hangs the interpreter's exit
        with ThreadPoolExecutor(1) as pool:  # own thread: the caller may run an event loop
            pool.submit(asyncio.run, _handshake(address, timeout)).result(timeout + 1)
        client = Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # whatever answered there (a timeout, garbage), it is no scheduler
        detail = f"{type(exc).__name__}: {exc}"[:DETAIL_CHARS]
        raise QwalkError(f"no Dask scheduler answers at {address} (the handshake failed: "
                         f"{detail}); {_start_hint(address)}") from None
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_S)
    except (OSError, TimeoutError):
        client.close()
        raise QwalkError(f"the Dask scheduler at {address} has no workers; start one with "
                         f"`dask worker {address}`") from None
    return client


async def _handshake(address: str, timeout: float) -> None:
    from distributed.comm import connect as dask_connect

    comm = await asyncio.wait_for(dask_connect(address, timeout=timeout), timeout)
    await comm.close()


@contextmanager
def cluster_executor(address: str | None, timeout: float = CONNECT_TIMEOUT_S
                     ) -> Iterator[Any | None]:
    """A client on ``address`` for the block (closed afterwards); ``None`` without an address."""
    if address is None:
        yield None
        return
    client = connect(address, timeout)
    try:
        yield client
    finally:
        client.close()


def _is_dask(executor: Any) -> bool:
    return not isinstance(executor, Executor) and hasattr(executor, "scatter")


def share(executor: Any, value: Any) -> Any:
    """Send a large argument used by many tasks once (Dask ``scatter``); others pass it as is."""
    if _is_dask(executor):  # in a list, so that a dict or list goes as one object
        return executor.scatter([value], hash=False, broadcast=True)[0]
    return value


def run_tasks(executor: Any, fn: Callable[..., Any], tasks: Iterable[tuple[Any, ...]],
              done: Callable[[Any], None] | None = None) -> list[Any]:
    """``[fn(*args) for args in tasks]``, on the executor when there is one, in task order.

    Each task is submitted as ``tasks`` yields it (a generator that calls
    :func:`share` lets the workers start while the next data is prepared);
    ``done(result)`` is called as each result arrives (a progress bar).
    """
    if executor is None:
        results = []
        for args in tasks:
            results.append(fn(*args))
            if done is not None:
                done(results[-1])
        return results
    # pure=False: Dask must not merge equal-looking tasks (an unseeded run samples afresh)
    extra = {"pure": False} if _is_dask(executor) else {}
    futures = [executor.submit(fn, *args, **extra) for args in tasks]
    results = []
    try:
        for future in futures:
            try:
                results.append(future.result())
            except ImportError as exc:
                raise QwalkError(f"a Dask worker cannot import {exc.name or exc}: install "
                                 "qwalk_circuits and qiskit-aer in the workers' environment"
                                 ) from None
            if done is not None:
                done(results[-1])
    finally:
        for future in futures[len(results):]:
            future.cancel()
    return results
