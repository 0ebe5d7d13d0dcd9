"""One runtime Batch for several device runs (a sweep's points), not one Batch per run.

Inside :func:`one_batch`, the first real-device upload opens the Batch for its backend and
every later run on that backend submits into it; the block's end closes it (a closed Batch
takes no new jobs and runs the queued ones to completion).  Outside, each run opens and
closes its own (``jobs.submit_ibm``).  Fake devices run locally and open no Batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .config import HardwareConfig
from .retries import Sleep, with_retries

#: the open block's batches by backend name (None: no block, each run has its own)
_BATCHES: ContextVar[dict[str, Any] | None] = ContextVar("qwalk_shared_batches", default=None)


@contextmanager
def one_batch(config: HardwareConfig, sleep: Sleep = time.sleep) -> Iterator[None]:
    """Every real-device run submitted inside shares one Batch per backend."""
    batches: dict[str, Any] = {}
    token = _BATCHES.set(batches)
    try:
        yield
    finally:
        _BATCHES.reset(token)
        for batch in batches.values():
            close = getattr(batch, "close", None)
            if close is not None:
                with_retries(close, config, sleep, "closing the sweep's batch")


def batch_for(backend: Any, open_batch: Callable[[], Any]) -> tuple[Any, bool]:
    """The Batch a run submits into, and whether the run owns it (closes it itself): the
    open block's for this backend (opened now if it is the first), else a new one."""
    batches = _BATCHES.get()
    if batches is None:
        return open_batch(), True
    name = str(getattr(backend, "name", backend))
    if name not in batches:
        batches[name] = open_batch()
    return batches[name], False
