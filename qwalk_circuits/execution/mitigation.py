"""Readout mitigation from a tensored calibration: two circuits per set of measured qubits.

Calibration: prepare all measured qubits in |0> (then all in |1>) and read
them; qubit q's 2x2 assignment matrix follows from its marginals.  The
mitigated distribution applies the inverse of each qubit's matrix along its
bit (exact for uncorrelated readout errors, cost 2^n n), then clips negative
quasi-probabilities and renormalises.  Small and exact for the few qubits
a walk measures; mthree would be the choice for correlated errors or many qubits.
"""

from __future__ import annotations

from collections.abc import Sequence

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

from ..analysis.mitigation import assignment_matrices, mitigate


def calibration_circuits(width: int, qubits: Sequence[int]) -> list[QuantumCircuit]:
    """All-|0> and all-|1> preparations of ``qubits`` (device indices), measured in order."""
    out = []
    for ones in (False, True):
        circuit = QuantumCircuit(QuantumRegister(width, "q"), ClassicalRegister(len(qubits), "c"),
                                 name=f"readout_cal_{int(ones)}")
        if ones:
            circuit.x(list(qubits))
        circuit.measure(list(qubits), list(range(len(qubits))))
        out.append(circuit)
    return out


__all__ = ["assignment_matrices", "calibration_circuits", "mitigate"]
