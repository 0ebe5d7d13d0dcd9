"""bench_phenomena lists every phenomenon module, and each one exposes ``rows``."""

import importlib
from pathlib import Path

from benchmarks.bench_phenomena import PHENOMENA

FOLDER = Path(__file__).parents[2] / "benchmarks" / "phenomena"


def test_every_module_in_the_folder_is_a_choice_of_only() -> None:
    modules = {p.stem for p in FOLDER.glob("*.py") if p.stem != "__init__"}
    assert modules == set(PHENOMENA)


def test_every_phenomenon_module_exposes_rows() -> None:
    for name in PHENOMENA:
        assert callable(importlib.import_module(f"benchmarks.phenomena.{name}").rows)
