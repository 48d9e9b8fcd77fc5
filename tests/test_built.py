"""A generator's built HTML as the site (`postsearch index public/ --html`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import postsearch
from postsearch.builtpages import built_site, page_url
from postsearch.posts import Draft, Post, SiteOptions, read_posts

SITES = Path(__file__).parent / "sites"
BUILT = SITES / "built"
PAGEFIND = SITES / "built-pagefind"


def built_index(tmp_path: Path, site: Path = BUILT, **options: object) -> postsearch.Index:
    out = tmp_path / "out"
    postsearch.build(site, out, options=built_site(SiteOptions(), **options), cache=False, jobs=1)
    return postsearch.open_index(out)


def strict(index: postsearch.Index, query: str) -> list[str]:
    return [h.path for h in index.search(query, partial=False).hits]


def test_only_the_content_is_indexed(tmp_path):
    index = built_index(tmp_path)
    assert strict(index, "竹林") == ["posts/kyoto/index.html"]
    assert strict(index, "保津川") == ["posts/kyoto/index.html"]
    for furniture in ("案内板専用語", "足元専用語", "脇道専用語", "台本専用語", "広告欄専用語"):
        assert strict(index, furniture) == [], furniture  # nav, footer, aside, script, ignored
    assert strict(index, "嵐山観光協会") == ["posts/kyoto/index.html"]  # data-pagefind-index-attrs


def test_urls_titles_dates_tags_and_anchors(tmp_path):
    index = built_index(tmp_path)
    kyoto = index.search("保津川").hits[0]
    assert (kyoto.url, kyoto.title) == ("/posts/kyoto/", "雨の嵐山を歩く")  # the h1, not <title>
    assert kyoto.date.startswith("2024-06-15") and kyoto.tags == ["京都", "散歩"]  # article:* metas
    assert kyoto.anchor == "togetsukyo"  # the heading's own id
    hokkaido = index.search("熊鈴").hits[0]
    assert hokkaido.url == "/posts/hokkaido.html"
    assert hokkaido.date == "2023-08-02" and hokkaido.tags == ["北海道", "ドライブ"]  # JSON-LD
    assert hokkaido.anchor == "shiretoko"
    assert index.search("覚え書き").hits[0].url == "/"


def test_pages_that_opt_out_and_other_languages(tmp_path):
    results = {p.path: p for p in read_posts(BUILT, built_site(SiteOptions()))}
    assert isinstance(results["noindex.html"], Draft) and "noindex" in results["noindex.html"].reason
    assert isinstance(results["private.html"], Draft)
    assert isinstance(results["en/about/index.html"], Post)  # every language by default
    only_ja = {p.path: p for p in read_posts(BUILT, built_site(SiteOptions(), lang="ja"))}
    assert isinstance(only_ja["en/about/index.html"], Draft) and "lang en" in only_ja["en/about/index.html"].reason
    assert isinstance(only_ja["posts/kyoto/index.html"], Post)  # ja-JP is ja
    index = built_index(tmp_path)
    assert strict(index, "非掲載専用語") == [] and strict(index, "非公開専用語") == []
    assert strict(index, "weekends") == ["en/about/index.html"]  # Latin words indexed as such


def test_title_from_the_title_element(tmp_path):
    index = built_index(tmp_path, title_from="title")
    assert index.search("保津川").hits[0].title == "雨の嵐山を歩く | 旅の記録"


def test_base_url(tmp_path):
    index = built_index(tmp_path, base_url="/blog/")
    assert index.search("保津川").hits[0].url == "/blog/posts/kyoto/"
    assert page_url("a/b/index.html", "https://example.com/docs") == "https://example.com/docs/a/b/"
    assert page_url("index.html", "/") == "/" and page_url("a/b.html", "") == "/a/b.html"


def test_pagefind_attributes(tmp_path):
    index = built_index(tmp_path, PAGEFIND)
    hit = index.search("重複").hits[0]
    assert (hit.path, hit.title, hit.date) == ("guide.html", "写真の整理手順", "2022-11-20")
    assert hit.tags == ["写真", "手順書"]  # data-pagefind-filter tag and category
    assert strict(index, "写真展") == []  # a page without data-pagefind-body
    assert strict(index, "目次専用語") == [] and strict(index, "印刷用注記専用語") == []


def test_cli_indexes_a_built_site_with_the_index_inside_it(tmp_path):
    public = tmp_path / "public"
    shutil.copytree(BUILT, public)
    for _ in range(2):  # the second build must not read the first one's pages (demo.html)
        done = subprocess.run(
            [sys.executable, "-m", "postsearch", "index", str(public), "--html", "-o", str(public / "search")],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert "indexed 4 posts" in done.stdout and "0 failed" in done.stdout
    assert not (public / ".postsearch-cache").exists()  # nothing of ours deployed with the site
    q = subprocess.run(
        [sys.executable, "-m", "postsearch", "query", str(public / "search"), "竹林", "--json"],
        capture_output=True,
        text=True,
    )
    assert json.loads(q.stdout)["hits"][0]["url"] == "/posts/kyoto/"


@pytest.mark.parametrize("markup", ["<html><body>", "", "<p>unclosed <b>tags", "\x00<main>本文</main>"])
def test_odd_pages_never_fail_the_build(tmp_path, markup):
    site = tmp_path / "site"
    site.mkdir()
    (site / "odd.html").write_text(markup, encoding="utf-8")
    (site / "ok.html").write_text("<main><h1>正常</h1><p>普通のページです。</p></main>", encoding="utf-8")
    report = postsearch.build(site, tmp_path / "out", options=built_site(SiteOptions()), cache=False, jobs=1)
    assert not report.failures and postsearch.open_index(tmp_path / "out").search("普通").hits


def test_two_posts_at_one_url_are_reported_naming_both(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text("<main><p>一つ目の記事です。</p></main>", encoding="utf-8")
    (site / "a.html").write_text("<main><p>二つ目の記事です。</p></main>", encoding="utf-8")
    (site / "b").mkdir()
    (site / "b" / "index.html").write_text("<main><p>別の住所の記事です。</p></main>", encoding="utf-8")
    options = built_site(SiteOptions(), base_url="/")
    report = postsearch.build(site, tmp_path / "out", options=options, cache=False, jobs=1)
    assert report.warnings == []  # /a/, /a.html and /b/ differ
    src = tmp_path / "src"
    src.mkdir()
    (src / "one.md").write_text("---\ntitle: 一\npermalink: /same/\n---\n本文その一。\n", encoding="utf-8")
    (src / "two.md").write_text("---\ntitle: 二\npermalink: /same/\n---\n本文その二。\n", encoding="utf-8")
    report = postsearch.build(src, tmp_path / "out2", cache=False, jobs=1)
    assert report.warnings == [("two.md", "same URL /same/ as one.md")]


LAYOUTS = SITES / "layouts"


@pytest.mark.parametrize(
    ("generator", "query", "url", "title", "anchor", "layout_words"),
    [
        ("hexo", "鯵", "/2024/01/02/harbor/", "港の朝", "市場", ["帳面目次専用語", "側欄専用語", "署名専用語"]),
        (
            "docusaurus",
            "記憶装置",
            "/docs/install/",
            "インストール",
            "requirements",
            ["上部帯専用語", "目録専用語", "道標専用語", "編集案内専用語", "頁送り専用語", "末尾専用語"],
        ),
        (
            "astro",
            "鉄塔",
            "/guides/setup/",
            "初期設定",
            "ファインダー",
            ["看板専用語", "索引欄専用語", "更新表示専用語"],
        ),
    ],
)
def test_output_folders_laid_out_as_other_generators_write_them(
    tmp_path, generator, query, url, title, anchor, layout_words
):
    index = built_index(tmp_path, LAYOUTS / generator)
    hit = index.search(query).hits[0]
    assert (hit.url, hit.title, hit.anchor) == (url, title, anchor)
    for word in layout_words:  # navigation, sidebars, breadcrumbs, footers: not content
        assert strict(index, word) == [], word


def test_hostile_json_ld_is_left_out(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    deep = "[" * 100_000 + "]" * 100_000
    (site / "a.html").write_text(
        f'<html lang="ja"><head><script type="application/ld+json">{deep}</script></head>'
        "<body><main><h1>深い入れ子</h1><p>本文は普通に読める。</p></main></body></html>",
        encoding="utf-8",
    )
    report = postsearch.build(site, tmp_path / "out", options=built_site(SiteOptions()), cache=False, jobs=1)
    assert report.posts == 1 and not report.failures


def node_paths(index_dir: Path, query: str) -> list[str]:
    """The JavaScript reader's answer (postsearch.js written next to the index, in Node)."""
    script = (
        "const { openIndex } = await import(process.argv[1] + '/postsearch.js');"
        "const { readFile } = await import('node:fs/promises');"
        "const index = await openIndex(process.argv[1], { load: (n) => readFile(process.argv[1] + '/' + n) });"
        "const r = await index.search(process.argv[2], 10);"
        "console.log(JSON.stringify(r.hits.map((h) => [h.path, h.score])));"
    )
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, str(index_dir), query], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_weighted_pages_rank_higher_in_both_readers(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    body = "<h1>{}</h1><p>灯台の点検では、レンズの曇りと回転装置の油を確かめる。</p>"
    (site / "a.html").write_text(f"<main>{body.format('点検その一')}</main>", encoding="utf-8")
    (site / "b.html").write_text(f'<main data-pagefind-weight="3">{body.format("点検その二")}</main>', encoding="utf-8")
    (site / "c.html").write_text(
        f'<html><head><meta name="postsearch:weight" content="0.5"></head><body><main>{body.format("点検その三")}</main>',
        encoding="utf-8",
    )
    index = built_index(tmp_path, site)
    hits = index.search("レンズの曇り").hits
    assert [h.path for h in hits] == ["b.html", "a.html", "c.html"]
    assert hits[0].score == pytest.approx(3 * hits[1].score) and hits[2].score == pytest.approx(hits[1].score / 2)
    assert node_paths(tmp_path / "out", "レンズの曇り") == [[h.path, h.score] for h in hits]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert manifest["boosts"] == [[1, 3.0], [2, 0.5]]


def test_weights_from_front_matter_and_pages(tmp_path):
    from postsearch import Page, build_pages

    site = tmp_path / "src"
    site.mkdir()
    (site / "one.md").write_text("---\ntitle: 一\n---\n港の朝市で鯵を買った。\n", encoding="utf-8")
    (site / "two.md").write_text(
        "---\ntitle: 二\npostsearch_weight: 2\n---\n港の朝市で鯵を買った。\n", encoding="utf-8"
    )
    postsearch.build(site, tmp_path / "out", cache=False, jobs=1)
    assert [h.path for h in postsearch.open_index(tmp_path / "out").search("鯵").hits] == ["two.md", "one.md"]
    pages = [Page("/a/", "a", text="港の朝市で鯵を買った。"), Page("/b/", "b", text="港の朝市で鯵を買った。", weight=4)]
    build_pages(pages, tmp_path / "pages", jobs=1)
    assert [h.url for h in postsearch.open_index(tmp_path / "pages").search("鯵").hits] == ["/b/", "/a/"]
    unweighted = json.loads((tmp_path / "pages" / "manifest.json").read_text("utf-8"))
    assert "boosts" in unweighted and unweighted["boosts"] == [[1, 4.0]]
