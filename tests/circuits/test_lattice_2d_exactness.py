"""The 2D torus circuits (flux, spin-orbit coupling) equal the reference to 1e-10."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator

from qwalk_circuits.circuits.lattice_2d import (
    Lattice2dTemplate,
    append_momentum_frame,
    measure_momentum,
    momentum_probabilities,
    register_momenta,
)
from qwalk_circuits.circuits.lattice_2d_hopping import (
    append_band,
    append_qft,
    band_angles,
    ring_gauge,
)
from qwalk_circuits.circuits.multiplexor import diagonal_angles, rotation_angles
from qwalk_circuits.core.disorder_2d import (
    FluxKind,
    Lattice2dDisorder,
    Lattice2dModel,
    lattice_2d_disorder,
)
from qwalk_circuits.execution.resources import transpile_to_target
from qwalk_circuits.execution.runner import simulate_statevector
from qwalk_circuits.reference.lattice_2d import (
    lattice_2d_states,
    lattice_2d_step_unitary,
    momentum_distribution,
    plane_wave,
    ring_hamiltonians,
    site_state,
)

TOL = 1e-10
FLUXES = [("none", 0.0), ("random", 0.8), ("uniform", 1.0)]


def _model(flux: FluxKind, strength: float, soc: float | None, m: int = 2) -> Lattice2dModel:
    return Lattice2dModel(m, width=2.5, dt=0.7, hopping=1.1, spin_orbit=soc, flux=flux,
                          flux_strength=strength)


def _start_state(model: Lattice2dModel, kind: str, start: tuple[int, int], spin: int
                 ) -> np.ndarray:
    return plane_wave(model, start, spin) if kind == "plane-wave" else site_state(model, start,
                                                                                 spin)


@pytest.mark.parametrize("kind", ["plane-wave", "site"])
@pytest.mark.parametrize("soc", [None, 0.45])
@pytest.mark.parametrize("flux,strength", FLUXES)
@pytest.mark.parametrize("steps", [1, 3])
def test_template_equals_reference(flux, strength, soc, kind, steps):
    model = _model(flux, strength, soc)
    template = Lattice2dTemplate.build(model, steps, kind)
    states = []
    for realisation, (start, spin) in enumerate([((1, 2), 1), ((3, 0), 0)]):
        spin = spin if model.spinful else 0
        disorder = lattice_2d_disorder(model, 21, realisation)
        psi = simulate_statevector(template.bind(disorder, start, spin))
        psi0 = _start_state(model, kind, start, spin)
        expected = lattice_2d_states(model, disorder, psi0, [steps])[steps]
        np.testing.assert_allclose(psi, expected, atol=TOL)
        states.append(psi)
    assert not np.allclose(np.abs(states[0]), np.abs(states[1]), atol=1e-3)


@pytest.mark.parametrize("flux,strength,soc", [("random", 1.0, 0.3), ("uniform", 3.0, None),
                                               ("none", 0.0, 0.6)])
def test_template_equals_reference_on_an_8x8_torus(flux, strength, soc):
    model = _model(flux, strength, soc, m=3)
    template = Lattice2dTemplate.build(model, 2, "plane-wave")
    disorder = lattice_2d_disorder(model, 2, 7)
    spin = 1 if model.spinful else 0
    psi = simulate_statevector(template.bind(disorder, (3, 5), spin))
    expected = lattice_2d_states(model, disorder, plane_wave(model, (3, 5), spin), [2])[2]
    np.testing.assert_allclose(psi, expected, atol=TOL)


def _step_matrix(model: Lattice2dModel, disorder: Lattice2dDisorder) -> np.ndarray:
    """The circuit's one-step unitary: a site template started at (0, 0), spin 0, is U itself."""
    template = Lattice2dTemplate.build(model, 1, "site")
    return Operator(template.bind(disorder, (0, 0), 0)).data


@pytest.mark.parametrize("soc", [None, 0.45])
@pytest.mark.parametrize("flux,strength", FLUXES)
def test_circuit_step_unitary_equals_reference(flux, strength, soc):
    model = _model(flux, strength, soc)
    disorder = lattice_2d_disorder(model, 13, 1)
    np.testing.assert_allclose(_step_matrix(model, disorder),
                               lattice_2d_step_unitary(model, disorder), atol=TOL)


@pytest.mark.parametrize("soc", [None, 0.45])
def test_circuit_step_is_time_reversal_symmetric_only_without_flux(soc):
    """Spinless: U^T = U (K U K = U^dagger); spin-orbit: S U antisymmetric, S = i sigma_y,
    i.e. Theta U Theta^-1 = U^dagger with Theta = i sigma_y K."""
    def violation(u: np.ndarray) -> float:
        if soc is None:
            return float(np.linalg.norm(u.T - u))
        s = np.kron(np.array([[0, 1], [-1, 0]]), np.eye(u.shape[0] // 2))
        return float(np.linalg.norm((s @ u).T + s @ u))

    clean, flux = _model("none", 0.0, soc), _model("random", 1.0, soc)
    assert violation(_step_matrix(clean, lattice_2d_disorder(clean, 4, 0))) < TOL
    assert violation(_step_matrix(flux, lattice_2d_disorder(flux, 4, 0))) > 1.0


def test_transpiled_template_binds_to_the_reference():
    model = _model("uniform", 1.0, 0.5)
    template = Lattice2dTemplate.build(model, 2, "site")
    compiled = transpile_to_target(template.circuit, "all-to-all")
    names = [p.name for p in compiled.parameters]
    assert names == [p.name for p in template.circuit.parameters]
    for realisation in range(2):
        disorder = lattice_2d_disorder(model, 5, realisation)
        psi = simulate_statevector(compiled.assign_parameters(
            template.values(disorder, (2, 3), 1)))
        expected = lattice_2d_states(model, disorder, site_state(model, (2, 3), 1), [2])[2]
        np.testing.assert_allclose(psi, expected, atol=TOL)


@pytest.mark.parametrize("kind", ["plane-wave", "site"])
def test_zero_steps_prepare_the_start_exactly(kind):
    model = _model("none", 0.0, 0.2, m=3)
    template = Lattice2dTemplate.build(model, 0, kind)
    disorder = lattice_2d_disorder(model, 0, 0)
    for start, spin in [((0, 0), 0), ((5, 3), 1), ((7, 6), 0)]:
        psi = simulate_statevector(template.bind(disorder, start, spin))
        np.testing.assert_allclose(psi, _start_state(model, kind, start, spin), atol=TOL)


@pytest.mark.parametrize("flux,strength", [("random", 0.6), ("uniform", 1.0)])
@pytest.mark.parametrize("axis", ["x", "y"])
def test_gauge_and_twisted_band_reproduce_each_ring(flux, strength, axis):
    """One ring block exp(-i H_ring tau) from the circuit's band equals the explicit ring."""
    model = _model(flux, strength, 0.8)
    disorder = lattice_2d_disorder(model, 3, 0)
    a = disorder.a_x if axis == "x" else disorder.a_y.T
    side, tau = model.side, 0.9
    rings = ring_hamiltonians(model, a, axis)
    chi, phi = ring_gauge(a)
    for r in range(side):
        circuit = QuantumCircuit(model.axis_qubits + 1)
        ring, spin = list(circuit.qubits[:-1]), circuit.qubits[-1]
        phases, rotations = band_angles(model, tau, phi[r:r + 1])
        append_qft(circuit, ring)
        append_band(circuit, axis, ring, spin, diagonal_angles(phases),
                    rotation_angles(rotations))
        append_qft(circuit, ring, inverse=True)
        gauge = np.diag(np.tile(np.exp(1j * chi[r]), 2))
        u = gauge @ Operator(circuit).data @ gauge.conj().T
        w, v = np.linalg.eigh(rings[r])
        np.testing.assert_allclose(u, v @ np.diag(np.exp(-1j * tau * w)) @ v.conj().T,
                                   atol=TOL)


@pytest.mark.parametrize("soc", [None, 0.35])
def test_momentum_frame_gives_the_reference_momentum_distribution(soc):
    model = _model("random", 1.0, soc)
    template = Lattice2dTemplate.build(model, 2, "plane-wave")
    disorder = lattice_2d_disorder(model, 8, 3)
    spin = 1 if model.spinful else 0
    circuit = template.bind(disorder, (1, 3), spin)
    append_momentum_frame(circuit)
    probabilities = np.abs(simulate_statevector(circuit)) ** 2
    psi = lattice_2d_states(model, disorder, plane_wave(model, (1, 3), spin), [2])[2]
    np.testing.assert_allclose(momentum_probabilities(probabilities, model.axis_qubits),
                               momentum_distribution(model, psi), atol=TOL)
    measured = measure_momentum(template.circuit)
    assert measured.count_ops()["measure"] == measured.num_qubits
    assert sorted(register_momenta(3)) == list(range(8))


def test_template_refuses_a_realisation_with_phases_it_cannot_carry():
    model = _model("random", 1.0, None)
    template = Lattice2dTemplate.build(model, 1)
    disorder = lattice_2d_disorder(model, 0, 0)
    with pytest.raises(ValueError, match="draw it from the same model"):
        template.values(Lattice2dDisorder(disorder.energies, disorder.a_x, disorder.a_x), (0, 0))
    with pytest.raises(ValueError, match="spin must be 0 or 1"):
        template.values(disorder, (0, 0), spin=1)


def test_one_template_serves_every_start_and_realisation():
    model = _model("none", 0.0, 0.5)
    template = Lattice2dTemplate.build(model, 4)
    vectors = {p.name.split("[")[0] for p in template.circuit.parameters}
    assert vectors == {"start", "spin", "diag_first", "diag_full", "diag_last"}
    flux = Lattice2dTemplate.build(_model("uniform", 1.0, 0.5), 4)
    vectors = {p.name.split("[")[0] for p in flux.circuit.parameters}
    assert vectors == {"start", "spin", "diag_first", "diag_full", "diag_last", "diag_gauge",
                       "band_x", "band_y", "spin_x", "spin_y"}
