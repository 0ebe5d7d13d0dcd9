"""Small settings of every registered experiment, shared by the golden snapshots and the
contract test: each runs in about a second on Aer (exact or sampled) and on fake_fez."""

from __future__ import annotations

from typing import Any

#: experiment name -> settings small enough for a fast test, still showing its physics
SMALL: dict[str, dict[str, Any]] = {
    "coined-walk": {"position_qubits": 3, "steps": 4},
    "ctqw": {"position_qubits": 3, "time": 2.0, "time_steps": 4},
    "free-packet": {"position_qubits": 4, "sigma0": 1.5, "time": 4.0, "time_steps": 4},
    "dephasing": {"position_qubits": 3, "time": 2.0, "time_steps": 4, "kick_trajectories": 4},
    "coin-dephasing": {"position_qubits": 3, "steps": 4, "kick_trajectories": 4},
    "position-dephasing": {"position_qubits": 3, "steps": 4, "kick_trajectories": 4},
    "anderson-walk": {"position_qubits": 3, "steps": 4, "realisations": 3},
    "anderson-ctqw": {"position_qubits": 3, "time": 2.0, "time_steps": 4, "realisations": 3},
    "anderson-chain": {"sites": 5, "time": 1.6, "time_steps": 2, "realisations": 3},
    "kicked-rotor": {"momentum_qubits": 4, "kick_strength": 1.0, "kicks": 3,
                     "quasi_momenta": 2},
    "kicked-rotor-resonance": {"momentum_qubits": 4, "kick_strength": 1.0, "kicks": 3},
    "sawtooth-map": {"momentum_qubits": 4, "kick_strength": 1.0, "kicks": 3,
                     "quasi_momenta": 2},
    "backscattering": {"lattice_qubits_per_axis": 3, "time": 1.0, "dt": 0.5,
                       "realisations": 9, "k0": [1, 2]},
    "return-probability": {"lattice_qubits_per_axis": 2, "time": 2.0, "dt": 0.5,
                           "realisations": 9},
}
