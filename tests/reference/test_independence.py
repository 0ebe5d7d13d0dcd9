"""The reference path must never import qiskit (DESIGN.md: the two paths share only the spec)."""

from __future__ import annotations

import subprocess
import sys


def test_reference_solvers_do_not_import_qiskit():
    code = ("import sys, qwalk_circuits.reference, qwalk_circuits.coins, qwalk_circuits.states; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('qiskit', 'qiskit_aer')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
