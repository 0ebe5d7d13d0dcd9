"""stdout carries the result alone: with --json one JSON object, otherwise the table;
progress bars and warnings go to stderr (and bars only to a terminal)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

RUN = [sys.executable, "-m", "qwalk_circuits.cli", "run", "coined-walk", "--set",
       "position_qubits=3", "--set", "steps=3", "--shots", "100", "--seed", "2"]


def _qwalk(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RUN, *extra], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONWARNINGS": "default"}, check=True)


def test_json_output_is_one_object_and_nothing_else():
    out = _qwalk("--json")
    summary = json.loads(out.stdout)  # fails on any stray line
    assert summary["experiment"] == "coined-walk" and out.stdout.count("\n") == 1
    assert "simulating" not in out.stderr and "\r" not in out.stderr  # no bar off a terminal


def test_table_output_is_the_table_alone():
    out = _qwalk()
    lines = out.stdout.splitlines()
    assert lines[0].startswith("coined-walk  run ") and "\r" not in out.stdout
    assert all(not line.startswith("warning:") for line in lines)
