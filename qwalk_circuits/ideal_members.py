"""The exact distributions of the very circuits an ensemble sends: each member's bound
parameters on Aer's statevector.

Phase-kick trajectories (``experiments/unravelled.py``) have one exact reference, the
channel's, for every member; their own scatter, which the run's error bar holds, is read
here from the circuits themselves: the analysis uses their average (the floor a finite
number of trajectories leaves), the dry run their spread.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from .execution.ensemble import parameter_columns
from .execution.qpy_text import from_qpy_text


def ideal_members(experiment: Any, infos: list[dict[str, Any]], group: list[int]
                  ) -> np.ndarray:
    """(members, outcomes): the ideal outcome distribution of every member of one time's
    submitted circuits ``group`` (indices into the ledger's ``infos``), in member order."""
    from .execution.config import load_config
    from .execution.ensemble import execute_ensemble

    first = infos[group[0]]
    shell = QuantumCircuit(name=first["label"], metadata=first["metadata"])
    rows = []
    for i in group:
        circuit = from_qpy_text(infos[i]["qpy"])
        values = parameter_columns(circuit, infos[i]["parameters"],
                                   np.array(infos[i]["values"]))
        rows += [result.probabilities for result in execute_ensemble(
            [circuit], [values], load_config("aer_ideal"), None, None)[0]]
    return np.array([experiment.member_distribution(shell, r, p, None)
                     for r, p in enumerate(rows)])
