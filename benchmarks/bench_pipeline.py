"""The one pipeline against the three run paths it replaced: transpile calls, wall time and
peak memory per run, for an ordinary run, an ensemble and a fake-device run.

Each (revision, case) runs in a fresh Python process (so peak RSS is the run's own) with
``PYTHONPATH`` set to the revision's source tree: ``--before`` is a checkout of the
package before the pipeline (``git worktree add /tmp/qwalk-before cb04be0``), the
current tree is "after".  Cases alternate between the two, repeated ``--repeats`` times;
the table gives medians and the after/before ratio measured in the same run.  Transpile
calls count the circuits given to top-level pass-manager runs (a pass manager that Qiskit
runs inside another one, e.g. to build a controlled gate, is part of that run).

    python -m benchmarks.bench_pipeline --before /tmp/qwalk-before
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ._common import print_header

ROOT = Path(__file__).resolve().parent.parent

#: name -> (experiment, settings, config, shots)
CASES: dict[str, tuple[str, dict[str, object], str, int | None]] = {
    "coined-walk auto, aer exact": ("coined-walk", {"position_qubits": 6, "steps": 24},
                                    "aer_ideal", None),
    "anderson-walk static, aer 1000 shots": (
        "anderson-walk", {"position_qubits": 5, "steps": 16, "realisations": 32},
        "aer_ideal", 1000),
    "coined-walk auto, fake_fez": ("coined-walk", {"position_qubits": 3, "steps": 8},
                                   "fake_fez", 2000),
}

CHILD = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
from qiskit.passmanager import BasePassManager
calls, depth = [0], [0]
original = BasePassManager.run
def counted(self, *args, **kwargs):
    programs = args[0] if args else kwargs.get("in_programs")
    if depth[0] == 0:  # a pass manager run from inside another one is part of it
        calls[0] += len(programs) if isinstance(programs, list) else 1
    depth[0] += 1
    try:
        return original(self, *args, **kwargs)
    finally:
        depth[0] -= 1
BasePassManager.run = counted
name, settings, config, shots = json.loads(sys.argv[1])
from qwalk_circuits.execution import ResultStore, load_config
from qwalk_circuits.experiments import get_experiment
experiment = get_experiment(name).from_settings(settings)
store = ResultStore(sys.argv[2])
start = time.perf_counter()
try:
    from qwalk_circuits.pipeline import run
    run(experiment, load_config(config), shots=shots, seed=7, store=store, progress=False)
except ImportError:
    cfg = load_config(config)
    if cfg.is_device:
        from qwalk_circuits.experiments.hardware_runner import run_on_device
        run_on_device(experiment, cfg, shots, 7, store, progress=False)
    else:
        from qwalk_circuits.experiments import run_experiment
        run_experiment(experiment, cfg, shots=shots, seed=7, store=store)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall": wall, "peak_mib": peak, "transpiles": calls[0]}))
"""


def measure(source: Path, case: tuple[object, ...], store: Path) -> dict[str, float]:
    """One run of ``case`` in a fresh process importing the package from ``source``."""
    env = {**os.environ, "PYTHONPATH": str(source), "QWALK_STORE": str(store)}
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(case), str(store)],
                         env=env, capture_output=True, text=True, check=True, cwd="/tmp")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True,
                        help="source tree of the package before the pipeline")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print_header("The one pipeline against the old run paths (`bench_pipeline`)",
                 "benchmarks.bench_pipeline", argv)
    print(f"load (1 / 5 / 15 min) at the start: {os.getloadavg()}\n")
    print("| case | transpiles before | after | wall before (s) | after (s) | after/before | "
          "peak MiB before (min–max) | after |")
    print("|---|---|---|---|---|---|---|---|")
    for label, case in CASES.items():
        rows: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for r in range(args.repeats):
            for which, source in (("before", args.before), ("after", ROOT)):
                store = Path(f"/tmp/bench-pipeline-{which}-{r}.sqlite")
                store.unlink(missing_ok=True)
                rows[which].append(measure(source, case, store))
        med = {w: {k: statistics.median(m[k] for m in rows[w]) for k in rows[w][0]}
               for w in rows}
        b, a = med["before"], med["after"]

        def spread(which: str, key: str,
                   measured: dict[str, list[dict[str, float]]] = rows) -> str:
            values = [m[key] for m in measured[which]]
            return f"{min(values):.0f}–{max(values):.0f}"

        print(f"| {label} | {b['transpiles']:.0f} | {a['transpiles']:.0f} | {b['wall']:.2f} | "
              f"{a['wall']:.2f} | {a['wall'] / b['wall']:.2f} | {spread('before', 'peak_mib')} | "
              f"{spread('after', 'peak_mib')} |")
    print(f"\nload at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
