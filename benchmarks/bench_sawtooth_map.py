"""Two-qubit gates per kick: the sawtooth map's kick against the kicked rotor's cos kick.

For n = 3..7 momentum qubits and each target, the parameterized ``quadratic`` template
(``circuits/kicked_rotor.py``: two no-swap QFTs, the kick, the quadratic free rotation; the
quasi-momentum left as parameters, as the experiments transpile it) is built with the
sawtooth kick and with the cos kick, for 1 and 2 kicks, and transpiled (optimization level
2, seed 11, the package's resource report); per kick = cost(2 kicks) - cost(1 kick).  The
kick is then transpiled alone: the sawtooth as n(n-1)/2 controlled phases (n(n-1) CX as
built), cos theta as the cheapest exact form the package has (``multiplexor``'s sign-bit
multiplexed RZ, 2^(n-1) CX as built; ``quadratic`` writes it as a ``DiagonalGate``).

Parameters: the sawtooth-map experiment's defaults K = 1.5, T = kbar = 3 for both kicks (the
counts do not depend on them unless an angle vanishes mod 2 pi).  ``--quick``: n = 3, 5.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from qiskit import QuantumCircuit

from qwalk_circuits.circuits.kicked_rotor import append_kick

from ._common import markdown_table, parse_int_list, print_header
from .bench_kicked_rotor import per_kick, two_qubit

MODULE = "benchmarks.bench_sawtooth_map"
DEFAULT_QUBITS = [3, 4, 5, 6, 7]
QUICK_QUBITS = [3, 5]
DEFAULT_TARGETS = ["all-to-all", "fake_fez"]
KICK, PERIOD = 1.5, 3.0


def kick_only(n: int, potential: str, target: str) -> int:
    """The kick alone: the sawtooth's controlled phases, or cos theta's multiplexed RZ."""
    circuit = QuantumCircuit(n)
    construction = "quadratic" if potential == "sawtooth" else "multiplexor"
    append_kick(circuit, list(circuit.qubits), KICK / PERIOD, potential,  # type: ignore[arg-type]
                construction)  # type: ignore[arg-type]
    return two_qubit(circuit, target)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: n = 3, 5")
    parser.add_argument("--qubits", default=None, help="momentum qubits, e.g. '3-7' or '3,5'")
    parser.add_argument("--targets", default=",".join(DEFAULT_TARGETS),
                        help="comma-separated targets (all-to-all, line, fake_fez, ...)")
    args = parser.parse_args(argv)
    qubits = (parse_int_list(args.qubits) if args.qubits else
              QUICK_QUBITS if args.quick else DEFAULT_QUBITS)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]

    print_header("Sawtooth map: two-qubit gates per kick (bench_sawtooth_map)", MODULE, argv)
    print(f"K = {KICK:g}, T = kbar = {PERIOD:g}; quadratic templates transpiled with "
          "optimization_level=2, seed 11. Per kick = count(2 kicks) - count(1 kick).\n")
    start = time.perf_counter()
    rows = []
    for target in targets:
        for n in qubits:
            saw, cos = (per_kick(n, "quadratic", target, KICK, PERIOD, potential)
                        for potential in ("sawtooth", "cos"))
            kick_saw, kick_cos = kick_only(n, "sawtooth", target), kick_only(n, "cos", target)
            rows.append([target, n, saw, cos, cos - saw, kick_saw, kick_cos,
                         n * (n - 1), 1 << (n - 1), 4 * n * (n - 1)])
    print(markdown_table(["target", "n", "per kick: sawtooth", "per kick: cos", "saved",
                          "kick alone: sawtooth", "kick alone: cos",
                          "n(n-1)", "2^(n-1)", "4n(n-1)"], rows))
    print(f"\nbuild + transpile time: {time.perf_counter() - start:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
