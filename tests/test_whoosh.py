"""whoosh-reloaded as an independent check of our ranking.

The example site goes into whoosh (BM25F, our analyzer, our field weights) and into
postsearch; the same query terms must match the same posts in the same order. whoosh
stores field lengths rounded to one byte, so near ties may swap. Where our ranking
deliberately differs (prefix matches, adjacency), the check runs with those features off.
"""

from __future__ import annotations

import itertools

import pytest
from whoosh import fields, scoring
from whoosh.filedb.filestore import RamStorage
from whoosh.query import And, Or, Term

from postsearch.core import FIELDS, K1, WEIGHTS, B
from postsearch.index import field_texts
from postsearch.posts import Post, read_posts
from postsearch.search import needed_pieces, parse_query
from postsearch.text import post_text
from postsearch.whoosh_analysis import whoosh_analyzer

from .conftest import EXAMPLE_SITE

QUERIES = [
    "新幹線", "新幹線 京都", "サーバ", "設定を変更する", "docker", "京都 桜", "検索", "形態素解析",
    "コーヒー", "ビルド", "記事", "旅行", "東京駅", "useEffect", "hugo", "北海道 ドライブ",
    "静的サイト", "ブログ", "インストール", "大阪", "ページ", "時間", "ファイル", "朝", "javascript",
]  # fmt: skip


@pytest.fixture(scope="module")
def whoosh_searcher():
    analyzer = whoosh_analyzer()
    schema = fields.Schema(
        path=fields.ID(stored=True, unique=True),
        **{name: fields.TEXT(analyzer=analyzer, phrase=False) for name in FIELDS},
    )
    index = RamStorage().create_index(schema)
    writer = index.writer()
    posts = sorted((p for p in read_posts(EXAMPLE_SITE) if isinstance(p, Post)), key=lambda p: p.path)
    for post in posts:
        texts = field_texts(post_text(post))
        writer.add_document(path=post.path, **{name: text for name, text in zip(FIELDS, texts, strict=True) if text})
    writer.commit()
    with index.searcher(weighting=scoring.BM25F(B=B, K1=K1)) as searcher:
        yield searcher


def whoosh_ranking(searcher, pieces) -> list[tuple[int, float]]:
    query = And(
        [Or([Term(f, t, boost=w) for t in p.terms for f, w in zip(FIELDS, WEIGHTS, strict=True)]) for p in pieces]
    )
    return [(hit["path"], hit.score) for hit in searcher.search(query, limit=None)]


@pytest.mark.parametrize("query", QUERIES)
def test_same_ranking_as_whoosh(query, example, whoosh_searcher):
    clauses = parse_query(query)
    example.prepare(clauses, prefix=False, adjacency=False)
    pieces = needed_pieces(clauses)
    assert pieces, query
    ours = example.search(query, limit=1000, prefix=False, adjacency=False, partial=False).hits
    ours_ranked = [(h.path, h.score) for h in ours]
    theirs = whoosh_ranking(whoosh_searcher, pieces)
    assert {i for i, _ in ours_ranked} == {i for i, _ in theirs}, query
    their_score = dict(theirs)
    their_rank = {doc: rank for rank, (doc, _) in enumerate(theirs)}
    for (a, sa), (b, sb) in itertools.pairwise(ours_ranked):
        if sa > sb * 1.03:  # a clear win for us must be a win for whoosh too
            assert their_rank[a] < their_rank[b], (query, a, b, sa, sb, their_score[a], their_score[b])
    for doc, score in ours_ranked:
        assert their_score[doc] == pytest.approx(score, rel=0.1), (query, doc)
