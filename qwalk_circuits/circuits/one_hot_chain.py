"""The Anderson chain in the one-hot encoding: qubit x holds the walker at site x.

N qubits are the N sites of an open chain and the walker is the single excitation.  An
on-site energy is one RZ per qubit (RZ(l) gives |x> the relative phase e^{i l}: l = -eps dt),
no two-qubit gate, whatever the potential; a bond is XX+YY(-2 J dt), which on one
excitation is exp(+i J dt (|x><x+1| + h.c.)).  A step is every RZ, then the even bonds, then
the odd ones (``reference/one_hot_chain.py``): a brickwork of N - 1 two-qubit gates on a
line, which a heavy-hex device holds with no SWAP.  A ring (even N) adds the closing bond
(N-1, 0) to the odd ones: N gates on a cycle, which heavy-hex holds with no SWAP only where
it has a cycle of N qubits (12, 20, 24, 28, ...; never 16: ``execution/chain_layout.py``).
A shot with other than one excitation cannot come from the model: the experiment discards
it (post-selection, an error check).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import XXPlusYYGate


@dataclass
class OneHotChainTemplate:
    """``steps`` brickwork steps from site ``start``, the on-site phases as parameters (one
    per site when static, one per site and step when dynamic)."""

    circuit: QuantumCircuit
    steps: int
    static: bool

    @classmethod
    def build(cls, sites: int, start: int, hopping: float, dt: float, steps: int,
              static: bool, measured: bool = True, ring: bool = False
              ) -> OneHotChainTemplate:
        if ring and (sites % 2 or sites < 4):
            raise ValueError(f"a ring needs an even number of sites (at least 4), not {sites}")
        layers = 0 if steps == 0 else (1 if static else steps)
        phases = ParameterVector("phase", layers * sites)
        circuit = QuantumCircuit(sites, sites if measured else 0, name=f"chain-{steps}")
        circuit.x(start)
        bond = XXPlusYYGate(-2 * hopping * dt)
        for step in range(steps):
            row = 0 if static else step
            for x in range(sites):
                circuit.rz(phases[row * sites + x], x)
            for parity in (0, 1):
                for x in range(parity, sites if ring else sites - 1, 2):
                    circuit.append(bond, [x, (x + 1) % sites])
        if measured:
            circuit.measure(range(sites), range(sites))
        circuit.metadata = {"construction": "one-hot-brickwork", "steps": steps,
                            "sites": sites, "ring": ring}
        return cls(circuit, steps, static)

    def values(self, energies: np.ndarray, dt: float) -> np.ndarray:
        """The parameter values of one realisation: -eps dt per site (and step);
        ``energies`` (layers, sites) as drawn for the whole run."""
        if self.steps == 0:
            return np.zeros(0)
        used = energies[:1] if self.static else energies[: self.steps]
        return (-dt * used).ravel()


def one_hot_sites(vector: np.ndarray, sites: int) -> np.ndarray:
    """The entries of a 2^sites outcome vector (probabilities, or a readout-mitigated
    quasi-distribution) on the one-excitation outcomes 1 << x, per site x."""
    return np.asarray(vector, dtype=float)[1 << np.arange(sites)]
