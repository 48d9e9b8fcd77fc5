"""Stage 5: compact, deterministic, atomic output."""

from __future__ import annotations

import json
from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postsearch
from postsearch import format as fmt
from postsearch.format import lexicon_json, lexicon_row
from postsearch.index import LexiconRow, lexicon_entry
from postsearch.rows import dumps, number_texts, string_json
from postsearch.search import decode_positions, decode_postings

from .conftest import EXAMPLE_SITE
from .helpers import posting_entries, read_all


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


@given(posting_entries())
def test_postings_round_trip(entries):
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

    from postsearch.rows import group_starts

    assert group_starts(list(itertools.accumulate(n + 1 for n in sizes)), budget) == expected


def test_a_big_site_gets_fewer_larger_files(tmp_path, monkeypatch):
    postsearch.build(EXAMPLE_SITE, tmp_path / "small", jobs=1, cache=False)
    monkeypatch.setattr(fmt, "MAX_FILES", 12)  # as if the site were a thousand times larger
    postsearch.build(EXAMPLE_SITE, tmp_path / "big", jobs=1, cache=False)
    small, big = read_all(tmp_path / "small"), read_all(tmp_path / "big")
    assert len(big) < len(small)
    for query in ["新幹線", "サーバ", '"設定を変更する"', "京都 -新幹線"]:
        hits = [postsearch.open_index(tmp_path / out).search(query).hits for out in ("small", "big")]
        assert hits[0] == hits[1], query


def test_files_dealt_before_the_terms_are_known_are_dealt_again_when_the_terms_grow_the_scale(tmp_path, monkeypatch):
    """encode_rows (two jobs) deals the n-gram and lexicon rows to their files while the
    terms' child works, at the scale the other rows give; when the term rows make the scale
    grow, the rows are dealt again: the bytes are those of a one-job build."""
    sizes: list[tuple[int, ...]] = []
    scale_of = fmt.budget_scale
    monkeypatch.setattr(fmt, "budget_scale", lambda *s: sizes.append(s) or scale_of(*s))
    postsearch.build(EXAMPLE_SITE, tmp_path / "probe", jobs=1, cache=False)
    terms, positions, *rest = sizes[-1]
    files = terms / fmt.SHARD_BYTES + positions / fmt.POSITION_BYTES
    without_terms = sum(
        n / budget for n, budget in zip(rest, (fmt.BUNDLE_BYTES, fmt.GRAM_BYTES, fmt.LEXICON_BYTES), strict=True)
    )
    monkeypatch.setattr(fmt, "MAX_FILES", without_terms)  # scale 1 without the term rows, 2 with them
    assert scale_of(0, 0, *rest) == 1 and scale_of(terms, positions, *rest) == 2 and files > 0
    postsearch.build(EXAMPLE_SITE, tmp_path / "here", jobs=1, cache=False)
    monkeypatch.setattr(fmt, "APART_TERMS", 0)
    sizes.clear()
    postsearch.build(EXAMPLE_SITE, tmp_path / "apart", jobs=2, cache=False)
    assert [scale_of(*s) for s in sizes] == [1, 2]  # dealt early at 1, then again at 2
    assert read_all(tmp_path / "apart") == read_all(tmp_path / "here")


def test_lexicon_files_keep_latin_and_kana_apart():
    from postsearch.core import lexicon_file_count, shard_of

    latin = [chr(c) for c in [*range(0x30, 0x3A), *range(0x61, 0x7B)]]
    kana = [chr(c) for c in range(0x3041, 0x3100)]
    for needed in (1, 12, 226, 227, 285, 439, 1000):
        count = lexicon_file_count(needed)
        assert count >= needed
        if needed >= 227:
            assert not {shard_of(c, count) for c in latin} & {shard_of(c, count) for c in kana}, needed
    assert lexicon_file_count(285) == 291  # 285 would put く, こ and が with p, t and m


@given(st.text(), st.integers(1, 99), st.integers(1, 40), st.lists(st.text(max_size=4), max_size=3))
def test_rows_put_together_by_hand_are_what_json_writes(surface, width, cost, terms):
    assert string_json(surface) == dumps(surface)
    row = LexiconRow(surface, width, cost, sorted({*terms, surface}))
    assert lexicon_json(row) == dumps(lexicon_row(row))


@given(st.text(max_size=3), st.sampled_from(["", "語"]), st.integers(1, 4), st.integers(1, 1000))
def test_a_surface_seen_one_way_has_the_row_of_the_general_case(surface, term, width, count):
    """lexicon_entry's shortcut gives what counting widths and terms gives (here by seeing
    the one way twice, each half as often)."""
    one = lexicon_entry(surface, [(term, width, 2 * count)], 10_000)
    halves = lexicon_entry(surface, [(term, width, count), (term, width, count)], 10_000)
    assert one == halves


@given(st.lists(st.one_of(st.integers(0, 70_000), st.integers(-5, 5), st.integers(2**31, 2**33))))
def test_numbers_from_the_table_are_spelled_as_str_spells_them(values):
    assert list(number_texts(values)) == list(map(str, values))
    small = [v for v in values if 0 <= v < 2**32]
    assert list(number_texts(array("I", small))) == list(map(str, small))
