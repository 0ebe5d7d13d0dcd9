"""`qwalk resources`: two-qubit gates and depth per step and in total, per construction."""

from __future__ import annotations

from typing import Any

from .execution.config import load_config
from .execution.resources import circuit_stats, transpile_to_target
from .execution.targets import make_target
from .experiments.auto import FLAT_IN_T
from .work_estimate import check_work


def resource_report(experiment: Any, target: str, allow_large: bool = False
                    ) -> dict[str, Any]:
    """Transpile each construction of the experiment's walk for ``target`` and count.

    Experiments without alternative constructions (continuous-time walks)
    report their longest circuit.  Experiments with ``layer_circuits()``
    (disorder diagonals, kicks) also report the cost of one of each layer.
    ``work`` is the work estimate of an exact run on ``aer_ideal``
    (:mod:`.work_estimate`); a walk over its limits is refused before anything is
    built (the report builds the same circuits), unless ``allow_large``.
    """
    work = check_work(experiment, make_target(load_config("aer_ideal")), None, allow_large,
                      state_check=False)  # the report simulates nothing
    report = _construction_report(experiment, target)
    report["work"] = work.as_dict()
    if experiment.noise_model() is not None:
        # a device runs it as phase-kick trajectories: RZ kicks, no environment qubit
        from .experiments.unravelled import unravelled

        last = unravelled(experiment).templates(target)[-1]  # the kicks still parameters
        stats = circuit_stats(transpile_to_target(last, target))
        report["device_form"] = {"num_qubits": last.num_qubits,
                                 "two_qubit_gates": stats["two_qubit_gates"],
                                 "depth": stats["depth"]}
    if experiment.layer_circuits():
        report["layers"] = [
            {"layer": name, "two_qubit_gates":
             circuit_stats(transpile_to_target(circuit, target))["two_qubit_gates"]}
            for name, circuit in experiment.layer_circuits().items()]
    return report


def _construction_report(experiment: Any, target: str) -> dict[str, Any]:
    if not experiment.allowed_constructions():
        circuit = experiment.circuits(target)[-1]
        total = circuit_stats(transpile_to_target(circuit, target))
        return {"target": target, "steps": None, "num_qubits": circuit.num_qubits,
                "constructions": [_row(circuit.metadata.get("construction", "-"), None, total)]}
    steps = experiment.spec.steps
    rows = []
    num_qubits = 0
    for construction in experiment.allowed_constructions():
        def stats(t: int, c: str = construction) -> dict[str, Any]:
            return circuit_stats(transpile_to_target(experiment.build(t, c), target))
        full = experiment.build(steps, construction)
        total = circuit_stats(transpile_to_target(full, target))
        num_qubits = full.num_qubits
        per_step = None
        if construction not in FLAT_IN_T and steps >= 1:
            per_step = stats(2)["two_qubit_gates"] - stats(1)["two_qubit_gates"]
        rows.append(_row(construction, per_step, total))
    return {"target": target, "steps": steps, "num_qubits": num_qubits, "constructions": rows}


def _row(construction: str, per_step: int | None, total: dict[str, Any]) -> dict[str, Any]:
    return {"construction": construction, "two_qubit_per_step": per_step,
            "two_qubit_total": total["two_qubit_gates"], "depth_total": total["depth"],
            "two_qubit_depth_total": total["two_qubit_depth"]}
