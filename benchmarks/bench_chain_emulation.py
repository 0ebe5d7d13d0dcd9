"""What a fake-device run of the one-hot Anderson chain costs here: noisy Aer per shot,
statevector against matrix product state (issue 15's chain rows).

The phenomenon table measures ``anderson-chain`` on fake devices only up to 16 sites; its
20-40-site rows are dry runs.  This measures why: the static chain of N sites at T = N/2
(W = 6, dt = 0.8, the phenomenon module's parameters), transpiled with
the device's shipped config (its pass manager: level 2, noise-aware layout), compacted
to its N active qubits and run on the device path's emulator (Aer with the device's noise
restricted to them, on ``--aer-device``), once per method, same seed.  A noisy
circuit is simulated shot by shot (one trajectory per shot), so the cost is per shot.
Matrix product state would be the way past a dense 2^N state (one excitation has Schmidt
rank 2), but the noise's trajectories are what is paid for.  Each method gets
``--budget`` seconds: shots are run in doubling batches until the next would exceed it.
Printed: seconds per shot of each (the last, largest batch: it amortises the per-run
setup), the ratio measured in this run, and the wall time of one circuit at 1000 shots
(the chain row's shots).  Not a timed test.

    python -m benchmarks.bench_chain_emulation [--sizes 12,16,20] [--budget 120] [--quick]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

from qiskit import QuantumCircuit
from qiskit_aer import AerSimulator

from qwalk_circuits.circuits.one_hot_chain import OneHotChainTemplate
from qwalk_circuits.core.disorder import chain_energies
from qwalk_circuits.execution.devices import compact, emulator, fake_backend, pass_manager
from qwalk_circuits.pipeline import resolve_config

from ._common import markdown_table, parse_int_list, print_header

MODULE = "benchmarks.bench_chain_emulation"
METHODS = ("statevector", "matrix_product_state")
DISORDER, DT, SEED, ROW_SHOTS = 6.0, 0.8, 1234, 1000


def chain_circuit(device: str, sites: int, aer_device: str = "CPU"
                  ) -> tuple[QuantumCircuit, AerSimulator, int]:
    """The static chain's compacted ISA circuit (the device's shipped config's pass
    manager), its noisy emulator (the device path's) and its two-qubit gate count."""
    template = OneHotChainTemplate.build(sites, sites // 2, 1.0, DT, sites // 2, static=True)
    # one realisation of the static chain, drawn as anderson-chain draws it
    energies = chain_energies(SEED, 0, sites, DISORDER, "static", "uniform", 0.0, sites // 2)
    bound = template.circuit.assign_parameters(template.values(energies, DT))
    small = compact(pass_manager(fake_backend(device), resolve_config(device)).run(bound))
    simulator = emulator(device, small.physical, SEED, aer_device=aer_device)
    two_qubit = sum(1 for inst in small.circuit.data if inst.operation.num_qubits == 2)
    return small.circuit, simulator, two_qubit


def seconds_per_shot(circuit: QuantumCircuit, simulator: AerSimulator, method: str,
                     budget: float, clock: Callable[[], float] = time.perf_counter
                     ) -> tuple[float, int]:
    """Doubling batches of shots within ``budget`` seconds: (s per shot of the last, largest
    batch, which amortises the per-run setup; that batch's shots).  ``clock`` is the
    timer (a test passes a scripted one: the stopping rule must not hang on the machine's
    load)."""
    simulator.set_options(method=method)
    shots, spent = 1, 0.0
    while True:
        start = clock()
        simulator.run(circuit, shots=shots).result()
        elapsed = clock() - start
        spent += elapsed
        if spent + 2 * elapsed > budget:
            return elapsed / shots, shots
        shots *= 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_int_list, default=[12, 16, 20],
                        help="chain lengths, comma separated (default 12,16,20)")
    parser.add_argument("--device", default="fake_fez")
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds per size and method (default 120)")
    parser.add_argument("--aer-device", default="CPU", choices=("CPU", "GPU"),
                        help="where Aer emulates (GPU: a GPU build of Aer)")
    parser.add_argument("--quick", action="store_true", help="4 and 6 sites, 2 s each")
    args = parser.parse_args(argv)
    sizes, budget = ([4, 6], 2.0) if args.quick else (args.sizes, args.budget)
    print_header(f"One-hot chain: noisy Aer per shot on {args.device}, statevector against "
                 f"matrix product state ({budget:.0f} s per size and method)", MODULE, argv)
    rows = []
    for sites in sizes:
        circuit, simulator, two_qubit = chain_circuit(args.device, sites, args.aer_device)
        cost = {m: seconds_per_shot(circuit, simulator, m, budget) for m in METHODS}
        (dense, dense_shots), (mps, mps_shots) = cost["statevector"], cost[METHODS[1]]
        rows.append([sites, sites // 2, two_qubit, f"{dense * 1e3:.1f} ({dense_shots})",
                     f"{mps * 1e3:.1f} ({mps_shots})", f"{mps / dense:.1f}",
                     f"{min(dense, mps) * ROW_SHOTS:.0f}"])
    print(markdown_table(["sites", "T", "2q gates", "statevector ms/shot (shots)",
                          "MPS ms/shot (shots)", "MPS / statevector",
                          f"s per circuit at {ROW_SHOTS} shots (faster method)"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
