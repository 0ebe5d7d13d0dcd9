"""Readout mitigation from a tensored calibration (the math; the calibration circuits are
``execution/mitigation.py``).

Qubit q's 2x2 assignment matrix follows from the marginals of the all-|0> and all-|1>
calibration circuits; the mitigated distribution applies the inverse of each qubit's
matrix along its bit (exact for uncorrelated readout errors, cost 2^n n), then clips
negative quasi-probabilities and renormalises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def assignment_matrices(zeros: Mapping[int, int], ones: Mapping[int, int], n: int
                        ) -> list[np.ndarray]:
    """Per qubit A[read, prepared] from the counts of the two calibration circuits."""
    def marginal(counts: Mapping[int, int], bit: int) -> float:
        total = sum(counts.values())
        return sum(v for k, v in counts.items() if (int(k) >> bit) & 1) / total

    return [np.array([[1 - marginal(zeros, q), 1 - marginal(ones, q)],
                      [marginal(zeros, q), marginal(ones, q)]]) for q in range(n)]


def mitigate(counts: Mapping[int, int], matrices: Sequence[np.ndarray],
             bit_qubits: Sequence[int]) -> dict[int, float]:
    """Mitigated probabilities of a circuit's outcomes; clbit j was read from calibration
    qubit ``bit_qubits[j]``."""
    n = len(bit_qubits)
    total = sum(counts.values())
    p = np.zeros(2 ** n)
    for key, value in counts.items():
        p[int(key)] += value / total
    tensor = p.reshape((2,) * n)  # axis 0 is the most significant bit (clbit n-1)
    for j, q in enumerate(bit_qubits):
        axis = n - 1 - j
        tensor = np.moveaxis(np.tensordot(np.linalg.inv(matrices[q]), tensor, axes=([1], [axis])),
                             0, axis)
    flat = np.clip(tensor.reshape(-1), 0.0, None)
    flat /= flat.sum()
    return {i: float(v) for i, v in enumerate(flat) if v > 0}
