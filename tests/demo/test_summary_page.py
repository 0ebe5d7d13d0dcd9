"""The demo's summary.html is its summary.md rendered (no markdown shown literally)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwalk_circuits.demo import story
from qwalk_circuits.demo.chapter import Chapter


def test_the_html_page_renders_the_markdown_it_is_given():
    chapter = Chapter("1. A title", "It is **3.09 mm** wide <script>x</script>.",
                      {"packet_sigma.png": None}, ["τ", "σ"], [["0", "1.0"]], ["a note"],
                      captions={"packet_sigma.png": "the width against time"})
    markdown = story._markdown([chapter])
    page = story._html(markdown)
    assert "<strong>3.09 mm</strong>" in page and "**" not in page
    assert "<script>" not in page and "&lt;script&gt;" in page  # text, not markup
    assert '<img src="packet_sigma.png"' in page
    assert "<th>τ</th>" in page and "<td>1.0</td>" in page and "<li>a note</li>" in page
    assert page.count("<h2>") == 1


def test_no_chapter_text_points_at_a_side_by_side_layout():
    """summary.md stacks the figures one below the other: 'right figure' would be wrong."""
    for module in Path(story.__file__).parent.glob("*.py"):
        text = module.read_text().lower()
        assert "right figure" not in text and "left figure" not in text, module.name


def test_the_demo_says_which_chapter_it_is_on(tmp_path, monkeypatch, capsys):
    from qwalk_circuits.demo import story
    from qwalk_circuits.demo.chapter import Chapter, SkipChapter
    from qwalk_circuits.execution import load_config

    def first(ctx):
        return Chapter("First", "intro", {}, ["a"], [["1"]])

    def second(ctx):
        raise SkipChapter("Second", "not on this target")

    monkeypatch.setattr(story, "CHAPTERS", [("First", first), ("Second", second)])
    story.run_demo(tmp_path, load_config("aer_ideal"), 1, None)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "qwalk demo: chapter 1/2: First ..."
    assert err[1].startswith("qwalk demo: chapter 1/2 done in ")
    assert err[2] == "qwalk demo: chapter 2/2: Second ..."
    assert "Skipped on aer_ideal: not on this target." in (tmp_path / "summary.md").read_text()


def test_every_demo_figure_has_a_caption_under_it():
    from matplotlib.figure import Figure

    from qwalk_circuits.demo.chapter import Chapter
    from qwalk_circuits.demo.story import _markdown

    captioned = Chapter("A", "intro", {"a.png": Figure()}, [], [],
                        captions={"a.png": "what a shows"})
    assert "![a.png](a.png)\n\n*a.png: what a shows*" in _markdown([captioned])
    bare = Chapter("B", "intro", {"b.png": Figure()}, [], [])
    with pytest.raises(ValueError, match=r"b\.png of 'B' has no caption"):
        _markdown([bare])
