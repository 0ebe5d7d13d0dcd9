"""Execute every tutorial notebook (notebooks/*.ipynb) with small parameters.

A new notebook is picked up automatically and runs as it is; to make it cheap,
add an entry to ``OVERRIDES``: ``parameters`` replaces the source of the cell
tagged ``parameters`` (each name must already be assigned there), ``expect``
lists strings that the outputs must contain, ``stored_runs`` how many runs the
notebook writes to the result store (``QWALK_STORE``, a temporary file here).
"""

from __future__ import annotations

import ast
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL_NAME = "qwalk-notebook-tests"  # a kernelspec written for the running interpreter
CELL_TIMEOUT_S = 300

OVERRIDES: dict[str, dict[str, Any]] = {
    "01_quantum_vs_classical_walk.ipynb": {
        "parameters": {"N_QUBITS": 4, "STEPS": 6, "SHOTS": 512, "SEED": 7},
        "expect": ["observables: sigma ~", "classical: sigma ~ 1.000 * t^0.500", "checks passed"],
        "stored_runs": 1,
    },
    "02_decoherence_and_classical_limit.ipynb": {
        "parameters": {"N_QUBITS_PACKET": 6, "SIGMA0": 2.0, "N_QUBITS_CTQW": 4,
                       "N_QUBITS_DEPHASING": 4, "GAMMAS": [0.5, 2.0, 4.0], "GAMMA": 1.0,
                       "TIME": 4.0, "TIME_STEPS": 16, "N_QUBITS_WALK": 5, "WALK_STEPS": 8,
                       "P_VALUES": [0.0, 0.3, 1.0], "SHOTS": 512, "SEED": 7},
        "expect": ["electron: 1 nm, 1000 eV, 1 m -> 3.09 mm", "largest TVD / shot-noise bound",
                   "checks passed"],
        "stored_runs": 14,
    },
    "03_anderson_and_dynamical_localization.ipynb": {
        "parameters": {"N_QUBITS_WALK": 5, "STEPS": 10, "REALISATIONS": 4,
                       "REALISATIONS_REFERENCE": 50, "STRENGTH": 0.5, "SHOTS": 256,
                       "N_QUBITS_CTQW": 5, "W_VALUES": [3.0, 6.0], "TIME": 6.0, "TIME_STEPS": 24,
                       "REALISATIONS_CTQW": 4, "LYAPUNOV_LENGTH": 1000, "KICK_STRENGTH": 5.0,
                       "KBAR": 1.0, "KICKS": 10, "N_QUBITS_ROTOR": 7, "QUASI_MOMENTA": 4,
                       "KICKS_RESONANCE": 8, "N_QUBITS_RESONANCE": 5, "SEED": 7},
        "expect": ["dephasing equivalent p = 1.0000", "largest TVD / shot-noise bound",
                   "resonance: the circuits follow k^2 t^2 / 2", "checks passed"],
        "stored_runs": 9,  # 3 walks, sampled, weaker dynamic, one per W, rotor, resonance
    },
    "04_weak_localization.ipynb": {
        "parameters": {"LATTICE_QUBITS": 3, "W": 3.0, "TIMES": [2.0, 4.0], "REALISATIONS": 9,
                       "REALISATIONS_EXACT": 20, "FLUX": 0.3, "SPIN_ORBIT": 0.07,
                       "FLUX_STRENGTHS": [0.0, 0.3], "FLUX_SWEEP_TIME": 2.0,
                       "SPIN_ORBITS": [0.0, 0.2], "SOC_SWEEP_TIME": 2.0, "CHAIN_QUBITS": 5,
                       "TORUS_QUBITS": 3, "RETURN_REALISATIONS": 9, "RETURN_TIME_1D": 8.0,
                       "RETURN_TIME_2D": 4.0, "SHOTS": None, "SEED": 7},
        "expect": ["symmetric split step: U^T = U", "circuits = exact reference for every run",
                   "checks passed"],
        "stored_runs": 9,  # r(t) x 3 (symmetric, flux, spin-orbit), 2 + 2 sweep points, 2 returns
    },
    "05_running_on_ibm_hardware.ipynb": {
        # offline: fake_fez only; the notebook writes to its own temporary store (checked there)
        "parameters": {"N_QUBITS": 3, "STEPS": 4, "SHOTS": 200, "SEED": 7,
                       "DEVICE_CONFIG": "fake_fez", "REAL_CONFIG": "ibm_fez",
                       "USE_REAL_HARDWARE": False, "ZNE_QUBITS": 6, "ZNE_STEPS": 32,
                       "ZNE_SHOTS": 16000},
        "expect": ["auto picks, per step", "fetched twice: same summary True, stored 1 time(s)",
                   "USE_REAL_HARDWARE = False: nothing was sent to IBM Quantum", "checks passed"],
    },
}


def parameters_cell(nb: Any) -> Any | None:
    """The code cell tagged ``parameters``, if any."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return cell
    return None


def assigned_names(source: str) -> set[str]:
    return {target.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def output_text(nb: Any) -> str:
    """All text a notebook printed or displayed, concatenated."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type in ("execute_result", "display_data"):
                parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.fixture(scope="session")
def kernel_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Jupyter data dir whose kernelspec runs this interpreter (the project's venv)."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "qwalk notebook tests", "language": "python"}))
    return root


def test_notebooks_exist() -> None:
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


def test_overrides_name_existing_notebooks() -> None:
    missing = set(OVERRIDES) - {p.name for p in NOTEBOOKS}
    assert not missing, f"OVERRIDES names notebooks that do not exist: {sorted(missing)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{path.name}: clear the outputs of cells {dirty} before committing"
    # nbformat fills a missing cell id in on reading, with a warning that it will become an
    # error: the stored file must carry them
    stored = json.loads(path.read_text())["cells"]
    no_id = [i for i, cell in enumerate(stored) if "id" not in cell]
    assert not no_id, f"{path.name}: cells {no_id} have no id; run nbformat's normalize()"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, kernel_path: Path, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    nb = nbformat.read(path, as_version=4)
    override = OVERRIDES.get(path.name, {})
    if params := override.get("parameters"):
        cell = parameters_cell(nb)
        assert cell is not None, f"{path.name}: no code cell tagged 'parameters'"
        assert cell is next(c for c in nb.cells if c.cell_type == "code"), (
            f"{path.name}: the 'parameters' cell must be the first code cell")
        unknown = set(params) - assigned_names(cell.source)
        assert not unknown, f"{path.name}: the parameters cell does not assign {sorted(unknown)}"
        cell.source = "\n".join(f"{name} = {value!r}" for name, value in params.items())

    store = tmp_path / "runs.sqlite"
    monkeypatch.setenv("QWALK_STORE", str(store))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    client = nbclient.NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=CELL_TIMEOUT_S,
                                     resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails

    errors = [out for cell in nb.cells for out in cell.get("outputs", [])
              if out.output_type == "error"]
    assert not errors
    text = output_text(nb)
    for expected in override.get("expect", []):
        assert expected in text, f"{path.name}: no output contains {expected!r}"
    if (runs := override.get("stored_runs")) is not None:
        with sqlite3.connect(store) as db:
            stored = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        assert stored == runs, f"{path.name}: {stored} runs in the store, expected {runs}"
