"""The `qwalk` command: list, run, resources, sweep, results, demo, submit, jobs, backends.

Bad input prints one line, ``qwalk: error: ...``, and exits with status 2 (a usage
error: ``qwalk CMD: error: ...``, also 2); Ctrl-C prints ``qwalk: interrupted`` and
exits with 130; output piped into a reader that stops early (``qwalk list | head``)
ends quietly with status 1, as Python's documentation recommends.  (``parser.py``: the
options; ``arguments.py``: their types; ``commands.py``: what each subcommand does;
``render.py``: the one renderer of a summary.)
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from ..core.errors import ParameterError, QwalkError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a Ctrl-C
EXIT_BROKEN_PIPE = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``qwalk`` command; the exit status."""
    try:
        args = build_parser().parse_args(argv)  # imports here: a Ctrl-C is one line too
    except SystemExit as done:  # --help, --version, or a one-line usage error
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return _interrupted(None)
    with _sigint_noticed() as noticed:
        try:
            args.func(args)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        except KeyboardInterrupt as exc:
            return _interrupted(exc)
        except BrokenPipeError:
            return _broken_pipe()
        except QwalkError as exc:
            if noticed or isinstance(exc.__context__, KeyboardInterrupt):
                return _interrupted(exc)
            return _say(f"qwalk: error: {_shown(exc)}", EXIT_USAGE)
        except Exception as exc:
            if noticed:  # a library wrapped the KeyboardInterrupt (Qiskit's Rust HLS does)
                return _interrupted(exc)
            raise
    return 0


@contextmanager
def _sigint_noticed() -> Iterator[list[bool]]:
    """Record a Ctrl-C (the list becomes truthy) and raise KeyboardInterrupt as usual, so
    an error raised while unwinding from one is still reported as the interrupt.  Only
    where Python's own handler is installed (an ignored SIGINT stays ignored)."""
    noticed: list[bool] = []
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield noticed
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        noticed.append(True)
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, handler)
    try:
        yield noticed
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _interrupted(exc: BaseException | None) -> int:
    """One line for a Ctrl-C: what the interrupted code said (a run left to resume)."""
    said = [] if exc is None else [str(exc)] if isinstance(exc, QwalkError) else []
    said += getattr(exc, "__notes__", [])
    text = "; ".join(s.replace("\n", " ") for s in said if s)
    text = text.removeprefix("interrupted").lstrip(";: ")
    return _say("qwalk: interrupted" + (f": {text}" if text else ""), EXIT_INTERRUPTED)


def _broken_pipe() -> int:
    """The reader of stdout went away: send what is left to devnull, say nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (captured in-process)
        pass
    return EXIT_BROKEN_PIPE


def _say(line: str, status: int) -> int:
    try:
        print(line, file=sys.stderr)
    except (BrokenPipeError, ValueError):  # stderr is gone too
        pass
    return status


def _shown(exc: QwalkError) -> str:
    """The error's one line; a parameter's value echoed in it with anything token-like
    hidden (a token pasted into ``--set``)."""
    text = " ".join(str(exc).split("\n"))
    if isinstance(exc, ParameterError):
        from ..execution.service import scrub

        text = scrub(text)
    return text


def build_parser() -> argparse.ArgumentParser:
    """The ``qwalk`` argument parser (:func:`.parser.build_parser`, imported on use)."""
    from .parser import build_parser as build

    return build()


__all__ = ["EXIT_INTERRUPTED", "EXIT_USAGE", "build_parser", "main"]
