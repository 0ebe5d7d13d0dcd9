"""The readout solvers: mthree (optional) against the default tensored inverse, on the same
calibration matrices; and a device run that mitigates with mthree."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.analysis.mitigation import mitigate
from qwalk_circuits.analysis.readout_solvers import solve_readout
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution.config import parse_config

pytest.importorskip("mthree")


def matrices(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """Assignment matrices A[read, prepared] with 1-5 % readout errors per qubit."""
    out = []
    for _ in range(n):
        e0, e1 = rng.uniform(0.01, 0.05, size=2)
        out.append(np.array([[1 - e0, e1], [e0, 1 - e1]]))
    return out


def noisy_counts(p: np.ndarray, a: list[np.ndarray], bits: list[int], shots: int,
                 rng: np.random.Generator) -> dict[int, int]:
    """Counts of the distribution p read through the qubits' assignment matrices."""
    n = len(bits)
    tensor = p.reshape((2,) * n)
    for j, q in enumerate(bits):
        axis = n - 1 - j
        tensor = np.moveaxis(np.tensordot(a[q], tensor, axes=([1], [axis])), 0, axis)
    read = tensor.reshape(-1)
    drawn = rng.multinomial(shots, read / read.sum())
    return {k: int(v) for k, v in enumerate(drawn) if v}


def dense(probabilities: dict[int, float], size: int) -> np.ndarray:
    out = np.zeros(size)
    for k, v in probabilities.items():
        out[k] = v
    return out


def test_mthree_is_the_tensored_inverse_where_every_outcome_is_seen_and_none_negative():
    """Exact counts (no shot noise) of a full-support distribution: both solvers invert the
    same matrices exactly (bits read from a permuted qubit set); the tensored inverse
    recovers p to 1e-10, mthree to its single precision (it solves in float32: 1e-6)."""
    rng = np.random.default_rng(5)
    n, bits = 4, [2, 0, 3, 1]
    a = matrices(rng, n)
    p = rng.dirichlet(np.ones(2 ** n)) * 0.5 + 0.5 / 2 ** n
    tensor = p.reshape((2,) * n)
    for j, q in enumerate(bits):
        tensor = np.moveaxis(np.tensordot(a[q], tensor, axes=([1], [n - 1 - j])), 0, n - 1 - j)
    counts = {k: round(v * 1e12) for k, v in enumerate(tensor.reshape(-1))}
    tensored = dense(mitigate(counts, a, bits), 2 ** n)
    mthree = dense(solve_readout(counts, a, bits, "mthree"), 2 ** n)
    assert np.abs(tensored - p).max() < 1e-10
    assert np.abs(mthree - tensored).max() < 1e-6


def test_mthree_stays_on_the_observed_outcomes_and_returns_a_distribution():
    """Sparse counts (a peaked distribution, 300 shots): the tensored inverse spreads
    clipped weight over all 2^n outcomes; mthree's solution lives on the outcomes seen
    and is the nearest probability distribution (non-negative, summing to 1), and both
    move the peak's probability back up from its read-out value."""
    rng = np.random.default_rng(7)
    n, bits = 6, list(range(6))
    a = matrices(rng, n)
    p = np.zeros(2 ** n)
    p[[0, 21, 42]] = [0.6, 0.3, 0.1]
    counts = noisy_counts(p, a, bits, 300, rng)
    result = solve_readout(counts, a, bits, "mthree")
    assert set(result) <= set(counts)
    assert all(v > 0 for v in result.values()) and sum(result.values()) == pytest.approx(1)
    raw_peak = counts.get(0, 0) / 300
    assert result[0] > raw_peak and mitigate(counts, a, bits)[0] > raw_peak
    truth = dense({0: 0.6, 21: 0.3, 42: 0.1}, 2 ** n)
    tvd = 0.5 * np.abs(dense(result, 2 ** n) - truth).sum()
    raw_tvd = 0.5 * np.abs(dense({k: v / 300 for k, v in counts.items()}, 2 ** n) - truth).sum()
    assert tvd < raw_tvd


def test_a_fake_device_run_mitigates_with_the_chosen_solver(tmp_path):
    from qwalk_circuits.execution.store import ResultStore
    from qwalk_circuits.experiments import get_experiment
    from qwalk_circuits.pipeline import run

    def summary(solver: str) -> dict:
        config = parse_config({"backend": {"kind": "fake", "device": "fake_manila"},
                               "run": {"shots": 400, "seed": 3, "readout_mitigation": True,
                                       "readout_solver": solver}}, f"manila-{solver}", "test")
        walk = get_experiment("coined-walk").from_settings({"position_qubits": 2, "steps": 2})
        return run(walk, config, 400, 3, ResultStore(tmp_path / f"{solver}.sqlite"),
                   progress=False).summary

    tensored, mthree = summary("tensored"), summary("mthree")
    assert tensored["comparison"]["readout_solver"] == "tensored"
    assert mthree["comparison"]["readout_solver"] == "mthree"
    # the same counts (same seed), raw distances equal; mitigated ones close, not equal
    assert mthree["comparison"]["hardware"] == tensored["comparison"]["hardware"]
    one, other = (s["comparison"]["mitigated"]["tvd"] for s in (tensored, mthree))
    assert np.allclose(one, other, atol=0.05) and one != other


def test_mthree_missing_is_one_line_naming_the_key_and_the_fix(monkeypatch):
    monkeypatch.setattr("qwalk_circuits.execution.config.mthree_missing", lambda: True)
    with pytest.raises(QwalkError, match=r"readout_solver.*pip install"):
        parse_config({"backend": {"kind": "fake", "device": "fake_manila"},
                      "run": {"readout_solver": "mthree"}}, "t", "test")
    with pytest.raises(QwalkError, match="readout_solver"):
        parse_config({"run": {"readout_solver": "cholesky"}}, "t", "test")
