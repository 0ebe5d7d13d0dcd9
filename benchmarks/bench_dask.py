"""Ensemble wall time: serial against a 2-worker Dask LocalCluster on the same machine.

The ``anderson-walk`` ensemble (static phase disorder, 13 measured times) is
run end to end by ``run(..., save=False)`` -- transpile each
template once, bind R realisations, average, compare with the exact
reference -- three ways, interleaved (A B C A B C ...):

- serial: everything in this process (the default);
- 2 procs: a ``LocalCluster(n_workers=2, threads_per_worker=1)`` of worker
  processes on loopback TCP, reached through ``connect(address)`` like
  ``qwalk run --dask ADDRESS``; each (template, chunk of 32 realisations) is
  one task;
- 1 proc: the same with one worker: no parallelism, so serial / 1 proc is
  the cost of shipping the work (pickling templates, Dask's bookkeeping);
- 2 threads (``--threads``): two worker threads in this process
  (``processes=False``): shows whether Aer releases the GIL.

Only the circuit simulation is spread: transpiling, the exact reference and
the analysis stay in the calling process, so the speed-up is bounded by the
simulated fraction (Amdahl).  Cluster start-up is not timed (one cluster per
kind, started once).  Each row checks that the three runs give identical
distributions (the same seeds give the same results by construction).
A first row, "CPU control", times 2 pure-Python CPU tasks serially and as 2
tasks on each cluster: the speed-up the machine can give at that moment
(other load on a shared machine lowers it; the threads cluster holds the GIL).

Default: 6 position qubits, 24 steps, R = 32 and 128, exact and 1000-shot
sampled, 2 repeats (a few minutes on 2 cores).  ``--quick``: 5 qubits,
R = 16, 64, one repeat.  ``--full``: 7 qubits, 32 steps, R = 32, 128, 512.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qwalk_circuits import pipeline
from qwalk_circuits.execution import load_config
from qwalk_circuits.execution.dask_cluster import connect
from qwalk_circuits.experiments import get_experiment

from ._common import (
    fmt_ms,
    fmt_ratio,
    markdown_table,
    parse_int_list,
    print_header,
    time_side_by_side,
)

MODULE = "benchmarks.bench_dask"
WORKERS = 2
SHOTS = 1000
SEED = 1234
DASHBOARD = "127.0.0.1:0"  # any free port (None would still take 8787)
SPIN = 20_000_000  # sum(range(SPIN)): about 0.3 s of one core
SIZES = {"quick": (5, 24, [16, 64]), "default": (6, 24, [32, 128]),
         "full": (7, 32, [32, 128, 512])}


def contenders(settings: dict[str, Any], shots: int | None, clients: dict[str, Any]
               ) -> dict[str, Callable[[], Any]]:
    experiment = get_experiment("anderson-walk").from_settings(settings)
    config = load_config()

    def runner(executor: Any) -> Callable[[], Any]:
        return lambda: pipeline.run(experiment, config, shots=shots, seed=SEED, save=False,
                                      executor=executor).distributions

    return {"serial": runner(None), **{name: runner(c) for name, c in clients.items()}}


def ceiling(clients: dict[str, Any], repeats: int) -> list[str]:
    """The same 2 pure-Python CPU tasks serially and on each cluster: the speed-up this
    machine can give right now (a shared machine's other load lowers it; threads hold the GIL).
    """
    def on(client: Any) -> Callable[[], Any]:
        return lambda: [f.result() for f in [client.submit(sum, range(SPIN), pure=False)
                                             for _ in range(WORKERS)]]

    timings, _ = time_side_by_side(
        {"serial": lambda: [sum(range(SPIN)) for _ in range(WORKERS)],
         **{name: on(client) for name, client in clients.items()}}, max(repeats, 3))
    row = ["CPU control", "-", fmt_ms(timings["serial"].best)]
    for name in clients:
        row += [fmt_ms(timings[name].best),
                fmt_ratio(timings["serial"].best / timings[name].best),
                fmt_ratio(timings["serial"].median / timings[name].median)]
    return [*row, "-"]


def run(qubits: int, steps: int, realisations: list[int], repeats: int,
        clients: dict[str, Any]) -> list[list[str]]:
    rows = []
    for r in realisations:
        settings = {"position_qubits": qubits, "steps": steps, "realisations": r,
                    "disorder": "static"}
        for shots in (None, SHOTS):
            timings, results = time_side_by_side(contenders(settings, shots, clients), repeats)
            same = all(np.array_equal(a, b) for name in clients
                       for a, b in zip(results["serial"], results[name], strict=True))
            serial = timings["serial"]
            row = [str(r), "exact" if shots is None else str(shots), fmt_ms(serial.best)]
            for name in clients:
                row += [fmt_ms(timings[name].best),
                        fmt_ratio(serial.best / timings[name].best),
                        fmt_ratio(serial.median / timings[name].median)]
            rows.append([*row, "yes" if same else "NO"])
            print(f"  R = {r}, shots {row[1]}: done", flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smoke run: 5 qubits, R = 16, 64")
    size.add_argument("--full", action="store_true", help="7 qubits, 32 steps, R up to 512")
    parser.add_argument("--realisations", default=None, help="R values, e.g. '32,128'")
    parser.add_argument("--repeats", type=int, default=None,
                        help="interleaved repeats (best kept; default 2, 1 with --quick)")
    parser.add_argument("--threads", action="store_true",
                        help="also time an in-process cluster of 2 worker threads")
    args = parser.parse_args(argv)
    logging.getLogger("distributed").setLevel(logging.WARNING)  # not its INFO chatter
    try:
        from distributed import LocalCluster
    except ImportError:
        print("bench_dask: skipped (needs the 'dask' extra: pip install 'qwalk_circuits[dask]')")
        return 0
    qubits, steps, realisations = SIZES["quick" if args.quick else "full" if args.full
                                        else "default"]
    if args.realisations:
        realisations = parse_int_list(args.realisations)
    repeats = args.repeats or (1 if args.quick else 2)

    print_header("Ensemble on a 2-worker Dask LocalCluster vs serial (bench_dask)", MODULE,
                 argv)
    start = time.perf_counter()
    kinds = {"2 procs": (WORKERS, True), "1 proc": (1, True)}
    if args.threads:
        kinds["2 threads"] = (WORKERS, False)
    clusters = {name: LocalCluster(n_workers=n, threads_per_worker=1, processes=procs,
                                   protocol="tcp", host="127.0.0.1",
                                   dashboard_address=DASHBOARD)
                for name, (n, procs) in kinds.items()}
    clients = {name: connect(cluster.scheduler_address) for name, cluster in clusters.items()}
    for client in clients.values():  # untimed: the workers' first imports of qiskit and us
        client.run(importlib.import_module, "qwalk_circuits.execution.ensemble")
    try:
        rows = [ceiling(clients, repeats), *run(qubits, steps, realisations, repeats, clients)]
    finally:
        logging.disable(logging.INFO)  # the workers' shutdown chatter
        for client in clients.values():
            client.close()
        for cluster in clusters.values():
            cluster.close()
        logging.disable(logging.NOTSET)
    print(f"\nanderson-walk, {qubits} position qubits, {steps} steps, 13 measured times, "
          f"static phase disorder; chunks of 32 realisations; {repeats} interleaved repeats; "
          "ms from the best repeat; speed-up = serial / dask (best), and of the medians. "
          f"CPU control: {WORKERS} x sum(range({SPIN:_})) serially and as {WORKERS} tasks "
          "(the ceiling this machine gave at the time).\n")
    headers = ["R", "shots", "serial ms"]
    for name in clients:
        headers += [f"{name} ms", f"speed-up ({name})", "(median)"]
    print(markdown_table([*headers, "identical"], rows))
    print(f"\nwall time: {time.perf_counter() - start:.0f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
