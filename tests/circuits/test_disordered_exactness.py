"""Disordered circuits equal their references for fixed realisations (1e-10, exact mode)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import U3Gate
from qiskit.quantum_info import Operator

from qwalk_circuits.circuits.anderson_ctqw import AndersonCtqwTemplate
from qwalk_circuits.circuits.disordered_walk import DisorderedWalkTemplate
from qwalk_circuits.circuits.multiplexor import (
    append_diagonal,
    append_u3_multiplexor,
    diagonal_angle_count,
    diagonal_angles,
    u3_multiplexor_angle_count,
    u3_multiplexor_angles,
)
from qwalk_circuits.core.coins import resolve_coin, resolve_coin_state
from qwalk_circuits.core.disorder import onsite_energies, walk_disorder
from qwalk_circuits.core.states import gaussian_packet, site_state
from qwalk_circuits.execution.runner import simulate_statevector
from qwalk_circuits.reference.coined_walk import coined_walk_states
from qwalk_circuits.reference.disordered import (
    anderson_exact_states,
    anderson_split_states,
    disordered_walk_states,
)
from tests.conftest import random_state, random_unitary

TOL = 1e-10


@pytest.mark.parametrize("qubits", [1, 2, 3, 5])
def test_diagonal_is_exact_bound_or_not_and_costs_2n_minus_2_cx(qubits):
    rng = np.random.default_rng(qubits)
    phases = rng.uniform(-np.pi, np.pi, 1 << qubits)
    concrete = QuantumCircuit(qubits)
    append_diagonal(concrete, concrete.qubits, diagonal_angles(phases))
    template = QuantumCircuit(qubits)
    vector = ParameterVector("a", diagonal_angle_count(qubits))
    append_diagonal(template, template.qubits, vector)
    bound = template.assign_parameters(dict(zip(vector, diagonal_angles(phases), strict=True)))
    for circuit in (concrete, bound):
        np.testing.assert_allclose(Operator(circuit).data, np.diag(np.exp(1j * phases)),
                                   atol=TOL)
    assert concrete.count_ops().get("cx", 0) == (1 << qubits) - 2


@pytest.mark.parametrize("controls", [0, 1, 3])
def test_u3_multiplexor_is_exact(controls):
    rng = np.random.default_rng(controls)
    theta, phi, lam = (rng.uniform(-np.pi, np.pi, 1 << controls) for _ in range(3))
    circuit = QuantumCircuit(controls + 1)
    angles = u3_multiplexor_angles(theta, phi, lam)
    assert len(angles) == u3_multiplexor_angle_count(controls)
    append_u3_multiplexor(circuit, circuit.qubits[0], circuit.qubits[1:], angles)
    expected = np.zeros((2 << controls, 2 << controls), dtype=complex)
    for i in range(1 << controls):
        expected[2 * i:2 * i + 2, 2 * i:2 * i + 2] = U3Gate(theta[i], phi[i], lam[i]).to_matrix()
    np.testing.assert_allclose(Operator(circuit).data, expected, atol=TOL)


def _walk_state(template: DisorderedWalkTemplate, disorder, n: int) -> np.ndarray:
    circuit = template.bind(disorder)
    state = simulate_statevector(circuit).reshape(2, 1 << n)
    return np.roll(state, -circuit.metadata["site_offset"], axis=1)  # register -> site


@pytest.mark.parametrize("construction", ["increment", "fourier", "fourier-line"])
@pytest.mark.parametrize("kind", ["phase", "coin-phase", "coin"])
@pytest.mark.parametrize("static", [True, False])
def test_disordered_walk_equals_reference(construction, kind, static):
    rng = np.random.default_rng(zlib.crc32(f"{construction}{kind}{static}".encode()))
    n, steps = 4, 5
    coin, coin_state = random_unitary(rng, 2), random_state(rng, 2)
    position = gaussian_packet(1 << n, 6, 1.5, 0.4)
    template = DisorderedWalkTemplate.build(coin, position, coin_state, steps, n, construction,
                                            kind, static)
    for realisation in range(2):
        disorder = walk_disorder(11, realisation, 1 << n, 1 if static else steps, 0.8, kind)
        expected = disordered_walk_states(coin, np.outer(coin_state, position), [steps],
                                          disorder.phases, disorder.coin_angles)[steps]
        np.testing.assert_allclose(_walk_state(template, disorder, n), expected, atol=TOL)


@pytest.mark.parametrize("n,steps", [(2, 3), (3, 8), (5, 4)])
def test_disordered_walk_at_zero_strength_is_the_clean_walk(n, steps):
    coin, coin_state = resolve_coin("hadamard", 1), resolve_coin_state("symmetric", 1)
    position = site_state(1 << n, 1 << (n - 1))
    template = DisorderedWalkTemplate.build(coin, position, coin_state, steps, n, "increment",
                                            "phase", True)
    clean = coined_walk_states(coin, np.outer(coin_state, position), [steps])[steps]
    np.testing.assert_allclose(_walk_state(template, walk_disorder(0, 0, 1 << n, 1, 0.0,
                                                                   "phase"), n), clean, atol=TOL)


def test_static_fourier_template_shares_one_parameter_vector():
    coin, coin_state = resolve_coin("hadamard", 1), resolve_coin_state("symmetric", 1)
    position = site_state(8, 4)
    shared = DisorderedWalkTemplate.build(coin, position, coin_state, 6, 3, "fourier", "phase",
                                          True)
    per_step = DisorderedWalkTemplate.build(coin, position, coin_state, 6, 3, "increment",
                                            "phase", True)
    assert shared.circuit.num_parameters == diagonal_angle_count(3)
    assert per_step.circuit.num_parameters == 6 * diagonal_angle_count(3)


def test_disorder_layers_are_prefixes_and_realisations_differ():
    long = walk_disorder(5, 2, 16, 10, 1.0, "coin")
    short = walk_disorder(5, 2, 16, 4, 1.0, "coin")
    np.testing.assert_array_equal(long.coin_angles[:4], short.coin_angles)
    assert not np.allclose(walk_disorder(5, 3, 16, 4, 1.0, "coin").coin_angles,
                           short.coin_angles)
    np.testing.assert_array_equal(onsite_energies(1, 0, 32, 2.0, 5)[0],
                                  onsite_energies(1, 0, 32, 2.0))
    phases = walk_disorder(5, 2, 16, 3, 0.25, "phase").phases
    assert np.all(np.abs(phases) <= 0.25 * np.pi)
    np.testing.assert_array_equal(phases[:, 0], phases[:, 1])  # coin-independent


@pytest.mark.parametrize("static", [True, False])
@pytest.mark.parametrize("slices", [0, 1, 2, 5])
def test_anderson_ctqw_template_equals_split_step_reference(static, slices):
    n, dt = 4, 0.37
    position = site_state(1 << n, 5)
    template = AndersonCtqwTemplate.build(position, 0.8, dt, slices, n, static)
    energies = onsite_energies(3, 1, 1 << n, 2.5, None if static else max(slices, 1))
    layers = energies[None] if static else energies
    circuit = template.circuit.assign_parameters(
        dict(zip(template.circuit.parameters, template.values(layers, dt), strict=True)))
    expected = anderson_split_states(position, 0.8, layers, dt, [slices])[slices]
    np.testing.assert_allclose(simulate_statevector(circuit), expected, atol=TOL)


def test_split_step_converges_to_exp_minus_iht_as_dt_squared():
    position = site_state(32, 16)
    energies = onsite_energies(0, 0, 32, 2.0)
    exact = anderson_exact_states(position, 1.0, energies, [4.0])[4.0]
    errors = [np.linalg.norm(anderson_split_states(position, 1.0, energies[None], 4.0 / k,
                                                   [k])[k] - exact) for k in (20, 40)]
    assert 3.6 < errors[0] / errors[1] < 4.4  # second order: halving dt quarters the error


def test_parameterized_template_transpiles_once_and_binds():
    coin, coin_state = resolve_coin("hadamard", 1), resolve_coin_state("symmetric", 1)
    template = DisorderedWalkTemplate.build(coin, site_state(8, 4), coin_state, 3, 3,
                                            "fourier", "coin", False)
    compiled = transpile(template.circuit, basis_gates=["cx", "rz", "sx", "x", "ry"],
                         optimization_level=1)
    assert compiled.num_parameters == template.circuit.num_parameters
