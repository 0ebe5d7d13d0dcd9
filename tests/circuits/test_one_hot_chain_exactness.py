"""The one-hot chain circuits against the brickwork reference: amplitudes to 1e-10 (up to
a global phase), every potential and kind of disorder; one excitation in, one out; N - 1
two-qubit gates per step, on a heavy-hex device with no SWAP."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import transpile
from qiskit_ibm_runtime.fake_provider import FakeFez

from qwalk_circuits.circuits.one_hot_chain import OneHotChainTemplate, one_hot_sites
from qwalk_circuits.execution.runner import simulate_statevector
from qwalk_circuits.reference.one_hot_chain import brickwork_states


def bound(template, energies, dt):
    values = template.values(energies, dt)
    return template.circuit.assign_parameters(dict(zip(template.circuit.parameters, values,
                                                       strict=True)))


@pytest.mark.parametrize("static", [True, False], ids=["static", "dynamic"])
@pytest.mark.parametrize("steps", [0, 1, 4])
@pytest.mark.parametrize(("sites", "ring"), [(7, False), (4, True), (8, True)])
def test_amplitudes_equal_the_reference(static, steps, sites, ring):
    start, hopping, dt = 3, 0.8, 0.7
    energies = np.random.default_rng(steps).uniform(-3, 3, size=(1 if static else 4, sites))
    template = OneHotChainTemplate.build(sites, start, hopping, dt, steps, static,
                                         measured=False, ring=ring)
    state = simulate_statevector(bound(template, energies, dt))
    amplitudes = state[1 << np.arange(sites)]
    expected = brickwork_states(start, sites, hopping, energies, dt, [steps],
                                ring=ring)[steps]
    assert np.linalg.norm(amplitudes) == pytest.approx(1, abs=1e-10)  # one excitation out
    assert aligned_distance(amplitudes, expected) < 1e-10


@pytest.mark.parametrize("sites", [3, 5])
def test_an_odd_ring_is_refused(sites):
    with pytest.raises(ValueError, match="even number of sites"):
        OneHotChainTemplate.build(sites, 1, 1.0, 0.5, 1, True, ring=True)


def aligned_distance(amplitudes, expected):
    overlap = np.vdot(expected, amplitudes)
    return float(np.abs(amplitudes * np.conj(overlap) / abs(overlap) - expected).max())


def test_the_amplitude_check_sees_the_sign_of_the_energies():
    """|psi|^2 cannot tell eps from -eps (time reversal and the bipartite gauge), so the
    check above compares amplitudes: with the energies' sign flipped it fails."""
    sites, start, hopping, dt = 7, 3, 0.8, 0.7
    energies = np.random.default_rng(5).uniform(-3, 3, size=(1, sites))
    template = OneHotChainTemplate.build(sites, start, hopping, dt, 3, True, measured=False)
    amplitudes = simulate_statevector(bound(template, energies, dt))[1 << np.arange(sites)]
    right = brickwork_states(start, sites, hopping, energies, dt, [3])[3]
    flipped = brickwork_states(start, sites, hopping, -energies, dt, [3])[3]
    np.testing.assert_allclose(np.abs(right) ** 2, np.abs(flipped) ** 2, atol=1e-12)
    assert aligned_distance(amplitudes, right) < 1e-10
    assert aligned_distance(amplitudes, flipped) > 1e-2


def test_one_hot_sites_reads_the_one_excitation_outcomes():
    vector = np.arange(16, dtype=float)
    np.testing.assert_array_equal(one_hot_sites(vector, 4), [1, 2, 4, 8])


def test_a_step_costs_n_minus_one_bonds_and_no_swap_on_fake_fez():
    sites, steps = 12, 3
    template = OneHotChainTemplate.build(sites, 6, 1.0, 0.8, steps, True)
    circuit = bound(template, np.random.default_rng(0).uniform(-3, 3, (1, sites)), 0.8)
    assert circuit.count_ops()["xx_plus_yy"] == steps * (sites - 1)
    isa = transpile(circuit, FakeFez(), optimization_level=1, seed_transpiler=1)
    # each XX+YY is two CZ on Heron; a SWAP would add three more
    assert isa.count_ops().get("cz", 0) == 2 * steps * (sites - 1)
