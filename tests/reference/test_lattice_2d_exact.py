"""exp(-iHt) of the 2D torus: H is Hermitian, its split step converges to it as dt^2 (with and
without flux and spin-orbit coupling), and it is time-reversal symmetric without flux."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.core.disorder_2d import Lattice2dModel, lattice_2d_disorder
from qwalk_circuits.reference.lattice_2d import Lattice2dReference, plane_wave
from qwalk_circuits.reference.lattice_2d_exact import (
    lattice_2d_exact_states,
    lattice_2d_hamiltonian,
)


@pytest.mark.parametrize("theta,flux,strength", [(None, "none", 0.0), (0.25, "none", 0.0),
                                                  (None, "random", 0.3), (0.3, "random", 0.5)])
def test_the_split_step_converges_to_exp_minus_iht_as_dt_squared(theta, flux, strength):
    errors = []
    for dt in (0.1, 0.05):
        model = Lattice2dModel(3, 3.0, dt, 1.0, theta, flux, strength)
        disorder = lattice_2d_disorder(model, 0, 1)
        h = lattice_2d_hamiltonian(model, disorder)
        assert abs(h - h.getH()).max() < 1e-14
        psi0 = plane_wave(model, (3, 1), 0)
        steps = round(2.0 / dt)
        split = Lattice2dReference(model, disorder).states(psi0, [steps])[steps]
        exact = lattice_2d_exact_states(model, disorder, psi0, [2.0])[2.0]
        errors.append(np.linalg.norm(split - exact))
    # second order: halving dt quarters the error (to within the next order's share)
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.05)
    assert errors[1] < 1e-2


def test_the_diagonal_is_the_disorder_and_a_clean_hop_is_minus_j():
    model = Lattice2dModel(3, 2.0, 0.5, 1.0, None, "none", 0.0)
    disorder = lattice_2d_disorder(model, 0, 0)
    h = lattice_2d_hamiltonian(model, disorder).toarray()
    np.testing.assert_allclose(np.diag(h).real, disorder.energies.reshape(-1), atol=1e-14)
    side = model.side
    # site (x, y) = (0, 0) hops to (1, 0) (flat 1) and (0, 1) (flat L) with -J (no flux)
    assert h[1, 0] == pytest.approx(-1.0) and h[side, 0] == pytest.approx(-1.0)


def test_times_are_cumulative_and_zero_is_the_start():
    model = Lattice2dModel(3, 3.0, 0.5, 1.0, 0.2, "none", 0.0)
    disorder = lattice_2d_disorder(model, 0, 2)
    psi0 = plane_wave(model, (3, 1), 1)
    states = lattice_2d_exact_states(model, disorder, psi0, [0.0, 1.0, 2.5])
    np.testing.assert_allclose(states[0.0], psi0)
    direct = lattice_2d_exact_states(model, disorder, psi0, [2.5])[2.5]
    np.testing.assert_allclose(states[2.5], direct, atol=1e-10)
    assert np.linalg.norm(states[2.5]) == pytest.approx(1.0, abs=1e-10)
