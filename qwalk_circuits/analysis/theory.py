"""Theory values as the JSON summary prints them: each named for what it is, with its error.

A number printed beside a result is only useful if the reader knows which model it
belongs to.  Every theory value in a summary is therefore a small dict
``{"kind", "value", "error", "source"}``:

- ``model``: exact for the model the circuits implement (the sliced channel, the finite
  lattice, the split-step walk), so the circuits must agree with it within their errors;
- ``continuum``: a closed form of the continuous-time (or infinite-lattice) limit of the
  model -- e.g. Haken-Strobl-Reineker's D = 2 J^2/gamma -- which the sliced circuits only
  approach as dt -> 0;
- ``asymptotic``: a closed form or exact limit valid at long times or large sizes;
- ``fit``: fitted to a measured or reference series; its error includes the fit-window
  systematic where one is estimated;
- ``difference``: the gap between two of the above (a slicing error, a split-step shift).

Theory values sit in summary blocks whose key ends in ``_theory`` (``diffusion_theory``,
``anderson_theory``, ...); :func:`unnamed_theory_values` finds any that are not in this
form, so the contract test keeps every experiment honest.  ``error`` is None where no error
is known; ``source`` names the formula or procedure in a few words.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any, Literal

import numpy as np

TheoryKind = Literal["model", "continuum", "asymptotic", "fit", "difference"]
KINDS: frozenset[str] = frozenset({"model", "continuum", "asymptotic", "fit", "difference"})
#: what every theory value holds
FIELDS: frozenset[str] = frozenset({"kind", "value", "error", "source"})


Number = float | None
Series = Sequence[float | None] | np.ndarray


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def _clean(x: Any, magnitude: bool = False) -> Any:
    """A number or a series (one value per time) with non-finite entries as None."""
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        return [_clean(v, magnitude) for v in x]
    value = _finite(x)
    return None if value is None else (abs(value) if magnitude else value)


def theory_value(kind: TheoryKind, value: float | Series | None,
                 error: float | Series | None = None, *, source: str) -> dict[str, Any]:
    """One named theory value: ``kind`` (see the module), ``value`` (a number, or a series
    with one entry per measured time), its ``error`` (None: not known) and a short
    ``source`` (formula or procedure).  Non-finite numbers become None."""
    if kind not in KINDS:
        raise ValueError(f"unknown theory kind {kind!r}; use one of {sorted(KINDS)}")
    return {"kind": kind, "value": _clean(value), "error": _clean(error, magnitude=True),
            "source": source}


def _number_or_series(x: Any) -> bool:
    if isinstance(x, list):
        return all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                   for v in x)
    return x is None or (isinstance(x, (int, float)) and not isinstance(x, bool))


def is_theory_value(entry: Any) -> bool:
    """Whether ``entry`` is a theory value in the form :func:`theory_value` writes."""
    return (isinstance(entry, dict) and set(entry) == FIELDS and entry["kind"] in KINDS
            and isinstance(entry["source"], str) and entry["source"] != ""
            and all(_number_or_series(entry[k]) for k in ("value", "error")))


def named_curve(kind: TheoryKind, source: str, **series: Any) -> dict[str, Any]:
    """A block of theory curves or constants read by name (``block["sigma"]`` per time, a
    closed form's parameters) that says what it is: ``kind`` and ``source`` beside them."""
    if kind not in KINDS:
        raise ValueError(f"unknown theory kind {kind!r}; use one of {sorted(KINDS)}")
    return {"kind": kind, "source": source,
            **{k: v if isinstance(v, (str, bool)) or v is None else _clean(v)
               for k, v in series.items()}}


def unnamed_blocks(summary: dict[str, Any], data_keys: frozenset[str]) -> list[str]:
    """Top-level summary keys that are neither data (``data_keys``: what was measured,
    run and fitted-as-data), nor a ``*_theory`` block, nor a block that names its kind
    (:func:`named_curve`): empty for an honest summary."""
    return sorted(key for key, block in summary.items()
                  if key not in data_keys and not key.endswith("_theory")
                  and not (isinstance(block, dict) and block.get("kind") in KINDS
                           and isinstance(block.get("source"), str)))


def _leaves(block: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(path, entry) for each theory value or other leaf under a ``*_theory`` block; lists
    (a value per sweep point or per time) are walked item by item."""
    if is_theory_value(block):
        yield path, block
    elif isinstance(block, dict):
        for key, value in block.items():
            yield from _leaves(value, f"{path}.{key}")
    elif isinstance(block, list):
        for i, value in enumerate(block):
            yield from _leaves(value, f"{path}[{i}]")
    else:
        yield path, block


def unnamed_theory_values(summary: dict[str, Any]) -> list[str]:
    """Paths of the entries under a summary's ``*_theory`` blocks that are not named theory
    values (a bare number, a dict without a kind): empty for an honest summary.  Strings
    (a note) and booleans (a verdict) are allowed."""
    bad = []
    for key, block in summary.items():
        if not key.endswith("_theory"):
            continue
        for path, entry in _leaves(block, key):
            if not (is_theory_value(entry) or isinstance(entry, (str, bool)) or entry is None):
                bad.append(path)
    return bad
