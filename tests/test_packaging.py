"""The package as a user installs it: a wheel, run from a folder outside the repository.

The wheel is built from a copy of the sources (``pip wheel --no-deps
--no-build-isolation``: no network), installed with ``--no-deps`` into a fresh
venv, and the venv reuses this interpreter's installed dependencies through a
``.pth`` line. That line adds the dependencies' folder as a plain path, so the
``.pth`` files in it, among them the repository's editable install, are not
run: the wheel's copy is the only ``qwalk_circuits`` the subprocesses can
import (asserted). Every command runs with its working directory in a
temporary folder, ``HOME`` there too (no saved IBM account, no user configs
but the ones a test writes).

Also here: the declared dependencies, as ``make test-min`` pins them.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import site
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--set", "position_qubits=3", "--set", "steps=4"]
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "qwalk_circuits")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    site_packages: Path
    work: Path  # the working directory of every command: outside the repository
    env: dict[str, str]

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def run(self, *argv: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(a) for a in argv], cwd=self.work, env=self.env,
                                capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def qwalk(self, *argv: str, timeout: float = 300) -> str:
        return self.run(self.venv / "bin" / "qwalk", *argv, timeout=timeout).stdout


def _build_wheel(out: Path) -> Path:
    source = out / "src"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, symlinks=False,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(out / "dist"), str(source)],
                   check=True, capture_output=True, text=True, timeout=300)
    (wheel,) = (out / "dist").glob("qwalk_circuits-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    assert not root.resolve().is_relative_to(ROOT), "the temporary folder is in the repository"
    wheel = _build_wheel(root)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True,
                   timeout=300)
    purelib = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    # this interpreter's dependencies, after the venv's own site-packages (the wheel wins)
    (purelib / "zz_test_dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n")
    work = root / "work"
    home = root / "home"
    work.mkdir()
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "QWALK_", "QISKIT_IBM", "XDG_"))}
    env.update(HOME=str(home), MPLBACKEND="Agg", MPLCONFIGDIR=str(root / "mpl"),
               QWALK_STORE=str(root / "runs.sqlite"), JUPYTER_PATH=str(root / "jupyter"))
    return Installed(wheel, venv, purelib, work, env)


def test_wheel_ships_configs_license_and_py_typed(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    shipped = {p.name for p in (ROOT / "qwalk_circuits" / "hardware_configs").glob("*.toml")}
    assert {"aer_ideal.toml", "fake_fez.toml"} <= shipped
    assert {f"qwalk_circuits/hardware_configs/{n}" for n in shipped} <= names
    assert "qwalk_circuits/py.typed" in names
    assert any(re.fullmatch(r"qwalk_circuits-[^/]+\.dist-info/licenses/LICENSE", n)
               for n in names)


def test_the_wheel_copy_is_the_one_imported(installed: Installed) -> None:
    out = installed.run(installed.python, "-c", (
        "import json, sys, qwalk_circuits; "
        "print(json.dumps({'file': qwalk_circuits.__file__, 'path': sys.path, "
        "'editable': [m for m in sys.modules if 'editable' in m]}))")).stdout
    info = json.loads(out)
    assert Path(info["file"]).resolve().is_relative_to(installed.site_packages.resolve())
    assert not info["editable"]  # the editable install's finder was never run
    for entry in info["path"]:  # and no other copy is on the path: not the clone
        folder = Path(entry or installed.work).resolve()
        assert folder != ROOT
        if folder != installed.site_packages.resolve():
            assert not (folder / "qwalk_circuits" / "__init__.py").exists(), entry
    assert installed.qwalk("--version").strip() == (
        f"qwalk {importlib.metadata.version('qwalk_circuits')}")


def test_run_on_aer_ideal_matches_the_clone(installed: Installed) -> None:
    wheel = json.loads(installed.qwalk("run", "coined-walk", *SMALL, "--json"))
    clone = subprocess.run([sys.executable, "-m", "qwalk_circuits.cli", "run", "coined-walk",
                            *SMALL, "--json"], cwd=ROOT, capture_output=True, text=True,
                           check=True, timeout=300, env=installed.env)
    clone_summary = json.loads(clone.stdout)
    assert wheel["seed"] == clone_summary["seed"] == 1234  # the shipped aer_ideal.toml's
    assert wheel["shots"] == clone_summary["shots"]
    assert wheel["observables"] == clone_summary["observables"]


def test_run_on_fake_fez(installed: Installed) -> None:
    out = installed.qwalk("run", "coined-walk", *SMALL, "--backend", "fake_fez",
                          "--shots", "200")
    assert "fake_fez" in out and "TVD" in out


def test_backends_lists_shipped_user_and_fake(installed: Installed) -> None:
    user = Path(installed.env["HOME"]) / ".config" / "qwalk" / "hardware_configs"
    user.mkdir(parents=True, exist_ok=True)
    (user / "my_sim.toml").write_text('description = "mine"\n[run]\nseed = 5\n')
    out = installed.qwalk("backends")
    assert "aer_ideal" in out and "ibm_fez_fractional" in out
    assert str(user) in out and "my_sim" in out
    assert "fake_sherbrooke" in out and "none reachable" in out


def test_readme_python_example(installed: Installed) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    example = next(b for b in blocks if "load_config" in b)
    installed.run(installed.python, "-c", example + "\nprint('example ran')")


# --- slow: the demo and notebook 05 from the wheel --------------------------------------


@pytest.mark.slow
def test_demo_from_the_wheel(installed: Installed) -> None:
    """The demo on the shipped fake_fez config (its device chapters: the wheel's configs,
    device path and figures; the Aer demo runs in the documentation build already)."""
    out = installed.work / "demo_output"
    installed.qwalk("demo", "--backend", "fake_fez", "--out", str(out), timeout=900)
    assert (out / "summary.md").is_file() and len(list(out.glob("*.png"))) >= 3
    assert "on fake_fez" in (out / "summary.md").read_text()


@pytest.mark.slow
def test_notebook_05_from_the_wheel(installed: Installed) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from tests.test_notebooks import OVERRIDES, output_text, parameters_cell

    name = "05_running_on_ibm_hardware.ipynb"
    notebook = installed.work / name
    shutil.copy2(ROOT / "notebooks" / name, notebook)
    nb = nbformat.read(notebook, as_version=4)
    cell = parameters_cell(nb)
    assert cell is not None
    cell.source = "\n".join(f"{k} = {v!r}" for k, v in OVERRIDES[name]["parameters"].items())
    kernel = Path(installed.env["JUPYTER_PATH"]) / "kernels" / "qwalk-wheel"
    kernel.mkdir(parents=True, exist_ok=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [str(installed.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "qwalk wheel", "language": "python"}))
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(installed.env)  # the kernel inherits the wheel's environment
    try:
        nbclient.NotebookClient(nb, kernel_name="qwalk-wheel", timeout=300,
                                resources={"metadata": {"path": str(installed.work)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    text = output_text(nb)
    for expected in OVERRIDES[name]["expect"]:
        assert expected in text


# --- declared dependencies ----------------------------------------------------------------


def _min_requirements():
    sys.path.insert(0, str(ROOT / "ci"))
    try:
        import min_requirements
    finally:
        sys.path.remove(str(ROOT / "ci"))
    return min_requirements


def test_every_dependency_has_a_floor_make_test_min_can_pin() -> None:
    floors = _min_requirements().floors()
    assert floors["qiskit-ibm-runtime"] == "0.50"  # executor_sampler with 0.50's behaviour
    for name, floor in floors.items():
        assert re.fullmatch(r"[0-9]+(\.[0-9]+)*", floor), (name, floor)


def test_every_package_the_tests_import_is_declared() -> None:
    declared = set(_min_requirements().floors())
    distributions = importlib.metadata.packages_distributions()
    local = {"qwalk_circuits", "tests", "service_double", "ensemble_checks", "conftest",
             "min_requirements", "benchmarks"}
    missing = {}
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in local:
                    continue
                names = {re.sub(r"[-_.]+", "-", d).lower()
                         for d in distributions.get(top, [top])}
                if not names & declared:
                    missing[top] = path.relative_to(ROOT)
    assert not missing, f"imported by the tests but not declared in pyproject: {missing}"


def test_the_notebooks_extra_brings_jupyterlab_and_make_lab_uses_it() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extra = [re.split(r"[<>=]", r)[0] for r in project["optional-dependencies"]["notebooks"]]
    assert {"jupyterlab", "ipykernel"} <= set(extra)
    makefile = (ROOT / "Makefile").read_text()
    lab = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "'.[notebooks]'" in lab and "jupyter lab notebooks/" in lab
    assert "make lab" in (ROOT / "README.md").read_text()
