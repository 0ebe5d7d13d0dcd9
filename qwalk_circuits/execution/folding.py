"""Noise scaling for zero-noise extrapolation: local folding of an ISA circuit's two-qubit
gates.

Each two-qubit gate G becomes G (G^dag G)^k, so the circuit is the same unitary while its
two-qubit gates (the dominant errors of a Heron device) are run lambda = 2k + 1 times.
Folding is done on the ISA circuit, after transpiling, so no pass can cancel the pairs;
a barrier on the gate's two qubits separates each folded gate from the next, so that
nothing downstream (the runtime's twirling, dynamical decoupling) merges them either.
G^dag is an ISA gate too: CZ, CX and ECR are their own inverses, and RZZ(theta)^dag is
X RZZ(theta) X on the gate's first qubit (RZZ(-theta) would leave a fractional device's
angle range 0 < theta <= pi/2).  Readout is not scaled: ZNE extrapolates the
readout-mitigated values where the run calibrates its readout.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction, ParameterExpression
from qiskit.circuit.library import XGate
from qiskit.quantum_info import Operator

from ..analysis.zne import check_scales
from ..core.errors import QwalkError

__all__ = ["check_scales", "fold_two_qubit_gates"]

def _is_two_qubit_gate(inst: CircuitInstruction) -> bool:
    operation = inst.operation
    return (operation.num_qubits == 2 and not getattr(operation, "_directive", False)
            and operation.name not in ("measure", "reset", "delay"))


def _inverse(inst: CircuitInstruction, cache: dict[Any, bool]) -> list[CircuitInstruction]:
    """ISA instructions whose product is ``inst``'s inverse (see the module docstring)."""
    operation = inst.operation
    if operation.name == "rzz":
        x = CircuitInstruction(XGate(), (inst.qubits[0],))
        return [x, inst, x]
    if any(isinstance(p, ParameterExpression) for p in operation.params):
        raise QwalkError(f"cannot fold the parametrised two-qubit gate "
                         f"'{operation.name}' for zero-noise extrapolation: bind its "
                         "parameters or remove run.zne_scales from the config")
    key = (operation.name, tuple(float(p) for p in operation.params))
    if key not in cache:
        try:
            matrix = Operator(operation).data
        except Exception:
            cache[key] = False
        else:
            cache[key] = bool(np.allclose(matrix @ matrix, np.eye(4), atol=1e-12))
    if not cache[key]:
        raise QwalkError(f"the ISA gate '{operation.name}' is not its own inverse, and "
                         "folding knows no ISA form of its inverse: remove run.zne_scales "
                         "from the config for this device")
    return [inst]


def fold_two_qubit_gates(isa: QuantumCircuit, scale: int) -> QuantumCircuit:
    """``isa`` with every two-qubit gate G replaced by G (G^dag G)^k, scale = 2k + 1, each
    factor separated by a barrier on the gate's qubits; the circuit's metadata gains
    ``noise_scale``.  Scale 1 returns a copy of the circuit unchanged (but that entry)."""
    if scale < 1 or scale % 2 == 0:
        raise ValueError(f"a noise scale is an odd integer >= 1, got {scale}")
    folded = isa.copy_empty_like()
    folded.metadata = {**(isa.metadata or {}), "noise_scale": scale}
    cache: dict[Any, bool] = {}
    for inst in isa.data:
        folded.append(inst)
        if scale == 1 or not _is_two_qubit_gate(inst):
            continue
        inverse = _inverse(inst, cache)
        for _ in range((scale - 1) // 2):
            for part in ([*inverse], [inst]):
                folded.barrier(*inst.qubits)
                for piece in part:
                    folded.append(piece)
        folded.barrier(*inst.qubits)
    return folded
