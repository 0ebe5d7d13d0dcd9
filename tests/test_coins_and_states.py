"""Coins, coin states and initial position states: parsing and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.core.coins import resolve_coin, resolve_coin_state, u3_matrix
from qwalk_circuits.core.errors import ParameterError
from qwalk_circuits.core.states import gaussian_packet, site_state


def test_named_coins_and_u3_and_matrices():
    np.testing.assert_allclose(resolve_coin("hadamard", 1),
                               np.array([[1, 1], [1, -1]]) / np.sqrt(2))
    np.testing.assert_allclose(resolve_coin([np.pi / 2, 0, np.pi], 1), u3_matrix(np.pi / 2, 0,
                                                                                  np.pi))
    np.testing.assert_allclose(resolve_coin([[0, "1j"], [[0, 1], 0]], 1), [[0, 1j], [1j, 0]])
    grover = resolve_coin("grover", 2)
    np.testing.assert_allclose(grover @ grover.conj().T, np.eye(4), atol=1e-14)


def test_u3_matches_qiskit():
    from qiskit.circuit.library import UGate

    np.testing.assert_allclose(u3_matrix(0.3, 1.1, -0.4), UGate(0.3, 1.1, -0.4).to_matrix(),
                               atol=1e-14)


@pytest.mark.parametrize(("value", "dimension", "message"), [
    ([[1, 1], [0, 1]], 1, "not unitary"),
    ("nope", 1, "unknown coin"),
    ([[1, 0], [0, 1]], 2, "4x4"),
])
def test_bad_coins_name_the_parameter(value, dimension, message):
    with pytest.raises(ParameterError, match=f"parameter 'coin'.*{message}"):
        resolve_coin(value, dimension)


def test_coin_states():
    np.testing.assert_allclose(resolve_coin_state("symmetric", 1), np.array([1, 1j]) / np.sqrt(2))
    np.testing.assert_allclose(resolve_coin_state(1, 1), [0, 1])
    with pytest.raises(ParameterError, match="normalised"):
        resolve_coin_state([1, 1], 1)


def test_gaussian_packet_width_and_momentum():
    psi = gaussian_packet(256, 128, 5.0, 0.7)
    x = np.arange(256) - 128
    p = np.abs(psi) ** 2
    assert np.sqrt(p @ x**2 - (p @ x) ** 2) == pytest.approx(5.0, rel=1e-9)
    k = np.fft.fftfreq(256) * 2 * np.pi
    assert np.abs(np.fft.fft(psi)) .argmax() == np.argmin(np.abs(k - 0.7))


def test_packet_must_fit_and_site_in_range():
    with pytest.raises(ParameterError, match=r"packet_width.*raise position_qubits to 8"):
        gaussian_packet(64, 32, 20.0, 0.0)
    with pytest.raises(ParameterError, match="x0"):
        site_state(8, 8)
