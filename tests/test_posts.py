"""Stage 1: reading posts in the conventions of real generators."""

from __future__ import annotations

from pathlib import Path

import pytest

from postsearch.posts import Draft, Failure, Post, SiteOptions, normalize_date, read_post, read_posts

from .conftest import EXAMPLE_SITE


def by_path() -> dict[str, Post | Draft | Failure]:
    return {item.path: item for item in read_posts(EXAMPLE_SITE)}


@pytest.fixture(scope="module")
def site() -> dict[str, Post | Draft | Failure]:
    return by_path()


def post(site: dict[str, Post | Draft | Failure], path: str) -> Post:
    item = site[path]
    assert isinstance(item, Post), item
    return item


def test_jekyll_date_from_file_name_and_pretty_url(site):
    p = post(site, "_posts/2016-04-02-kyoto-day-trip.md")
    assert p.date == "2016-04-02"
    assert p.url == "/2016/04/02/kyoto-day-trip/"
    assert "新幹線" in p.tags


def test_octopress_date_with_offset(site):
    p = post(site, "_posts/2014-11-12-octopress-to-github-pages.markdown")
    assert p.date == "2014-11-12T22:21:48-08:00"


def test_date_without_seconds_and_permalink(site):
    assert post(site, "_posts/2019-01-05-docker-web-server.md").date == "2019-01-05T10:00:00"
    assert post(site, "_posts/2020-02-14-morning-hand-drip.md").url == "/blog/custom-permalink/"


def test_drafts_never_become_posts(site):
    drafts = {path for path, item in site.items() if isinstance(item, Draft)}
    assert drafts == {
        "_drafts/unfinished-idea.md",
        "_posts/2021-09-01-unpublished-travel-memo.md",
        "content/posts/theme-work-in-progress.md",
        "articles/private-container-memo.md",
    }


def test_hugo_toml_front_matter_and_slug(site):
    p = post(site, "content/posts/hugo-dev-server.md")
    assert p.url == "/posts/toml-slug-post/"
    assert p.date == "2021-03-04T09:30:00+09:00"
    assert p.tags  # TOML tags list was read


def test_hugo_capital_tags_and_date_only(site):
    p = post(site, "content/posts/hokkaido-drive.md")
    assert p.tags and p.date == "2022-07-15"


def test_hexo_slash_dates(site):
    assert post(site, "source/_posts/hexo-first-post.md").date == "2013-07-13T20:46:25"
    assert post(site, "source/_posts/osaka-kanazawa-trip.md").date == "2015-03-08T09:05:00"


def test_zenn_topics_are_tags(site):
    p = post(site, "articles/keitaiso-kaiseki-nyumon.md")
    assert p.title == "形態素解析入門"
    assert "検索" in p.tags


def test_bom_crlf_json_and_no_front_matter(site):
    assert post(site, "pages/bom-post.md").title
    crlf = post(site, "pages/crlf-post.md")
    assert "\r" not in crlf.body and crlf.title
    assert post(site, "pages/json-front-matter.md").tags
    assert post(site, "pages/no-front-matter.md").title == "前付けのない記事"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2014-11-12 22:21:48 -0800", "2014-11-12T22:21:48-08:00"),
        ("2019-01-05T10:00", "2019-01-05T10:00:00"),
        ("2019-01-05T9:00", "2019-01-05T09:00:00"),
        ("2024/12/05", "2024-12-05"),
        ("2013/7/13 20:46:25", "2013-07-13T20:46:25"),
        ("2024-03-01", "2024-03-01"),
        ("2024-03-01T10:20:30Z", "2024-03-01T10:20:30+00:00"),
        ("2024-03-01T10:20:30.123+09:00", "2024-03-01T10:20:30+09:00"),
        ("07/14/2021", "2021-07-14"),
        ("someday", None),
    ],
)
def test_normalize_date(raw, iso):
    assert normalize_date(raw) == iso


def write(tmp: Path, name: str, content: bytes | str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_broken_files_fail_alone_with_a_reason(tmp_path):
    write(tmp_path, "good.md", "---\ntitle: よい記事\n---\n本文です。\n")
    write(tmp_path, "bad-yaml.md", "---\ntitle: [閉じていない\n---\n本文\n")
    write(tmp_path, "latin1.md", "caf\xe9".encode("latin-1"))
    write(tmp_path, "bad-toml.md", "+++\ntitle = \n+++\n本文\n")
    write(tmp_path, "list.md", "---\n- a\n- b\n---\n本文\n")
    items = {i.path: i for i in read_posts(tmp_path)}
    assert isinstance(items["good.md"], Post)
    for name in ("bad-yaml.md", "latin1.md", "bad-toml.md", "list.md"):
        assert isinstance(items[name], Failure), name
        assert items[name].reason
    assert "UTF-8" in items["latin1.md"].reason


def test_unreadable_date_is_a_warning(tmp_path):
    path = write(tmp_path, "p.md", "---\ntitle: t\ndate: いつか\n---\n本文\n")
    p = read_post(path, "p.md", SiteOptions())
    assert isinstance(p, Post) and p.date is None and p.warnings


def test_title_falls_back_to_file_name(tmp_path):
    path = write(tmp_path, "2020-01-02-my-slug.md", "見出しのない本文です。\n")
    p = read_post(path, "2020-01-02-my-slug.md", SiteOptions())
    assert isinstance(p, Post) and p.title == "my-slug"


def test_url_template_and_hidden_folders(tmp_path):
    write(tmp_path, "_posts/2020-01-02-a.md", "---\ntitle: a\n---\n本文\n")
    write(tmp_path, ".git/x.md", "---\ntitle: hidden\n---\n")
    write(tmp_path, "node_modules/y.md", "---\ntitle: dep\n---\n")
    items = list(read_posts(tmp_path, SiteOptions(url_template="/blog/{year}/{slug}.html")))
    assert [i.path for i in items] == ["_posts/2020-01-02-a.md"]
    assert isinstance(items[0], Post) and items[0].url == "/blog/2020/a.html"


def test_nul_bytes_are_dropped(tmp_path):
    path = write(tmp_path, "nul.md", "---\ntitle: t\n---\n本\x00文\n")
    p = read_post(path, "nul.md", SiteOptions())
    assert isinstance(p, Post) and p.body.strip() == "本文"
