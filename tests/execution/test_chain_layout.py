"""chain_layout: which one-hot rings a heavy-hex device holds with no SWAP, and the dry
run's note where the transpiler had to route one.  Measured on fake_fez's coupling map."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.transpiler import CouplingMap
from qiskit_ibm_runtime.fake_provider import FakeFez

from qwalk_circuits.execution.chain_layout import bond_of, device_rings, routing_gates
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, resolve_config

from ..claims.claims import quoted


def chain(sites: int, boundary: str):
    return get_experiment("anderson-chain").from_settings(
        {"sites": sites, "time": 1.6, "time_steps": 2, "measured_points": 2,
         "realisations": 2, "boundary": boundary})


def test_heavy_hex_holds_rings_of_12_and_every_multiple_of_4_from_20():
    """Each heavy-hex cycle is a honeycomb cycle (6, 10, 12, 14, ...) with every edge
    subdivided: 12, 20, 24, 28, ...; no 16 and nothing of the form 4k + 2."""
    quoted("README.md", "heavy-hex has cycles of 12 and of every multiple of 4 from 20 "
           "qubits, never 16")
    assert device_rings(FakeFez().coupling_map, up_to=40) == [12, *range(20, 41, 4)]


def test_a_square_lattice_holds_its_rings():
    grid = CouplingMap.from_grid(3, 3)
    assert device_rings(grid, up_to=10) == [4, 6, 8]


@pytest.mark.parametrize(("x", "y", "ring", "bond"), [
    (3, 4, False, 3), (4, 3, False, 3), (0, 5, False, None), (0, 5, True, 5),
    (5, 0, True, 5), (1, 3, True, None), (None, 2, False, None)])
def test_a_bond_is_a_pair_of_neighbouring_sites(x, y, ring, bond):
    assert bond_of(x, y, 6, ring) == bond


def test_routing_gates_are_those_off_the_chain_s_bonds():
    """Measured into sites 0..3 on qubits 3, 2, 1, 0: CZ(3, 2) is bond 0; CZ(3, 0) is
    routing on a chain, the closing bond on a 4-site ring; CZ(3, 1) routing on both."""
    isa = QuantumCircuit(4, 4)
    isa.cz(3, 2)
    isa.cz(3, 0)
    isa.cz(3, 1)
    isa.measure([3, 2, 1, 0], [0, 1, 2, 3])
    assert routing_gates(isa, 4, ring=False) == (2, 3)
    assert routing_gates(isa, 4, ring=True) == (1, 3)


@pytest.fixture(scope="module")
def plans():
    config = resolve_config("fake_fez")
    return {(n, b): plan(chain(n, b), config, 100)
            for n, b in ((12, "ring"), (16, "ring"), (16, "open"))}


def test_a_12_site_ring_on_fake_fez_has_no_swap(plans):
    planned = plans[(12, "ring")]
    assert planned["circuits"][-1]["two_qubit_gates"] == 2 * 12 * 2  # 2 CZ per bond
    assert planned["notes"] == []


def test_a_16_site_ring_is_routed_and_the_dry_run_says_so(plans):
    """Heavy-hex has no 16-cycle: the transpiler adds SWAPs (more than 2 CZ x 16 bonds x 2
    steps), and the note names the ring lengths the device does hold."""
    quoted("BENCHMARKS.md", "time_steps=2 --dry-run` reports 103 CZ at T = 2 against 64 "
           "without SWAPs")
    planned = plans[(16, "ring")]
    assert planned["circuits"][-1]["two_qubit_gates"] == 103  # the transpiler's, seeded
    (note,) = planned["notes"]
    gates = planned["circuits"][-1]["two_qubit_gates"]
    assert f"added SWAPs, {gates} two-qubit gates in the last circuit against 64" in note
    assert "16-site ring found no cycle" in note
    assert "12, 20, 24, 28, 32, 36, 40" in note and "boundary=open" in note
    assert plans[(16, "open")]["notes"] == []
    assert plans[(16, "open")]["circuits"][-1]["two_qubit_gates"] == 2 * 15 * 2


def test_an_open_chain_off_its_line_gets_the_note_without_ring_lengths():
    """A routed open chain (CZ between sites 0 and 2, by hand): the note says it found no
    line, gives the SWAP-free count (2 CZ x 3 bonds x 1 step) and no ring lengths."""
    experiment = get_experiment("anderson-chain").from_settings(
        {"sites": 4, "time": 0.8, "time_steps": 1, "realisations": 2})
    isa = QuantumCircuit(4, 4, metadata={"steps": 1})
    isa.cz(0, 2)
    isa.measure(range(4), range(4))
    (note,) = experiment.layout_notes([isa], FakeFez())
    assert "4-site chain found no line of 4 coupled qubits on fake_fez" in note
    assert "1 two-qubit gates in the last circuit against 6 without" in note
    assert "rings" not in note
    assert experiment.layout_notes([], FakeFez()) == []


def test_the_printed_dry_run_carries_the_note(plans, capsys):
    from qwalk_circuits.cli.render_plan import print_plan

    print_plan(plans[(16, "ring")], as_json=False)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert len(lines) == 1 and "16-site ring found no cycle" in lines[0]
    print_plan(plans[(12, "ring")], as_json=False)
    assert "note:" not in capsys.readouterr().out


def test_a_run_of_a_routed_ring_warns_with_the_dry_runs_note(tmp_path):
    """The note is kept with the submission, so a plain run (not only a dry run) says it:
    heavy-hex has no 4-cycle, so a 4-site ring is routed."""
    from qwalk_circuits.execution import ResultStore
    from qwalk_circuits.pipeline import run

    experiment = get_experiment("anderson-chain").from_settings(
        {"sites": 4, "time": 1.6, "time_steps": 2, "realisations": 2, "boundary": "ring"})
    config = resolve_config("fake_fez")
    (note,) = plan(experiment, config, 200)["notes"]
    summary = run(experiment, config, 200, 3, ResultStore(tmp_path / "s.sqlite"),
                  progress=False).summary
    assert "4-site ring found no cycle" in note
    assert summary["warnings"].count(note) == 1
