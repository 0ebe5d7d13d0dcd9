"""Walsh-phase disorder layers (RZ and CX; P and CP in the concrete form) equal their
references to 1e-10: the layer alone, the bound template, the concrete circuit, and the walk
built from either."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.quantum_info import Operator

from qwalk_circuits.circuits.disordered_walk import DisorderedWalkTemplate, build_disordered_walk
from qwalk_circuits.circuits.multiplexor import (
    append_walsh_phase,
    walsh_angle_count,
    walsh_angles,
)
from qwalk_circuits.circuits.phase_polynomial import bit_polynomial, degree
from qwalk_circuits.core.disorder import walk_disorder, walsh_phase_field, walsh_terms
from qwalk_circuits.core.states import gaussian_packet
from qwalk_circuits.execution.runner import simulate_statevector
from qwalk_circuits.reference.disordered import disordered_walk_states
from tests.conftest import random_state, random_unitary

TOL = 1e-10


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("qubits", [1, 3, 5])
def test_walsh_layer_is_exact_bound_or_not_and_costs_two_cx_per_pair(qubits, order):
    rng = np.random.default_rng(10 * qubits + order)
    terms = walsh_terms(qubits, order)
    phases = walsh_phase_field(rng.uniform(-np.pi, np.pi, len(terms)), qubits, order) + 0.7
    angles = walsh_angles(phases, order)
    assert len(angles) == walsh_angle_count(qubits, order)
    concrete = QuantumCircuit(qubits)
    append_walsh_phase(concrete, concrete.qubits, angles, order)
    template = QuantumCircuit(qubits)
    vector = ParameterVector("w", walsh_angle_count(qubits, order))
    append_walsh_phase(template, template.qubits, vector, order)
    bound = template.assign_parameters(dict(zip(vector, angles, strict=True)))
    for circuit in (concrete, bound):  # the global phase 0.7 included
        np.testing.assert_allclose(Operator(circuit).data, np.diag(np.exp(1j * phases)),
                                   atol=TOL)
    pairs = qubits * (qubits - 1) // 2 if order == 2 else 0
    assert dict(concrete.count_ops()) == {"rz": qubits + pairs, **({"cx": 2 * pairs}
                                                                   if pairs else {})}


def test_walsh_angles_refuse_a_phase_of_higher_degree():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="degree 3 > 2"):
        walsh_angles(rng.uniform(-np.pi, np.pi, 8), 2)
    order_two = walsh_phase_field(rng.uniform(-np.pi, np.pi, 6), 3, 2)
    with pytest.raises(ValueError, match="degree 2 > 1"):
        walsh_angles(order_two, 1)


@pytest.mark.parametrize("order", [1, 2])
def test_walsh_disorder_has_its_degree_bounds_and_prefix_layers(order):
    n = 5
    long = walk_disorder(4, 1, 1 << n, 6, 0.3, "walsh-phase", order)
    short = walk_disorder(4, 1, 1 << n, 2, 0.3, "walsh-phase", order)
    assert long.phases is not None and short.phases is not None and long.coin_angles is None
    np.testing.assert_array_equal(long.phases[:2], short.phases)
    np.testing.assert_array_equal(long.phases[:, 0], long.phases[:, 1])  # coin-independent
    for layer in long.phases[:, 0]:
        coefficients = bit_polynomial(layer, n)
        assert degree(coefficients) == order
        assert () not in coefficients  # phi(0) = 0: no global phase drawn
        # the a_S are uniform in strength * [-pi, pi): Moebius recovers them unreduced
        assert max(abs(c) for c in coefficients.values()) <= 0.3 * np.pi
    other = walk_disorder(4, 2, 1 << n, 2, 0.3, "walsh-phase", order)
    assert not np.allclose(other.phases, short.phases)
    with pytest.raises(ValueError, match="2\\^n sites"):
        walk_disorder(0, 0, 12, 1, 1.0, "walsh-phase", 1)


def _walk_state(circuit: QuantumCircuit, n: int) -> np.ndarray:
    return simulate_statevector(circuit).reshape(2, 1 << n)  # fourier: site labels


@pytest.mark.parametrize("construction", ["fourier", "fourier-line"])
@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("static", [True, False])
def test_walsh_walk_template_and_concrete_circuit_equal_the_reference(order, static,
                                                                      construction):
    rng = np.random.default_rng(zlib.crc32(f"walsh{order}{static}".encode()))
    n, steps = 4, 5
    coin, coin_state = random_unitary(rng, 2), random_state(rng, 2)
    position = gaussian_packet(1 << n, 6, 1.5, 0.4)
    template = DisorderedWalkTemplate.build(coin, position, coin_state, steps, n, construction,
                                            "walsh-phase", static, walsh_order=order)
    vectors = 1 if static else steps
    clean = build_disordered_walk(coin, position, coin_state, steps, n, construction)
    assert template.circuit.num_parameters == vectors * walsh_angle_count(n, order)
    for realisation in range(2):
        disorder = walk_disorder(11, realisation, 1 << n, 1 if static else steps, 1.0,
                                 "walsh-phase", order)
        assert disorder.phases is not None
        expected = disordered_walk_states(coin, np.outer(coin_state, position), [steps],
                                          disorder.phases)[steps]
        np.testing.assert_allclose(_walk_state(template.bind(disorder), n), expected, atol=TOL)
        layers = [disorder.phases[disorder.layer(s), 0] for s in range(steps)]
        concrete = build_disordered_walk(coin, position, coin_state, steps, n, construction,
                                         site_phases=layers)
        added = dict(concrete.count_ops())
        for name, count in clean.count_ops().items():
            added[name] -= count
        assert {k: v for k, v in added.items() if v} == {  # P and CP gates, no DiagonalGate
            "p": steps * n, **({"cp": steps * n * (n - 1) // 2} if order == 2 else {})}
        np.testing.assert_allclose(_walk_state(concrete, n), expected, atol=TOL)


def test_walsh_layers_need_site_labels():
    coin = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    with pytest.raises(ValueError, match="fourier"):
        DisorderedWalkTemplate.build(coin, gaussian_packet(8, 4, 1.0, 0.0), np.array([1, 0]),
                                     2, 3, "increment", "walsh-phase", True)
