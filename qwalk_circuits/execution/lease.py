"""The submitting process's lease on its run: an owner token, and a thread that renews it.

A submitter or resume holds the run while it works: :class:`LeaseKeeper` renews the
lease every third of ``[jobs] lease_s`` from a background thread, so a process that is
alive but waiting (a stalled upload, a slow transpile of the next chunk) keeps it, while
a process stopped by SIGSTOP / Ctrl-Z or a sleeping laptop stops renewing, and its run
can be taken over once the lease lapses.  Before every upload the submitting code calls
:meth:`~.ledger.Ledger.check_lease`, one atomic renew-if-still-owner in the store.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from types import TracebackType

from .ledger import Ledger


def new_owner() -> str:
    """A token naming this process: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_is_dead(owner: str | None) -> bool:
    """Whether ``owner`` names a process of this host that no longer exists (it was
    killed: its run need not wait for the lease to lapse).  False when unsure."""
    if not owner or owner.count(":") < 2:
        return False
    host, pid, _ = owner.rsplit(":", 2)
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, owned by another user
        return False
    return False


class LeaseKeeper:
    """Renews ``ledger.owner``'s lease on ``run_id`` in a daemon thread while the block
    runs (until the lease is found lost: the next :meth:`~.ledger.Ledger.check_lease`
    then stops the submission)."""

    def __init__(self, ledger: Ledger, run_id: str, lease_s: float) -> None:
        assert ledger.owner is not None, "a lease needs an owner token"
        self.ledger, self.run_id, self.lease_s = ledger, run_id, lease_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True,
                                        name=f"qwalk-lease-{run_id}")

    def _renew(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                if not self.ledger.renew(self.run_id, self.lease_s):
                    return
            except Exception:  # a locked or busy store: try again at the next tick
                continue

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
