"""A build within bounded memory (spill.py, rows.HashedFiles.of_spool) writes the bytes a
build that holds everything writes: postings spilled as sorted runs after every post, and
n-gram rows dealt to their files a row at a time, change nothing, nor does a rebuild from
the cache of such a build."""

from __future__ import annotations

import os
import shutil
from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postsearch
import postsearch.analysis
import postsearch.posts
from postsearch import index, rows
from postsearch.index import TermRun, joined_run
from postsearch.postings import encode_entry
from postsearch.spill import Runs

from .conftest import EXAMPLE_SITE
from .helpers import posting_entries, read_all


def test_runs_merge_every_key_once_in_order_with_pieces_in_the_order_made():
    runs = Runs()
    runs.spill([("b", 1, (array("I", [1]),)), ("あ", 2, (array("I", [2, 3]),))])
    runs.spill([("a", 4, (array("I", [4]),)), ("b", 5, (array("I", []),))])
    merged = list(runs.merged([("b", 6, (array("I", [6]),)), ("c", 7, (array("I", [7]),))]))
    assert [key for key, _ in merged] == ["a", "b", "c", "あ"]
    assert [(last, list(a)) for _, last, (a,) in dict(merged)["b"]] == [(1, [1]), (5, []), (6, [6])]
    assert [(last, list(a)) for _, last, (a,) in dict(merged)["あ"]] == [(2, [2, 3])]


@given(posting_entries(), st.lists(st.integers(1, 10), max_size=4))
def test_a_term_run_split_by_spills_joins_into_the_run_built_whole(entries, cuts):
    whole = TermRun()
    for post, fields in entries:
        encode_entry(post, whole.last, fields, whole.postings, whole.positions)
        whole.last = post
    pieces, piece = [], TermRun()
    bounds = {sum(cuts[: i + 1]) for i in range(len(cuts))}
    for n, (post, fields) in enumerate(entries):
        if n in bounds and piece.postings:  # a spill: the builder starts the term afresh
            pieces.append(("t", piece.last, (piece.postings, piece.positions)))
            piece = TermRun()
        encode_entry(post, piece.last, fields, piece.postings, piece.positions)
        piece.last = post
    if not entries:
        return
    pieces.append(("t", piece.last, (piece.postings, piece.positions)))
    joined = joined_run(pieces)
    assert (joined.last, joined.postings, joined.positions) == (whole.last, whole.postings, whole.positions)


def test_spilling_after_every_post_writes_the_same_bytes_and_rebuilds_alike(tmp_path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns(".postsearch-cache"))
    postsearch.build(site, tmp_path / "whole", jobs=1, cache=False)
    monkeypatch.setattr(index, "SPILL_BYTES", 1)  # a run per post
    monkeypatch.setattr(rows, "DEAL_BYTES", 1)  # every n-gram row dealt alone
    monkeypatch.setattr(rows, "DEAL_ROWS", 7)  # their files worked out seven rows at a time
    built = postsearch.build(site, tmp_path / "spilled", jobs=1)
    assert built.posts > 10
    assert read_all(tmp_path / "spilled") == read_all(tmp_path / "whole")

    post = next(p for p in sorted((site / "articles").rglob("*.md")) if "draft" not in p.read_text("utf-8"))
    post.write_text(post.read_text("utf-8") + "\n\n灯台守の日誌に新しい一行を書き足した。\n", "utf-8")
    rebuilt = postsearch.build(site, tmp_path / "spilled", jobs=1)
    assert rebuilt.patched
    postsearch.build(site, tmp_path / "cold", jobs=1, cache=False)
    assert read_all(tmp_path / "spilled") == read_all(tmp_path / "cold")


def test_a_big_site_spills(tmp_path: Path, monkeypatch):
    """The budget is what decides: a builder over it spills, and holds little after."""
    builder = index.IndexBuilder(spill_bytes=4096)
    analyzer = postsearch.analysis.Analyzer()
    for n in range(6):
        post = postsearch.posts.Post(
            path=f"p{n}.md",
            url=f"/p{n}/",
            title=f"灯台{n}",
            date=None,
            tags=[],
            body="港の灯台は夜通し光る。" * 40,
            markup="markdown",
        )
        builder.add(index.analyze_post(post, analyzer))
    assert builder.term_runs.files and builder.held <= 4096
    terms = dict(builder.terms())
    assert list(terms) == sorted(terms) and terms["灯台"].last == 5


def test_the_next_batch_is_sent_before_this_ones_records_are_merged(tmp_path, monkeypatch):
    """The workers never wait while the merging process adds a batch's records: the next
    batch is read and sent first (pipeline.full_build)."""
    from postsearch import pipeline

    events: list[str] = []
    start, add = pipeline.start_files, index.IndexBuilder.add
    monkeypatch.setattr(pipeline, "BATCH", 4)
    monkeypatch.setattr(
        pipeline, "start_files", lambda site, numbers, pool: events.append("sent") or start(site, numbers, pool)
    )
    monkeypatch.setattr(index.IndexBuilder, "add", lambda self, record: events.append("merged") or add(self, record))
    report = postsearch.build(EXAMPLE_SITE, tmp_path / "out", jobs=1, cache=False)
    assert events.count("sent") >= 3 and events.count("merged") == report.posts
    assert events[:2] == ["sent", "sent"]  # the second batch went out before the first was merged
    merged_before = [events[:i].count("merged") for i, e in enumerate(events) if e == "sent"]
    assert merged_before[1:] == sorted(merged_before[1:]) and merged_before[-1] < report.posts


def test_terms_and_lexicon_encoded_in_forked_processes_write_the_same_bytes(tmp_path, monkeypatch):
    """format.encode_rows (two jobs): the children's term rows and lexicon are those this
    process writes, spilled or not."""
    from postsearch import format as fmt

    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns(".postsearch-cache"))
    postsearch.build(site, tmp_path / "here", jobs=1, cache=False)
    forked: list[str] = []
    start = fmt.Forked.start
    monkeypatch.setattr(fmt.Forked, "start", lambda what, *a: forked.append(what) or start(what, *a))
    monkeypatch.setattr(fmt, "APART_TERMS", 0)
    postsearch.build(site, tmp_path / "apart", jobs=2, cache=False)
    monkeypatch.setattr(index, "SPILL_BYTES", 4096)
    postsearch.build(site, tmp_path / "apart-spilled", jobs=2, cache=False)
    assert forked == ["encoding the terms", "encoding the lexicon"] * 2
    assert read_all(tmp_path / "apart") == read_all(tmp_path / "here")
    assert read_all(tmp_path / "apart-spilled") == read_all(tmp_path / "here")


@pytest.mark.parametrize("where", ["encode_term", "lexicon_json"])
def test_a_failure_in_a_forked_process_fails_the_build_and_keeps_the_index(tmp_path, monkeypatch, where):
    from postsearch import format as fmt

    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns(".postsearch-cache"))
    postsearch.build(site, tmp_path / "out", jobs=1, cache=False)
    before = read_all(tmp_path / "out")
    monkeypatch.setattr(fmt, "APART_TERMS", 0)

    def broken(*_: object) -> None:
        raise ValueError("a row that cannot be written")

    monkeypatch.setattr(fmt, where, broken)
    with pytest.raises(ValueError, match="cannot be written"):
        postsearch.build(site, tmp_path / "out", jobs=2, cache=False)
    assert read_all(tmp_path / "out") == before


def test_a_forked_process_that_dies_fails_the_build_and_keeps_the_index(tmp_path, monkeypatch):
    from postsearch import format as fmt

    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns(".postsearch-cache"))
    postsearch.build(site, tmp_path / "out", jobs=1, cache=False)
    before = read_all(tmp_path / "out")
    monkeypatch.setattr(fmt, "APART_TERMS", 0)
    monkeypatch.setattr(fmt, "lexicon_json", lambda *_: os._exit(3))
    with pytest.raises(RuntimeError, match=r"encoding the lexicon stopped \(exit code 3\)"):
        postsearch.build(site, tmp_path / "out", jobs=2, cache=False)
    assert read_all(tmp_path / "out") == before


def test_when_one_forked_process_fails_the_other_is_stopped(tmp_path, monkeypatch):
    """The lexicon fails while the term rows are still being encoded: the build fails at
    once and leaves no child behind."""
    import multiprocessing
    import time

    from postsearch import format as fmt

    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns(".postsearch-cache"))
    monkeypatch.setattr(fmt, "APART_TERMS", 0)
    monkeypatch.setattr(fmt, "encode_terms", lambda *_: time.sleep(60))

    def broken(*_: object) -> None:
        raise ValueError("a row that cannot be written")

    monkeypatch.setattr(fmt, "lexicon_json", broken)
    with pytest.raises(ValueError, match="cannot be written"):
        postsearch.build(site, tmp_path / "out", jobs=2, cache=False)
    assert multiprocessing.active_children() == []
