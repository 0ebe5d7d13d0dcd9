"""Sawtooth-map circuits: statevectors equal the exact quantum sawtooth map to 1e-10 for
n = 3..7, and the ``quadratic`` kick is n(n-1)/2 controlled phases (n(n-1) CX)."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit

from qwalk_circuits.circuits.kicked_rotor import (
    KICKED_ROTOR_CONSTRUCTIONS,
    KickedRotorTemplate,
    append_kick,
    kick_phases,
)
from qwalk_circuits.circuits.phase_polynomial import bit_polynomial, degree, two_qubit_cost
from qwalk_circuits.execution.runner import simulate_statevector
from qwalk_circuits.reference.kicked_rotor import momentum_states

EXACT = 1e-10

# (momentum qubits, K = k T, T, kicks, quasi-momenta)
CASES = [
    (3, 1.5, 3.0, 3, (0.0, 0.4)),
    (4, 2.0, 1.3, 2, (0.7,)),
    (5, 1.5, 3.0, 2, (0.25,)),
    (6, 0.9, 2.2, 2, (0.5,)),
    (7, 1.5, 3.0, 1, (0.13,)),
]


@pytest.mark.parametrize("construction", KICKED_ROTOR_CONSTRUCTIONS)
@pytest.mark.parametrize(("n", "kick", "period", "kicks", "betas"), CASES)
def test_sawtooth_template_bound_per_beta_is_the_exact_map(construction, n, kick, period,
                                                          kicks, betas):
    template = KickedRotorTemplate.build(kick, period, kicks, n, construction,
                                         potential="sawtooth")
    assert template.circuit.metadata["potential"] == "sawtooth"
    for beta in betas:
        got = simulate_statevector(template.bind(beta))
        want = momentum_states(kick, period, [kicks], n, beta, potential="sawtooth")[0]
        assert np.max(np.abs(got - want)) < EXACT  # global phase included


def test_the_kick_phase_is_the_sawtooth_on_the_frame_grid():
    """Register value i holds the bit-reversed angle index j: +k (2 pi j/N - pi)^2 / 2."""
    n, k = 3, 0.7
    j = np.array([0, 4, 2, 6, 1, 5, 3, 7])  # bit reversal of 0..7 on 3 bits
    want = k * (2 * np.pi * j / 8 - np.pi) ** 2 / 2
    np.testing.assert_allclose(kick_phases(n, k, "sawtooth"), want, atol=1e-14)


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7])
def test_the_sawtooth_kick_has_degree_two_and_costs_n_n_minus_1_cx(n):
    coefficients = bit_polynomial(kick_phases(n, 0.5, "sawtooth"), n)
    assert degree(coefficients) == 2
    assert two_qubit_cost(coefficients) == n * (n - 1)  # every pair: none vanishes mod 2 pi
    assert degree(bit_polynomial(kick_phases(n, 0.5, "cos"), n)) > 2  # cos theta is not


@pytest.mark.parametrize("n", [3, 5, 7])
def test_quadratic_sawtooth_kick_is_controlled_phases_alone(n):
    circuit = QuantumCircuit(n)
    append_kick(circuit, list(circuit.qubits), 0.5, "sawtooth", "quadratic")
    ops = circuit.count_ops()
    assert ops.get("cp") == n * (n - 1) // 2 and set(ops) <= {"cp", "p"}
    multiplexed = QuantumCircuit(n)
    append_kick(multiplexed, list(multiplexed.qubits), 0.5, "sawtooth", "multiplexor")
    assert multiplexed.count_ops().get("cx") == (1 << n) - 2  # the generic Gray-code diagonal


def test_a_quadratic_sawtooth_period_is_h_p_cp_and_rz_only():
    template = KickedRotorTemplate.build(1.5, 3.0, 2, 5, "quadratic", potential="sawtooth")
    assert set(template.circuit.count_ops()) <= {"h", "p", "cp", "rz"}
    pairs = 5 * 4 // 2
    # kick 1: H, kick, QFT^-1, free; kick 2: QFT, kick, QFT^-1, free -- all n(n-1)/2 CPs
    assert template.circuit.count_ops()["cp"] == 7 * pairs


def test_unknown_potential_names_the_choices():
    with pytest.raises(ValueError, match="sawtooth"):
        KickedRotorTemplate.build(1.0, 1.0, 1, 3, potential="tent")  # type: ignore[arg-type]
