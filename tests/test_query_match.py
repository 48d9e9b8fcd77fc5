"""Which posts pieces and clauses match (postsearch.query.match)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from postsearch.query.decode import TermEntry
from postsearch.query.match import clause_matches
from postsearch.query.parse import Clause, Piece


class CountingPostings(dict):
    """A term's postings that count how often they are read whole (iterated)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.reads = 0

    def __iter__(self) -> Iterator[int]:
        self.reads += 1
        return super().__iter__()


def test_phrases_and_exclusions_read_each_postings_list_once_not_once_per_post():
    """clause_matches is asked post by post: it used to gather every post of each piece for
    each post (posts x postings: a phrase or -word on a large site took seconds, and a
    query of many costs that many times over)."""
    fields, posts = 5, range(2000)
    tfs = [1, 0, 0, 0, 0]
    kyoto = TermEntry(CountingPostings({p: tfs for p in posts}), [2000, 0, 0, 0, 0], [])
    osaka = TermEntry(CountingPostings({p: tfs for p in posts if p % 2 == 0}), [1000, 0, 0, 0, 0], [])
    kyoto.positions = {p: [[3], None, None, None, None] for p in posts}
    osaka.positions = {p: [[4 if p % 4 == 0 else 7], None, None, None, None] for p in posts if p % 2 == 0}
    terms = {"京都": kyoto, "大阪": osaka}
    phrase = Clause(
        "phrase", "京都大阪", [Piece("京都", ["京都"], 0, False, []), Piece("大阪", ["大阪"], 1, False, [])]
    )
    exclusion = Clause("not", "大阪", [Piece("大阪", ["大阪"], 0, False, [])])
    assert sum(clause_matches(phrase, p, fields, terms, {}) for p in posts) == 500  # 大阪 right after 京都
    assert sum(clause_matches(exclusion, p, fields, terms, {}) for p in posts) == 1000
    assert kyoto.postings.reads + osaka.postings.reads == 3  # was 5,000
