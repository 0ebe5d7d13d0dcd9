"""Prototype, outside the package: the Anderson chain in the one-hot (single-excitation)
encoding on fake_fez, to decide whether it is worth building (issue 15, Anderson row).

N qubits are N sites of an open chain; on-site energies are RZ (no two-qubit gate),
hopping is XX+YY(2 theta) on even then odd bonds (a brickwork split step, which maps
onto a heavy-hex line with no SWAP), and shots whose Hamming weight is not 1 are
discarded (error detection).  The reference is the same brickwork on the N-dimensional
single-excitation space, in numpy.  Not the device path: plain ``transpile`` and
``AerSimulator.from_backend``, no readout mitigation, no ZNE.

    python -m benchmarks.prototype_unary_anderson --sites 12 --steps 6 --W 3 --members 6
"""

from __future__ import annotations

import argparse

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import XXPlusYYGate
from qiskit_aer import AerSimulator
from qiskit_ibm_runtime.fake_provider import FakeFez


def chain_circuit(energies: np.ndarray, theta: float, start: int) -> QuantumCircuit:
    """One excitation at ``start``; per step RZ(eps) on every site, then the brickwork."""
    steps, sites = energies.shape
    circuit = QuantumCircuit(sites, sites)
    circuit.x(start)
    for t in range(steps):
        for q in range(sites):
            circuit.rz(energies[t, q], q)
        for parity in (0, 1):
            for q in range(parity, sites - 1, 2):
                circuit.append(XXPlusYYGate(2 * theta), [q, q + 1])
    circuit.measure(range(sites), range(sites))
    return circuit


def chain_reference(energies: np.ndarray, theta: float, start: int) -> np.ndarray:
    """The same steps on the single-excitation amplitudes (RZ: relative phase e^{i eps})."""
    steps, sites = energies.shape
    psi = np.zeros(sites, complex)
    psi[start] = 1
    for t in range(steps):
        psi = psi * np.exp(1j * energies[t])
        for parity in (0, 1):
            for q in range(parity, sites - 1, 2):
                a, b = psi[q], psi[q + 1]
                psi[q] = np.cos(theta) * a - 1j * np.sin(theta) * b
                psi[q + 1] = np.cos(theta) * b - 1j * np.sin(theta) * a
    return np.abs(psi) ** 2


def sigma(p: np.ndarray) -> float:
    x = np.arange(p.size)
    mean = p @ x
    return float(np.sqrt(p @ (x - mean) ** 2))


def postselected(counts: dict[str, int], sites: int) -> tuple[np.ndarray, float]:
    """The site distribution of the weight-1 shots and the fraction kept."""
    p = np.zeros(sites)
    for key, value in counts.items():
        bits = key.replace(" ", "")
        if bits.count("1") == 1:
            p[sites - 1 - bits.index("1")] += value
    kept = p.sum()
    return p / kept, float(kept / sum(counts.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--W", type=float, default=3.0)
    parser.add_argument("--theta", type=float, default=np.pi / 4)
    parser.add_argument("--members", type=int, default=6)
    parser.add_argument("--shots", type=int, default=2000)
    args = parser.parse_args()
    backend = FakeFez()
    simulator = AerSimulator.from_backend(backend, seed_simulator=1)
    rng = np.random.default_rng(0)
    start, shape = args.sites // 2, (args.steps, args.sites)
    for kind in ("none", "static", "dynamic"):
        exact, device, kept, gates = [], [], [], 0
        for _ in range(1 if kind == "none" else args.members):
            if kind == "none":
                energies = np.zeros(shape)
            elif kind == "static":
                energies = np.tile(rng.uniform(-args.W / 2, args.W / 2, args.sites),
                                   (args.steps, 1))
            else:
                energies = rng.uniform(-args.W / 2, args.W / 2, shape)
            compiled = transpile(chain_circuit(energies, args.theta, start), backend,
                                 optimization_level=3, seed_transpiler=1)
            gates = compiled.count_ops().get("cz", 0)
            counts = simulator.run(compiled, shots=args.shots).result().get_counts()
            p, fraction = postselected(counts, args.sites)
            exact.append(sigma(chain_reference(energies, args.theta, start)))
            device.append(sigma(p))
            kept.append(fraction)
        error = np.std(device, ddof=1) / np.sqrt(len(device)) if len(device) > 1 else 0.0
        print(f"{kind:8s} sigma exact {np.mean(exact):.3f}  device {np.mean(device):.3f}"
              f" ± {error:.3f} (members' spread)  kept {np.mean(kept):.2f}  cz {gates}")
    print(f"uniform sigma {np.sqrt((args.sites**2 - 1) / 12):.3f}")


if __name__ == "__main__":
    main()
