"""Coin operators and coin states, parsed from JSON-friendly spec values.

Coin basis (both paths agree): in 1D coin |0> moves x -> x+1 and |1> moves
x -> x-1.  In 2D the coin value c = c0 + 2*c1 (c0 = first coin qubit) moves
0: +x, 1: -x, 2: +y, 3: -y.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import ParameterError

SQRT2 = np.sqrt(2.0)
HADAMARD = np.array([[1, 1], [1, -1]], dtype=complex) / SQRT2

NAMED_COINS_1D: dict[str, np.ndarray] = {
    "hadamard": HADAMARD,
    "identity": np.eye(2, dtype=complex),
    "flip": np.array([[0, 1], [1, 0]], dtype=complex),
    "balanced": np.array([[1, 1j], [1j, 1]], dtype=complex) / SQRT2,
}
NAMED_COINS_2D: dict[str, np.ndarray] = {
    "grover": np.full((4, 4), 0.5, dtype=complex) - np.eye(4, dtype=complex),
    "hadamard": np.kron(HADAMARD, HADAMARD),
    "dft": np.array([[1j ** (j * k) for k in range(4)] for j in range(4)], dtype=complex) / 2,
    "identity": np.eye(4, dtype=complex),
}
NAMED_COIN_STATES_1D: dict[str, np.ndarray] = {
    "symmetric": np.array([1, 1j]) / SQRT2,
    "0": np.array([1, 0]),
    "1": np.array([0, 1]),
    "plus": np.array([1, 1]) / SQRT2,
    "minus": np.array([1, -1]) / SQRT2,
}
NAMED_COIN_STATES_2D: dict[str, np.ndarray] = {
    **{str(c): np.eye(4)[c] for c in range(4)},
    "uniform": np.full(4, 0.5),
    # the start that makes the 2D Grover walk spread fastest (no localization)
    "symmetric": np.array([1, -1, -1, 1]) / 2,
}
UNITARITY_TOL = 1e-10


def u3_matrix(theta: float, phi: float, lam: float) -> np.ndarray:
    """The U3(theta, phi, lambda) matrix, as Qiskit defines it."""
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    return np.array(
        [[c, -np.exp(1j * lam) * s], [np.exp(1j * phi) * s, np.exp(1j * (phi + lam)) * c]],
        dtype=complex,
    )


def _finite(number: complex, name: str) -> complex:
    if not np.isfinite(number):
        raise ParameterError(name, f"{number!r} is not a finite number")
    return number


def parse_complex(value: Any, name: str) -> complex:
    """A finite number, a ``[re, im]`` pair or a string such as ``"0.5-0.5j"`` -> complex."""
    if isinstance(value, bool | np.bool_):
        raise ParameterError(name, f"expected a number, got {value!r}")
    if isinstance(value, int | float | complex | np.number):
        return _finite(complex(value), name)
    if (isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2
            and all(isinstance(v, int | float | np.integer | np.floating)
                    and not isinstance(v, bool | np.bool_) for v in value)):
        return _finite(complex(float(value[0]), float(value[1])), name)
    if isinstance(value, str):
        try:
            return _finite(complex(value.replace(" ", "")), name)
        except ValueError:
            pass
    raise ParameterError(name, f"expected a number, [re, im] or '1+2j', got {value!r}")


def coin_dimension(dimension: int) -> int:
    """Coin states of a walk on a lattice of the given dimension (1 or 2)."""
    return 2 * dimension


def resolve_coin(value: Any, dimension: int, name: str = "coin") -> np.ndarray:
    """Coin matrix from a name, U3 angles (1D) or an explicit unitary matrix."""
    size = coin_dimension(dimension)
    named = NAMED_COINS_1D if dimension == 1 else NAMED_COINS_2D
    if isinstance(value, str):
        key = value.strip().lower()
        if key not in named:
            raise ParameterError(name, f"unknown coin {value!r}; choose one of {sorted(named)}, "
                                 f"U3 angles [theta, phi, lambda] (1D) or a {size}x{size} matrix")
        return named[key].copy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, Sequence):
        raise ParameterError(name, f"expected a coin name or matrix, got {value!r}")
    if dimension == 1 and len(value) == 3 and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return u3_matrix(*(_finite(float(v), name).real for v in value))
    rows = [list(r) for r in value if isinstance(r, Sequence) and not isinstance(r, str)]
    if len(rows) != size or any(len(r) != size for r in rows):
        raise ParameterError(name, f"a {dimension}D coin must be a {size}x{size} matrix")
    matrix = np.array([[parse_complex(v, name) for v in row] for row in rows], dtype=complex)
    deviation = float(np.linalg.norm(matrix.conj().T @ matrix - np.eye(size)))
    if not deviation <= UNITARITY_TOL:  # NaN-safe (each entry is finite already)
        raise ParameterError(name, f"matrix is not unitary (|U^dag U - 1| = {deviation:.3g}); "
                             "pass a unitary matrix or a named coin")
    return matrix


def resolve_coin_state(value: Any, dimension: int, name: str = "initial_coin") -> np.ndarray:
    """Normalised coin state from a name or a list of amplitudes."""
    size = coin_dimension(dimension)
    named = NAMED_COIN_STATES_1D if dimension == 1 else NAMED_COIN_STATES_2D
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, str):
        if value not in named:
            raise ParameterError(name, f"unknown coin state {value!r}; choose one of "
                                 f"{sorted(named)} or give {size} amplitudes")
        return named[value].astype(complex)
    if not isinstance(value, Sequence) or len(value) != size:
        raise ParameterError(name, f"expected a named coin state or {size} amplitudes")
    amplitudes = np.array([parse_complex(v, name) for v in value], dtype=complex)
    norm = float(np.linalg.norm(amplitudes))
    if not abs(norm - 1.0) <= 1e-8:  # NaN-safe (each amplitude is finite already)
        raise ParameterError(name, f"amplitudes must be normalised (norm is {norm:.6g})")
    return amplitudes
