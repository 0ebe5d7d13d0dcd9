"""Prepared states whose phase is a real vector times a degree-1 phase: P gates, exact."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector

from qwalk_circuits.circuits.amplitude_prep import append_amplitudes
from qwalk_circuits.circuits.fourier_frame import fourier_frame_amplitudes
from qwalk_circuits.circuits.state_phase import STATE_PHASE_ATOL, real_times_phase
from qwalk_circuits.core.states import gaussian_packet
from qwalk_circuits.execution.resources import circuit_stats, transpile_to_target

ATOL = 1e-10


def _prepared(vector: np.ndarray) -> tuple[QuantumCircuit, np.ndarray]:
    n = int(np.log2(vector.size))
    circuit = QuantumCircuit(n)
    append_amplitudes(circuit, list(circuit.qubits), vector)
    return circuit, Statevector(circuit).data


def _gaussian(n: int, centre: float, momentum: float, frame: bool) -> np.ndarray:
    psi = gaussian_packet(1 << n, centre, min(4.0, (1 << n) / 8), momentum)
    return fourier_frame_amplitudes(psi, 1, n) if frame else psi


@pytest.mark.parametrize("frame", [False, True])
@pytest.mark.parametrize(("n", "centre", "momentum"),
                         [(3, 4, 0.0), (6, 32, 0.0), (7, 64, 0.7), (7, 3, -2.5), (8, 128.3, 1.1),
                          (8, 0, 0.4), (9, 200, 2.0)])
def test_gaussian_packet_phase_is_single_qubit_gates_and_exact(n, centre, momentum, frame):
    """Position basis and Fourier frame: no DiagonalGate, no two-qubit gate beyond the RY
    cascade's, and the prepared state equals the reference amplitudes to 1e-10."""
    want = _gaussian(n, centre, momentum, frame)
    circuit, got = _prepared(want)
    np.testing.assert_allclose(got, want, atol=ATOL, rtol=0)
    names = circuit.count_ops()
    assert "diagonal" not in names and "cp" not in names and names.get("p", 0) <= n
    magnitudes_only = QuantumCircuit(n)
    append_amplitudes(magnitudes_only, list(magnitudes_only.qubits), np.abs(want))
    two_qubit = [circuit_stats(transpile_to_target(c, "all-to-all"))["two_qubit_gates"]
                 for c in (circuit, magnitudes_only)]
    assert two_qubit[0] <= two_qubit[1]


def test_position_packet_coefficients_are_the_momentum_kick():
    """exp(i k0 (x - N/2)): qubit j carries k0 2^j (mod pi: a sign goes to the real part)."""
    n, k0 = 6, 0.83
    _real, terms = real_times_phase(_gaussian(n, 32, k0, frame=False), n)
    for j in range(n):
        assert np.isclose(np.exp(2j * terms[(j,)]), np.exp(2j * k0 * 2**j), atol=1e-12)


def test_real_vector_of_either_sign_needs_no_phase_gate():
    rng = np.random.default_rng(3)
    vector = rng.normal(size=32)
    vector /= np.linalg.norm(vector)
    circuit, got = _prepared(vector)
    np.testing.assert_allclose(got, vector, atol=ATOL, rtol=0)
    assert not {"p", "diagonal"} & set(circuit.count_ops())


def test_a_phase_off_the_line_on_a_small_amplitude_is_refused():
    """A degree-1 phase everywhere but one entry of amplitude 1e-6 turned by 1 rad is not
    degree 1 to 1e-12: the split is refused and the exact diagonal built instead."""
    n = 5
    vector = _gaussian(n, 16, 0.6, frame=False).astype(complex)
    assert real_times_phase(vector, n) is not None
    vector[3] = 1e-6 * np.exp(1j * (np.angle(vector[3]) + 1.0))
    vector /= np.linalg.norm(vector)
    assert real_times_phase(vector, n) is None
    _circuit, got = _prepared(vector)
    np.testing.assert_allclose(got, vector, atol=ATOL, rtol=0)


def test_the_split_is_held_to_its_tolerance():
    """What the split returns makes the state to STATE_PHASE_ATOL; a wrong coefficient would
    not (the check the exactness rests on is not vacuous)."""
    n = 7
    vector = _gaussian(n, 50, 0.7, frame=True)
    real, terms = real_times_phase(vector, n)
    x = np.arange(1 << n)

    def rebuilt(coefficients: dict[tuple[int, ...], float]) -> np.ndarray:
        phase = coefficients.get((), 0.0) + sum(
            (a * ((x >> s[0]) & 1) for s, a in coefficients.items() if s), np.zeros(x.size))
        return real * np.exp(1j * phase)

    assert np.linalg.norm(rebuilt(terms) - vector) <= STATE_PHASE_ATOL
    assert len(terms) > 1  # a phase on some qubit, not only a global one
    wrong = dict(terms)
    wrong[(n - 1,)] = wrong.get((n - 1,), 0.0) + 1e-3  # k's bit 0: it varies across the packet
    assert np.linalg.norm(rebuilt(wrong) - vector) > 1e3 * STATE_PHASE_ATOL


@pytest.mark.parametrize("n", [2, 4])
def test_generic_and_quadratic_phases_stay_exact(n):
    """No degree-1 split: a random state (DiagonalGate) and a chirp exp(i a x^2) with every
    amplitude large (its exact degree 2: CP gates) are still prepared exactly."""
    rng = np.random.default_rng(n)
    generic = rng.normal(size=1 << n) + 1j * rng.normal(size=1 << n)
    chirp = np.exp(0.37j * np.arange(1 << n) ** 2) * (1 + 0.2 * rng.random(1 << n))
    for vector in (generic, chirp):
        vector = vector / np.linalg.norm(vector)
        assert real_times_phase(vector, n) is None
        circuit, got = _prepared(vector)
        np.testing.assert_allclose(got, vector, atol=ATOL, rtol=0)
    assert "diagonal" not in circuit.count_ops()  # the chirp: phase gates
