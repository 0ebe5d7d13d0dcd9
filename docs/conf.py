"""Sphinx configuration for the qwalk_circuits documentation (`make docs`).

Everything generated at build time goes to ``docs/_generated/`` (ignored by git):

- ``notebooks/``: copies of ``notebooks/*.ipynb`` whose ``parameters`` cell holds the small
  parameters of ``tests/test_notebooks.py`` (its ``OVERRIDES``, read with ``ast``); myst-nb
  executes them during the build, so the pages show fresh outputs;
- ``cli.md``: ``format_help()`` of every ``qwalk`` subcommand, from ``build_parser()``;
- ``demo/``: a ``qwalk demo`` run (its figures and summary), started in the background
  when the story page is to be read; that page is read last and waits for the demo
  (at most ``QWALK_DOCS_DEMO_TIMEOUT`` s).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
GENERATED = DOCS / "_generated"
NOTEBOOK_TIMEOUT_S = 300
DEMO_TIMEOUT_S = float(os.environ.get("QWALK_DOCS_DEMO_TIMEOUT", "900"))

sys.path.insert(0, str(ROOT))

project = "qwalk_circuits"
author = "qwalk_circuits maintainers"
copyright = "qwalk_circuits maintainers"
try:
    from importlib.metadata import version as _version

    release = _version("qwalk_circuits")
except Exception:  # pragma: no cover - a source tree that was never installed
    release = "unknown"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.autosummary",
              "sphinx.ext.napoleon", "sphinx.ext.viewcode"]
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints",
                    "_generated/demo/*.md", "_generated/cli.md"]
html_theme = "alabaster"
html_title = "qwalk_circuits"

myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# QWALK_DOCS_EXECUTE=off: a quick build without outputs (to check the pages)
nb_execution_mode = "off" if os.environ.get("QWALK_DOCS_EXECUTE") == "off" else "force"
nb_execution_timeout = NOTEBOOK_TIMEOUT_S
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_kernel_rgx_aliases = {".*": "python3"}

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_typehints = "description"
autosummary_generate = False


# ---------------------------------------------------------------- notebooks
def _overrides() -> dict:
    """``OVERRIDES`` of tests/test_notebooks.py, read without importing pytest."""
    tree = ast.parse((ROOT / "tests" / "test_notebooks.py").read_text())
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == "OVERRIDES":
            return ast.literal_eval(node.value)
    return {}


def _write_notebooks() -> None:
    out = GENERATED / "notebooks"
    out.mkdir(parents=True, exist_ok=True)
    overrides = _overrides()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        params = overrides.get(path.name, {}).get("parameters")
        if params:
            for cell in nb["cells"]:
                if cell["cell_type"] == "code" and "parameters" in cell["metadata"].get("tags", []):
                    lines = [f"{name} = {value!r}" for name, value in params.items()]
                    cell["source"] = "\n".join(
                        ["# small parameters for the documentation build "
                         "(tests/test_notebooks.py)", *lines])
                    break
        text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        dest = out / path.name
        if not dest.exists() or dest.read_text() != text:
            dest.write_text(text)


# ---------------------------------------------------------------- CLI reference
def _subcommands(parser: argparse.ArgumentParser, prefix: str):
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _subcommands(sub, f"{prefix} {name}")


def _write_cli() -> None:
    os.environ["COLUMNS"] = "100"
    from qwalk_circuits.cli.parser import build_parser

    lines = ["# qwalk", "",
             "Generated at build time from `qwalk_circuits.cli.parser.build_parser()`: the "
             "`--help` of `qwalk` and of every subcommand.", ""]
    for name, parser in _subcommands(build_parser(), "qwalk"):
        lines += [f"## `{name}`", "", "```text", parser.format_help().rstrip(), "```", ""]
    text = "\n".join(lines)
    dest = GENERATED / "cli.md"
    if not dest.exists() or dest.read_text() != text:
        dest.write_text(text)


# ---------------------------------------------------------------- demo
DEMO = GENERATED / "demo"
DEMO_DONE = GENERATED / "demo.rc"


def _start_demo() -> None:
    if DEMO_DONE.exists():
        DEMO_DONE.unlink()
    shutil.rmtree(DEMO, ignore_errors=True)  # no figure of an earlier build survives
    DEMO.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, MPLBACKEND="Agg",
               QWALK_STORE=str(GENERATED / "demo-runs.sqlite"))
    script = (f'"{sys.executable}" -m qwalk_circuits.cli demo --out "{DEMO}" '
              f'> "{GENERATED / "demo.log"}" 2>&1; echo $? > "{DEMO_DONE}.tmp" && '
              f'mv "{DEMO_DONE}.tmp" "{DEMO_DONE}"')
    subprocess.Popen(["bash", "-c", script], env=env, cwd=str(ROOT))


def wait_for_demo() -> None:
    start = time.monotonic()
    while not DEMO_DONE.exists():
        if time.monotonic() - start > DEMO_TIMEOUT_S:
            raise RuntimeError(f"qwalk demo did not finish in {DEMO_TIMEOUT_S:.0f} s "
                               f"(see {GENERATED / 'demo.log'})")
        time.sleep(1)
    rc = DEMO_DONE.read_text().strip()
    if rc != "0":
        raise RuntimeError(f"qwalk demo failed (exit {rc}); see {GENERATED / 'demo.log'}")


def _story_source(app, docname, source) -> None:
    if docname == "story":
        wait_for_demo()  # story.md includes the demo's summary.md and its figures


def _move_story_last(app, env, docnames) -> None:
    # run the demo only when the story page is (re)read, and read that page last, so the
    # demo runs while the notebooks execute
    if "story" in docnames:
        _start_demo()
        docnames.remove("story")
        docnames.append("story")


def setup(app):
    os.environ["QWALK_STORE"] = str(GENERATED / "notebook-runs.sqlite")  # never the user's
    os.environ.pop("MPLBACKEND", None)  # the kernels draw inline (PNG outputs)
    GENERATED.mkdir(exist_ok=True)
    _write_notebooks()
    _write_cli()
    app.connect("env-before-read-docs", _move_story_last)
    app.connect("source-read", _story_source)
    return {"parallel_read_safe": True}
