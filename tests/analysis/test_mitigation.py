"""The tensored readout inverse restricted to the outcomes an analysis reads
(``mitigate_on``) against the dense one (``mitigate``)."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.analysis.mitigation import mitigate, mitigate_on


def calibration(n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Per-qubit A[read, prepared] with distinct 0->1 and 1->0 flips of 0.5-8 %."""
    flips = rng.uniform(0.005, 0.08, size=(n, 2))
    return [np.array([[1 - a, b], [a, 1 - b]]) for a, b in flips]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_one_hot_entries_are_the_dense_inverse_s_post_selected(seed):
    """At n = 9 with clbits read from permuted qubits: the one-hot entries of the dense
    inverse (clipped, renormalised) post-selected equal mitigate_on's, renormalised, to
    1e-12; any other subset of outcomes, too."""
    rng = np.random.default_rng(seed)
    n = 9
    matrices = calibration(n, rng)
    bits = [int(q) for q in rng.permutation(n)]
    counts = {int(k): int(v) for k, v in zip(rng.integers(0, 2**n, 200),
                                             rng.integers(1, 30, 200), strict=True)}
    dense = mitigate(counts, matrices, bits)
    for outcomes in ([1 << x for x in range(n)], [int(k) for k in rng.choice(2**n, 40)]):
        expected = np.array([dense.get(y, 0.0) for y in outcomes])
        got = mitigate_on(counts, matrices, bits, outcomes)
        assert np.all(got >= 0)
        np.testing.assert_allclose(got / got.sum(), expected / expected.sum(), atol=1e-12)


def test_past_64_bits_the_idle_qubits_give_one_global_factor():
    """n = 70, every shot with its 62 high bits 0: the inverse on those qubits multiplies
    each wanted outcome (high bits 0 too) by the same product of A^-1[0, 0], so the
    renormalised entries are the dense inverse of the 8 low bits alone."""
    rng = np.random.default_rng(7)
    n, low = 70, 8
    matrices = calibration(n, rng)
    counts = {int(k): int(v) for k, v in zip(rng.integers(0, 2**low, 100),
                                             rng.integers(1, 30, 100), strict=True)}
    outcomes = [1 << x for x in range(low)]
    dense = mitigate(counts, matrices[:low], list(range(low)))
    expected = np.array([dense.get(y, 0.0) for y in outcomes])
    got = mitigate_on(counts, matrices, list(range(n)), outcomes)
    factor = np.prod([np.linalg.inv(m)[0, 0] for m in matrices[low:]])
    np.testing.assert_allclose(got / got.sum(), expected / expected.sum(), atol=1e-12)
    raw = mitigate_on(counts, matrices[:low], list(range(low)), outcomes)
    np.testing.assert_allclose(got, raw * factor, rtol=1e-12)
