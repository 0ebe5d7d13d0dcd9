"""Helpers shared by the benchmarks: the walk they all run, timing, and markdown output."""

from __future__ import annotations

import datetime
import gc
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

HADAMARD = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
COIN_STATE = np.array([1, 1j]) / np.sqrt(2)  # the symmetric start of the Hadamard walk


def localized_position(axis_qubits: int) -> np.ndarray:
    """Flat position state of a 1D cycle of 2**axis_qubits sites: 1 at the middle site."""
    sites = 1 << axis_qubits
    state = np.zeros(sites)
    state[sites // 2] = 1.0
    return state


def localized_reference_state(sites: int, coin_state: np.ndarray = COIN_STATE) -> np.ndarray:
    """psi[c, x] of the same start for the reference solver: coin_state at the middle site."""
    psi = np.zeros((2, sites), dtype=complex)
    psi[:, sites // 2] = coin_state
    return psi


def machine_line() -> str:
    """One line describing the machine the numbers come from."""
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        mem_text = f", {mem:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        mem_text = ""
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()}-core CPU ({cpu}){mem_text}, Python {platform.python_version()}"


def print_header(title: str, module: str, argv: Sequence[str] | None) -> None:
    """Title, the exact command, date, machine and library versions, as markdown."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = " ".join(["python -m", module, *(shlex.quote(a) for a in args)])
    print(f"## {title}\n")
    print(f"- command: `{command}`")
    print(f"- date: {datetime.date.today().isoformat()}")
    print(f"- machine: {machine_line()}")
    print(f"- versions: {library_versions()}")
    print(f"- package: {git_revision()}")
    print()


def git_revision() -> str:
    """The checkout the numbers come from: commit, and whether the package had local edits."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, check=True,
                                capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "qwalk_circuits"],
                               cwd=root, check=True, capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"qwalk_circuits at {commit}" + (" + uncommitted edits" if dirty else "")


def library_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in ("numpy", "scipy", "qiskit", "qiskit-aer", "hiperwalk"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A github markdown table; numbers are expected already formatted as strings."""
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


@dataclass
class Timing:
    """Wall times (seconds) of repeated runs of one contender."""

    samples: list[float]

    @property
    def best(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def time_side_by_side(contenders: dict[str, Callable[[], Any]], repeats: int
                      ) -> tuple[dict[str, Timing], dict[str, Any]]:
    """Time each contender ``repeats`` times, interleaved (A B A B ...), on the same machine.

    Interleaving spreads the noise of a shared machine over all contenders, so
    the ratio of their best times is far steadier than either absolute time.
    Returns the timings and each contender's last return value.
    """
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    results: dict[str, Any] = {}
    for _ in range(repeats):
        for name, fn in contenders.items():
            results[name] = None  # free the previous result before the next run
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                results[name] = fn()
                samples[name].append(time.perf_counter() - start)
            finally:
                gc.enable()
    return {name: Timing(s) for name, s in samples.items()}, results


def fmt_ms(seconds: float) -> str:
    """Milliseconds with three significant digits."""
    ms = seconds * 1e3
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    if ms >= 1:
        return f"{ms:.2f}"
    return f"{ms:.3g}"


def fmt_ratio(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def parse_int_list(text: str) -> list[int]:
    """'2,4,6' or '2-10' or '10-24:2' (start-stop:step, inclusive) -> list of ints."""
    values: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            span, _, step = part.partition(":")
            lo, hi = (int(v) for v in span.split("-"))
            values.extend(range(lo, hi + 1, int(step) if step else 1))
        else:
            values.append(int(part))
    return values
