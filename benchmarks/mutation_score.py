"""Mutation score of the reliability code: the ledger, the job submission/resume code and
the result store, measured with mutmut (``make mutation``; minutes to an hour on 2 cores).

The committed tree (HEAD) is copied to a temporary folder and mutmut runs there (it writes a
``mutants/`` copy of the package beside the sources), so the checkout is never touched.
Each mutant runs the tests that cover the mutated function, chosen by mutmut from the
selection below.  A mutant counts as killed when a test failed or timed out; "no tests"
(no selected test reaches the mutated function) counts as not killed.

    python -m benchmarks.mutation_score [--files ledger store] [--sample N] [--keep DIR]

The eleven files make 2921 mutants (at cd8adde), hours on 2 cores; ``--sample N`` tests a
uniformly random sample of N of them (``--seed``), and the score is printed with its
binomial standard error, sqrt(p (1 - p) / N).
"""

from __future__ import annotations

import argparse
import collections
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = {
    "ledger": "qwalk_circuits/execution/ledger.py",
    "jobs": "qwalk_circuits/execution/jobs.py",
    "submission": "qwalk_circuits/execution/device_submission.py",
    "submission_build": "qwalk_circuits/execution/submission_build.py",
    "retries": "qwalk_circuits/execution/retries.py",
    "shared_batch": "qwalk_circuits/execution/shared_batch.py",
    "qpy_text": "qwalk_circuits/execution/qpy_text.py",
    "lease": "qwalk_circuits/execution/lease.py",
    "store": "qwalk_circuits/execution/store.py",
    "store_open": "qwalk_circuits/execution/store_open.py",
    "store_schema": "qwalk_circuits/execution/store_schema.py",
}
TEST_PATTERNS = ("tests/execution/test_job_*.py", "tests/execution/test_ledger_edges.py",
                 "tests/execution/test_lease*.py",
                 "tests/execution/test_store*.py", "tests/test_cli_jobs.py",
                 "tests/execution/test_service_double.py", "tests/execution/test_device_path.py",
                 "tests/execution/test_device_ensembles.py", "tests/execution/test_targets.py",
                 "tests/execution/test_folding.py", "tests/execution/test_device_plan.py",
                 "tests/execution/test_shared_batch.py", "tests/execution/test_zne_device.py")
TESTS = sorted(str(path.relative_to(ROOT)) for pattern in TEST_PATTERNS
               for path in ROOT.glob(pattern))
KILLED = ("killed", "timeout")


def mutmut_config(files: list[str], tests: list[str]) -> str:
    """The ``[tool.mutmut]`` table for the copy's pyproject.toml."""
    quoted = ", ".join(f'"{f}"' for f in files)
    selection = ", ".join(f'"{t}"' for t in tests)
    return ("\n[tool.mutmut]\n"
            'source_paths = ["qwalk_circuits"]\n'
            f"only_mutate = [{quoted}]\n"
            f"pytest_add_cli_args_test_selection = [{selection}]\n"
            'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n'
            'also_copy = ["hardware_configs"]\n'
            # forking from a process that imported Qiskit/BLAS threads deadlocks: every
            # mutant timed out with the default "fork"
            'process_isolation = "forkserver"\n'
            'forkserver_warmup = "none"\n')


def private_env(work: Path) -> dict[str, str]:
    """The mutants' environment: one thread each, and a HOME of their own in ``work``.

    The test session fails when the user's real qwalk folders change while it runs
    (tests/isolation.py); a qwalk command run by hand meanwhile (another terminal) would
    then fail every mutant's run and count it killed, and fail mutmut's stats run."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("XDG_") and k not in ("QWALK_STORE", "QWALK_HARDWARE_CONFIGS")}
    (work / "home").mkdir(exist_ok=True)
    return {**env, "HOME": str(work / "home"), "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1", "RAYON_NUM_THREADS": "1"}


def copy_tree(dest: Path) -> None:
    """The committed tree (``git archive HEAD``): what is measured is what a commit holds."""
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def tally(results: str) -> dict[str, collections.Counter[str]]:
    """``mutmut results --all true`` lines ``module.xǁ...__mutmut_N: status`` per file."""
    out: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for line in results.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if "__mutmut_" not in name:
            continue
        match = re.match(r"(.+?)\.x[ǁ_]", name)
        module = match.group(1) if match else name
        out[module.rsplit(".", 1)[-1]][status.strip()] += 1
    return out


def named_mutants(text: str) -> list[str]:
    """The mutant names in ``text``, one per line, as this script or ``mutmut results``
    prints them: ``NAME``, ``NAME: survived`` or ``  NAME: no tests``."""
    names = (line.strip().rpartition(": ")[0] if ": " in line else line.strip()
             for line in text.splitlines())
    return [name for name in names if "__mutmut_" in name]


def _mutmut(command: list[str], work: Path, env: dict[str, str], quiet: bool = False) -> None:
    subprocess.run(command, cwd=work, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL if quiet else None, check=False)


def _results(mutmut: str, work: Path, env: dict[str, str]) -> str:
    return subprocess.run([mutmut, "results", "--all", "true"], cwd=work, env=env,
                          capture_output=True, text=True, check=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="+", choices=sorted(FILES), default=sorted(FILES))
    parser.add_argument("--children", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="run in this folder and keep it")
    parser.add_argument("--sample", type=int, default=0, help="test N random mutants")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--names", type=Path, help="test only the mutants named in this "
                        "file, one per line (e.g. the survivors of an earlier sample)")
    args = parser.parse_args()
    files = [FILES[f] for f in args.files if (ROOT / FILES[f]).exists()]
    work = args.keep or Path(tempfile.mkdtemp(prefix="qwalk-mutation-"))
    work.mkdir(parents=True, exist_ok=True)
    copy_tree(work)
    with open(work / "pyproject.toml", "a") as handle:
        handle.write(mutmut_config(files, TESTS))
    env = private_env(work)
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    run = [mutmut, "run", "--max-children", str(args.children)]
    names: list[str] = []
    if args.names:
        _mutmut([*run, "-"], work, env, quiet=True)
        known = {line.strip().rpartition(": ")[0] for line in _results(mutmut, work, env)
                 .splitlines() if "__mutmut_" in line}
        wanted = named_mutants(args.names.read_text())
        names = sorted(n for n in wanted if n in known)
        print(f"{len(wanted) - len(names)} of the {len(wanted)} named mutants no longer "
              "exist (their function changed)")
        if not names:
            # mutmut given no name runs every mutant: hours, not the few asked for
            print(f"none of the mutants named in {args.names} exists: nothing to test",
                  file=sys.stderr)
            return 2
    elif args.sample:
        # generate the mutants and the coverage stats, test none ("-" names no mutant, so
        # mutmut stops with an assertion after the stats: quiet)
        _mutmut([*run, "-"], work, env, quiet=True)
        every = [line.strip().rpartition(": ")[0] for line in _results(mutmut, work, env)
                 .splitlines() if "__mutmut_" in line]
        names = sorted(random.Random(args.seed).sample(every, min(args.sample, len(every))))
    _mutmut([*run, *names], work, env)
    results = _results(mutmut, work, env)
    if names:
        chosen = set(names)
        results = "\n".join(line for line in results.splitlines()
                              if line.strip().rpartition(": ")[0] in chosen)
    counts = tally(results)
    print(f"mutmut on {len(files)} files, tests: {' '.join(TESTS)}")
    if args.names:
        print(f"the {len(names)} mutants named in {args.names}")
    elif names:
        print(f"a random sample of {len(names)} mutants (seed {args.seed})")
    print(f"{'module':<20} {'mutants':>8} {'killed':>7} {'survived':>9} {'no tests':>9} "
          f"{'score':>6}")
    total = collections.Counter[str]()
    for module, count in sorted(counts.items()):
        total.update(count)
        n = sum(count.values())
        killed = sum(count[k] for k in KILLED)
        print(f"{module:<20} {n:>8} {killed:>7} {count['survived']:>9} "
              f"{count['no tests']:>9} {100 * killed / max(n, 1):>5.0f}%")
    n = sum(total.values())
    killed = sum(total[k] for k in KILLED)
    print(f"{'all':<20} {n:>8} {killed:>7} {total['survived']:>9} {total['no tests']:>9} "
          f"{100 * killed / max(n, 1):>5.0f}%")
    if n and names and not args.names:  # (a hand-picked list is no sample: no error bar)
        p = killed / n
        print(f"score {100 * p:.0f}% ± {100 * math.sqrt(p * (1 - p) / n):.0f}% (sample of {n})")
    untested = sum(count["not checked"] for count in counts.values())
    if untested:
        print(f"{untested} mutants were not checked: mutmut stopped early (run it in the work "
              "folder to see why)")
    survivors = [line.strip() for line in results.splitlines() if line.strip().endswith(
        (": survived", ": no tests"))]
    print("\nnot killed (see one with: mutmut show NAME, in the work folder " f"{work}):")
    for line in survivors:
        print("  " + line)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
