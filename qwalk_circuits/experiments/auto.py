"""`auto`: pick the construction with the fewest two-qubit gates on the target.

Step-by-step constructions cost a + b*T; both are read off transpiled
circuits at T = 1 and T = 2 (cached).  The fast-forwarded circuit has the
same shape for every T, but Qiskit simplifies its multiplexor when some U_k^T
coincide, so its cost is read off the circuit at the requested T itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from qiskit import QuantumCircuit

from ..execution.resources import circuit_stats, transpile_to_target

FLAT_IN_T = ("fast-forward",)


def estimated_two_qubit_cost(builder: Callable[[int, str], QuantumCircuit], steps: int,
                             construction: str, target: str,
                             cache: dict[tuple[str, str, int], int]) -> int:
    """Two-qubit gates of the construction at ``steps``, extrapolated from T = 1, 2."""
    def cost(t: int) -> int:
        key = (construction, target, t)
        if key not in cache:
            cache[key] = circuit_stats(transpile_to_target(builder(t, construction),
                                                           target))["two_qubit_gates"]
        return cache[key]
    if construction in FLAT_IN_T:
        return cost(steps)
    one, two = cost(1), cost(2)
    return one + (steps - 1) * (two - one)


def cheapest_construction(builder: Callable[[int, str], QuantumCircuit], steps: int,
                          target: str, constructions: Sequence[str],
                          cache: dict[tuple[str, str, int], int]) -> str:
    """The construction with the fewest estimated two-qubit gates (ties: listed order)."""
    if steps == 0:
        return constructions[0]
    costs = {c: estimated_two_qubit_cost(builder, steps, c, target, cache) for c in constructions}
    return min(constructions, key=lambda c: costs[c])
