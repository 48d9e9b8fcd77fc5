"""The MkDocs plugin, with the real MkDocs (default theme and mkdocs-material), searched in Chromium."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import postsearch

from .browsing import search_on, site_page, without_query

SITE = Path(__file__).parent / "sites" / "mkdocs"


def mkdocs_build(tmp_path: Path, theme: str | None, box: str = "true") -> Path:
    site = tmp_path / "src"
    shutil.copytree(SITE, site)
    config = (site / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - postsearch\n", f"  - postsearch:\n      box: {box}\n")
    (site / "mkdocs.yml").write_text(config + (f"theme:\n  name: {theme}\n" if theme else ""), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(site / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return tmp_path / "site"


@pytest.mark.parametrize(("theme", "box"), [(None, "true"), ("material", "modal")])
def test_mkdocs_site_is_indexed_and_searchable_in_chromium(
    tmp_path: Path, browser: Any, theme: str | None, box: str
) -> None:
    built = mkdocs_build(tmp_path, theme, box)
    index = postsearch.open_index(built / "postsearch")
    hit = index.search("予備の電球").hits[0]
    assert (hit.url, hit.title, hit.date, hit.tags) == ("/lamp/", "灯火の点検", "2024-05-01", ["点検", "灯火"])
    anchor = hit.anchor
    assert f'id="{anchor}"' in (built / "lamp" / "index.html").read_text(encoding="utf-8")  # MkDocs' own ids
    # only the pages' content: the home page's navigation lists 灯火の点検, its content does not
    assert [h.url for h in index.search("灯火", partial=False).hits] == ["/lamp/"]
    with site_page(browser, built) as (page, errors):
        if box == "modal":  # a button on every page; Ctrl+K opens the box
            page.wait_for_function("() => document.querySelector('.postsearch-trigger')")
            page.keyboard.press("Control+k")
            assert page.locator("dialog.postsearch-dialog").evaluate("(d) => d.open")
        search_on(page, "予備の電球")
        link = page.locator(".postsearch-results a").first
        assert without_query(link.get_attribute("href") or "").endswith(f"/lamp/#{anchor}")
        link.click()
        page.wait_for_url(lambda url: without_query(url).endswith(f"/lamp/#{anchor}"))
        assert "予備の電球" in page.locator(f"[id='{anchor}']").inner_text()
        # the default theme loads highlight.js and Bootstrap from a CDN, offline here
        assert [e for e in errors if "hljs" not in e and "backdrop" not in e] == []
