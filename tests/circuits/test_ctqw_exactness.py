"""CTQW circuits equal exact diagonalization to 1e-10; ED equals the Bessel closed form."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.circuits import build_ctqw
from qwalk_circuits.circuits.noise import phase_damping_layer, site_dephasing_layer
from qwalk_circuits.core.lattice import signed_displacement
from qwalk_circuits.execution.runner import simulate_statevector
from qwalk_circuits.reference.ctqw import bessel_amplitudes, ctqw_states
from tests.conftest import random_state


@pytest.mark.parametrize(("dimension", "n"), [(1, 1), (1, 3), (1, 6), (2, 1), (2, 3)])
@pytest.mark.parametrize("time", [0.0, 0.8, 3.7])
def test_ctqw_circuit_equals_exact_diagonalization(dimension, n, time):
    rng = np.random.default_rng(n + 10 * dimension)
    psi = random_state(rng, (1 << n) ** dimension)
    want = ctqw_states(psi, 1.3, [time], 1 << n, dimension)[time]
    got = simulate_statevector(build_ctqw(psi, 1.3, time, n, dimension))
    np.testing.assert_allclose(got, want, atol=1e-10, rtol=0)


@pytest.mark.parametrize("layer", [site_dephasing_layer, phase_damping_layer])
def test_sliced_circuit_without_noise_is_the_same_evolution(layer):
    """The noise layers are identities until a noise model acts on them."""
    rng = np.random.default_rng(3)
    psi = random_state(rng, 16)
    want = ctqw_states(psi, 0.7, [2.0], 16)[2.0]
    circuit = build_ctqw(psi, 0.7, 2.0, 4, slices=5, slice_layer=layer(4))
    got = simulate_statevector(circuit).reshape(-1, 16)[0]  # environment qubit left in |0>
    np.testing.assert_allclose(got, want, atol=1e-10, rtol=0)


def test_exact_diagonalization_matches_bessel_and_ballistic_sigma():
    """psi_x(t) = i^x J_x(2 J t) on the infinite line; sigma = sqrt(2) J t (REFERENCES.md)."""
    num, hopping = 128, 0.8
    psi0 = np.zeros(num, dtype=complex)
    psi0[num // 2] = 1
    x = signed_displacement(num, num // 2)
    for t in (1.0, 10.0, 20.0):  # front 2 J t = 32, tails at the wrap (x = 64) below 1e-10
        psi = ctqw_states(psi0, hopping, [t], num)[t]
        np.testing.assert_allclose(psi, bessel_amplitudes(x, hopping, t), atol=1e-10)
        sigma = np.sqrt(np.sum(np.abs(psi) ** 2 * x**2))
        assert sigma == pytest.approx(np.sqrt(2) * hopping * t, rel=1e-10)
