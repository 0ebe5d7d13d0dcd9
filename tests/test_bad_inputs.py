"""Every bad input is one line, exit 2, nothing stored (issue 12): one table of cases.

The table walks every experiment of ``REGISTRY`` and every field of its spec by type
(ints: ``true``, ``-1``, ``2**63``, ``2.5``, ``"x"``; floats: NaN, +-Infinity, ``"x"``,
``true``; lists and free-form coin values: NaN entries, ...), then the global options
(``--seed``, ``--shots``, ``--limit``, ``--plot``, ``--out``), ``--set`` and ``--over``
syntax, and broken hardware configs.  Each case runs ``qwalk`` in-process and must exit
with 2 and one stderr line naming the parameter (or file), with no traceback and the
store untouched.  The pipeline, the sweeps and the demo are replaced by a tripwire, so a
value that slips through fails at once (rejection must come before any work) instead
of running an experiment.  ``test_table_*`` are the table (counted in BENCHMARKS.md).

A few real processes follow: Ctrl-C (exit 130, one line, no run stored) and a closed
pipe (quiet).  The Python API's own guards (specs, coins, states) have a table too.
"""

from __future__ import annotations

import hashlib
import math
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qwalk_circuits.cli import main
from qwalk_circuits.core.coins import resolve_coin, resolve_coin_state
from qwalk_circuits.core.errors import ParameterError, QwalkError
from qwalk_circuits.core.states import gaussian_packet
from qwalk_circuits.execution.store import ResultStore
from qwalk_circuits.experiments import REGISTRY

TOKEN = "a1B2c3D4e5F6a7B8c9D0e1F2a3B4c5D6e7F8a9B0c1D2e3F4"  # token-like, 48 characters

BAD_CLI_VALUES: dict[str, list[str]] = {
    "int": ["true", "-1", str(2**63), str(-(2**63) - 1), "2.5", "x", "1e999", "9" * 5000],
    "float": ["NaN", "Infinity", "-Infinity", "1e999", "x", "true"],
    "list-int": ["[NaN]", "[Infinity]", "[2.5]", "[true]", f"[{2**63}]"],
    "list-float": ["[NaN]", "[Infinity]", "[-Infinity]", "[true]", '["x"]'],
    "any": ["[NaN,0]", "[Infinity,0]", "[[NaN,0],[0,1]]", "[[1,0],[0,Infinity]]",
            "[NaN,0,0]", "[[NaN,0],[0,0]]", "true", f'"{TOKEN}"'],
    "literal": ["true", "nope"],
}
#: (experiment, field, value) that are valid: none today
VALID: set[tuple[str, str, str]] = set()


def field_kind(annotation: Any) -> str:
    """The table's name for a spec field's type: int, float, list-int, any, literal..."""
    if annotation is Any:
        return "any"
    if typing.get_origin(annotation) is typing.Literal:
        return "literal"
    args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    if typing.get_origin(args[0]) is list:
        return "list-" + typing.get_args(args[0])[0].__name__
    return args[0].__name__


def spec_cases() -> list[Any]:
    cases = []
    for name, cls in sorted(REGISTRY.items()):
        for field, info in cls.spec_type.model_fields.items():
            kind = field_kind(info.annotation)
            assert kind in BAD_CLI_VALUES, f"{name}.{field}: no bad values for a {kind} field"
            for value in BAD_CLI_VALUES[kind]:
                if (name, field, value) not in VALID:
                    cases.append(pytest.param(["run", name, "--set", f"{field}={value}"],
                                              f"'{field}'", id=f"{name}-{field}={value[:12]}"))
    return cases


GLOBAL_CASES = [
    (["run", "coined-walk", "--seed", "-1"], "--seed"),
    (["run", "coined-walk", "--seed", str(2**63)], "--seed"),
    (["run", "coined-walk", "--seed", "1.5"], "--seed"),
    (["run", "coined-walk", "--shots", str(2**63)], "--shots"),
    (["run", "coined-walk", "--shots", "0"], "--shots"),
    (["run", "coined-walk", "--shots", "-5"], "--shots"),
    (["run", "coined-walk", "--shots", "many"], "--shots"),
    (["sweep", "dephasing", "--over", "gamma=1,2", "--seed", str(2**64)], "--seed"),
    (["submit", "coined-walk", "--backend", "fake_fez", "--shots", str(2**63)], "--shots"),
    (["demo", "--seed", "-3"], "--seed"),
    (["results", "list", "--limit", str(10**30)], "--limit"),
    (["results", "list", "--limit", "0"], "--limit"),
    (["results", "list", "--limit", "-2"], "--limit"),
    (["jobs", "list", "--limit", str(10**30)], "--limit"),
    (["jobs", "list", "--limit", "0"], "--limit"),
    (["run", "coined-walk", "--set", "steps"], "'steps'"),
    (["run", "coined-walk", "--set", "bogus=1"], "'bogus'"),
    (["run", "nope"], "unknown experiment"),
    (["run"], "experiment"),
    (["frobnicate"], "frobnicate"),
    (["run", "coined-walk", "--frob"], "--frob"),
    (["resources", "coined-walk", "--set", "position_qubits=true"], "'position_qubits'"),
    (["resources", "coined-walk", "--set", "steps=NaN"], "'steps'"),
    (["submit", "coined-walk", "--backend", "fake_fez", "--set", "steps=2.5"], "'steps'"),
    (["sweep", "dephasing", "--over", "gamma=NaN,1"], "'gamma'"),
    (["sweep", "dephasing", "--over", "gamma=1,Infinity"], "'gamma'"),
    (["sweep", "dephasing", "--over", "time_steps=4,true"], "'time_steps'"),
    (["sweep", "dephasing", "--over", "gamma"], "--over"),
    (["sweep", "dephasing", "--over", "gamma=1,2", "--set", "gamma=3"], "'gamma'"),
    # formerly tests/test_cli.py's list of bad input
    (["run", "coined-walk", "--set", "position_qubits=0"], "'position_qubits'"),
    (["run", "coined-walk", "--set", "steps=-1"], "'steps'"),
    (["run", "coined-walk", "--set", "coin=[[1,1],[0,1]]"], "not unitary"),
    (["run", "coined-walk", "--set", "initial_state=gaussian", "--set", "packet_width=30"],
     "does not fit"),
    (["run", "coined-walk", "--set", "position_qubits=34"], "GiB"),
    (["run", "coined-walk", "--backend", "missing.toml"], "not found"),
    (["results", "show", "nope"], "no run"),
    (["run", "coined-walk", "--set", "y0=3"], "'y0'"),
    (["run", "coined-walk", "--set", "packet_width=3"], "initial_state=gaussian"),
    (["sweep", "dephasing", "--over", "gamma=1,-1", "--set", "position_qubits=2", "--set",
      "time_steps=4", "--shots", "exact"], "'gamma'"),
]

#: broken config files: name -> (bytes, what the error names besides the file)
BAD_CONFIGS: dict[str, tuple[bytes, str]] = {
    "binary": (b"\x00\x01\x02qwalk\xff", "binary"),
    "latin1": ('description = "café"\n'.encode("latin-1"), "UTF-8"),
    "not_toml": (b"[backend\nkind = aer\n", "TOML"),
    "nested_arrays": (("x = " + "[" * 3000 + "]" * 3000 + "\n").encode(), "nested"),
    "nested_tables": (("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n").encode(), "nested"),
    "nested_dotted": (("[" + ".".join(["a"] * 2000) + "]\n").encode(), "nest"),
    "token_description": (f'description = "my token {TOKEN}"\n'.encode(), "'description'"),
    "token_instance": (f'[ibm]\ninstance = "{TOKEN}"\n'.encode(), "'ibm.instance'"),
    "token_key": (b'[ibm]\ntoken = "abc"\n', "'ibm.token'"),
    "inf_lambda": (b'[backend]\nnoise = "dephasing"\ndephasing_lambda = inf\n',
                   "'backend.dephasing_lambda'"),
    "nan_poll": (b"[jobs]\npoll_interval_s = nan\n", "'jobs.poll_interval_s'"),
    "minus_inf_timeout": (b"[jobs]\ntimeout_s = -inf\n", "'jobs.timeout_s'"),
    "inf_backoff": (b"[jobs]\nretry_backoff_s = inf\n", "'jobs.retry_backoff_s'"),
    "negative_seed": (b"[run]\nseed = -1\n", "'run.seed'"),
    "huge_seed": (b"[run]\nseed = 9223372036854775808\n", "'run.seed'"),
    "bool_shots": (b"[run]\nshots = true\n", "'run.shots'"),
    "huge_shots": (b"[run]\nshots = 9223372036854775808\n", "'run.shots'"),
    "float_level": (b"[run]\noptimization_level = 1.0\n", "'run.optimization_level'"),
    "int_for_bool": (b"[run]\ntwirling = 1\n", "'run.twirling'"),
    "string_for_float": (b'[backend]\ndephasing_lambda = "0.1"\n',
                         "'backend.dephasing_lambda'"),
    "huge_retries": (b"[jobs]\nmax_retries = 9223372036854775808\n", "'jobs.max_retries'"),
}


def digest(path: Path) -> str | None:
    """The store file's hash, or None when there is none."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture
def tripwire(monkeypatch):
    """Work that a rejected input must never reach: the pipeline, the sweeps, the demo."""
    import qwalk_circuits.demo.story as story
    import qwalk_circuits.pipeline as pipeline
    import qwalk_circuits.sweeps as sweeps

    def reached(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a bad input reached the pipeline instead of being refused")

    for module, name in ((pipeline, "run"), (pipeline, "submit"), (sweeps, "run"),
                         (story, "run_demo")):
        monkeypatch.setattr(module, name, reached)


def assert_refused(argv: list[str], names: str, store: Path, capsys,
                   status: int = 2) -> str:
    """``qwalk argv`` exits with ``status``, one stderr line naming ``names``, no
    traceback, nothing on the store; the line."""
    before = digest(store)
    assert main(argv) == status
    out, err = capsys.readouterr()
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert names in err, err
    assert "Traceback" not in out + err and TOKEN not in out + err
    assert digest(store) == before
    return err


@pytest.mark.parametrize(("argv", "names"), spec_cases())
def test_table_spec_values(argv, names, tripwire, isolated_store, capsys):
    assert_refused(argv, names, isolated_store, capsys)


@pytest.mark.parametrize(("argv", "names"), GLOBAL_CASES)
def test_table_options(argv, names, tripwire, isolated_store, capsys):
    assert_refused(argv, names, isolated_store, capsys)


@pytest.fixture(scope="module")
def filled_store(tmp_path_factory) -> Path:
    """A store holding one real run (for --limit on a non-empty store)."""
    path = tmp_path_factory.mktemp("filled") / "runs.sqlite"
    assert main(["--store", str(path), "run", "coined-walk", "--set", "position_qubits=2",
                 "--set", "steps=1", "--shots", "exact"]) == 0
    return path


@pytest.mark.parametrize("argv", [["results", "list", "--limit", "0"],
                                  ["results", "list", "--limit", str(10**30)],
                                  ["jobs", "list", "--limit", "-1"]])
def test_table_limits_on_a_non_empty_store(argv, filled_store, tripwire, capsys):
    assert len(ResultStore(filled_store, read_only=True).list_runs()) == 1
    assert_refused(["--store", str(filled_store), *argv], "--limit", filled_store, capsys)


def path_cases() -> list[Any]:
    """--plot and --out: (argv with {tmp} for the test's folder, what the error names)."""
    run = ["run", "coined-walk", "--set", "position_qubits=2", "--set", "steps=1"]
    return [
        pytest.param([*run, "--plot", "{tmp}"], "folder", id="plot-a-folder"),
        pytest.param([*run, "--plot", "{tmp}/missing/walk.png"], "does not exist",
                     id="plot-missing-parent"),
        pytest.param([*run, "--plot", "{tmp}/a_file/walk.png"], "not a folder",
                     id="plot-parent-is-a-file"),
        pytest.param([*run, "--plot", "{tmp}/walk.txt"], "'.txt'", id="plot-txt"),
        pytest.param([*run, "--plot", "{tmp}/walk"], "no suffix", id="plot-no-suffix"),
        pytest.param(["sweep", "dephasing", "--over", "gamma=1,2", "--plot", "{tmp}"],
                     "folder", id="sweep-plot-a-folder"),
        pytest.param(["demo", "--out", "{tmp}/a_file"], "not a folder", id="out-a-file"),
        pytest.param(["demo", "--out", "{tmp}/a_file/sub"], "not a folder",
                     id="out-below-a-file"),
    ]


@pytest.mark.parametrize(("argv", "names"), path_cases())
def test_table_paths(argv, names, tmp_path, tripwire, isolated_store, capsys):
    (tmp_path / "a_file").write_text("not a folder")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    flag = "--plot" if "--plot" in argv else "--out"
    err = assert_refused(argv, names, isolated_store, capsys)
    assert flag in err
    assert not (tmp_path / "missing").exists() and not list(tmp_path.glob("*.png"))


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_table_configs(name, tmp_path, tripwire, isolated_store, capsys):
    content, names = BAD_CONFIGS[name]
    path = tmp_path / f"{name}.toml"
    path.write_bytes(content)
    err = assert_refused(["run", "coined-walk", "--backend", str(path)], names,
                         isolated_store, capsys)
    assert str(path) in err


def test_table_config_commands(tmp_path, tripwire, isolated_store, capsys):
    """Every command that reads a config refuses a broken one the same way."""
    path = tmp_path / "bad.toml"
    path.write_bytes(b"[run]\nseed = -1\n")
    for argv in (["run", "coined-walk"], ["sweep", "dephasing", "--over", "gamma=1,2"],
                 ["resources", "coined-walk", "--target"], ["demo"], ["backends"]):
        option = [] if argv[-1] == "--target" else ["--backend"]
        assert_refused([*argv, *option, str(path)], str(path), isolated_store, capsys)


# -- the Python API: the same guards without the CLI ----------------------------------

API_BAD_VALUES: dict[str, list[Any]] = {
    "int": [True, 2**63, 2.5, "3", math.nan, np.float64(2.0), np.bool_(True)],
    "float": [math.nan, math.inf, -math.inf, True, "1.5", np.float32(np.nan)],
    "list-int": [[math.nan], [True], [2.5], [2**63], np.array([np.nan])],
    "list-float": [[math.nan], [math.inf], [True], (np.inf,)],
    "any": [[math.nan, 0], [[math.nan, 0], [0, 1]], [math.inf, 0, 0], True,
            np.array([np.nan, 0])],
    "literal": [True, "nope"],
}


def api_cases() -> list[Any]:
    return [pytest.param(name, field, id=f"{name}-{field}")
            for name, cls in sorted(REGISTRY.items()) for field in cls.spec_type.model_fields]


@pytest.mark.parametrize(("name", "field"), api_cases())
def test_api_spec_values(name, field):
    """``from_settings`` (the Python API) refuses each bad value with a ParameterError
    naming the field."""
    kind = field_kind(REGISTRY[name].spec_type.model_fields[field].annotation)
    for value in API_BAD_VALUES[kind]:
        with pytest.raises(ParameterError) as info:
            REGISTRY[name].from_settings({field: value})
        assert info.value.parameter == field and "\n" not in str(info.value), value


@pytest.mark.parametrize("value", [
    np.array([[np.nan, 0], [0, 1]]), np.array([[1, 0], [0, np.inf]]),
    [[complex(np.nan, 0), 0], [0, 1]], [np.nan, 0.0, 0.0], [[1, 0], [0, "nan"]],
])
def test_api_coins_refuse_non_finite(value):
    with pytest.raises(ParameterError, match=r"finite|expected"):
        resolve_coin(value, 1)


@pytest.mark.parametrize("value", [np.array([np.nan, 0]), [np.inf, 0], [1, complex(0, np.nan)],
                                   ["nan", 0], [[np.nan, 0], 0]])
def test_api_coin_states_refuse_non_finite(value):
    with pytest.raises(ParameterError, match=r"finite|expected"):
        resolve_coin_state(value, 1)


@pytest.mark.parametrize(("centre", "width", "momentum"), [
    (np.nan, 2.0, 0.0), (4.0, np.nan, 0.0), (4.0, np.inf, 0.0), (4.0, 2.0, np.nan)])
def test_api_packets_refuse_non_finite(centre, width, momentum):
    with pytest.raises(ParameterError, match="finite"):
        gaussian_packet(64, centre, width, momentum)


def test_the_issue_nan_run_is_refused_and_stores_nothing(isolated_store, capsys):
    """The case that stored a NaN run with exit 0, run for real (no tripwire)."""
    assert_refused(["run", "coined-walk", "--set", "position_qubits=3", "--set", "steps=2",
                    "--set", "initial_coin=[NaN,0]", "--set", "shift=fast-forward",
                    "--shots", "100"], "'initial_coin'", isolated_store, capsys)
    assert not isolated_store.exists()


def test_a_token_pasted_into_a_parameter_is_not_echoed(isolated_store, capsys):
    err = assert_refused(["run", "coined-walk", "--set", f"coin={TOKEN}"], "'coin'",
                         isolated_store, capsys)
    assert "<redacted>" in err


def test_a_plot_that_fails_after_the_run_still_prints_the_run_id(tmp_path, monkeypatch,
                                                                 isolated_store, capsys):
    import qwalk_circuits.analysis.plots as plots

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(plots, "save", disk_full)
    assert main(["run", "coined-walk", "--set", "position_qubits=2", "--set", "steps=1",
                 "--shots", "exact", "--json", "--plot", str(tmp_path / "walk.png")]) == 2
    out, err = capsys.readouterr()
    run_id = ResultStore(isolated_store).list_runs()[0]["run_id"]
    assert run_id in out and f"run {run_id} is stored" in err
    # one error line after the run's own warning lines (4 sites fill at once: finite size)
    errors = [line for line in err.splitlines() if not line.startswith("warning: ")]
    assert len(errors) == 1 and "No space left on device" in errors[0]


def test_qwalk_errors_raised_while_interrupted_exit_130(monkeypatch, capsys):
    """Ctrl-C in code that turns it into a QwalkError (waiting for device jobs) or that
    notes what it left behind: one line, status 130."""
    import qwalk_circuits.cli.commands as commands

    def waiting(args: Any) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise QwalkError("interrupted; run R is in the ledger: resume with "
                             "'qwalk jobs fetch R'") from None

    def noted(args: Any) -> None:
        interrupt = KeyboardInterrupt()
        interrupt.add_note("run R cannot be resumed: submit it again")
        raise interrupt

    for command, said in ((waiting, "qwalk: interrupted: run R is in the ledger"),
                          (noted, "qwalk: interrupted: run R cannot be resumed")):
        monkeypatch.setattr(commands, "cmd_list", command)
        assert main(["list"]) == 130
        err = capsys.readouterr().err
        assert err.startswith(said) and err.count("\n") == 1
