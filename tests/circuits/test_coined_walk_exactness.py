"""Every construction equals the exact reference statevector to 1e-10 (1D and 2D)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qwalk_circuits.circuits import CONSTRUCTIONS, build_coined_walk
from qwalk_circuits.execution.runner import simulate_statevector
from qwalk_circuits.reference import coined_walk_states
from tests.conftest import random_state, random_unitary

ATOL = 1e-10


def circuit_state(coin, position, coin_state, steps, n, dimension, construction):
    """Aer statevector in site labels (the deferred translation undone)."""
    circuit = build_coined_walk(coin, position, coin_state, steps, n, dimension, construction)
    psi = simulate_statevector(circuit)
    offset = circuit.metadata["site_offset"]
    if offset:
        psi = np.roll(psi.reshape(2, 1 << n), -offset, axis=1).reshape(-1)
    return psi


def reference_state(coin, position, coin_state, steps, n, dimension):
    shape = (2 * dimension,) + (1 << n,) * dimension
    initial = np.multiply.outer(coin_state, position).reshape(shape)
    return coined_walk_states(coin, initial, [steps], dimension)[steps].reshape(-1)


def check(seed: int, n: int, steps: int, dimension: int, construction: str, localized: bool):
    rng = np.random.default_rng(seed)
    sites = 1 << (n * dimension)
    coin = random_unitary(rng, 2 * dimension)
    coin_state = random_state(rng, 2 * dimension)
    if localized:
        position = np.zeros(sites, dtype=complex)
        position[rng.integers(sites)] = 1.0
    else:
        position = random_state(rng, sites)
    got = circuit_state(coin, position, coin_state, steps, n, dimension, construction)
    want = reference_state(coin, position, coin_state, steps, n, dimension)
    np.testing.assert_allclose(got, want, atol=ATOL, rtol=0)


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
@pytest.mark.parametrize("n", range(1, 9))
def test_1d_every_register_size(n, construction):
    check(seed=n, n=n, steps=20 - n, dimension=1, construction=construction,
          localized=n % 2 == 0)


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
@pytest.mark.parametrize("steps", [0, 1, 2, 7, 20])
def test_1d_every_step_count_kind(steps, construction):
    check(seed=100 + steps, n=3, steps=steps, dimension=1, construction=construction,
          localized=False)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), steps=st.integers(0, 20),
       construction=st.sampled_from(CONSTRUCTIONS), localized=st.booleans())
def test_1d_random_coins_and_states(seed, n, steps, construction, localized):
    check(seed, n, steps, 1, construction, localized)


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
@pytest.mark.parametrize(("m", "steps"), [(1, 3), (2, 5), (3, 4)])
def test_2d_torus(m, steps, construction):
    check(seed=7 * m + steps, n=m, steps=steps, dimension=2, construction=construction,
          localized=m != 2)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 3), steps=st.integers(0, 20),
       construction=st.sampled_from(CONSTRUCTIONS), localized=st.booleans())
def test_2d_random_coins_and_states(seed, m, steps, construction, localized):
    check(seed, m, steps, 2, construction, localized)


def test_named_2d_coins_agree_across_constructions():
    """The Grover walk from the spreading coin state: all constructions, one state."""
    from qwalk_circuits.core.coins import NAMED_COIN_STATES_2D, NAMED_COINS_2D

    coin, cs = NAMED_COINS_2D["grover"], NAMED_COIN_STATES_2D["symmetric"].astype(complex)
    position = np.zeros(16, dtype=complex)
    position[5] = 1
    want = reference_state(coin, position, cs, 6, 2, 2)
    for construction in CONSTRUCTIONS:
        got = circuit_state(coin, position, cs, 6, 2, 2, construction)
        np.testing.assert_allclose(got, want, atol=ATOL, rtol=0)


@pytest.mark.parametrize("steps", [3, 4])
def test_fast_forward_with_ten_position_qubits(steps):
    """Large multiplexors (where Qiskit's UCGate synthesis loses unitarity) stay exact."""
    check(seed=steps, n=10, steps=steps, dimension=1, construction="fast-forward",
          localized=True)


def test_rotation_multiplexor_fallback_is_exact():
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Operator

    from qwalk_circuits.circuits.fast_forward import _append_rotation_multiplexor

    rng = np.random.default_rng(9)
    gates = [random_unitary(rng, 2) for _ in range(8)]
    circuit = QuantumCircuit(4)
    _append_rotation_multiplexor(circuit, circuit.qubits[0], list(circuit.qubits[1:]), gates)
    matrix = Operator(circuit).data
    for i, gate in enumerate(gates):
        block = matrix[np.ix_([2 * i, 2 * i + 1], [2 * i, 2 * i + 1])]
        np.testing.assert_allclose(block, gate, atol=ATOL)


def test_2d_fast_forward_on_a_16x16_torus():
    """Nine-control multiplexors (rotation-based) in the 2D cosine-sine route."""
    check(seed=4, n=4, steps=2, dimension=2, construction="fast-forward", localized=True)
