"""The mutation-score script reads back the mutant names it prints (``--names FILE``)."""

from benchmarks.mutation_score import named_mutants, tally

NAME = "qwalk_circuits.execution.jobs.xǁJobsǁcancel__mutmut_3"


def test_named_mutants_strip_the_status_that_the_script_prints() -> None:
    text = f"  {NAME}: survived\n{NAME.replace('_3', '_4')}: no tests\n\nnot a mutant\n"
    assert named_mutants(text) == [NAME, NAME.replace("_3", "_4")]


def test_bare_names_are_read_as_they_are() -> None:
    assert named_mutants(f"{NAME}\n") == [NAME]


def test_tally_counts_each_status_per_module() -> None:
    counts = tally(f"{NAME}: killed\n{NAME.replace('_3', '_5')}: survived\nnoise: killed\n")
    assert counts == {"jobs": {"killed": 1, "survived": 1}}
