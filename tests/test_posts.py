"""Stage 1: reading posts in the conventions of real generators."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from postsearch import frontmatter, posts, sitefiles
from postsearch.dates import common_date, date_by_formats, normalize_date
from postsearch.posts import Draft, Failure, Post, SiteOptions, read_post, read_posts

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


# --- hostile sites (issue 10): nothing outside the site, no special files, bounded work --------


def link(tmp: Path, name: str, target: str | Path) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def hostile_site(tmp: Path) -> Path:
    """A site whose links point at the machine's secrets, and one honest link."""
    site = tmp / "site"
    write(site, "good.md", "---\ntitle: 良い記事\n---\n本文です。\n")
    write(tmp, "outside/secret.md", "---\ntitle: 秘密\n---\nパスワードは外にある。\n")
    link(site, "pages/env.md", "/proc/self/environ")
    link(site, "pages/passwd.md", "/etc/passwd")
    link(site, "pages/secret.md", tmp / "outside" / "secret.md")
    link(site, "pages/git-config.md", "../.git/config")
    write(site, ".git/config", "[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    link(site, "pages/same.md", "../good.md")  # inside the site: still read
    link(site, "blog", tmp / "outside")  # a folder outside the site
    return site


def test_symlinks_to_outside_the_site_are_skipped_with_a_warning(tmp_path):
    site = hostile_site(tmp_path)
    found, _, skipped = posts.walk_site(site, SiteOptions())
    assert sorted(p.relative_to(site).as_posix() for p in found) == ["good.md", "pages/same.md"]
    reasons = dict(skipped)
    assert set(reasons) == {"pages/env.md", "pages/passwd.md", "pages/secret.md", "pages/git-config.md", "blog"}
    assert all("outside the site" in reasons[p] for p in ("pages/env.md", "pages/passwd.md", "pages/secret.md", "blog"))
    assert "hidden" in reasons["pages/git-config.md"]
    assert {i.path for i in read_posts(site)} == {"good.md", "pages/same.md"}


def test_read_post_checks_links_again_when_it_reads(tmp_path):
    site = hostile_site(tmp_path)
    for rel in ("pages/env.md", "pages/secret.md", "pages/git-config.md"):
        item = read_post(site / rel, rel, SiteOptions())
        assert isinstance(item, Failure), item
        assert "outside the site" in item.reason or "hidden" in item.reason
    assert isinstance(read_post(site / "pages/same.md", "pages/same.md", SiteOptions()), Post)


def test_follow_symlinks_reads_outside_targets_and_survives_loops(tmp_path):
    site = hostile_site(tmp_path)
    link(site, "self", ".")
    link(site, "pages/loop", "loop")
    link(site, "pages/loop.md", "loop.md")
    link(site, "blog2", tmp_path / "outside")  # the same folder twice: walked once
    write(tmp_path, "outside/deeper/more.md", "# もっと\n")
    link(tmp_path, "outside/deeper/up", tmp_path / "outside")  # a loop outside the site
    found, _, skipped = posts.walk_site(site, SiteOptions(follow_symlinks=True))
    rels = sorted(p.relative_to(site).as_posix() for p in found)
    assert rels == [
        "blog/deeper/more.md", "blog/secret.md", "good.md", "pages/git-config.md", "pages/passwd.md", "pages/same.md",
        "pages/secret.md",
    ]  # fmt: skip
    assert "/proc" in dict(skipped)["pages/env.md"]
    reasons = dict(skipped)
    assert "loop" in reasons["pages/loop.md"] and "loop" in reasons["self"] and "blog2" in reasons
    # without the option the loops are harmless too
    found, _, skipped = posts.walk_site(site, SiteOptions())
    assert sorted(p.relative_to(site).as_posix() for p in found) == ["good.md", "pages/same.md"]
    assert "loop" in dict(skipped)["pages/loop.md"]


def test_special_files_are_never_read(tmp_path):
    """A FIFO named like a post neither hangs the build nor is read, at walk or read time."""
    import threading

    site = tmp_path / "site"
    write(site, "good.md", "# 良い記事\n")
    fifo = site / "pipe.md"
    os.mkfifo(fifo)
    found, _, skipped = posts.walk_site(site, SiteOptions())
    assert [p.name for p in found] == ["good.md"] and "not a regular file" in dict(skipped)["pipe.md"]

    def writer() -> None:  # feeds a reader that blocks on the FIFO (the old read_bytes did)
        fd = os.open(fifo, os.O_WRONLY)
        with contextlib.suppress(OSError):
            os.write(fd, "---\ntitle: パイプ\n---\n本文\n".encode())
        os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    item = read_post(fifo, "pipe.md", SiteOptions())
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer finish, whatever happened
    thread.join()
    os.close(reader)
    assert isinstance(item, Failure) and item.reason == "not a regular file", item


def test_a_post_file_has_a_size_limit(tmp_path):
    path = tmp_path / "huge.md"
    with path.open("wb") as f:
        f.truncate(sitefiles.MAX_POST_BYTES + 1)  # sparse: nothing is written, only the size
    item = read_post(path, "huge.md", SiteOptions())
    limit = sitefiles.MAX_POST_BYTES
    assert item == Failure("huge.md", f"file too large ({limit + 1} bytes, limit {limit})")


def test_walk_warnings_reach_the_build_report(tmp_path):
    import postsearch

    site = hostile_site(tmp_path)
    (site / "pages" / "blog").mkdir()
    (site / "pages" / "blog" / "caf\xe9.md".encode("latin-1").decode("utf-8", "surrogateescape")).write_text(
        "# 名前が変\n", encoding="utf-8"
    )
    write(site, "json.md", '{\n"title": "壊れた\\ud800題名", "tags": ["\\udfff"]\n}\n本文\n')
    out = tmp_path / "out"
    report = postsearch.build(site, out, cache=False, jobs=1)
    assert report.posts == 3
    warned = dict(report.warnings)
    assert "outside the site" in warned["pages/env.md"] and "outside the site" in warned["blog"]
    assert [(f.path, f.reason) for f in report.failures] == [("pages/blog/caf\\xe9.md", "file name is not UTF-8")]
    written = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert "パスワード".encode() not in written and b"extraheader" not in written
    for patched in (False, True):  # with a cache: a build from it, then a rebuild patched from it
        again = postsearch.build(site, out, jobs=1)
        assert again.patched == patched and again.posts == 3 and again.failures == report.failures


def alias_bomb(levels: int) -> str:
    """A 'billion laughs': each level a list of nine aliases of the level before."""
    lines = ["---", 'l0: &l0 ["笑", "笑", "笑", "笑", "笑", "笑", "笑", "笑", "笑"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join([*lines, f"title: *l{levels}", f"tags: *l{levels}", "---", "本文", ""])


@pytest.mark.parametrize("levels", [4, 9])
def test_yaml_alias_bomb_fails_alone(tmp_path, levels):
    source = alias_bomb(levels)
    assert len(source.encode()) < 600
    item = read_post(write(tmp_path, "bomb.md", source), "bomb.md", SiteOptions())
    assert isinstance(item, Failure), type(item)
    assert item.reason.startswith("front matter too large once its aliases are expanded")


def merge_bomb(levels: int) -> str:
    """Merge keys copy the pairs of the mappings they merge, doubling at every level."""
    lines = ["m0: &m0 {x: 1, y: 2}"]
    lines += [f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}]}}" for i in range(1, levels + 1)]
    return "\n".join([*lines, f"title: *m{levels}"])


@pytest.mark.parametrize("front", ["a: &a [*a]\ntitle: *a", merge_bomb(20)], ids=["recursive", "merge-keys"])
def test_yaml_recursive_and_merge_aliases_fail_alone(tmp_path, front):
    item = read_post(write(tmp_path, "p.md", f"---\n{front}\n---\n本文\n"), "p.md", SiteOptions())
    assert isinstance(item, Failure) and "front matter" in item.reason, item


DENSE_YAML = ["?\n" * 1000, "? " * 1000, "- " * 1000, "[" * 1000 + "]" * 1000, "a:\n" * 666, "? ? - [] " * 200]


@given(st.text(alphabet="?-[]{}:,a \n", max_size=60) | st.sampled_from(DENSE_YAML))
@settings(max_examples=300, deadline=None)
def test_plain_front_matter_needs_no_count(fm):
    """The limits are not counted for short front matter without aliases (a speed-up): that
    is sound only if YAML makes at most three nodes of a character."""
    assert 3 * frontmatter.PLAIN_FRONT_MATTER_CHARS <= frontmatter.MAX_FRONT_MATTER_VALUES
    loader = frontmatter.FrontMatterLoader(fm)  # libyaml's composer, as a build parses
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()
    if node is not None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(frontmatter, "MAX_FRONT_MATTER_VALUES", 3 * max(1, len(fm)))
            patch.setattr(frontmatter, "MAX_FRONT_MATTER_CHARS", len(fm))
            frontmatter.check_expanded_size(node)  # raises past either limit


def test_front_matter_with_an_alias_is_counted_however_short():
    loaded = frontmatter.YamlHandler().load("a: &a [1]\nb: *a")
    assert loaded == {"a": [1], "b": [1]}
    bomb = alias_bomb(9).split("---")[1]
    assert len(bomb) < frontmatter.PLAIN_FRONT_MATTER_CHARS
    with pytest.raises(frontmatter.FrontMatterTooLarge):
        frontmatter.YamlHandler().load(bomb)


def test_front_matter_has_a_size_limit(tmp_path):
    limit = frontmatter.MAX_FRONT_MATTER_BYTES
    big = "---\ntitle: 長い\ndescription: " + "あ" * (limit // 3 + 10) + "\n---\n本文\n"
    item = read_post(write(tmp_path, "big.md", big), "big.md", SiteOptions())
    assert isinstance(item, Failure) and item.reason.startswith("front matter too large (")
    assert f"limit {limit}" in item.reason


def test_huge_yaml_numbers_fail_alone(tmp_path):
    """`0x...` makes an int too long for str(): the post fails, the build goes on."""
    item = read_post(write(tmp_path, "p.md", f"---\ntitle: 0x{'f' * 4000}\n---\n本文\n"), "p.md", SiteOptions())
    assert isinstance(item, Failure) and "front matter" in item.reason, item


def test_file_name_that_is_not_utf8_fails_alone(tmp_path):
    name = os.fsdecode(b"caf\xe9.md")
    (tmp_path / name).write_text("# カフェ\n", encoding="utf-8")
    write(tmp_path, "good.md", "# 良い\n")
    items = {i.path: i for i in read_posts(tmp_path)}
    assert items["caf\\xe9.md"] == Failure("caf\\xe9.md", "file name is not UTF-8")
    assert isinstance(items["good.md"], Post)


@pytest.mark.parametrize(
    "source",
    [
        '{\n"title": "題\\ud800名", "tags": ["\\udfffタグ", "ok"], "permalink": "/a\\ud83d/", "date": "\\udc00"\n}\n本文\n',
        '---\n"x\\udc80": 1\ntitle: "題\\ud800名"\ntags: ["\\udfffタグ", ok]\n---\n本文\n',
        '---\ntitle: "題\\U0000d800名"\ntags: ["\\U0000dfffタグ"]\n---\n本文\n',
    ],
)
def test_lone_surrogates_in_front_matter_become_replacement_chars(tmp_path, source):
    item = read_post(write(tmp_path, "p.md", source), "p.md", SiteOptions())
    if isinstance(item, Failure):  # libyaml refuses surrogate escapes: a clear failure is fine
        assert "front matter" in item.reason and item.reason.encode()
        return
    assert isinstance(item, Post), item
    assert item.title == "題\ufffd名" and "\ufffdタグ" in item.tags
    for text in (item.title, item.url, item.date or "", *item.tags, *item.warnings):
        text.encode("utf-8")


def test_unquoted_impossible_date_is_a_warning(tmp_path):
    item = read_post(write(tmp_path, "p.md", "---\ntitle: t\ndate: 2014-13-45\n---\n本文\n"), "p.md", SiteOptions())
    assert isinstance(item, Post) and item.date is None
    assert item.warnings == ["unreadable date '2014-13-45'"]


def test_html_entities_in_h1_title_are_unescaped(tmp_path):
    path = write(tmp_path, "p.html", "<h1>東京 &amp; 大阪 &lt;旅&gt; &#x3042;</h1><p>本文</p>")
    item = read_post(path, "p.html", SiteOptions())
    assert isinstance(item, Post) and item.title == "東京 & 大阪 <旅> あ"


@pytest.mark.parametrize(
    ("front", "url"),
    [
        ("permalink: //evil.example/x", "/evil.example/x"),
        ("permalink: /\\evil.example/x", "/evil.example/x"),
        ("permalink: '\\\\evil.example'", "/evil.example"),
        ('permalink: "/\\t/evil.example"', "/evil.example"),
        ("slug: /evil.example", "/evil.example/"),
        ("permalink: /blog/ok/", "/blog/ok/"),
        ("permalink: https://example.com/a", "https://example.com/a"),
    ],
)
def test_urls_are_never_protocol_relative(tmp_path, front, url):
    item = read_post(write(tmp_path, "p.md", f"---\n{front}\n---\n本文\n"), "p.md", SiteOptions())
    assert isinstance(item, Post) and item.url == url


def test_site_snapshot_survives_symlink_loops(tmp_path):
    from postsearch.cli import site_snapshot

    site = hostile_site(tmp_path)
    link(site, "loop", "loop")
    link(site, "self", ".")
    link(site, "pages/loop.md", "loop.md")
    write(site, "_drafts/idea.md", "# 下書き\n")
    snapshot = site_snapshot(site, tmp_path / "out")
    assert sorted(Path(p).relative_to(site).as_posix() for p in snapshot) == [
        "_drafts/idea.md",
        "good.md",
        "pages/same.md",
    ]


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("# 東京" + " " * 1_000 + "大阪\n", "東京 大阪"),  # the old pattern: 1.3 s here, 97 s at 4,000 (cubic)
        ("<h1>" * 20_000, "p"),  # no `</h1>`: the file name
        ("<h1>" + "<" * 20_000 + "題</h1>", "<" * 20_000 + "題"),  # text to a browser too
        ("# C#\n", "C#"),
        ("# 題名 ##\n", "題名"),
    ],
    ids=["spaces", "unclosed-h1", "lone-brackets", "c-sharp", "closing-hashes"],
)
def test_title_search_is_linear_in_the_body(tmp_path, body, title):
    item = read_post(write(tmp_path, "p.md", body), "p.md", SiteOptions())
    assert isinstance(item, Post) and item.title == title


def test_yaml_front_matter_may_end_with_the_document_end_marker(tmp_path):
    item = read_post(
        write(tmp_path, "p.md", "---\ntitle: 終わりの印\ntags: [a]\n...\n本文です。\n"), "p.md", SiteOptions()
    )
    assert isinstance(item, Post) and (item.title, item.tags) == ("終わりの印", ["a"])
    assert item.body.strip() == "本文です。"
    unclosed = read_post(write(tmp_path, "q.md", "---\ntitle: 閉じない\n本文\n"), "q.md", SiteOptions())
    assert isinstance(unclosed, Failure) and "never closed" in unclosed.reason


def test_template_folders_at_the_top_are_never_posts(tmp_path):
    site = tmp_path / "site"
    for rel in (
        "_layouts/default.html", "_includes/head.html", "_includes_custom/footer.html",
        "layouts/_default/single.html", "themes/t/layouts/index.html", "archetypes/default.md",
        "scaffolds/post.md", "_posts/2024-01-02-real.md", "content/docs/layouts/guide.md",
    ):  # fmt: skip
        write(site, rel, "---\ntitle: x\n---\n本文\n")
    found = sorted(p.path for p in read_posts(site))
    assert found == ["_posts/2024-01-02-real.md", "content/docs/layouts/guide.md"]


def test_hexo_permalink_from_its_config(tmp_path):
    site = tmp_path / "blog"
    write(site, "_config.yml", "title: 日記\npermalink: :year/:i_month/:title/\n")
    write(site, "source/_posts/2024-03-09-harbor.md", "---\ntitle: 港\ndate: 2024-03-09 10:00:00\n---\n本文\n")
    write(site, "source/about/index.md", "---\ntitle: 紹介\n---\n本文\n")
    urls = {p.path: p.url for p in read_posts(site) if isinstance(p, Post)}
    assert urls["source/_posts/2024-03-09-harbor.md"] == "/2024/3/harbor/"


def test_placeholders_in_a_front_matter_permalink_are_filled_in(tmp_path):
    site = tmp_path / "site"
    write(site, "_config.yml", "title: x\n")
    write(site, "_posts/2024-01-02-new-year.md", "---\ntitle: 新年\npermalink: /:year/:title/\n---\n本文\n")
    write(site, "_layouts/default.html", "<html>{{ content }}</html>")
    (post,) = [p for p in read_posts(site) if isinstance(p, Post)]
    assert post.url == "/2024/new-year/"  # not /:year/:title/, as it was published literally


def test_jekyll_rules_as_jekyll_applies_them(tmp_path):
    """What Jekyll's own test site showed postsearch getting wrong: collection paths, slugs,
    percent-encoding, categories, and files Jekyll never publishes."""
    site = tmp_path / "site"
    write(
        site,
        "_config.yml",
        "permalink: pretty\ncollections:\n  notes:\n    output: true\n  roles:\n    output: false\n",
    )
    posts = {
        "_posts/2024-01-02-hash-#1.md": "---\ntitle: 番号\n---\n本文\n",
        "_posts/2024-01-03-旅 の記録.md": "---\ntitle: 旅\ncategory: MixedCase\n---\n本文\n",
        "_posts/2024-01-04-number.md": "---\ntitle: 数字\ncategory: 2013\n---\n本文\n",
        "_posts/2024-01-05-slugged.md": "---\ntitle: 別名\nslug: Special Chars (+)\npermalink: /:slug/\n---\n本文\n",
        "_posts/include_relative/params.html": "<p>部品</p>\n",  # no date in its name: no post
        "_posts/2019-05-05.md": "---\ntitle: 日付だけ\n---\n本文\n",  # no title after the date: no post
        "_notes/site/generate.md": "---\ntitle: 生成\n---\n本文\n",
        "_notes/_hidden.md": "---\ntitle: 隠し\n---\n本文\n",
        "_notes/dots...md": "---\ntitle: 点々\n---\n本文\n",
        "_roles/admin.md": "---\ntitle: 役割\n---\n本文\n",
        "gathering/_staff/jack.md": "---\ntitle: 係\n---\n本文\n",
        "about.md": "---\ntitle: 紹介\n---\n本文\n",
        "_posts/2018-10-12-trailing-dots...md": "---\ntitle: 点\n---\n本文\n",
        "slashes.md": "---\ntitle: 斜線\npermalink: ///slashes///\n---\n本文\n",
        "+/%# +.md": "---\ntitle: 記号\n---\n本文\n",
    }
    for rel, text in posts.items():
        write(site, rel, text)
    urls = {p.path: p.url for p in read_posts(site) if isinstance(p, Post)}
    assert urls == {
        "_posts/2024-01-02-hash-#1.md": "/2024/01/02/hash-1/",  # :title slugified
        "_posts/2024-01-03-旅 の記録.md": "/mixedcase/2024/01/03/%E6%97%85-%E3%81%AE%E8%A8%98%E9%8C%B2/",
        "_posts/2024-01-04-number.md": "/2013/2024/01/04/number/",  # a number is a category too
        "_posts/2024-01-05-slugged.md": "/special-chars/",  # :slug is lower case, punctuation gone
        "_notes/site/generate.md": "/notes/site/generate/",  # :path inside the collection, pretty
        "_notes/dots...md": "/notes/dots/",
        "about.md": "/about/",
        "_posts/2018-10-12-trailing-dots...md": "/2018/10/12/trailing-dots/",  # trailing dots dropped
        "slashes.md": "/slashes/",  # a literal permalink cleaned as Jekyll does
        "+/%# +.md": "/+/%25%23%20+/",  # percent-encoded
    }


def test_a_jekyll_site_without_a_config_gets_jekyll_defaults(tmp_path):
    site = tmp_path / "site"
    write(site, "_layouts/default.html", "<html>{{ content }}</html>")
    write(site, "_posts/2008-02-02-published.md", "---\ntitle: 公開\ncategories: [publish_test]\n---\n本文\n")
    write(site, "_widgets/box.md", "---\ntitle: 部品\n---\n本文\n")
    write(site, "info.md", "---\ntitle: 案内\n---\n本文\n")
    urls = {p.path: p.url for p in read_posts(site) if isinstance(p, Post)}
    assert urls == {
        "_posts/2008-02-02-published.md": "/publish_test/2008/02/02/published.html",
        "info.md": "/info.html",
    }


_DIGITS = st.one_of(
    st.sampled_from(["00", "01", "02", "09", "12", "13", "23", "24", "29", "30", "31", "59", "60"]),
    st.text("0123456789", min_size=1, max_size=3),
)


@given(
    st.tuples(
        st.sampled_from(["2019", "2024", "0000", "1999"]),
        st.sampled_from(["-", "/", "."]),
        _DIGITS,
        _DIGITS,
        st.sampled_from(["", "T", " ", "t"]),
        _DIGITS,
        _DIGITS,
        st.one_of(st.just(""), _DIGITS.map(lambda s: ":" + s)),
        st.sampled_from(["", " ", "  "]),
        st.sampled_from(["", "+", "-"]),
        st.text("0123456789", min_size=4, max_size=4),
    )
)
def test_common_dates_read_as_the_formats_read_them(parts):
    """The fast path for common shapes gives what strptime over the formats gives, or
    leaves the text to it."""
    year, sep, month, day, t, hour, minute, second, gap, sign, zone = parts
    text = f"{year}-{month}-{day}" if sep == "-" else f"{year}{sep}{month}{sep}{day}"
    if t:
        text += f"{t}{hour}:{minute}{second}"
        if sign:
            text += f"{gap}{sign}{zone}"
    common = common_date(text)
    if common is not None:
        assert common == date_by_formats(text)


def test_common_dates_take_the_fast_path():
    for text in ["2024-03-01", "2019-01-05T10:00", "2014-11-12 22:21:48 -0800", "2024-03-01T10:20:30+0900"]:
        assert common_date(text) == date_by_formats(text) is not None


@pytest.mark.parametrize(
    ("fm", "walked"),
    [
        ("title: 題名\ntags: [a, b]\n", False),
        ('title: "題\\ud800名"\n', True),  # a YAML, JSON or TOML escape that may make a surrogate
        ('title: "\\U0001F600"\n', True),
        ("title: 題\ud800名\n", True),  # a lone surrogate already in the text (pages given in memory)
        ("title: " + "x" * 2_000 + "\n", True),  # long enough to spell a number too long for str()
    ],
)
def test_front_matter_is_walked_for_cleaning_when_it_may_need_it(fm, walked):
    assert frontmatter.may_need_cleaning(fm) is walked
