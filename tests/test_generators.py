"""Real generators (Hugo and Jekyll from Debian, Eleventy from npm) build small sites whose
layouts carry the box as the README's recipes say; `postsearch index OUT --html` indexes what
they wrote, and Chromium searches it through a page the generator produced."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

import postsearch
from postsearch.posts import Post, read_posts

from .browsing import search_on, site_page, without_query

SITES = Path(__file__).parent / "sites"
ELEVENTY = SITES / "eleventy" / "node_modules" / ".bin" / "eleventy"

# generator, its command (SRC and OUT filled in), a query, the URL and anchor of its answer,
# the words of the layout (navigation, footer) that must not be indexed
GENERATORS = {
    "hugo": (
        ["hugo", "--quiet", "-s", "{src}", "-d", "{out}"],
        "カモメ",
        "/2024/02/ferry/",
        "甲板から",
        "航路図専用語",
    ),
    "jekyll": (
        ["jekyll", "build", "--quiet", "-s", "{src}", "-d", "{out}"],
        "雷鳥",
        "/2024/07/20/snow-valley.html",
        "山小屋の夕食",
        "登山道案内専用語",
    ),
    "eleventy": ([str(ELEVENTY), "--quiet", "--output={out}"], "アオサギ", "/posts/heron/", "", "流域地図専用語"),
}


def written(out: Path, url: str) -> bool:
    """Whether the generator wrote the page at this URL."""
    page = out / unquote(url).lstrip("/")
    return (page / "index.html" if url.endswith("/") else page).is_file()


def generate(name: str, tmp_path: Path) -> Path:
    command = GENERATORS[name][0]
    if not shutil.which(command[0]):
        pytest.fail(f"{name} is not installed (scripts/test.sh installs it)")
    src, out = tmp_path / "src", tmp_path / "site"
    shutil.copytree(SITES / name, src, ignore=shutil.ignore_patterns("node_modules"))
    done = subprocess.run([c.format(src=src, out=out) for c in command], cwd=src, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    index = subprocess.run(
        [sys.executable, "-m", "postsearch", "index", str(out), "--html", "-o", str(out / "search")],
        capture_output=True,
        text=True,
    )
    assert index.returncode == 0, index.stderr
    return out


@pytest.mark.parametrize("name", list(GENERATORS))
def test_generator_site_is_indexed_and_searched_in_chromium(name: str, tmp_path: Path, browser: Any) -> None:
    _, query, url, anchor, layout_word = GENERATORS[name]
    out = generate(name, tmp_path)
    index = postsearch.open_index(out / "search")
    for hit in index.search("").hits + index.search("の").hits:  # every URL is a page it wrote
        assert written(out, hit.url), hit.url
    hit = index.search(query).hits[0]
    assert (hit.url, hit.anchor) == (url, anchor)
    assert index.search(layout_word, partial=False).hits == []  # navigation and footer left out
    with site_page(browser, out) as (page, errors):
        search_on(page, query)
        page.locator(".postsearch-results a").first.click()
        target = url + (f"#{anchor}" if anchor else "")
        page.wait_for_url(lambda address: unquote(without_query(address)).endswith(target))
        assert query in page.locator("main").inner_text() and errors == []
        # the page's own ui.js loads highlight.js, which marks the words the result matched
        page.wait_for_function("() => document.querySelector('main mark.postsearch-highlight')")


@pytest.mark.parametrize("name", ["hugo", "jekyll"])
def test_source_mode_gives_the_urls_the_generator_wrote(name: str, tmp_path: Path) -> None:
    """Read from the sources with the site's config (permalinks, categories, collections,
    placeholders in front matter), every post's URL is a page the generator wrote, and
    templates, excluded folders and collections that are not output are no posts."""
    out = generate(name, tmp_path)
    posts = [p for p in read_posts(SITES / name) if isinstance(p, Post)]
    assert len(posts) >= 2
    for post in posts:
        assert written(out, post.url), (post.path, post.url)
    paths = {p.path for p in posts}
    assert not any(p.startswith(("layouts/", "_layouts/", "_includes", "_memos/", "drafts-notes/")) for p in paths)
    if name == "jekyll":
        urls = {p.path: p.url for p in posts}
        assert urls["travel/_posts/2023-05-03-pass.md"] == "/travel/hiking/notes/2023/05/03/pass.html"
        assert urls["guide.md"] == "/manual/guide/" and urls["_recipes/stew.md"] == "/recipes/stew/"
