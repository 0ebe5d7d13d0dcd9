"""Spec types: frozen, validated, JSON-serialisable experiment parameters.

Each experiment declares a :class:`Spec` subclass; :func:`parse_spec` turns
user settings (from the CLI, Python or a stored run) into one, and turns any
validation failure into a one-line :class:`~qwalk_circuits.core.errors.ParameterError`
that names the parameter.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ParameterError


class Spec(BaseModel):
    """Base of all experiment specs: frozen, unknown parameters rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def check(self) -> None:
        """Cross-field checks; raise ParameterError.  Subclasses extend this."""

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


SpecT = TypeVar("SpecT", bound=Spec)


def parse_spec(spec_type: type[SpecT], settings: dict[str, Any]) -> SpecT:
    """Validate settings into a spec, or raise ParameterError naming the first bad parameter."""
    known = set(spec_type.model_fields)
    for name in settings:
        if name not in known:
            raise ParameterError(name, f"unknown parameter; known parameters: {sorted(known)}")
    try:
        spec = spec_type.model_validate(settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "?"
        got = settings.get(name, first.get("input"))
        raise ParameterError(name, f"{first['msg'].lower()} (got {got!r})") from None
    spec.check()
    return spec


def parse_setting(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` from the command line; VALUE is read as JSON when it parses."""
    if "=" not in text:
        raise ParameterError(text, "expected NAME=VALUE")
    name, raw = text.split("=", 1)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return name.strip(), value
