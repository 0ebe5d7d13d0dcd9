"""The brickwork reference of the one-hot Anderson chain against dense matrices (scipy):
its step is the product of its bond unitaries, it tends to exp(-i H t) of the open chain
(or the ring) as dt -> 0 with a first-order (Lie) error, and its classical counterpart is
the brickwork dephased after every bond."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from qwalk_circuits.reference.one_hot_chain import brickwork_states, classical_brickwork


def chain_hamiltonian(sites: int, hopping: float, energies: np.ndarray,
                      ring: bool = False) -> np.ndarray:
    h = np.diag(energies).astype(complex)
    for x in range(sites if ring else sites - 1):
        h[x, (x + 1) % sites] = h[(x + 1) % sites, x] = -hopping
    return h


def bond_layer(sites: int, hopping: float, dt: float, parity: int,
               ring: bool = False) -> np.ndarray:
    """exp(-i dt (-J) sum over the layer's bonds), as one dense matrix; on a ring the
    closing bond (N - 1, 0) is an odd one."""
    h = np.zeros((sites, sites))
    for x in range(parity, sites if ring else sites - 1, 2):
        h[x, (x + 1) % sites] = h[(x + 1) % sites, x] = -hopping
    return expm(-1j * dt * h)


@pytest.mark.parametrize(("sites", "ring"), [(7, False), (8, True)])
def test_one_step_is_the_product_of_its_dense_layers(sites, ring):
    rng = np.random.default_rng(4)
    hopping, dt = 0.9, 0.7
    energies = rng.uniform(-2, 2, size=(3, sites))
    step = [bond_layer(sites, hopping, dt, 1, ring) @ bond_layer(sites, hopping, dt, 0, ring)
            @ np.diag(np.exp(-1j * dt * e)) for e in energies]
    psi = np.zeros(sites, complex)
    psi[3] = 1
    expected = {0: psi}
    for k in range(3):
        psi = step[k] @ psi
        expected[k + 1] = psi
    got = brickwork_states(3, sites, hopping, energies, dt, [0, 1, 2, 3], ring=ring)
    for k in range(4):
        np.testing.assert_allclose(got[k], expected[k], atol=1e-12)


def test_static_energies_are_reused_every_step():
    energies = np.random.default_rng(1).uniform(-1, 1, size=(1, 6))
    tiled = np.repeat(energies, 4, axis=0)
    a = brickwork_states(2, 6, 1.0, energies, 0.5, [4])[4]
    b = brickwork_states(2, 6, 1.0, tiled, 0.5, [4])[4]
    np.testing.assert_allclose(a, b, atol=1e-14)


@pytest.mark.parametrize(("sites", "ring"), [(9, False), (10, True)])
def test_small_dt_tends_to_the_continuous_time_chain_at_first_order(sites, ring):
    """The Lie splitting's error at fixed t halves with dt: the continuous-time Anderson
    model is the dt -> 0 limit, not the simulated model.  t = 6 on the 10-site ring: the
    walk has crossed the closing bond (the open chain of the same sites differs by 0.5)."""
    hopping, t = 1.0, 6.0 if ring else 2.0
    energies = np.random.default_rng(2).uniform(-1.5, 1.5, size=sites)
    psi0 = np.zeros(sites, complex)
    psi0[4] = 1
    exact = expm(-1j * t * chain_hamiltonian(sites, hopping, energies, ring)) @ psi0
    if ring:
        open_ = expm(-1j * t * chain_hamiltonian(sites, hopping, energies)) @ psi0
        assert np.linalg.norm(open_ - exact) > 0.5
    errors = []
    for steps in (40, 80, 160) if not ring else (120, 240, 480):
        psi = brickwork_states(4, sites, hopping, energies[None], t / steps, [steps],
                               ring=ring)[steps]
        errors.append(np.linalg.norm(psi - exact))
    assert errors[0] < 0.1
    assert errors[0] / errors[1] == pytest.approx(2, rel=0.1)
    assert errors[1] / errors[2] == pytest.approx(2, rel=0.1)


@pytest.mark.parametrize("ring", [False, True])
def test_the_classical_brickwork_is_the_dephased_quantum_one(ring):
    """Dephasing after every bond layer leaves |U_bond|^2 acting on the populations."""
    sites, hopping, dt, steps = 8, 1.0, 0.6, 5
    rho = np.zeros((sites, sites), complex)
    rho[4, 4] = 1
    for _ in range(steps):
        for parity in (0, 1):
            u = bond_layer(sites, hopping, dt, parity, ring)
            rho = np.diag(np.diag(u @ rho @ u.conj().T))
    got = classical_brickwork(4, sites, hopping, dt, [steps], ring=ring)[steps]
    np.testing.assert_allclose(got, np.diag(rho).real, atol=1e-12)
    assert got.sum() == pytest.approx(1, abs=1e-12)


@pytest.mark.parametrize("sites", [3, 7])
def test_a_ring_of_odd_sites_is_refused(sites):
    """A two-layer brickwork cannot hold an odd ring (the closing bond would share a site
    with the first even bond)."""
    with pytest.raises(ValueError, match="even number of sites"):
        brickwork_states(1, sites, 1.0, np.zeros((1, sites)), 0.5, [1], ring=True)
    with pytest.raises(ValueError, match="even number of sites"):
        classical_brickwork(1, sites, 1.0, 0.5, [1], ring=True)
