"""The one compiler of a target: costs constructions for ``auto`` and compiles what runs.

A circuit object is transpiled at most once: pricing a construction and running the
chosen circuit hand the same object to :meth:`Compiler.transpile`, which returns the
ISA circuit it already made (``calls`` counts the pass-manager runs, for tests and
benchmarks).
"""

from __future__ import annotations

from typing import Any

from qiskit import QuantumCircuit


class Compiler:
    """A pass manager with a per-circuit cache, named for reports (``str(compiler)``)."""

    def __init__(self, name: str, manager: Any) -> None:
        self.name = name
        self.manager = manager
        self.calls = 0
        # id -> (circuit, ISA): the circuit is kept so that its id is never reused
        self._cache: dict[int, tuple[QuantumCircuit, QuantumCircuit]] = {}

    def transpile(self, circuit: QuantumCircuit) -> QuantumCircuit:
        """The ISA circuit of ``circuit`` (compiled once per circuit object)."""
        hit = self._cache.get(id(circuit))
        if hit is not None and hit[0] is circuit:
            return hit[1]
        self.calls += 1
        isa = self.manager.run(circuit)
        self._cache[id(circuit)] = (circuit, isa)
        return isa

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Compiler({self.name!r}, calls={self.calls})"


#: what experiments build and price their circuits for: a target name (``all-to-all``,
#: ``line``, a fake device, a config) or a running target's own compiler
ConstructionTarget = str | Compiler
