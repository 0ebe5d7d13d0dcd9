"""The `qwalk` command: list, run, resources, sweep, results, demo, submit, jobs, backends.

Bad input prints one line, ``qwalk: error: ...``, and exits with status 2.
(``parser.py``: the options; ``commands.py``: what each subcommand does; ``render.py``:
the one renderer of a summary.)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..core.errors import QwalkError
from .parser import build_parser

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except QwalkError as exc:
        print(f"qwalk: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


__all__ = ["EXIT_USAGE", "build_parser", "main"]
