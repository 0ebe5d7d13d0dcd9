"""A run's results as a table that leaves the tool: one row per time and observable, with
its error, next to the exact reference (and the classical walk where there is one).

The same rows feed ``qwalk results export`` (CSV, JSON or Parquet) and
:func:`to_dataframe` (pandas, the ``dataframe`` extra), so a physicist's own plots start
from exactly what the run printed.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..core.errors import QwalkError

if TYPE_CHECKING:
    import pandas as pd

ExportFormat = Literal["csv", "json", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "json", "parquet")
#: the columns of every row, in order
COLUMNS: tuple[str, ...] = ("run_id", "experiment", "backend", "shots", "time", "observable",
                            "value", "error", "reference", "reference_error", "classical")
EXTRA_HINT = "install the 'dataframe' extra: pip install 'qwalk_circuits[dataframe]'"


def _at(block: dict[str, list[Any]] | None, key: str, i: int) -> Any:
    values = (block or {}).get(key)
    return values[i] if values is not None and i < len(values) else None


def result_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per measured time and observable of a run's summary (as ``--json`` prints
    it, or as the store keeps it); missing values (no error for an exact run, no classical
    counterpart) are None."""
    if "observables" not in summary or "times" not in summary:
        raise QwalkError("this summary has no observables per time to export")
    observables = summary["observables"]
    errors, reference = summary.get("observable_errors"), summary.get("reference")
    reference_errors, classical = summary.get("reference_errors"), summary.get("classical")
    backend = summary.get("backend", {})
    rows = []
    for i, time in enumerate(summary["times"]):
        for name in observables:
            rows.append({"run_id": summary.get("run_id"), "experiment": summary.get("experiment"),
                         "backend": backend.get("name") if isinstance(backend, dict) else backend,
                         "shots": summary.get("shots"), "time": time, "observable": name,
                         "value": _at(observables, name, i), "error": _at(errors, name, i),
                         "reference": _at(reference, name, i),
                         "reference_error": _at(reference_errors, name, i),
                         "classical": _at(classical, name, i)})
    return rows


def to_dataframe(summary: dict[str, Any]) -> pd.DataFrame:
    """The rows of :func:`result_rows` as a pandas DataFrame (pandas is the optional
    ``dataframe`` extra)."""
    try:
        import pandas as pd
    except ImportError:
        raise QwalkError(f"a DataFrame needs pandas: {EXTRA_HINT}") from None
    return pd.DataFrame(result_rows(summary), columns=list(COLUMNS))


def export_text(summary: dict[str, Any], fmt: ExportFormat) -> str:
    """The rows as CSV (a header line, then one line per row) or as a JSON list."""
    rows = result_rows(summary)
    if fmt == "json":
        return json.dumps(rows, allow_nan=False)
    if fmt != "csv":
        raise QwalkError(f"{fmt} is not a text format; write it to a file with --out")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def write_export(summary: dict[str, Any], fmt: ExportFormat, path: Path) -> None:
    """Write the rows to ``path`` in ``fmt`` (Parquet through pandas and pyarrow)."""
    if fmt == "parquet":
        frame = to_dataframe(summary)
        try:
            frame.to_parquet(path, index=False)
        except ImportError:
            raise QwalkError(f"Parquet needs pyarrow: {EXTRA_HINT}") from None
        return
    path.write_text(export_text(summary, fmt))
