"""The Sphinx extension, with the real Sphinx, searched in Chromium through the pages it wrote."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import postsearch

from .browsing import site_page, without_query

PROJECT = Path(__file__).parent / "sites" / "sphinx"


def sphinx_build(tmp_path: Path, builder: str) -> Path:
    src = tmp_path / "src"
    if not src.exists():
        shutil.copytree(PROJECT, src)
    out = tmp_path / builder
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", builder, str(src), str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return out


def test_sphinx_html_is_indexed_with_section_anchors(tmp_path: Path) -> None:
    out = sphinx_build(tmp_path, "html")
    index = postsearch.open_index(out / "_postsearch")
    hit = index.search("浮標").hits[0]
    assert (hit.url, hit.title) == ("/fog.html", "霧の日の作業")  # no ¶ from the permalink mark
    assert f'<section id="{hit.anchor}">' in (out / "fog.html").read_text(encoding="utf-8")
    assert [h.url for h in index.search("霧笛", partial=False).hits] == ["/fog.html"]  # toctree, sidebar left out
    assert index.search("索引", partial=False).hits == []  # genindex and search are not documents
    dirhtml = postsearch.open_index(sphinx_build(tmp_path, "dirhtml") / "_postsearch")
    assert dirhtml.search("浮標").hits[0].url == "/fog/"


def test_sphinx_pages_carry_the_box_in_chromium(tmp_path: Path, browser: Any) -> None:
    out = sphinx_build(tmp_path, "html")
    with site_page(browser, out, "/index.html") as (page, errors):
        sidebar = page.locator("form.search input[name=q]")  # the theme's own search box
        sidebar.fill("霧笛")
        sidebar.press("Enter")  # to search.html?q=霧笛, where postsearch's box answers it
        page.wait_for_url("**/search.html?q=*")
        page.wait_for_function("() => window.__searches.length > 0")
        assert page.locator("input[role=combobox]").input_value() == "霧笛"
        page.locator(".postsearch-results a").first.click()
        page.wait_for_url(lambda url: without_query(url).endswith("/fog.html#id2"))
        assert "霧笛の準備" in page.locator("[id='id2']").inner_text() and errors == []
