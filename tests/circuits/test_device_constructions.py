"""The line-connectivity QFT constructions: the frame they enter, exactness, an Aer run,
and what ``auto`` makes of them on a heavy-hex device and on all-to-all hardware."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator
from qiskit.synthesis import synth_qft_full, synth_qft_line

from qwalk_circuits.circuits import build_coined_walk, measure_position
from qwalk_circuits.circuits.fourier_frame import frame_qft, frame_qubits
from qwalk_circuits.execution import load_config
from qwalk_circuits.execution.resources import circuit_stats, transpile_to_target
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import run
from tests.circuits.test_coined_walk_exactness import check

ATOL = 1e-10
LINE = ("fourier-line", "fast-forward-line")
HADAMARD = np.array([[1, 1], [1, -1]]) / np.sqrt(2)


@pytest.mark.parametrize("n", range(1, 8))
def test_qiskit_line_qft_without_swaps_is_the_no_swap_qft(n):
    """Qiskit's docs: synth_qft_line(do_swaps=False) is "QFT-with-reversal", the unitary
    of synth_qft_full(do_swaps=False) (it is not what frame_qft uses: see below)."""
    a = Operator(synth_qft_full(n, do_swaps=False)).data
    b = Operator(synth_qft_line(n, do_swaps=False)).data
    assert np.abs(a - b).max() < ATOL


@pytest.mark.parametrize("n", range(1, 8))
def test_line_frame_is_the_no_swap_frame_read_backwards(n):
    """frame_qft(n, "line") = the no-swap QFT followed by the register's reversal, so the
    no-swap frame's operations on frame_qubits(axis, "line") are the same physics."""
    reversed_frame = QuantumCircuit(n)
    reversed_frame.compose(frame_qft(n, "full"), inplace=True)
    for j in range(n // 2):
        reversed_frame.swap(j, n - 1 - j)
    got = Operator(frame_qft(n, "line")).data
    assert np.abs(got - Operator(reversed_frame).data).max() < ATOL
    qubits = list(QuantumCircuit(n).qubits)
    assert frame_qubits(qubits, "line") == qubits[::-1] and frame_qubits(qubits) == qubits


def test_unknown_synthesis_is_refused():
    with pytest.raises(ValueError, match="full"):
        frame_qft(3, "ring")  # type: ignore[arg-type]


@pytest.mark.parametrize("construction", LINE)
@pytest.mark.parametrize(("n", "steps", "dimension", "localized"),
                         [(1, 5, 1, True), (2, 0, 1, False), (3, 7, 1, False), (5, 11, 1, True),
                          (6, 4, 1, False), (2, 3, 2, False), (3, 2, 2, True)])
def test_line_constructions_are_exact(construction, n, steps, dimension, localized):
    check(seed=31 * n + steps, n=n, steps=steps, dimension=dimension,
          construction=construction, localized=localized)


def test_line_timeline_saves_are_exact():
    """A fourier-line timeline (leaving and re-entering the frame at each save) is what
    the Aer run of shift=fourier-line simulates: run it and compare with the reference."""
    experiment = get_experiment("coined-walk").from_settings(
        {"position_qubits": 4, "steps": 6, "shift": "fourier-line", "initial_coin": "plus"})
    assert experiment.timeline().construction == "fourier-line"
    record = run(experiment, load_config(), shots=None, seed=1)
    assert max(record.summary["distance"]["tvd"]) < 1e-10


@pytest.mark.parametrize("shift", LINE)
def test_sampled_aer_run_is_within_shot_noise(shift):
    experiment = get_experiment("coined-walk").from_settings(
        {"position_qubits": 4, "steps": 6, "times": [0, 3, 6], "shift": shift})
    record = run(experiment, load_config(), shots=2000, seed=7)
    distance = record.summary["distance"]
    assert record.summary["construction"][1:] == [shift] * 2
    for tvd, bound in zip(distance["tvd"], distance["tvd_shot_noise_bound"], strict=True):
        assert tvd <= bound


def _two_qubit(construction: str, n: int, steps: int, target: str) -> int:
    position = np.zeros(1 << n, dtype=complex)
    position[(1 << n) // 2] = 1
    circuit = build_coined_walk(HADAMARD, position, np.array([1, 1j]) / np.sqrt(2), steps, n,
                                1, construction)
    return circuit_stats(transpile_to_target(measure_position(circuit), target))[
        "two_qubit_gates"]


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_line_constructions_lose_on_all_to_all(n):
    """Why auto does not price them there: same circuit but the QFT, which costs
    3 n(n-1)/2 CX by the line synthesis against n(n-1) by the full one."""
    for base in ("fourier", "fast-forward"):
        assert _two_qubit(f"{base}-line", n, 4, "all-to-all") > _two_qubit(base, n, 4,
                                                                            "all-to-all")


def test_auto_picks_a_line_construction_on_fake_fez_and_not_on_all_to_all():
    """64 sites, 8 steps: on fake_fez the line QFT is cheaper and auto takes it (the
    cheapest of all five, transpiled); on all-to-all auto keeps a full-QFT one."""
    settings = {"position_qubits": 6, "steps": 8, "times": [8]}
    experiment = get_experiment("coined-walk").from_settings(settings)
    [chosen] = experiment.constructions("fake_fez")
    costs = {c: _two_qubit(c, 6, 8, "fake_fez") for c in
             ("fourier", "fast-forward", "fourier-line", "fast-forward-line")}
    assert chosen in LINE and costs[chosen] == min(costs.values())
    assert costs[chosen] < min(costs["fourier"], costs["fast-forward"])
    [plain] = get_experiment("coined-walk").from_settings(settings).constructions("all-to-all")
    assert plain in ("fourier", "fast-forward")
