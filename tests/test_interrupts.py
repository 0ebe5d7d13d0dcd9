"""Real ``qwalk`` processes: Ctrl-C is one line and status 130 with nothing stored, and
output piped into a reader that stops early ends quietly (issue 12)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.execution.store import ResultStore

QWALK = [sys.executable, "-m", "qwalk_circuits.cli"]


def _default_sigint() -> None:
    """In the child: Python's Ctrl-C handling even when the test runner ignores SIGINT
    (a background job of a non-interactive shell inherits SIG_IGN)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupted(argv: list[str], after_s: float) -> tuple[int, str, str]:
    """Start ``qwalk argv``, send it SIGINT after ``after_s`` seconds: (status, out, err)."""
    child = subprocess.Popen([*QWALK, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, preexec_fn=_default_sigint)
    time.sleep(after_s)
    assert child.poll() is None, "the run ended before it could be interrupted"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    return child.returncode, out, err


def runs_in(path) -> list[dict]:
    return ResultStore(path, read_only=True).list_runs() if path.exists() else []


@pytest.mark.parametrize("after_s", [1.5, 5.0])
def test_ctrl_c_is_one_line_status_130_and_stores_nothing(after_s, isolated_store):
    """An Aer ensemble run (about 30 s) interrupted while it starts and while it works."""
    status, _out, err = interrupted(["run", "anderson-walk"], after_s)
    assert status == 130, err
    assert err == "qwalk: interrupted\n"
    assert runs_in(isolated_store) == []


@pytest.mark.slow
def test_ctrl_c_during_a_fake_device_run_says_whether_it_can_be_resumed(isolated_store):
    """A fake-device run interrupted during its submission: one line, 130; the ledger
    says what became of the run (its local jobs ended with the process: failed, or
    interrupted and resumable), and nothing is stored as a finished run."""
    status, _out, err = interrupted(["run", "coined-walk", "--set", "position_qubits=4",
                                    "--set", "steps=6", "--backend", "fake_fez"], 8.0)
    assert status == 130 and err.startswith("qwalk: interrupted") and err.count("\n") == 1
    assert runs_in(isolated_store) == []
    if isolated_store.exists():
        for row in Ledger(ResultStore(isolated_store)).runs(10):
            assert row["status"] in ("interrupted", "failed", "submitting"), row


def test_a_reader_that_closed_the_pipe_ends_quietly():
    """Writing into a pipe whose reader is gone: no traceback, status 1 (Python's
    documented recipe for BrokenPipeError)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([*QWALK, "list"], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    finally:
        os.close(write_end)
    assert done.returncode == 1 and done.stderr == ""


def test_qwalk_list_into_head():
    """``qwalk list | head -1``: head gets the first line, qwalk says nothing."""
    qwalk = subprocess.Popen([*QWALK, "list"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    head = subprocess.Popen(["head", "-1"], stdin=qwalk.stdout, stdout=subprocess.PIPE)
    assert qwalk.stdout is not None
    qwalk.stdout.close()  # head alone reads the pipe now
    first, _ = head.communicate(timeout=120)
    _, err = qwalk.communicate(timeout=120)
    assert first.decode().count("\n") == 1 and first.decode().split(":")[0]
    assert err == b"" and qwalk.returncode in (0, 1)


@pytest.mark.skipif(signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
                    reason="SIGINT is not Python's here")
def test_an_interrupt_a_library_wrapped_is_still_an_interrupt(monkeypatch, capsys):
    """Qiskit's Rust high-level synthesis can report a Ctrl-C in a Python plugin as a
    TranspilerError ('unable to synthesize mcx_o30'): a Ctrl-C was seen, so any error
    that ends the command is the interrupt (one line, 130), not a traceback."""
    from qiskit.transpiler.exceptions import TranspilerError

    import qwalk_circuits.cli.commands as commands
    from qwalk_circuits.cli import main

    def synthesis(args) -> None:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # the handler raises KeyboardInterrupt here
        except KeyboardInterrupt:
            raise TranspilerError("HighLevelSynthesis is unable to synthesize mcx_o30"
                                  ) from None

    monkeypatch.setattr(commands, "cmd_list", synthesis)
    assert main(["list"]) == 130
    assert capsys.readouterr().err == "qwalk: interrupted\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_an_error_without_a_ctrl_c_is_not_taken_for_one(monkeypatch):
    """A genuine internal bug still shows its traceback (it is not hidden as bad input)."""
    import qwalk_circuits.cli.commands as commands
    from qwalk_circuits.cli import main

    def bug(args) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(commands, "cmd_list", bug)
    with pytest.raises(ZeroDivisionError):
        main(["list"])
