"""The ``qwalk`` argument parser (every subcommand, its options and help)."""

from __future__ import annotations

import argparse

from . import arguments, commands

ALLOW_LARGE_HELP = ("run even when the work estimate passes a limit (5e6 gates, 1e10 gate "
                    "applications, 1e5 circuits, 1e7 reference steps, half this machine's "
                    "memory, or roughly an hour); without it such a run is refused before "
                    "anything is built")
DASK_HELP = ("spread the circuits / ensemble realisations over the Dask scheduler at ADDRESS "
             "(tcp://HOST:PORT; overrides the config's dask_address; needs the 'dask' extra)")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qwalk_circuits")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = arguments.OneLineParser(
        prog="qwalk", description="quantum-diffusion experiments as Qiskit circuits, each "
        "checked against an exact classical solver")
    parser.add_argument("--version", action="version", version=f"qwalk {_version()}")
    parser.add_argument("--store", help="result store file (default: $QWALK_STORE or "
                        "~/.local/share/qwalk/runs.sqlite)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="experiments and their parameters").set_defaults(
        func=commands.cmd_list)

    run = sub.add_parser("run", help="run an experiment and compare with the exact solver")
    run.add_argument("experiment")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="experiment parameter (VALUE read as JSON when it parses)")
    run.add_argument("--backend", metavar="CONFIG", help="hardware config file or name "
                     "(default: aer_ideal)")
    run.add_argument("--shots", type=arguments.shots,
                     help="shots, or 'exact' (default: from the config)")
    run.add_argument("--seed", type=arguments.seed,
                     help="simulator seed, 0 .. 2**63 - 1 (default: from the config)")
    run.add_argument("--dask", metavar="ADDRESS", help=DASK_HELP)
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--plot", metavar="FILE", type=arguments.plot_file,
                     help="write a PNG of sigma(t) and P(x, t_max) (checked before the run)")
    run.add_argument("--allow-large", action="store_true", help=ALLOW_LARGE_HELP)
    run.set_defaults(func=commands.cmd_run)

    res = sub.add_parser("resources", help="two-qubit gates and depth per construction")
    res.add_argument("experiment")
    res.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    res.add_argument("--target", default="all-to-all",
                     help="all-to-all | line | fake_fez | fake_torino | fake_kingston | CONFIG")
    res.add_argument("--json", action="store_true")
    res.add_argument("--allow-large", action="store_true", help=ALLOW_LARGE_HELP)
    res.set_defaults(func=commands.cmd_resources)

    swp = sub.add_parser("sweep", help="run one experiment over a parameter's values and fit "
                         "the diffusion constant (the quantum-to-classical crossover)")
    swp.add_argument("experiment")
    swp.add_argument("--over", required=True, metavar="NAME=V1,V2,...",
                     help="the swept parameter and its values, e.g. gamma=0.5,1,2,4")
    swp.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    swp.add_argument("--backend", metavar="CONFIG")
    swp.add_argument("--shots", type=arguments.shots)
    swp.add_argument("--seed", type=arguments.seed)
    swp.add_argument("--dask", metavar="ADDRESS", help=DASK_HELP)
    swp.add_argument("--json", action="store_true")
    swp.add_argument("--plot", metavar="FILE", type=arguments.plot_file,
                     help="PNG of sigma(t) per value and D vs theory")
    swp.add_argument("--allow-large", action="store_true", help=ALLOW_LARGE_HELP)
    swp.set_defaults(func=commands.cmd_sweep)

    results = sub.add_parser("results", help="runs in the result store")
    results_sub = results.add_subparsers(dest="results_command", required=True)
    lst = results_sub.add_parser("list")
    lst.add_argument("--limit", type=arguments.limit, default=50)
    show = results_sub.add_parser("show")
    show.add_argument("run_id")
    show.add_argument("--json", action="store_true")
    again = results_sub.add_parser(
        "reanalyse", help="rebuild a run's summary from its stored outcomes (Aer) or its "
        "ledger's counts (devices), with today's analysis")
    again.add_argument("run_id")
    again.add_argument("--json", action="store_true")
    export = results_sub.add_parser(
        "export", help="a run's results as a table: one row per time and observable, with "
        "errors, next to the exact reference (and the classical walk)")
    export.add_argument("run_id")
    export.add_argument("--format", choices=("csv", "json", "parquet"), default="csv",
                        help="csv (default) or json to stdout or --out; parquet needs --out "
                        "and the 'dataframe' extra")
    export.add_argument("--out", type=arguments.output_file, metavar="FILE",
                        help="write to FILE instead of stdout")
    results.set_defaults(func=commands.cmd_results)

    submit = sub.add_parser("submit", help="submit an experiment to a (fake) IBM device; "
                            "prints the run id at once (see 'qwalk jobs')")
    submit.add_argument("experiment")
    submit.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    submit.add_argument("--backend", metavar="CONFIG", required=True,
                        help="a hardware config with kind = 'fake' or 'ibm'")
    submit.add_argument("--shots", type=arguments.shots)
    submit.add_argument("--seed", type=arguments.seed)
    submit.add_argument("--allow-large", action="store_true", help=ALLOW_LARGE_HELP)
    submit.add_argument("--dry-run", action="store_true",
                        help="submit nothing, store nothing: show the ISA circuits' two-qubit "
                             "gates and depth, the jobs, the QPU time, and the signal the "
                             "target's calibration predicts, with the shots it needs")
    submit.add_argument("--json", action="store_true", help="with --dry-run: one JSON object")
    submit.set_defaults(func=commands.cmd_submit, dask=None)

    jobs = sub.add_parser("jobs", help="submitted device runs: list, status, fetch, cancel")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_list = jobs_sub.add_parser("list")
    jobs_list.add_argument("--limit", type=arguments.limit, default=50)
    for name in ("status", "fetch", "cancel"):
        command = jobs_sub.add_parser(name)
        command.add_argument("run_id")
        if name == "fetch":
            command.add_argument("--json", action="store_true")
            command.add_argument(
                "--resume", action="store_true",
                help="first complete a submission that was interrupted: adopt the jobs the "
                     "service accepted (found by their tags), submit only the others")
            command.add_argument(
                "--force", action="store_true",
                help="with --resume: if a live process still holds the run's lease, wait up "
                     "to 1.5 x [jobs] lease_s for it to lapse instead of refusing at once (a "
                     "live submitter's lease is never broken)")
    jobs.set_defaults(func=commands.cmd_jobs)

    backends = sub.add_parser("backends", help="fake devices, and the real IBM devices your "
                              "saved account (or QISKIT_IBM_TOKEN) can reach")
    backends.add_argument("--backend", metavar="CONFIG",
                          help="use this config's [ibm] channel/instance")
    backends.set_defaults(func=commands.cmd_backends)

    demo = sub.add_parser("demo", help="the physics story, as figures and a summary table")
    demo.add_argument("--out", default="demo_output", type=arguments.output_folder,
                      help="output folder (default: demo_output)")
    demo.add_argument("--backend", metavar="CONFIG")
    demo.add_argument("--seed", type=arguments.seed)
    demo.set_defaults(func=commands.cmd_demo)
    return parser
