"""Register layout of a coined walk circuit: position qubits first, then the coin."""

from __future__ import annotations

from dataclasses import dataclass

from qiskit import QuantumCircuit, QuantumRegister
from qiskit.circuit import Qubit


@dataclass(frozen=True)
class WalkLayout:
    """Qubits of a walk on a cycle (1D) or torus (2D) of 2**axis_qubits sites per axis.

    Qubit order: x register (little-endian), then y register (2D), then the
    coin (one qubit in 1D, two in 2D, coin value c = c0 + 2 c1).  The flat
    statevector index is therefore ``x + L*y + L**d * c``.
    """

    dimension: int
    axis_qubits: int

    @property
    def side(self) -> int:
        return 1 << self.axis_qubits

    @property
    def position_qubit_count(self) -> int:
        return self.dimension * self.axis_qubits

    def new_circuit(self, name: str, with_coin: bool = True) -> QuantumCircuit:
        axes = [QuantumRegister(self.axis_qubits, label) for label in "xy"[: self.dimension]]
        coin = [QuantumRegister(self.dimension, "coin")] if with_coin else []
        return QuantumCircuit(*axes, *coin, name=name)

    @staticmethod
    def append_layer(circuit: QuantumCircuit, layer: QuantumCircuit, qubits: list[Qubit]) -> None:
        """Compose ``layer`` onto ``qubits``; its extra qubits go to an ``env`` register.

        Noise layers (see ``noise.py``) may carry environment qubits after the
        register they act on; the register is added once and reused.
        """
        extra = layer.num_qubits - len(qubits)
        env = next((reg for reg in circuit.qregs if reg.name == "env"), None)
        if extra and env is None:
            env = QuantumRegister(extra, "env")
            circuit.add_register(env)
        circuit.compose(layer, [*qubits, *(list(env)[:extra] if extra and env else [])],
                        inplace=True)

    @staticmethod
    def axes(circuit: QuantumCircuit) -> list[list[Qubit]]:
        """Position registers of a circuit made by :meth:`new_circuit`, x first."""
        return [list(reg) for reg in circuit.qregs if reg.name in ("x", "y")]

    @staticmethod
    def position(circuit: QuantumCircuit) -> list[Qubit]:
        return [q for axis in WalkLayout.axes(circuit) for q in axis]

    @staticmethod
    def coin(circuit: QuantumCircuit) -> list[Qubit]:
        return list(next(reg for reg in circuit.qregs if reg.name == "coin"))
