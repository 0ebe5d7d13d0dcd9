"""Kicked rotor circuits: statevectors equal the exact quantum map to 1e-10, per quasi-momentum."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.circuits.kicked_rotor import (
    KICKED_ROTOR_CONSTRUCTIONS,
    KickedRotorTemplate,
    bit_weights,
    free_phases,
    quadratic_free_values,
    signed_momenta,
)
from qwalk_circuits.execution.runner import simulate_statevector
from qwalk_circuits.reference.kicked_rotor import momentum_grid, momentum_states

EXACT = 1e-10

# (momentum qubits, K, kbar, kicks, quasi-momenta)
CASES = [
    (1, 2.0, 0.8, 2, (0.2,)),
    (2, 1.0, 1.0, 1, (0.1,)),
    (3, 5.0, 1.0, 3, (0.0, 0.3)),
    (4, 5.0, 4 * np.pi, 5, (0.0, 0.25)),   # the resonance, and off it
    (5, 2.5, 0.7, 4, (0.81, 0.5)),
    (6, 8.0, 1.3, 2, (0.5, 0.97)),
    (8, 5.0, 1.0, 3, (0.3,)),
]


def test_register_order_is_the_reference_fft_order():
    for n in (1, 3, 6):
        np.testing.assert_array_equal(signed_momenta(n), momentum_grid(n))
        bits = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
        np.testing.assert_array_equal(bits @ bit_weights(n), signed_momenta(n))


@pytest.mark.parametrize("construction", KICKED_ROTOR_CONSTRUCTIONS)
@pytest.mark.parametrize(("n", "kick", "kbar", "kicks", "betas"), CASES)
def test_one_template_bound_per_beta_is_the_exact_map(construction, n, kick, kbar, kicks, betas):
    template = KickedRotorTemplate.build(kick, kbar, kicks, n, construction)
    assert template.circuit.metadata["construction"] == construction
    assert template.circuit.metadata["site_offset"] == 0
    for beta in betas:
        got = simulate_statevector(template.bind(beta))
        want = momentum_states(kick, kbar, [kicks], n, beta)[0]
        assert np.max(np.abs(got - want)) < EXACT  # global phase included


@pytest.mark.parametrize("construction", KICKED_ROTOR_CONSTRUCTIONS)
def test_zero_kicks_is_m_zero_with_no_parameters(construction):
    template = KickedRotorTemplate.build(5.0, 1.0, 0, 3, construction)
    assert template.circuit.num_parameters == 0 and template.values(0.4).size == 0
    state = simulate_statevector(template.bind(0.4))
    np.testing.assert_allclose(np.abs(state), np.eye(8)[0], atol=EXACT)


def test_quadratic_free_layer_has_n_plus_one_parameters_and_the_right_phases():
    n, kbar, beta = 4, 0.9, 0.37
    template = KickedRotorTemplate.build(3.0, kbar, 2, n, "quadratic")
    assert template.circuit.num_parameters == n + 1
    c = bit_weights(n)
    bits = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    values = quadratic_free_values(n, kbar, beta)
    pairs = sum(-kbar * c[i] * c[j] * bits[:, i] * bits[:, j]
                for j in range(n) for i in range(j))
    phases = bits @ values[:n] - values[:n].sum() / 2 + values[n] + pairs  # RZ, not P
    np.testing.assert_allclose(np.exp(1j * phases), np.exp(1j * free_phases(n, kbar, beta)),
                               atol=1e-12)


def test_resonant_free_rotation_drops_its_controlled_phases():
    """kbar = 4 pi: every pairwise phase is a multiple of 2 pi, so none is emitted."""
    template = KickedRotorTemplate.build(2.0, 4 * np.pi, 3, 5, "quadratic")
    plain = KickedRotorTemplate.build(2.0, 1.0, 3, 5, "quadratic")
    qft_pairs = 2 * 3 * 5 * 4 // 2 - 5 * 4 // 2  # two no-swap QFTs per kick, the first is H
    assert template.circuit.count_ops()["cp"] == qft_pairs
    assert plain.circuit.count_ops()["cp"] == qft_pairs + 3 * 5 * 4 // 2


def test_unknown_construction_names_the_choices():
    with pytest.raises(ValueError, match="quadratic"):
        KickedRotorTemplate.build(1.0, 1.0, 1, 3, "fourier")  # type: ignore[arg-type]
