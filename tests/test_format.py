"""Stage 5: compact, deterministic, atomic output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postsearch
from postsearch import format as fmt
from postsearch.search import decode_positions, decode_postings

from .conftest import EXAMPLE_SITE


def read_all(folder: Path) -> dict[str, bytes]:
    """Every file under the folder, by path relative to it."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_input_same_bytes_whatever_the_jobs(tmp_path, example_index):
    postsearch.build(EXAMPLE_SITE, tmp_path / "one", jobs=1, cache=False)
    postsearch.build(EXAMPLE_SITE, tmp_path / "two", jobs=2, cache=False)
    assert read_all(tmp_path / "one") == read_all(tmp_path / "two") == read_all(example_index)


def test_manifest_is_versioned_and_lists_every_file(example_index):
    manifest = json.loads((example_index / "manifest.json").read_text())
    assert manifest["format"] == "postsearch-index" and manifest["version"] == 5
    build = example_index / manifest["build"]
    assert sorted(p.name for p in example_index.iterdir() if p.is_dir()) == [manifest["build"]]
    prefixes = {"terms": "terms", "positions": "positions", "texts": "text"}
    named = {
        manifest["lengths"],
        manifest["dates"],
        manifest["tags"],
        *(f"lexicon-{k}.json" for k in range(manifest["lexicon"])),
        *(f"grams-{k}.json" for k in range(manifest["grams"])),
    }
    named |= {f"{prefix}-{k}.json" for key, prefix in prefixes.items() for k in range(len(manifest[key]))}
    assert named == {p.name for p in build.iterdir()}
    assert {p.name for p in example_index.iterdir() if p.is_file()} == {"manifest.json", *fmt.WEB_FILES}


def test_drafts_never_reach_the_output(example_index):
    blob = b"".join(read_all(example_index).values()).decode()
    for word in (
        "下書き専用語ポストサーチ",
        "未公開ドラフト語",
        "ヒューゴ下書き語",
        "ゼン非公開語",
        "スクリプト内の隠し語",
    ):
        assert word not in blob


@given(
    st.lists(
        st.tuples(
            st.integers(0, 50),
            st.lists(
                st.tuples(st.integers(0, 4), st.lists(st.integers(0, 500), min_size=1, unique=True)),
                min_size=1,
                max_size=5,
                unique_by=lambda f: f[0],
            ),
        ),
        max_size=20,
        unique_by=lambda e: e[0],
    )
)
def test_postings_round_trip(entries):
    entries = sorted((post, sorted((f, sorted(ps)) for f, ps in fields)) for post, fields in entries)
    postings, positions = fmt.encode_postings(entries)
    decoded = decode_postings(postings, 5)
    decode_positions(positions, decoded)
    assert sorted(decoded.postings) == [post for post, _ in entries]
    for post, fields in entries:
        expect: list[list[int] | None] = [None] * 5
        for f, ps in fields:
            expect[f] = ps
        assert decoded.positions is not None and decoded.positions[post] == expect
        assert decoded.postings[post] == [len(ps) if ps else 0 for ps in expect]
    for post in {0, 7, *(p for p, _ in entries[:3])}:  # what a patched rebuild does
        for fields in (None, [(1, [2, 9])]):
            changed = [e for e in entries if e[0] != post] + ([(post, fields)] if fields else [])
            expected = fmt.encode_postings(sorted(changed))
            assert fmt.splice_postings(postings, positions, post, fields) == expected


def test_failed_build_leaves_the_previous_index(tmp_path, monkeypatch):
    out = tmp_path / "out"
    postsearch.build(EXAMPLE_SITE, out, jobs=1)
    before = read_all(out)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(fmt, "index_files", explode)
    with pytest.raises(RuntimeError):
        postsearch.build(EXAMPLE_SITE, out, jobs=1)
    assert read_all(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temp folders left behind


@pytest.mark.parametrize("patched", [False, True])
def test_interrupted_write_leaves_the_previous_index(tmp_path, monkeypatch, patched):
    import shutil

    site, out = tmp_path / "site", tmp_path / "out"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns(".postsearch-cache"))
    postsearch.build(site, out, jobs=1, cache=patched)
    before = read_all(out)
    post = site / "pages" / "crlf-post.md"
    post.write_bytes(post.read_bytes().replace("設定".encode(), "構成".encode(), 1))
    real = Path.write_bytes
    calls = {"n": 0}

    def flaky(self, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky)
    with pytest.raises(KeyboardInterrupt):
        postsearch.build(site, out, jobs=1, cache=patched)
    monkeypatch.undo()
    assert read_all(out) == before
    assert postsearch.build(site, out, jobs=1, cache=patched).patched == patched
    postsearch.build(site, tmp_path / "cold", jobs=1, cache=False)
    assert read_all(out) == read_all(tmp_path / "cold")


def test_bad_files_do_not_stop_the_build(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "ok.md").write_text("---\ntitle: 大丈夫な記事\n---\n新幹線で移動した。\n", encoding="utf-8")
    (site / "broken.md").write_text("---\ntitle: [壊れた\n---\n本文\n", encoding="utf-8")
    report = postsearch.build(site, tmp_path / "out", jobs=1)
    assert report.posts == 1
    assert [(f.path, "front matter" in f.reason) for f in report.failures] == [("broken.md", True)]
    assert postsearch.open_index(tmp_path / "out").search("新幹線").total == 1


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


def test_rebuild_after_editing_one_post_reanalyzes_only_that_post(built_site, tmp_path):
    post = built_site / "pages" / "crlf-post.md"
    post.write_bytes(post.read_bytes().replace("設定".encode(), "構成".encode(), 1))
    second = rebuild_equals_cold_build(built_site, tmp_path)
    assert second.patched and second.cached == second.posts - 1
    assert postsearch.open_index(tmp_path / "out").search('"構成を変更する"').total == 1


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


def test_gram_rows_written_by_hand_are_the_json_dumps_would_write():
    from postsearch.format import dumps, gram_row

    assert gram_row("京都", [3, 5, 9]) == dumps(["京都", 3, 2, 4])
    assert gram_row("ーあ", [0]) == dumps(["ーあ", 0])


def test_field_lengths_round_to_a_level_within_an_eighth():
    from postsearch.format import length_levels, nearest_level

    levels = length_levels(50_000)
    assert levels[:6] == [0, 1, 2, 3, 4, 5] and levels[-1] >= 50_000
    for length in [*range(200), 453, 1_000, 9_999, 50_000]:
        got = levels[nearest_level(levels, length)]
        assert abs(got - length) <= max(1, 0.125 * length), length


def test_a_query_reads_one_lexicon_shard_per_latin_word():
    from postsearch.search import piece_starts

    assert piece_starts("kubernetes") == ["k"]
    assert piece_starts("k8sの設定") == ["k", "8", "s", "の", "設", "定"]


@given(st.lists(st.integers(0, 40)), st.integers(1, 60))
def test_rows_are_grouped_greedily_within_the_budget(sizes, budget):
    expected, size = [], 0  # the plain greedy loop group_starts stands for
    for i, n in enumerate(sizes):
        if i == 0 or size + n > budget:
            expected.append(i)
            size = 0
        size += n + 1
    import itertools

    assert fmt.group_starts(list(itertools.accumulate(n + 1 for n in sizes)), budget) == expected


KEYS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=4)  # terms never hold lone surrogates


@given(
    st.dictionaries(KEYS, st.binary(max_size=6)),
    st.dictionaries(KEYS, st.none() | st.binary(max_size=6)),
)
def test_sorted_rows_update_as_a_dict_would(rows, changes):
    from postsearch import cache

    table = fmt.SortedRows(rows)
    table.update(changes)
    expected = {**rows, **changes}
    expected = {k: v for k, v in expected.items() if v is not None}
    if table.run.size:  # kept in a saved build as JSON keys, a blob and its row ends (cache.py)
        keys = json.loads(json.dumps(table.keys, ensure_ascii=False).encode())
        table = cache.sorted_rows(keys, table.run.blob, cache.ends_bytes(table.run.ends))
    assert table.keys == sorted(expected) and [table.run.row(i) for i in range(len(table))] == [
        expected[k] for k in table.keys
    ]
    assert all(table.get(k) == v for k, v in expected.items()) and table.get("\uffff" * 5) is None


def test_a_big_site_gets_fewer_larger_files(tmp_path, monkeypatch):
    postsearch.build(EXAMPLE_SITE, tmp_path / "small", jobs=1, cache=False)
    monkeypatch.setattr(fmt, "MAX_FILES", 12)  # as if the site were a thousand times larger
    postsearch.build(EXAMPLE_SITE, tmp_path / "big", jobs=1, cache=False)
    small, big = read_all(tmp_path / "small"), read_all(tmp_path / "big")
    assert len(big) < len(small)
    for query in ["新幹線", "サーバ", '"設定を変更する"', "京都 -新幹線"]:
        hits = [postsearch.open_index(tmp_path / out).search(query).hits for out in ("small", "big")]
        assert hits[0] == hits[1], query


def test_a_patched_rebuild_that_moves_the_budgets_writes_a_cold_build(built_site, tmp_path, monkeypatch):
    saved = built_site / ".postsearch-cache" / "build.bin"

    def scale() -> int:
        header = saved.read_bytes().split(b"\n", 2)[1]
        return json.loads(header)["scale"]

    monkeypatch.setattr(fmt, "MAX_FILES", 34)  # the example site's index is about 35 to 70 files
    saved.unlink()  # a full build with that cap
    postsearch.build(built_site, tmp_path / "out", jobs=1)
    assert scale() == 2
    post = built_site / "pages" / "crlf-post.md"
    post.write_text(post.read_text(encoding="utf-8") + "\n\n長い追記です。" * 3000, encoding="utf-8")
    report = rebuild_equals_cold_build(built_site, tmp_path)
    assert report.patched and scale() == 4
