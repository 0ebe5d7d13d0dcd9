"""Does a one-hot chain (or ring) sit on a device's qubits with one coupler per bond?

A one-hot chain of N sites needs N qubits in a line, a ring N qubits in a cycle of the
coupling map.  Heavy-hex has lines of every length but cycles of 12 qubits and of every
multiple of 4 from 20 only (each of its cycles is a honeycomb cycle of 6, 10, 12, ... with
every edge subdivided), so a 16-site ring cannot be placed there without SWAPs.  Qiskit's
VF2 layout finds the embedding when there is one; these helpers say afterwards whether
it did (:func:`routing_gates`, read off the ISA circuit) and which rings a device holds
(:func:`device_rings`, a subgraph search).
"""

from __future__ import annotations

import rustworkx as rx
from qiskit import QuantumCircuit
from qiskit.transpiler import CouplingMap

#: VF2 calls per ring length: a cycle that exists is found in far fewer, and a failed
#: search (no such cycle) grows exponentially with the length without a cap
SEARCH_CALLS = 100_000


def bond_of(x: int | None, y: int | None, sites: int, ring: bool) -> int | None:
    """The bond (its left site) joining sites x and y, or None: neighbours x, x + 1, and
    on a ring also N - 1, 0 (bond N - 1)."""
    if x is None or y is None:
        return None
    low, high = min(x, y), max(x, y)
    if high - low == 1:
        return low
    return sites - 1 if ring and (low, high) == (0, sites - 1) else None


def measured_sites(isa: QuantumCircuit) -> dict[int, int]:
    """Physical qubit -> the site (classical bit) it is measured into."""
    return {isa.find_bit(inst.qubits[0]).index: isa.find_bit(inst.clbits[0]).index
            for inst in isa.data if inst.operation.name == "measure"}


def routing_gates(isa: QuantumCircuit, sites: int, ring: bool) -> tuple[int, int]:
    """(routing, total): of the ISA circuit's ``total`` two-qubit gates, the ``routing``
    ones that act on a pair of qubits that is not a bond of the chain, sites read off the
    final measurements.  Without SWAPs every gate is on a bond, so routing > 0 proves the
    router added some; its count is not theirs (a SWAP moves sites, and the gates before
    it are then read against the wrong ones): compare the gate count with the SWAP-free
    one for that."""
    site_of = measured_sites(isa)
    routing = total = 0
    for inst in isa.data:
        if len(inst.qubits) != 2 or inst.operation.name in ("barrier", "delay"):
            continue
        total += 1
        a, b = (isa.find_bit(q).index for q in inst.qubits)
        if bond_of(site_of.get(a), site_of.get(b), sites, ring) is None:
            routing += 1
    return routing, total


def device_rings(coupling_map: CouplingMap, up_to: int = 40) -> list[int]:
    """The ring lengths 4..``up_to`` (even) found as cycles of the coupling map.  A length
    missing from the list was not found within :data:`SEARCH_CALLS` calls of the search:
    on heavy-hex that is every length it lacks (12 and the multiples of 4 from 20 are
    found, up to 100 sites and more on Heron)."""
    graph = coupling_map.graph.to_undirected(multigraph=False)
    return [n for n in range(4, up_to + 1, 2)
            if rx.is_subgraph_isomorphic(graph, rx.generators.cycle_graph(n), induced=False,
                                         call_limit=SEARCH_CALLS)]
