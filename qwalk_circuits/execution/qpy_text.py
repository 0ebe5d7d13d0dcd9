"""Circuits as text for the job ledger: base64 QPY, their metadata that JSON cannot hold
(numpy integers, arrays) kept as its text, as in the ledger's ``metadata`` (QPY's own
encoder would fail the submission on it)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

from qiskit import QuantumCircuit, qpy


class TextEncoder(json.JSONEncoder):
    """Metadata JSON cannot hold (numpy integers, arrays) written as its text."""

    def default(self, o: Any) -> str:
        return str(o)


def qpy_text(circuit: QuantumCircuit) -> str:
    """The circuit as base64 QPY (its metadata that JSON cannot hold kept as text, as in
    the ledger's ``metadata``: QPY's own encoder would fail the submission on it)."""
    buffer = io.BytesIO()
    qpy.dump(circuit, buffer, metadata_serializer=TextEncoder)
    return base64.b64encode(buffer.getvalue()).decode()


def from_qpy_text(text: str) -> QuantumCircuit:
    return qpy.load(io.BytesIO(base64.b64decode(text)))[0]
