"""Anderson localization on a one-hot ring: the chain of ``anderson_chain`` closed by the
bond (N - 1, 0), laid on a cycle of the device's qubits (issue 15 part 2: "a qubit layout
that embeds the register's ring in heavy-hex").

Heavy-hex has cycles of 12 qubits and of every multiple of 4 from 20
(``qwalk_circuits/execution/chain_layout.py``), and Qiskit's VF2 layout finds them: the
ring costs 2 CZ per bond and step, N bonds against the open chain's N - 1, with no SWAP.
Sizes, kinds, members, W, dt, estimators and errors are ``anderson_chain``'s; simulated
at 12 sites (the smallest heavy-hex cycle; 16 has none, the router would add SWAPs), the
larger rings by their dry run alone (noisy Aer on 20+ qubits is out of reach here:
BENCHMARKS.md §24).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, resolve_config

from . import Row, rows_until_unobserved
from .anderson_chain import KINDS, MEMBERS, QUICK_MEMBERS, SHOTS, _forecast_row, _row, _settings

BOUNDARY = "ring"
SIZES = ((12, 6),)  # (sites, steps)
FORECAST_SIZES = ((20, 10), (24, 12), (28, 14), (32, 16))
QUICK_SIZE = (12, 2)  # the smallest ring heavy-hex holds; 2 steps keep it cheap


def open_chain_note(device: str, sites: int, steps: int, ring_row: Row) -> str:
    """The open chain of the same sites and steps beside the ring: two more dry runs of
    the clean kind (the chain's and the ring's), their last circuits' calibrated fidelity F,
    its ratio and the error per two-qubit gate; the ring's gate count is the row's (the
    largest over its kinds: the same brickwork, so the same count)."""
    config = resolve_config(device)
    chain = {b: plan(get_experiment("anderson-chain").from_settings(
        _settings(sites, steps, KINDS[0], MEMBERS, b)), config, SHOTS)["circuits"][-1]
        for b in ("open", BOUNDARY)}
    ratio = chain[BOUNDARY]["fidelity"] / chain["open"]["fidelity"]

    def per_gate(c: dict[str, Any]) -> float:
        """1 - F_gates ** (1 / two-qubit gates): the placement's mean error per two-qubit
        gate (its one-qubit gates' share included)."""
        return float(1 - c["gate_fidelity"] ** (1 / c["two_qubit_gates"]))

    return (f"open chain of {sites} sites on {device}: {chain['open']['two_qubit_gates']} "
            f"two-qubit gates, F {chain['open']['fidelity']:.4f}; the ring "
            f"{ring_row.two_qubit_gates}, F {chain[BOUNDARY]['fidelity']:.4f} "
            f"({ratio:.2f}x the chain's); error per two-qubit gate ring / chain "
            f"{per_gate(chain[BOUNDARY]):.5f} / {per_gate(chain['open']):.5f} "
            f"({per_gate(chain[BOUNDARY]) / per_gate(chain['open']):.2f}x)")


def _beside_the_chain(device: str, sites: int, steps: int, row: Row) -> Row:
    return dataclasses.replace(row, notes=(*row.notes,
                                           open_chain_note(device, sites, steps, row)))


def rows(device: str, quick: bool) -> list[Row]:
    """The simulated ring, then (if observed) the larger ones by their dry run alone."""
    if quick:
        return [_row(device, *QUICK_SIZE, QUICK_MEMBERS, BOUNDARY)]
    out = rows_until_unobserved(SIZES, lambda size, steps: _beside_the_chain(
        device, size, steps, _row(device, size, steps, MEMBERS, BOUNDARY)))
    return out + forecast_rows(device) if out[-1].observed else out


def forecast_rows(device: str) -> list[Row]:
    """The rings beyond the simulated one, by their dry run alone (seconds each), each
    with the open chain's cost and fidelity beside it."""
    return [_beside_the_chain(device, sites, steps,
                              _forecast_row(device, sites, steps, BOUNDARY))
            for sites, steps in FORECAST_SIZES]
