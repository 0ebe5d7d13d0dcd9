"""The readout solvers a device run can mitigate with (``[run] readout_solver``).

Both read the same calibration: each measured qubit's 2x2 assignment matrix from the
all-|0> and all-|1> circuits of its job (``mitigation.assignment_matrices``), so both
assume uncorrelated readout errors.  They differ in how they invert it:

- ``tensored`` (the default): every qubit's inverse along its bit over all 2^n outcomes,
  then negative quasi-probabilities clipped and the rest renormalised (``mitigation.py``);
- ``mthree`` (Nation et al., PRX Quantum 2, 040326 (2021); the ``mthree`` package, an
  optional dependency): the assignment matrix reduced to the outcomes that were observed
  (cost set by the distinct bitstrings, not 2^n), solved exactly, and projected to the
  nearest probability distribution (Smolin, Gambetta & Smith, PRL 108, 070502 (2012))
  instead of clipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from .mitigation import mitigate

ReadoutSolver = Literal["tensored", "mthree"]
SOLVERS: tuple[ReadoutSolver, ...] = ("tensored", "mthree")


def mthree_missing() -> bool:
    """True when the optional mthree package cannot be imported (the config refuses then)."""
    try:
        import mthree  # noqa: F401
    except ImportError:
        return True
    return False


def mthree_mitigate(counts: Mapping[int, int], matrices: Sequence[np.ndarray],
                    bit_qubits: Sequence[int]) -> dict[int, float]:
    """mthree's mitigated probabilities (exact solve on the observed outcomes, nearest
    probability distribution); clbit j was read from calibration qubit ``bit_qubits[j]``."""
    import mthree

    n = len(bit_qubits)
    solver = mthree.M3Mitigation(None)
    solver.cals_from_matrices([np.asarray(matrices[q], dtype=float) for q in bit_qubits])
    strings = {format(int(k), f"0{n}b"): int(v) for k, v in counts.items() if v}
    quasi = solver.apply_correction(strings, list(range(n)), method="direct")
    probabilities = quasi.nearest_probability_distribution()
    return {int(k, 2): float(v) for k, v in probabilities.items() if v > 0}


def solve_readout(counts: Mapping[int, int], matrices: Sequence[np.ndarray],
                  bit_qubits: Sequence[int], solver: ReadoutSolver = "tensored"
                  ) -> dict[int, float]:
    """The mitigated probabilities of one circuit's counts with the chosen solver."""
    if solver == "mthree":
        return mthree_mitigate(counts, matrices, bit_qubits)
    return mitigate(counts, matrices, bit_qubits)
