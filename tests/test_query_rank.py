"""Scores and order (postsearch.query.rank)."""

from __future__ import annotations

import random

from postsearch.query.parse import Clause
from postsearch.query.rank import ADJACENCY, idf, ranked


def test_idf_is_whooshs():
    assert idf(3, 0) == 2.09861228866811
    assert idf(22, 21) == 1


def test_ranked_tiers_then_score_then_id_and_a_limit_cuts_the_same_order_short():
    """ranked sorts a tier only if the tiers above leave room: its first `limit` are those
    of the whole order (web/src/rank.js follows the same algorithm)."""
    rng = random.Random(7)
    for _ in range(200):
        posts = list(range(rng.randint(1, 40)))
        totals = {p: rng.randint(0, 4) / 4 + 0.5 for p in posts}  # with ties
        grams: dict[str, set[int]] = {}
        clauses = []
        for c in range(rng.randint(0, 3)):
            grams[f"g{c}"] = {p for p in posts if rng.random() < 0.4}
            clauses.append(Clause("word" if rng.random() < 0.8 else "phrase", "", [], [f"g{c}"]))
        whole = ranked(posts, totals, clauses, grams, None)

        typed = {p: sum(1 for c in clauses if c.kind == "word" and p in grams[c.grams[0]]) for p in posts}
        expected = [(totals[p] * (1 + ADJACENCY * typed[p]), p) for p in posts]
        assert whole == sorted(expected, key=lambda r: (-typed[r[1]], -r[0], r[1]))
        for limit in (0, 1, 3, 10, 50):
            assert ranked(posts, totals, clauses, grams, limit) == whole[:limit]
