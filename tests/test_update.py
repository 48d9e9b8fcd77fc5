"""Rebuilds from the cache (update.py patches the last build's rows, saved.py keeps them):
a rebuild gives the bytes a cold build gives, patched when only a few posts changed, in full
when post ids move or the budgets change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postsearch
from postsearch import format as fmt

from .conftest import EXAMPLE_SITE
from .helpers import posting_entries, read_all


@pytest.fixture
def built_site(tmp_path):
    """A copy of the example site, built once with its cache."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns(".postsearch-cache"))
    first = postsearch.build(site, tmp_path / "out", jobs=2)
    assert first.cached == 0 and not first.patched and (site / ".postsearch-cache").is_dir()
    return site


def rebuild_equals_cold_build(site: Path, tmp_path: Path) -> postsearch.pipeline.BuildReport:
    """Rebuild into out/ (with the cache) and check it gives the bytes a cold build gives."""
    report = postsearch.build(site, tmp_path / "out", jobs=2)
    cold = postsearch.build(site, tmp_path / "cold", jobs=1, cache=False)
    assert read_all(tmp_path / "out") == read_all(tmp_path / "cold")
    assert (report.posts, len(report.drafts), len(report.failures)) == (
        cold.posts,
        len(cold.drafts),
        len(cold.failures),
    )
    return report


@given(posting_entries())
def test_splicing_postings_equals_encoding_the_changed_entries(entries):
    postings, positions = fmt.encode_postings(entries)
    for post in {0, 7, *(p for p, _ in entries[:3])}:  # what a patched rebuild does
        for fields in (None, [(1, [2, 9])]):
            changed = [e for e in entries if e[0] != post] + ([(post, fields)] if fields else [])
            expected = fmt.encode_postings(sorted(changed))
            assert fmt.splice_postings(postings, positions, post, fields) == expected


def test_rebuild_after_editing_one_post_reanalyzes_only_that_post(built_site, tmp_path):
    post = built_site / "pages" / "crlf-post.md"
    post.write_bytes(post.read_bytes().replace("設定".encode(), "構成".encode(), 1))
    second = rebuild_equals_cold_build(built_site, tmp_path)
    assert second.patched and second.cached == second.posts - 1
    assert postsearch.open_index(tmp_path / "out").search('"構成を変更する"').complete == 1


def test_rebuilds_patch_edits_and_new_posts_after_the_last(built_site, tmp_path):
    post = built_site / "articles" / "react-effect-loop.md"
    post.write_text(post.read_text(encoding="utf-8") + "\n\n珍しい単語として鯱鉾を書き足しました。\n", encoding="utf-8")
    edited = rebuild_equals_cold_build(built_site, tmp_path)
    assert edited.patched and postsearch.open_index(tmp_path / "out").search("鯱鉾").total == 1
    (built_site / "source" / "zz-new.md").write_text("---\ntitle: 新しい記事\n---\n鯱鉾の話です。\n", encoding="utf-8")
    added = rebuild_equals_cold_build(built_site, tmp_path)
    assert added.patched and added.posts == edited.posts + 1 and added.cached == edited.posts
    assert postsearch.open_index(tmp_path / "out").search("鯱鉾").total == 2
    post.write_text(post.read_text(encoding="utf-8").replace("鯱鉾", "屋根"), encoding="utf-8")
    removed = rebuild_equals_cold_build(built_site, tmp_path)
    assert removed.patched and postsearch.open_index(tmp_path / "out").search("鯱鉾").total == 1
    unchanged = rebuild_equals_cold_build(built_site, tmp_path)
    assert unchanged.patched and unchanged.cached == unchanged.posts


@pytest.mark.parametrize(
    "change",
    ["draft", "broken", "deleted", "new-first"],
)
def test_rebuilds_that_move_post_ids_build_in_full(built_site, tmp_path, change):
    post = built_site / "articles" / "search-score-math.md"
    if change == "draft":
        post.write_text(post.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1), encoding="utf-8")
    elif change == "broken":
        post.write_bytes(b"---\ntitle: [unclosed\n---\n\xe3\x81\x82\n")
    elif change == "deleted":
        post.unlink()
    else:
        (built_site / "articles" / "aaa-first.md").write_text("---\ntitle: 先頭\n---\n先頭の記事。\n", encoding="utf-8")
    report = rebuild_equals_cold_build(built_site, tmp_path)
    assert not report.patched


def test_a_broken_file_stays_reported_by_a_patched_rebuild(built_site, tmp_path):
    post = built_site / "pages" / "json-front-matter.md"
    post.write_bytes(b"---\ntitle: [unclosed\n---\n")
    assert not rebuild_equals_cold_build(built_site, tmp_path).patched  # a post went away
    (built_site / "pages" / "crlf-post.md").write_text(
        "---\ntitle: 書き換え\n---\n書き換えた本文。\n", encoding="utf-8"
    )
    report = rebuild_equals_cold_build(built_site, tmp_path)
    assert report.patched and [f.path for f in report.failures] == ["pages/json-front-matter.md"]
    assert "bad front matter" in report.failures[0].reason


def test_unwritable_cache_builds_without_it(tmp_path):
    import shutil

    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE / "articles", site)
    (site / ".postsearch-cache").write_text("not a folder")  # as root, chmod cannot forbid writes
    report = postsearch.build(site, tmp_path / "out", jobs=1)
    assert report.posts == 3 and report.failures == []
    assert (site / ".postsearch-cache").read_text() == "not a folder"


KEYS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=4)  # terms never hold lone surrogates


@given(
    st.dictionaries(KEYS, st.binary(max_size=6)),
    st.dictionaries(KEYS, st.none() | st.binary(max_size=6)),
)
def test_sorted_rows_update_as_a_dict_would(rows, changes):
    from postsearch import saved
    from postsearch.rows import SortedRows

    table = SortedRows(rows)
    table.update(changes)
    expected = {**rows, **changes}
    expected = {k: v for k, v in expected.items() if v is not None}
    if table.run.size:  # kept in a saved build as JSON keys, a blob and its row ends (saved.py)
        keys = json.loads(json.dumps(table.keys, ensure_ascii=False).encode())
        table = saved.sorted_rows(keys, table.run.blob, saved.ends_bytes(table.run.ends))
    assert table.keys == sorted(expected) and [table.run.row(i) for i in range(len(table))] == [
        expected[k] for k in table.keys
    ]
    assert all(table.get(k) == v for k, v in expected.items()) and table.get("\uffff" * 5) is None


def test_a_patched_rebuild_that_moves_the_budgets_writes_a_cold_build(built_site, tmp_path, monkeypatch):
    saved = built_site / ".postsearch-cache" / "build.bin"

    def scale() -> int:
        header = saved.read_bytes().split(b"\n", 2)[1]
        return json.loads(header)["scale"]

    monkeypatch.setattr(fmt, "MAX_FILES", 36)  # the example site's index is about 70 files, 78 edited
    saved.unlink()  # a full build with that cap
    postsearch.build(built_site, tmp_path / "out", jobs=1)
    assert scale() == 2
    post = built_site / "pages" / "crlf-post.md"
    post.write_text(post.read_text(encoding="utf-8") + "\n\n長い追記です。" * 3000, encoding="utf-8")
    report = rebuild_equals_cold_build(built_site, tmp_path)
    assert report.patched and scale() == 4
