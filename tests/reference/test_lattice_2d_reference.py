"""The 2D torus reference: explicit dense check, time-reversal symmetry, flux gauge, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from qwalk_circuits.core.disorder_2d import (
    FluxKind,
    Lattice2dModel,
    lattice_2d_disorder,
    plaquette_flux,
    uniform_field_phases,
)
from qwalk_circuits.core.errors import ParameterError
from qwalk_circuits.reference.lattice_2d import (
    Lattice2dReference,
    lattice_2d_states,
    lattice_2d_step_unitary,
    momentum_distribution,
    plane_wave,
    site_state,
)

TOL = 1e-10
SIGMA = {"x": np.array([[0, 1], [1, 0]], dtype=complex),
         "y": np.array([[0, -1j], [1j, 0]], dtype=complex)}
FLUXES = [("none", 0.0), ("random", 1.0), ("uniform", 1.0)]


def _model(flux: FluxKind = "none", strength: float = 0.0, soc: float | None = None,
           m: int = 2, width: float = 3.0, dt: float = 0.6) -> Lattice2dModel:
    return Lattice2dModel(m, width=width, dt=dt, hopping=1.3, spin_orbit=soc, flux=flux,
                          flux_strength=strength)


def _dense_hamiltonians(model: Lattice2dModel, disorder) -> tuple[np.ndarray, ...]:
    """H_x, H_y, V as full matrices, hop by hop from the bond list (flat x + L*y + L^2*s)."""
    side, spins = model.side, 2 if model.spinful else 1
    dim = model.dimension
    hx, hy = np.zeros((dim, dim), dtype=complex), np.zeros((dim, dim), dtype=complex)
    hop = {axis: (np.cos(model.theta) * np.eye(2) + 1j * np.sin(model.theta) * SIGMA[axis]
                  if model.spinful else np.eye(1)) for axis in "xy"}

    def index(x: int, y: int, s: int) -> int:
        return x % side + side * (y % side) + side * side * s

    for y in range(side):
        for x in range(side):
            for s in range(spins):
                for t in range(spins):
                    hx[index(x + 1, y, t), index(x, y, s)] -= (
                        model.hopping * np.exp(1j * disorder.a_x[y, x]) * hop["x"][t, s])
                    hy[index(x, y + 1, t), index(x, y, s)] -= (
                        model.hopping * np.exp(1j * disorder.a_y[y, x]) * hop["y"][t, s])
    hx, hy = hx + hx.conj().T, hy + hy.conj().T
    v = np.diag(np.tile(disorder.energies, spins)).astype(complex)
    return hx, hy, v


def _dense_step(model: Lattice2dModel, disorder) -> np.ndarray:
    hx, hy, v = _dense_hamiltonians(model, disorder)
    dt = model.dt
    half_v, half_x = expm(-0.5j * dt * v), expm(-0.5j * dt * hx)
    return half_v @ half_x @ expm(-1j * dt * hy) @ half_x @ half_v


@pytest.mark.parametrize("flux,strength", FLUXES)
@pytest.mark.parametrize("soc", [None, 0.5])
@pytest.mark.parametrize("m", [1, 2])
def test_reference_step_equals_dense_expm_of_the_bond_list(flux, strength, soc, m):
    model = _model(flux, strength, soc, m)
    disorder = lattice_2d_disorder(model, 4, 2)
    dense = _dense_step(model, disorder)
    np.testing.assert_allclose(lattice_2d_step_unitary(model, disorder), dense, atol=TOL)
    psi0 = plane_wave(model, (1, 0), 1 if soc is not None else 0)
    states = lattice_2d_states(model, disorder, psi0, [0, 3])
    np.testing.assert_allclose(states[0], psi0, atol=TOL)
    np.testing.assert_allclose(states[3], np.linalg.matrix_power(dense, 3) @ psi0, atol=TOL)


def test_spinful_model_without_coupling_is_two_copies_of_the_spinless_one():
    spinless, spinful = _model("random", 0.8), _model("random", 0.8, soc=0.0)
    d = lattice_2d_disorder(spinless, 1, 0)
    u = lattice_2d_step_unitary(spinless, d)
    np.testing.assert_allclose(lattice_2d_step_unitary(spinful, d), np.kron(np.eye(2), u),
                               atol=TOL)


def _symplectic(dim: int) -> np.ndarray:
    """The unitary part of Theta = i sigma_y K on the spin (the slowest index)."""
    return np.kron(np.array([[0, 1], [-1, 0]]), np.eye(dim // 2))


def _orthogonal_violation(u: np.ndarray) -> float:
    """|| U^T - U ||: zero iff K U K = U^dagger (spinless time reversal)."""
    return float(np.linalg.norm(u.T - u) / np.linalg.norm(u))


def _symplectic_violation(u: np.ndarray) -> float:
    """|| Theta U Theta^-1 - U^dagger || with Theta = i sigma_y K.

    Theta U Theta^-1 = S conj(U) S^-1 (S = i sigma_y, real), so the condition
    is S conj(U) S^T = U^dagger, i.e. S U is antisymmetric.
    """
    s = _symplectic(u.shape[0])
    return float(np.linalg.norm(s @ u.conj() @ s.T - u.conj().T) / np.linalg.norm(u))


@pytest.mark.parametrize("m", [1, 2, 3])
def test_spinless_step_without_flux_is_symmetric(m):
    model = _model(m=m)
    for realisation in range(2):
        u = lattice_2d_step_unitary(model, lattice_2d_disorder(model, 7, realisation))
        np.testing.assert_allclose(u.conj().T @ u, np.eye(model.dimension), atol=TOL)
        assert _orthogonal_violation(u) < TOL


@pytest.mark.parametrize("m", [2, 3])  # on L = 2 the two bonds of a ring cancel the coupling
def test_spin_orbit_step_without_flux_is_symplectic_and_kramers_degenerate(m):
    model = _model(soc=0.7, m=m)
    u = lattice_2d_step_unitary(model, lattice_2d_disorder(model, 8, 0))
    assert _symplectic_violation(u) < TOL
    s = _symplectic(u.shape[0])
    np.testing.assert_allclose((s @ u).T, -(s @ u), atol=TOL)
    assert _orthogonal_violation(u) > 0.1  # spin-orbit coupling breaks spin rotation
    phases = np.sort(np.angle(np.linalg.eigvals(u)))
    np.testing.assert_allclose(phases[0::2], phases[1::2], atol=1e-7)  # Kramers pairs


@pytest.mark.parametrize("flux,strength", [("random", 1.0), ("random", 0.5), ("uniform", 1.0)])
def test_flux_breaks_time_reversal(flux, strength):
    spinless, spinful = _model(flux, strength), _model(flux, strength, soc=0.7)
    d = lattice_2d_disorder(spinless, 9, 0)
    assert _orthogonal_violation(lattice_2d_step_unitary(spinless, d)) > 0.2
    assert _symplectic_violation(lattice_2d_step_unitary(spinful, d)) > 0.2


@pytest.mark.parametrize("m", [1, 2, 3, 4])
@pytest.mark.parametrize("quanta", [1, 3, -2])
def test_uniform_gauge_has_the_same_flux_on_every_plaquette(m, quanta):
    side = 1 << m
    a_x, a_y = uniform_field_phases(side, quanta)
    expected = 2 * np.pi * quanta / side**2
    wrapped = np.angle(np.exp(1j * (plaquette_flux(a_x, a_y) - expected)))
    np.testing.assert_allclose(wrapped, 0.0, atol=1e-12)
    assert plaquette_flux(a_x, a_y).shape == (side, side)


@pytest.mark.parametrize("strength", [0.5, 2.25, 1 / 3])
def test_uniform_flux_with_a_fractional_number_of_quanta_is_refused(strength):
    with pytest.raises(ParameterError, match="whole number of flux quanta") as info:
        _model("uniform", strength)
    message = str(info.value)
    assert "flux_strength" in message and "flux='random'" in message
    assert f"use {int(np.floor(strength))} or {int(np.ceil(strength))}" in message


@pytest.mark.parametrize("settings,name", [({"flux": "random", "flux_strength": 1.5},
                                            "flux_strength"),
                                           ({"flux": "magnetic"}, "flux"),
                                           ({"width": -1.0}, "W")])
def test_bad_model_parameters_name_the_parameter(settings, name):
    base = {"axis_qubits": 2, "width": 1.0, "dt": 0.5}
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        Lattice2dModel(**{**base, **settings})


def test_draws_are_reproducible_and_flux_does_not_change_the_energies():
    none, weak, strong = _model(), _model("random", 0.2), _model("random", 1.0)
    base = lattice_2d_disorder(none, 3, 5)
    np.testing.assert_array_equal(lattice_2d_disorder(none, 3, 5).energies, base.energies)
    np.testing.assert_array_equal(lattice_2d_disorder(strong, 3, 5).energies, base.energies)
    np.testing.assert_allclose(lattice_2d_disorder(weak, 3, 5).a_x * 5,
                               lattice_2d_disorder(strong, 3, 5).a_x, atol=1e-14)
    assert not np.allclose(lattice_2d_disorder(none, 3, 6).energies, base.energies)
    assert np.all(np.abs(base.energies) <= none.width / 2)
    assert not base.has_flux and lattice_2d_disorder(strong, 3, 5).has_flux


def test_momentum_distribution_of_a_plane_wave_and_a_site():
    model = _model(soc=0.3, m=3)
    p = momentum_distribution(model, plane_wave(model, (3, 6), spin=1))
    assert p.shape == (2, 8, 8) and p[1, 6, 3] == pytest.approx(1.0)
    assert p.sum() == pytest.approx(1.0)
    flat = momentum_distribution(model, site_state(model, (2, 5), spin=0))
    np.testing.assert_allclose(flat[0], 1 / 64, atol=1e-14)


def test_reference_states_are_incremental():
    model = _model("uniform", 1.0, soc=0.4)
    ref = Lattice2dReference(model, lattice_2d_disorder(model, 0, 0))
    psi0 = site_state(model, (1, 2), spin=1)
    states = ref.states(psi0, [4, 2])
    np.testing.assert_allclose(ref.step(ref.step(states[2])), states[4], atol=TOL)
    assert np.linalg.norm(states[4]) == pytest.approx(1.0)
