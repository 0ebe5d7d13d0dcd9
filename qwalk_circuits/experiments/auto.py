"""`auto`: pick the construction with the fewest two-qubit gates on the target.

Step-by-step constructions cost a + b*T; both are read off transpiled
circuits at T = 1 and T = 2 (cached).  The fast-forwarded circuit has the
same shape for every T, but Qiskit simplifies its multiplexor when some U_k^T
coincide, so its cost is read off the circuit at the requested T itself.

A ``-line`` construction (the frame's QFT synthesised for nearest-neighbour
hardware) differs from its plain twin in the QFTs alone, which cost 3 n(n-1)/2
CX against n(n-1) without routing: on ``all-to-all`` it always loses, so it is
not transpiled there (the resource report still lists it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from qiskit import QuantumCircuit

from ..circuits.coined_walk import LINE_SUFFIX
from ..execution.compiler import ConstructionTarget
from ..execution.resources import circuit_stats, transpile_to_target

FLAT_IN_T = ("fast-forward", "fast-forward-line")


def priced_constructions(constructions: Sequence[str], target: ConstructionTarget
                         ) -> list[str]:
    """The constructions ``auto`` compares on ``target``: all but the ``-line`` ones on
    all-to-all hardware, where they cannot win (see the module doc)."""
    if target != "all-to-all":
        return list(constructions)
    return [c for c in constructions if not c.endswith(LINE_SUFFIX)] or list(constructions)


def estimated_two_qubit_cost(builder: Callable[[int, str], QuantumCircuit], steps: int,
                             construction: str, target: ConstructionTarget,
                             cache: dict[tuple[str, ConstructionTarget, int], int]) -> int:
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
                          target: ConstructionTarget, constructions: Sequence[str],
                          cache: dict[tuple[str, ConstructionTarget, int], int],
                          rough_cost: Callable[[str], float] | None = None) -> str:
    """The construction with the fewest estimated two-qubit gates (ties: listed order).

    Step-by-step constructions are costed first; a flat-in-T one is transpiled
    only if ``rough_cost`` (a cheap formula) does not already put it above
    twice the best of them -- transpiling a large multiplexor takes minutes.
    """
    if steps == 0:
        return constructions[0]
    constructions = priced_constructions(constructions, target)
    costs = {c: estimated_two_qubit_cost(builder, steps, c, target, cache)
             for c in constructions if c not in FLAT_IN_T}
    best = min(costs.values(), default=float("inf"))
    for c in constructions:
        if c in FLAT_IN_T and (rough_cost is None or rough_cost(c) <= 2 * best):
            costs[c] = estimated_two_qubit_cost(builder, steps, c, target, cache)
    return min((c for c in constructions if c in costs), key=lambda c: costs[c])
