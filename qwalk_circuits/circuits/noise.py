"""Aer noise models for the dephasing channels, placed on labelled marker instructions.

A circuit marks where the physics dephases with identity gates carrying a
label (:func:`marker`); the noise model attaches the channel to that label,
so the noise acts exactly there and nowhere else.  Each channel has an exact
twin in ``reference/dephasing.py``.

- Site dephasing of strength p on a register, (1 - p) rho + p diag(rho)
  (the Haken-Strobl-Reineker channel): an environment qubit is reset, flipped
  to |1> with probability p (noise on an ``env`` marker), then each register
  qubit gets a CZ with it with probability 1/2 (noise on a two-qubit marker).
  With the environment at |1> every qubit is fully dephased, at |0> nothing
  happens: exactly the mixture, with only one- and two-qubit errors, so
  Aer's density-matrix method stays cheap (a 2^n-term Pauli error on the
  register is exact too, but Aer's density matrix method takes seconds per
  application at n = 6).
- Coin dephasing (probability p) on one coin qubit: Z with probability p/2.
- Phase damping (lambda per qubit): Aer's single-qubit phase damping on each
  position qubit, the hardware-like channel.  It is *not* site dephasing:
  coherences decay with the Hamming distance between the sites' bit strings.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import UnitaryGate
from qiskit_aer.noise import (
    NoiseModel,
    QuantumError,
    mixed_unitary_error,
    pauli_error,
    phase_damping_error,
)

SITE_DEPHASING = "dephase_site"
SITE_DEPHASING_ENV = "dephase_site_env"
COIN_DEPHASING = "dephase_coin"
PHASE_DAMPING = "damp_phase"
# Gates Aer simulates natively, so noisy circuits stay short (a diagonal is one
# instruction, not a hundred); "unitary" keeps the identity markers, which the
# runner transpiles at optimization level 0.  No "multiplexer": Aer's native
# one mishandles simplified UCGates.
NOISY_BASIS = ("cx", "cz", "cp", "mcx", "swap", "h", "p", "rz", "ry", "sx", "x", "z", "u",
               "unitary", "diagonal", "reset")
CZ = np.diag([1.0, 1.0, 1.0, -1.0]).astype(complex)


def marker(label: str, num_qubits: int = 1) -> UnitaryGate:
    """An identity gate that a noise model recognises by ``label``."""
    return UnitaryGate(np.eye(1 << num_qubits), label=label)


def _check_probability(p: float, what: str) -> None:
    if not 0 <= p <= 1:
        raise ValueError(f"{what} must lie in [0, 1], got {p}")


def site_dephasing_layer(num_qubits: int) -> QuantumCircuit:
    """Markers for site dephasing of ``num_qubits`` qubits; the last qubit is the environment."""
    layer = QuantumCircuit(num_qubits + 1, name="site_dephasing")
    env = num_qubits
    layer.reset(env)
    layer.append(marker(SITE_DEPHASING_ENV), [env])
    for q in range(num_qubits):
        layer.append(marker(SITE_DEPHASING, 2), [env, q])
    return layer


def site_dephasing_errors(p: float) -> dict[str, QuantumError]:
    """The errors of :func:`site_dephasing_layer` for strength p."""
    _check_probability(p, "site dephasing strength")
    flip = pauli_error([("X", p), ("I", 1 - p)]) if 0 < p < 1 else pauli_error(
        [("X" if p == 1 else "I", 1.0)])
    kick = mixed_unitary_error([(np.eye(4, dtype=complex), 0.5), (CZ, 0.5)])
    return {SITE_DEPHASING_ENV: flip, SITE_DEPHASING: kick}


def phase_damping_layer(num_qubits: int) -> QuantumCircuit:
    """One single-qubit marker per qubit, for independent phase damping."""
    layer = QuantumCircuit(num_qubits, name="phase_damping")
    for q in range(num_qubits):
        layer.append(marker(PHASE_DAMPING), [q])
    return layer


def phase_damping_errors(lam: float) -> dict[str, QuantumError]:
    _check_probability(lam, "phase damping lambda")
    return {PHASE_DAMPING: phase_damping_error(lam)}


def coin_dephasing_layer(num_qubits: int) -> QuantumCircuit:
    """Coin dephasing: one marker on the coin (1D), or site dephasing of both coin qubits."""
    if num_qubits == 1:
        layer = QuantumCircuit(1, name="coin_dephasing")
        layer.append(marker(COIN_DEPHASING), [0])
        return layer
    return site_dephasing_layer(num_qubits)


def coin_dephasing_errors(p: float, num_qubits: int) -> dict[str, QuantumError]:
    """(1 - p) rho + p sum_c P_c rho P_c on the coin: Z with probability p/2 on one qubit."""
    _check_probability(p, "coin dephasing probability")
    if num_qubits == 1:
        terms = [(label, w) for label, w in (("Z", p / 2), ("I", 1 - p / 2)) if w > 0]
        return {COIN_DEPHASING: pauli_error(terms)}
    return site_dephasing_errors(p)


def noise_model(errors: dict[str, QuantumError]) -> NoiseModel:
    """A noise model that applies each error on the markers with that label."""
    model = NoiseModel(basis_gates=list(NOISY_BASIS))
    for label, error in errors.items():
        model.add_all_qubit_quantum_error(error, label)
    return model
