"""Building from pages held in memory (postsearch.build_pages)."""

from __future__ import annotations

import postsearch
from postsearch import Page, build_pages

from .helpers import read_all

BODY = "## 準備\n\n最初に設定ファイルを開き、保存先のフォルダを変更する。\n\n```sh\nmkdir notes\n```\n"


def test_pages_give_the_bytes_of_the_same_posts_read_from_files(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    front = "---\ntitle: 使い方\ndate: 2024-03-05\ntags: [入門, 設定]\npermalink: /guide/\n---\n"
    (site / "guide.md").write_text(front + BODY, encoding="utf-8")
    (site / "news.md").write_text(
        "---\ntitle: お知らせ\npermalink: /news/\n---\n新しい版を公開した。\n", encoding="utf-8"
    )
    postsearch.build(site, tmp_path / "from-files", cache=False, jobs=1)
    pages = [
        Page(url="/news/", title="お知らせ", markdown="新しい版を公開した。\n", path="news.md"),
        Page(url="/guide/", title="使い方", markdown=BODY, date="2024-03-05", tags=["入門", "設定"], path="guide.md"),
    ]
    report = build_pages(pages, tmp_path / "from-pages", jobs=1)
    assert report.posts == 2 and not report.failures
    assert read_all(tmp_path / "from-pages") == read_all(tmp_path / "from-files")


def test_html_text_drafts_and_bad_pages(tmp_path):
    pages = [
        Page(url="/a/", title="HTML", html="<h2 id='x'>節</h2><p>灯台の写真を撮った。</p>"),
        Page(url="/b/", title="テキスト", text="<b>太字ではない</b>\n\n二段落目の文章。"),
        Page(url="/c/", title="下書き", text="未公開の文章。", draft=True),
        Page(url="/d/", title="二つ", text="a", markdown="b"),
        Page(url="/e/", title="なし"),
    ]
    report = build_pages(pages, tmp_path / "out", jobs=1)
    assert report.posts == 2 and [d.path for d in report.drafts] == ["/c/"]
    assert sorted(f.path for f in report.failures) == ["/d/", "/e/"]
    index = postsearch.open_index(tmp_path / "out")
    hit = index.search("灯台").hits[0]
    assert (hit.url, hit.anchor) == ("/a/", "x")
    text = index.search("太字").hits[0]
    assert text.url == "/b/" and "&lt;b&gt;" in text.excerpt  # plain text stays text, escaped
    assert index.search("未公開", partial=False).hits == []


def test_add_box_inline_search_page_or_modal():
    from postsearch.pages import add_box

    page = "<html><head><title>t</title></head><body class=x><p>本文</p></body></html>"
    assert '<post-search index-url="/s/"></post-search>' in add_box(page, "/s/")
    assert '<post-search index-url="/s/" query-param="q"></post-search>' in add_box(page, "/s/", searching=True)
    modal = add_box(page, "/s/", modal=True)
    assert '<body class=x>\n<post-search index-url="/s/" mode="modal"></post-search>' in modal
    assert modal.count('src="/s/ui.js"') == 1 and add_box(modal, "/s/") == modal  # once only
    # the search page keeps the inline box, which reads ?q=
    assert 'query-param="q"' in add_box(page, "/s/", searching=True, modal=True)
