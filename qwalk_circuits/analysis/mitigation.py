"""Readout mitigation from a tensored calibration (the math; the calibration circuits are
``execution/mitigation.py``).

Qubit q's 2x2 assignment matrix follows from the marginals of the all-|0> and all-|1>
calibration circuits; the mitigated distribution applies the inverse of each qubit's
matrix along its bit (exact for uncorrelated readout errors, cost 2^n n), then clips
negative quasi-probabilities and renormalises.  An analysis that reads only some outcomes
(the one-hot chain's N one-excitation strings, post-selected) asks for those alone
(:func:`mitigate_on`, cost outcomes x distinct observed strings x n): the same entries,
with no 2^n vector.
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


def mitigate_on(counts: Mapping[int, int], matrices: Sequence[np.ndarray],
                bit_qubits: Sequence[int], outcomes: Sequence[int]) -> np.ndarray:
    """The tensored inverse's quasi-probabilities at ``outcomes`` only, negatives clipped
    and not renormalised: :func:`mitigate` restricted to them, up to its one global
    factor (which a post-selection on ``outcomes`` divides out), for any n."""
    n = len(bit_qubits)
    total = sum(counts.values())
    weights = np.array([v / total for v in counts.values()], dtype=float)
    x_bits, y_bits = _bits(list(counts), n), _bits(outcomes, n)
    product = np.ones((len(y_bits), len(x_bits)))
    for j, q in enumerate(bit_qubits):
        inverse = np.linalg.inv(matrices[q])
        product *= inverse[y_bits[:, j][:, None], x_bits[:, j][None, :]]
    return np.clip(product @ weights, 0.0, None)


def _bits(values: Sequence[int], n: int) -> np.ndarray:
    """(len(values), n) array of bit j of each value (Python ints: n may pass 64)."""
    width = max((n + 7) // 8, 1)
    raw = b"".join(int(v).to_bytes(width, "little") for v in values)
    table = np.frombuffer(raw, dtype=np.uint8).reshape(len(values), width)
    return np.unpackbits(table, axis=1, bitorder="little")[:, :n].astype(np.intp)
