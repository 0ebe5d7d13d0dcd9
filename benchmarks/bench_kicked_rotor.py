"""Two-qubit gates per kick of the kicked-rotor constructions, against n, on each target.

For each target and n momentum qubits, the parameterized template of each
device construction (``circuits/kicked_rotor.py``; ``fused``, the simulator's
form, is left out; K = 5, kbar = 1, the quasi-momentum left as parameters, as
the experiment transpiles it) is built for 1 and 2 kicks and transpiled
(optimization level 2, seed 11, as the package's resource report does); per
kick = cost(2 kicks) - cost(1 kick).
Beside it, the count as built on all-to-all: two no-swap QFTs 2 n(n-1) CX,
the kick 2^(n-1), the free rotation n(n-1) (quadratic) or 2^n - 2 (Gray
code).  A second table isolates the kick: a generic Gray-code
``append_diagonal`` (2^n - 2), the sign-bit multiplexed RZ ``append_cos_kick``
(2^(n-1)) and Qiskit's ``DiagonalGate``.

Default: n = 4..10 on all-to-all and fake_fez (a few minutes on a 2-core
machine); ``--quick``: n = 4, 6.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import DiagonalGate

from qwalk_circuits.circuits.kicked_rotor import (
    HARDWARE_CONSTRUCTIONS,
    KickedRotorTemplate,
    append_cos_kick,
    kick_phases,
)
from qwalk_circuits.circuits.multiplexor import append_diagonal, diagonal_angles
from qwalk_circuits.execution.resources import circuit_stats, transpile_to_target

from ._common import markdown_table, parse_int_list, print_header

MODULE = "benchmarks.bench_kicked_rotor"
DEFAULT_QUBITS = list(range(4, 11))
QUICK_QUBITS = [4, 6]
DEFAULT_TARGETS = ["all-to-all", "fake_fez"]
KICK, KBAR = 5.0, 1.0


def two_qubit(circuit: QuantumCircuit, target: str) -> int:
    return int(circuit_stats(transpile_to_target(circuit, target))["two_qubit_gates"])


def per_kick(n: int, construction: str, target: str, kick: float = KICK, kbar: float = KBAR,
             potential: str = "cos") -> int:
    """cost(2 kicks) - cost(1 kick) of the parameterized template (bench_sawtooth_map too)."""
    def cost(kicks: int) -> int:
        template = KickedRotorTemplate.build(kick, kbar, kicks, n, construction,  # type: ignore[arg-type]
                                             potential=potential)  # type: ignore[arg-type]
        return two_qubit(template.circuit, target)
    return cost(2) - cost(1)


KICK_FORMS = ("append_diagonal", "append_cos_kick", "DiagonalGate")


def kick_only(n: int, how: str, target: str) -> int:
    """The kick diagonal alone: generic Gray-code diagonal, the sign-bit multiplexed RZ, or
    Qiskit's DiagonalGate."""
    circuit = QuantumCircuit(n)
    qubits = list(circuit.qubits)
    phases = kick_phases(n, KICK / KBAR)
    if how == "append_diagonal":
        append_diagonal(circuit, qubits, diagonal_angles(phases))
    elif how == "append_cos_kick":
        append_cos_kick(circuit, qubits, KICK / KBAR)
    else:
        circuit.append(DiagonalGate(list(np.exp(1j * phases))), circuit.qubits)
    return two_qubit(circuit, target)


def budget(n: int, construction: str) -> int:
    """The all-to-all CX count per kick before the transpiler's cancellations: two QFTs,
    the kick (2^(n-1)) and the free rotation."""
    free = n * (n - 1) if construction == "quadratic" else (1 << n) - 2
    return 2 * n * (n - 1) + (1 << (n - 1)) + free


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: n = 4, 6")
    parser.add_argument("--qubits", default=None, help="momentum qubits, e.g. '4-10' or '4,8'")
    parser.add_argument("--targets", default=",".join(DEFAULT_TARGETS),
                        help="comma-separated targets (all-to-all, line, fake_fez, ...)")
    args = parser.parse_args(argv)
    qubits = (parse_int_list(args.qubits) if args.qubits else
              QUICK_QUBITS if args.quick else DEFAULT_QUBITS)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]

    print_header("Kicked rotor: two-qubit gates per kick (bench_kicked_rotor)", MODULE, argv)
    print(f"K = {KICK:g}, kbar = {KBAR:g}; parameterized templates transpiled with "
          "optimization_level=2, seed 11 (all-to-all: basis cx, rz, sx, x; fake_fez: its CZ "
          "basis and heavy-hex coupling). Per kick = count(2 kicks) - count(1 kick).\n")
    start = time.perf_counter()
    rows = []
    for target in targets:
        for n in qubits:
            counts = {c: per_kick(n, c, target) for c in HARDWARE_CONSTRUCTIONS}
            best = min(counts, key=lambda c: counts[c])
            rows.append([target, n, *(counts[c] for c in HARDWARE_CONSTRUCTIONS),
                         *(budget(n, c) for c in ("quadratic", "multiplexor")), best])
    print("### Per kick\n")
    print(markdown_table(["target", "n", *HARDWARE_CONSTRUCTIONS,
                          "as built: quadratic", "as built: gray-code free", "cheapest"], rows))
    rows = []
    for target in targets:
        for n in qubits:
            rows.append([target, n, *(kick_only(n, how, target) for how in KICK_FORMS),
                         (1 << n) - 2, 1 << (n - 1)])
    print("\n### The kick diagonal alone\n")
    print(markdown_table(["target", "n", *KICK_FORMS, "2^n - 2", "2^(n-1)"], rows))
    print(f"\nbuild + transpile time: {time.perf_counter() - start:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
