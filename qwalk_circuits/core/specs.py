"""Spec types: frozen, validated, JSON-serialisable experiment parameters.

Each experiment declares a :class:`Spec` subclass; :func:`parse_spec` turns
user settings (from the CLI, Python or a stored run) into one, and turns any
validation failure into a one-line :class:`~qwalk_circuits.core.errors.ParameterError`
that names the parameter.

Specs validate strictly: an integer field takes an integer only (not ``true``, not
``2.5``, not ``"3"``), no number is NaN or infinite, and no integer needs more than 64
bits (:data:`INT64_MAX`).
"""

from __future__ import annotations

import json
import math
import typing
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from .errors import ParameterError

#: the largest integer a parameter, seed or shot count may be (numpy, Aer and SQLite
#: hold 64-bit integers)
INT64_MAX = 2**63 - 1


def _admits_bool(annotation: Any) -> bool:
    """True when a field's type takes a bool (``bool``, ``bool | None``, ``Literal[True]``)."""
    if annotation is bool:
        return True
    if typing.get_origin(annotation) is typing.Literal:
        return any(isinstance(arg, bool) for arg in typing.get_args(annotation))
    return any(_admits_bool(arg) for arg in typing.get_args(annotation))


def _plain(value: Any) -> Any:
    """numpy scalars and arrays, and tuples, as the Python numbers and lists a spec holds
    (``np.bool_`` stays: it is no number)."""
    if isinstance(value, np.number):
        return value.item()
    if isinstance(value, np.ndarray | tuple | list):
        return [_plain(v) for v in value]
    return value


def out_of_range(value: Any) -> str | None:
    """Why ``value`` (a number, or a list / dict of them) holds a number no parameter may
    have: NaN or infinite, or an integer beyond 64 bits; None when it holds none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > INT64_MAX:
        return f"{value} does not fit 64 bits (at most 2**63 - 1)"
    if isinstance(value, float | complex) and not math.isfinite(abs(value)):
        return f"{value!r} is not a finite number"
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        for item in value:
            if (why := out_of_range(item)) is not None:
                return why
    return None


class Spec(BaseModel):
    """Base of all experiment specs: frozen, unknown parameters rejected, strict types
    (no bool or float for an int), finite numbers only."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_no_overflow(cls, value: Any, info: ValidationInfo) -> Any:
        """What strict types leave through: a bool for a ``Literal[1, 2]`` or free-form
        (coin) field, NaN / infinity / 64-bit overflow inside a list or free-form value."""
        field = cls.model_fields[str(info.field_name)]
        value = _plain(value)
        if isinstance(value, bool) and not _admits_bool(field.annotation):
            raise ValueError(f"the boolean {json.dumps(value)} is not a valid value here")
        if (why := out_of_range(value)) is not None:
            raise ValueError(why)
        return value

    def check(self) -> None:
        """Cross-field checks; raise ParameterError.  Subclasses extend this."""

    def warnings(self) -> list[str]:
        """What the settings silently chose that the user may not expect (a time grid
        thinned out): the first entries of a run's ``warnings``.  None by default."""
        return []

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
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] != "value_error":  # pydantic's own words: say what was given
            message = f"{message[:1].lower()}{message[1:]} (got {got!r})"
        raise ParameterError(name, message) from None
    spec.check()
    return spec


def _not_a_number(name: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ParameterError(name, f"{constant} is not a finite number")
    return refuse


def parse_setting(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` from the command line; VALUE is read as JSON when it parses.

    NaN, Infinity and numbers too large for a float (``1e999``) are refused, naming NAME.
    """
    if "=" not in text:
        raise ParameterError(text, "expected NAME=VALUE")
    name, raw = text.split("=", 1)
    name = name.strip()
    try:
        value = json.loads(raw, parse_constant=_not_a_number(name))
    except json.JSONDecodeError:
        return name, raw
    except ValueError as exc:  # an integer of more than 4300 digits
        if isinstance(exc, ParameterError):
            raise
        raise ParameterError(name, f"not a usable value ({str(exc).split(':')[0]})") from None
    if (why := out_of_range(value)) is not None:
        raise ParameterError(name, why)
    return name, value
