"""The fast-forward multiplexor's gates have the same bits on every machine.

Qiskit's UCGate synthesis is discontinuous where gates are equal up to a phase, so one
BLAS kernel's last bit changed the transpiled depth of the t = 4 coined walk (42 vs 43) and
its noisy counts (see circuits/fast_forward.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.circuits.fast_forward import fixed_order_power, momentum_powers

HADAMARD = np.array([[1, 1], [1, -1]], dtype=complex) / np.sqrt(2)


@pytest.mark.parametrize("size", [2, 4])
def test_fixed_order_power_is_the_matrix_power(size: int) -> None:
    rng = np.random.default_rng(size)
    blocks = rng.normal(size=(5, size, size)) + 1j * rng.normal(size=(5, size, size))
    for steps in range(8):
        expected = np.stack([np.linalg.matrix_power(b, steps) for b in blocks])
        assert np.allclose(fixed_order_power(blocks, steps), expected, rtol=1e-13, atol=1e-13)


def test_a_negative_power_is_refused() -> None:
    with pytest.raises(ValueError, match="steps must be >= 0"):
        fixed_order_power(np.eye(2, dtype=complex)[None], -1)


@pytest.mark.parametrize("dimension", [1, 2])
def test_the_powers_do_not_depend_on_the_blas(dimension: int,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """With numpy's matrix products rounding otherwise (as another OpenBLAS kernel does:
    4.5e-17 where SkylakeX gives an exact zero), the gates are bitwise the same."""
    coin = HADAMARD if dimension == 1 else np.kron(HADAMARD, HADAMARD)
    before = momentum_powers(coin, dimension, 3, 4)

    def noisy(product):  # type: ignore[no-untyped-def]
        return lambda *args, **kwargs: product(*args, **kwargs) * (1 + 2**-52) + 4.5e-17

    for module, name in ((np.linalg, "matrix_power"), (np, "matmul"), (np, "dot"),
                         (np, "einsum")):
        monkeypatch.setattr(module, name, noisy(getattr(module, name)))
    after = momentum_powers(coin, dimension, 3, 4)
    assert before.tobytes() == after.tobytes()

