"""The Pelican plugin, with the real Pelican, searched in Chromium through the pages it wrote."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import postsearch

from .browsing import search_on, site_page

SITE = Path(__file__).parent / "sites" / "pelican"


def pelican(site: Path, out: Path) -> None:
    """Build the site with the real Pelican."""
    done = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", str(out), "-q"],
        cwd=site,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_pelican_site_is_indexed_and_searchable_in_chromium(tmp_path: Path, browser: Any) -> None:
    site = tmp_path / "src"
    shutil.copytree(SITE, site)
    pelican(site, tmp_path / "out")
    out = tmp_path / "out"
    index = postsearch.open_index(out / "postsearch")
    hit = index.search("発電機").hits[0]
    assert (hit.title, hit.date, hit.tags) == ("嵐の夜の記録", "2024-09-12T21:00:00+09:00", ["嵐", "灯火", "日誌"])
    assert (out / hit.url.lstrip("/")).is_file()  # a page Pelican wrote
    assert hit.anchor == ""  # its headings have no ids (no toc extension): no anchor made up
    assert [h.title for h in index.search("交代勤務").hits] == ["この日誌について"]  # pages too
    assert index.search("下書き専用語", partial=False).hits == []  # never a draft
    assert index.search("灯台守の日誌", partial=False).hits == []  # the site's name is in the theme, not a post
    with site_page(browser, out) as (page, errors):
        search_on(page, "発電機")
        page.locator(".postsearch-results a").first.click()
        page.wait_for_load_state()
        assert "予備の発電機" in page.locator("body").inner_text() and errors == []
        assert page.locator("mark.postsearch-highlight").first.text_content() == "発電機"  # highlight.js


def test_pelican_finds_the_plugin_by_itself(tmp_path: Path) -> None:
    """postsearch installs `pelican/plugins/postsearch/` (src/pelican/...), a namespace plugin
    Pelican loads by itself when PLUGINS is not set."""
    site = tmp_path / "src"
    shutil.copytree(SITE, site)
    conf = (site / "pelicanconf.py").read_text(encoding="utf-8")
    (site / "pelicanconf.py").write_text(conf.replace('PLUGINS = ["postsearch.pelican_plugin"]', ""), encoding="utf-8")
    pelican(site, tmp_path / "out")
    assert postsearch.open_index(tmp_path / "out" / "postsearch").search("発電機").hits
