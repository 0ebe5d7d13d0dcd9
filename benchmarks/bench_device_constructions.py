"""Device constructions: the line-connectivity QFT and the Gaussian packet's phase gates.

1. The 1D Hadamard walk from one site, built with each Fourier-frame construction
   (``fourier``, ``fast-forward``) and its ``-line`` twin (the frame's QFTs by
   ``synth_qft_line``), transpiled for each target as ``qwalk resources`` does, two-qubit
   gates counted; the ratio new / old side by side, and the construction ``auto`` would
   choose (the cheapest of the four here; ``increment`` costs more at these sizes).
2. The free Gaussian packet (free-packet's circuit, sigma0 = 4, at its final time) with the
   packet prepared in the Fourier frame: its phase as one generic ``DiagonalGate`` (before)
   against phase gates (``amplitude_prep`` now); momentum 0 and 0.5.

Default (about 2 minutes on a 2-core machine): fake_fez and fake_torino, n = 4..7, T = 8, 32.
``--quick``: fake_fez, n = 4, 5, T = 8.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import DiagonalGate

from qwalk_circuits.circuits import build_coined_walk, measure_position
from qwalk_circuits.circuits.amplitude_prep import append_real_amplitudes
from qwalk_circuits.circuits.ctqw import build_ctqw, dispersion_phases
from qwalk_circuits.circuits.fourier_frame import append_inverse_qft, fourier_frame_amplitudes
from qwalk_circuits.core.states import gaussian_packet
from qwalk_circuits.execution.resources import circuit_stats, transpile_to_target

from ._common import COIN_STATE, HADAMARD, localized_position, markdown_table, print_header

MODULE = "benchmarks.bench_device_constructions"
PAIRS = (("fourier", "fourier-line"), ("fast-forward", "fast-forward-line"))
PACKET_SIGMA, PACKET_TIME = 4.0, 48.0


def two_qubit(circuit: QuantumCircuit, target: str) -> int:
    return int(circuit_stats(transpile_to_target(circuit, target))["two_qubit_gates"])


def walk_cost(construction: str, n: int, steps: int, target: str) -> int:
    circuit = build_coined_walk(HADAMARD, localized_position(n), COIN_STATE, steps, n, 1,
                                construction)  # type: ignore[arg-type]
    return two_qubit(measure_position(circuit), target)


def packet_circuits(n: int, momentum: float) -> tuple[QuantumCircuit, QuantumCircuit]:
    """(before, now): free-packet's circuit with the frame state's phase as a DiagonalGate,
    and as the package builds it today."""
    psi = gaussian_packet(1 << n, 1 << (n - 1), PACKET_SIGMA, momentum)
    now = build_ctqw(psi, 1.0, PACKET_TIME, n)
    frame = fourier_frame_amplitudes(psi, 1, n)
    before = QuantumCircuit(n)
    qubits = list(before.qubits)
    append_real_amplitudes(before, qubits, np.abs(frame))
    phases = np.where(np.abs(frame) > 1e-15, np.angle(frame), 0.0)
    before.append(DiagonalGate(list(np.exp(1j * phases))), qubits)
    before.append(DiagonalGate(list(dispersion_phases(n, 1.0, PACKET_TIME))), qubits)
    append_inverse_qft(before, [qubits])
    return before, now


def ratio(new: int, old: int) -> str:
    return f"{new / old:.2f}" if old else "n/a"


def walk_table(targets: Sequence[str], qubits: Sequence[int], steps: Sequence[int]) -> str:
    rows = []
    for target in targets:
        for n in qubits:
            for t in steps:
                costs = {c: walk_cost(c, n, t, target) for pair in PAIRS for c in pair}
                cells = []
                for old, new in PAIRS:
                    cells += [costs[old], costs[new], ratio(costs[new], costs[old])]
                cheapest = min(costs, key=lambda c: costs[c])
                rows.append([target, n, 1 << n, t, *cells, cheapest])
        print(f"  ({target} done)", flush=True)
    headers = ["target", "n", "sites", "T", "fourier", "fourier-line", "ratio",
               "fast-forward", "fast-forward-line", "ratio", "cheapest"]
    return markdown_table(headers, rows)


def packet_table(targets: Sequence[str], qubits: Sequence[int]) -> str:
    rows = []
    for target in targets:
        for n in qubits:
            for momentum in (0.0, 0.5):
                before, now = (two_qubit(c, target) for c in packet_circuits(n, momentum))
                rows.append([target, n, momentum, before, now, before - now, ratio(now, before)])
    return markdown_table(["target", "n", "k0", "DiagonalGate", "phase gates", "saved",
                           "ratio"], rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fake_fez, n = 4, 5, T = 8")
    args = parser.parse_args(argv)
    targets = ["fake_fez"] if args.quick else ["fake_fez", "fake_torino"]
    qubits = [4, 5] if args.quick else [4, 5, 6, 7]
    steps = [8] if args.quick else [8, 32]
    print_header("Device constructions: line QFT and phase gates", MODULE, argv)
    print("Coined walk, two-qubit gates after transpiling (ratio: -line / plain):\n")
    print(walk_table(targets, qubits, steps))
    print("\nFree Gaussian packet (sigma0 = 4, t = 48), phase of the frame state:\n")
    print(packet_table(targets, [6, 8] if not args.quick else [6]))


if __name__ == "__main__":
    main()
