"""The reference path must never import qiskit (DESIGN.md: the two paths share only the spec)."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import importlib, pkgutil, sys
import qwalk_circuits.reference as ref
import qwalk_circuits.core.coins, qwalk_circuits.core.states, qwalk_circuits.core.lattice
for module in pkgutil.walk_packages(ref.__path__, ref.__name__ + "."):
    importlib.import_module(module.name)
forbidden = ("qiskit", "qiskit_aer", "qiskit_ibm_runtime", "qwalk_circuits.circuits",
             "qwalk_circuits.circuits.noise", "qwalk_circuits.execution")
print(sorted(m for m in sys.modules if m.startswith(forbidden)))
"""


def test_reference_solvers_import_no_qiskit_and_no_circuit_code():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
