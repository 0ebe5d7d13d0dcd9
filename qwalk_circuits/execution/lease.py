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
    """A token naming this process: ``host:pid:random``, then ``:identity`` where this
    system tells it (:func:`process_identity`).  Older qwalk reads such a token's host
    as ``host:pid``, never this host's name: it then waits for the lease (never wrong)."""
    identity = process_identity(os.getpid())
    return (f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
            + (f":{identity}" if identity else ""))


def _read(path: str) -> str | None:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def process_identity(pid: int) -> str | None:
    """Which process ``pid`` is, beyond host and pid (Linux): ``BOOT.PIDNS.START`` -- the
    kernel's boot id (another machine with the same host name, or this one before a
    reboot, has another), this process's pid namespace (a container sharing the host
    name and kernel numbers pids apart) and the pid's start time in clock ticks (a pid
    reused by a later process starts later).  None where ``/proc`` does not say."""
    boot = _read("/proc/sys/kernel/random/boot_id")
    stat = _read(f"/proc/{pid}/stat")
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return None
    if boot is None or stat is None:
        return None
    start = stat.rsplit(")", 1)[-1].split()[19]  # field 22, after the command's name
    digits = "".join(c for c in namespace if c.isdigit())
    return f"{boot.strip().replace('-', '')[:12]}.{digits}.{start}"


def owner_is_dead(owner: str | None) -> bool:
    """Whether ``owner`` names a process of this host that no longer exists (it was
    killed: its run need not wait for the lease to lapse).  False when unsure: another
    host, boot or pid namespace (a container with this host name), or no such check.
    A token with its identity is dead also when its pid now names another process."""
    parts = (owner or "").split(":")
    if len(parts) not in (3, 4) or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid, identity = int(parts[1]), parts[3] if len(parts) == 4 else None
    if identity is not None:
        here = process_identity(os.getpid())
        if here is None or identity.rsplit(".", 1)[0] != here.rsplit(".", 1)[0]:
            return False  # another boot or pid namespace: its pid means nothing here
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, owned by another user
        pass
    return identity is not None and process_identity(pid) not in (None, identity)


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
