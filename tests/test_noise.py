"""Every Aer noise layer equals its exact twin in reference/dephasing.py (density matrix)."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qiskit_aer.library import SetDensityMatrix

from qwalk_circuits.circuits import noise
from qwalk_circuits.reference.dephasing import hamming_mask, site_dephasing

ATOL = 1e-12


def random_density(rng, dim):
    a = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    rho = a @ a.conj().T
    return rho / np.trace(rho)


def apply_layer(rho, layer, errors):
    """Aer density matrix of the register after the layer (environment qubits start in |0>)."""
    n = int(np.log2(rho.shape[0]))
    extra = layer.num_qubits - n
    env = np.zeros((1 << extra, 1 << extra))
    env[0, 0] = 1
    circuit = QuantumCircuit(layer.num_qubits)
    circuit.append(SetDensityMatrix(DensityMatrix(np.kron(env, rho))), circuit.qubits)
    circuit.compose(layer, inplace=True)
    circuit.save_density_matrix(qubits=list(range(n)))
    backend = AerSimulator(method="density_matrix", noise_model=noise.noise_model(errors))
    compiled = generate_preset_pass_manager(0, backend=backend).run(circuit)
    return np.asarray(backend.run(compiled).result().data()["density_matrix"])


@pytest.mark.parametrize("n", [1, 3, 5])
@pytest.mark.parametrize("p", [0.0, 0.37, 1.0])
def test_site_dephasing_layer_is_the_hsr_channel(n, p):
    rho = random_density(np.random.default_rng(n), 1 << n)
    got = apply_layer(rho, noise.site_dephasing_layer(n), noise.site_dephasing_errors(p))
    np.testing.assert_allclose(got, site_dephasing(rho, p), atol=ATOL)


@pytest.mark.parametrize("lam", [0.0, 0.2, 1.0])
def test_phase_damping_layer_decays_with_hamming_distance(lam):
    rho = random_density(np.random.default_rng(7), 8)
    got = apply_layer(rho, noise.phase_damping_layer(3), noise.phase_damping_errors(lam))
    np.testing.assert_allclose(got, rho * hamming_mask(3, lam), atol=ATOL)


@pytest.mark.parametrize("qubits", [1, 2])
def test_coin_dephasing_layer(qubits):
    rho = random_density(np.random.default_rng(qubits), 1 << qubits)
    p = 0.6
    got = apply_layer(rho, noise.coin_dephasing_layer(qubits),
                      noise.coin_dephasing_errors(p, qubits))
    np.testing.assert_allclose(got, site_dephasing(rho, p), atol=ATOL)


def test_hamming_mask_of_neighbouring_sites():
    """Sites 3 and 4 differ in three bits: under phase damping they lose coherence three
    times faster than sites 2 and 3 (one bit), unlike site dephasing, which treats all
    pairs alike (the experiments test show the walks differ)."""
    mask = hamming_mask(3, 0.5)
    assert mask[3, 4] == pytest.approx(0.5**1.5)
    assert mask[2, 3] == pytest.approx(0.5**0.5)


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_strength_outside_unit_interval_is_refused(bad):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        noise.site_dephasing_errors(bad)
