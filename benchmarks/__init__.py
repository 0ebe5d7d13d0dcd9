"""Benchmarks of qwalk_circuits (not tests): circuit resources, reference solver speed, Aer.

Run them all with ``python -m benchmarks.run_all`` (``make bench``), or one at a
time, e.g. ``python -m benchmarks.bench_resources --help``.  Every benchmark
prints markdown tables; the figures recorded in BENCHMARKS.md come from them.
"""
