"""Aer noise models for the dephasing channels, placed on labelled marker instructions.

A circuit marks where the physics dephases with an identity gate carrying a
label (:func:`marker`); the noise model attaches the channel to that label,
so the noise acts exactly there and nowhere else.  Each channel has an exact
twin in ``reference/dephasing.py``.

- site dephasing (strength p): (1 - p) rho + p diag(rho), written as a
  mixture of Z strings: diag(rho) = 2^-n sum_s Z^s rho Z^s;
- coin dephasing (probability p): the same channel on the coin qubit(s);
- phase damping (lambda per qubit): Aer's per-qubit phase damping, the
  hardware-like channel (it is *not* site dephasing: coherences decay with
  the Hamming distance between the sites' bit strings).
"""

from __future__ import annotations

import itertools

import numpy as np
from qiskit.circuit.library import UnitaryGate
from qiskit_aer.noise import NoiseModel, QuantumError, pauli_error, phase_damping_error

SITE_DEPHASING = "dephase_site"
COIN_DEPHASING = "dephase_coin"
PHASE_DAMPING = "damp_phase"
NOISE_LABELS = (SITE_DEPHASING, COIN_DEPHASING, PHASE_DAMPING)
# the markers are identity unitaries: keep "unitary" in the basis so the
# transpiler (optimization level <= 1) leaves them where they are
NOISY_BASIS = ("cx", "rz", "sx", "x", "unitary")


def marker(label: str, num_qubits: int) -> UnitaryGate:
    """An identity gate that a noise model recognises by ``label``."""
    return UnitaryGate(np.eye(1 << num_qubits), label=label)


def site_dephasing_error(num_qubits: int, p: float) -> QuantumError:
    """(1 - p) rho + p diag(rho) on ``num_qubits`` qubits, as a Pauli Z-string mixture."""
    if not 0 <= p <= 1:
        raise ValueError(f"dephasing strength must lie in [0, 1], got {p}")
    weight = p / (1 << num_qubits)
    terms = [("".join(z), weight) for z in itertools.product("IZ", repeat=num_qubits)]
    terms[0] = ("I" * num_qubits, 1 - p + weight)
    return pauli_error([t for t in terms if t[1] > 0])


def phase_damping_register_error(num_qubits: int, lam: float) -> QuantumError:
    """Independent phase damping of strength ``lam`` on each of ``num_qubits`` qubits."""
    single = phase_damping_error(lam)
    error = single
    for _ in range(num_qubits - 1):
        error = error.tensor(single)
    return error


def noise_model(errors: dict[str, QuantumError]) -> NoiseModel:
    """A noise model that applies each error on the marker with that label."""
    model = NoiseModel(basis_gates=list(NOISY_BASIS))
    for label, error in errors.items():
        model.add_all_qubit_quantum_error(error, label)
    return model
