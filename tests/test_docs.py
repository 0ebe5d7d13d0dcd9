"""Build the documentation site (`make docs`) and check what it holds.

Slow (the build executes the five notebooks and runs ``qwalk demo``: minutes), so it
runs under ``make test-all`` / ``pytest -m slow`` and in CI through ``make docs``.
Checks: the build passes with warnings as errors; the demo it runs writes every figure
and chapter; every notebook page shows its figures; the CLI and API pages exist and
document ``run``; no internal link, image or anchor in the generated HTML points at
nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BUILD_TIMEOUT_S = 1500


class _Page(HTMLParser):
    """The links (href / src) and anchors (id / name) of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.anchors: set[str] = set()
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.images += 1
        for key in ("href", "src"):
            if values.get(key):
                self.links.append(values[key])  # type: ignore[arg-type]
        for key in ("id", "name"):
            if values.get(key) and tag != "meta":
                self.anchors.add(values[key])  # type: ignore[arg-type]


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
           "-d", str(out / "doctrees"), str(DOCS), str(out / "html")]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                            timeout=BUILD_TIMEOUT_S)
    assert result.returncode == 0, f"sphinx-build failed:\n{result.stdout}\n{result.stderr}"
    return out


def _image_outputs(notebook: Path) -> int:
    nb = json.loads(notebook.read_text())
    return sum(1 for cell in nb["cells"] if cell["cell_type"] == "code"
               for out in cell.get("outputs", [])
               if any(key.startswith("image/") for key in out.get("data", {})))


pytestmark = pytest.mark.slow


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_page_shows_its_figures(site: Path, notebook: Path) -> None:
    executed = site / "jupyter_execute" / "_generated" / "notebooks" / notebook.name
    assert executed.exists(), f"{notebook.name} was not executed during the build"
    expected = _image_outputs(executed)
    assert expected > 0, f"{notebook.name}: the executed notebook has no figures"
    page = site / "html" / "_generated" / "notebooks" / f"{notebook.stem}.html"
    assert page.exists(), f"no page for {notebook.name}"
    shown = _parse(page).images
    assert shown >= expected, f"{page.name}: {shown} <img> tags for {expected} figures"


def test_story_page_shows_the_demo_figures(site: Path) -> None:
    assert _parse(site / "html" / "story.html").images >= 5


def test_the_builds_demo_wrote_every_figure_and_chapter(site: Path) -> None:
    """``qwalk demo`` on Aer (the build's own run, docs/conf.py; the fast suite runs the
    demo's device version only): every figure, the five chapters and their key numbers."""
    demo = DOCS / "_generated" / "demo"
    for name in ("packet_sigma.png", "walk_sigma.png", "walk_distributions.png",
                 "walk_p_origin.png", "dephasing_sweep.png", "coin_dephasing.png",
                 "localization_walks.png", "kicked_rotor.png", "backscattering.png", "summary.md",
                 "summary.html"):
        assert (demo / name).stat().st_size > 0, name
    summary = (demo / "summary.md").read_text()
    for chapter in ("## 1.", "## 2.", "## 3.", "## 4.", "## 5."):
        assert chapter in summary
    assert "0.54" in summary and "mm** wide" in summary
    assert "static disorder" in summary and "Resonance ħ = 4π" in summary


def test_cli_and_api_pages_document_run(site: Path) -> None:
    cli = (site / "html" / "cli.html").read_text(encoding="utf-8")
    assert "qwalk run" in cli and "qwalk jobs fetch" in cli
    api = (site / "html" / "api.html").read_text(encoding="utf-8")
    assert "qwalk_circuits.pipeline.run" in api
    for name in ("submit", "fetch", "reanalyse"):
        assert f"qwalk_circuits.pipeline.{name}" in api


def test_every_page_is_there(site: Path) -> None:
    for name in ("index", "getting-started", "story", "notebooks", "cli", "api", "hardware",
                 "architecture", "benchmarks"):
        assert (site / "html" / f"{name}.html").exists(), name


def test_no_internal_link_is_broken(site: Path) -> None:
    html = site / "html"
    pages = {path.resolve(): _parse(path) for path in html.rglob("*.html")}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue  # external
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.exists():
                broken.append(f"{path.relative_to(html)}: {link}")
            elif parts.fragment and target.suffix == ".html" and target in pages:
                if unquote(parts.fragment) not in pages[target].anchors:
                    broken.append(f"{path.relative_to(html)}: {link} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken[:50])
