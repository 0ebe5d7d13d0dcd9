"""User-facing errors: one line that names the problem and says what to do next."""

from __future__ import annotations


class QwalkError(ValueError):
    """Bad input from the user (parameter, config, backend size).

    The CLI prints the message on one line and exits with status 2; nothing is
    written to the result store.
    """


class ParameterError(QwalkError):
    """A named experiment parameter is invalid."""

    def __init__(self, name: str, message: str) -> None:
        self.parameter = name
        super().__init__(f"parameter '{name}': {message}")
