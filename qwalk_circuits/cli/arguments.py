"""Argument types of the ``qwalk`` parser, each checked when the command line is read
(before any work): counts and seeds that fit 64 bits, a plot file and an output folder
that can be written.  A bad value is one line, ``qwalk CMD: error: argument --X: ...``."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from ..core.specs import INT64_MAX


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (status 2), not usage + error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def integer(low: int, what: str) -> Callable[[str], int]:
    """An argparse type: an integer in ``low..INT64_MAX`` (``what`` names it in errors)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {what}, an integer >= {low}, got {text[:40]!r}") from None
        if not low <= value <= INT64_MAX:
            raise argparse.ArgumentTypeError(
                f"{what} must be an integer from {low} to 2**63 - 1 (got {text[:40]})")
        return value
    parse.__name__ = what  # argparse names a failed type by its __name__
    return parse


seed = integer(0, "seed")
limit = integer(1, "limit")
_positive_shots = integer(1, "shots")


def shots(text: str) -> int | str:
    """``exact`` or a number of shots (1 .. 2**63 - 1)."""
    return text if text == "exact" else _positive_shots(text)


def _writable_folder(folder: Path) -> str | None:
    """Why files cannot be created in ``folder`` (None: they can)."""
    if not folder.exists():
        return f"folder {folder} does not exist (create it first)"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"folder {folder} is not writable"
    return None


def plot_file(text: str) -> str:
    """A figure file that can be written: not a folder, in a writable folder that exists,
    with a suffix matplotlib writes (``.png``, ``.pdf``, ``.svg``, ...)."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; give a file name, e.g. "
                                         f"{path / 'walk.png'}")
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = path.suffix.lower().removeprefix(".")
    if suffix not in formats:
        raise argparse.ArgumentTypeError(
            f"{text}: " + (f"'.{suffix}' is not a figure format" if suffix else "no suffix")
            + "; end the name in .png, .pdf or .svg (or another format matplotlib writes)")
    return _writable_file(text, path)


def _writable_file(text: str, path: Path) -> str:
    """``path`` (as given: ``text``) if its folder is writable and it is, or does not yet
    exist; else the reason, as an argparse error."""
    why = _writable_folder(path.parent)
    if why is None and path.exists() and not os.access(path, os.W_OK):
        why = f"{path} is not writable"
    if why is not None:
        raise argparse.ArgumentTypeError(f"cannot write {text}: {why}")
    return str(path)


def output_file(text: str) -> str:
    """A data file that can be written: not a folder, in a writable folder that exists."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; give a file name, e.g. "
                                         f"{path / 'run.csv'}")
    return _writable_file(text, path)


def output_folder(text: str) -> str:
    """A folder to write into: an existing writable folder, or a new one whose nearest
    existing parent is a writable folder."""
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} exists and is not a folder; give a folder")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    why = _writable_folder(existing)
    if why is not None:
        raise argparse.ArgumentTypeError(f"cannot write into {text}: {why}")
    return str(path)
