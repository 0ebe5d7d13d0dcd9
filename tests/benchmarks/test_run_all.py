"""Every benchmark of ``make bench`` still runs: ``run_all --quick`` end to end (slow).

Benchmarks are not timed tests, but they rot when the package moves under them (an
``Experiment.circuits`` that gained an argument, a construction list that grew): this
smoke run is what catches it. ``make test`` runs it with the other slow checks.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.run_all import BENCHMARKS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_every_benchmark_runs_in_its_quick_mode(tmp_path: Path) -> None:
    env = {"QWALK_STORE": str(tmp_path / "runs.sqlite"), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "benchmarks.run_all", "--quick"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    timed = [line.split(":")[0].removeprefix("- ") for line in done.stdout.splitlines()
             if line.startswith("- bench_")]
    assert timed == list(BENCHMARKS)
