"""Scoring and ordering the posts that matched.

Score = Σ over pieces (query order), their terms then prefix terms, of w x BM25F (whoosh's:
per field, weight x idf x tf saturation, length normalized), w 1 for a term and PREFIX_WEIGHT
for a prefix term; n-gram pieces score like one body word. Posts that have more word clauses
as typed (all their n-grams) rank first, their score raised by ADJACENCY per clause.

Partial matches (match.py) rank below every post that matches the whole query, by score x
coordination²: coordination is the share of the words' weight (idf, from the index's own
statistics) the post has, so a post with the query's rare words beats one with its common
ones, and a word no post has, or every post has (a question's どこ, 何), weighs what the
site's statistics say it does. Lucene's classic coordination factor is the share itself;
its square favours covering more of the query (measured on crowd-written questions).
Mirrored by `web/src/rank.js`, function by function, with the same order of additions.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections import Counter
from collections.abc import Collection, Iterable

from .decode import TermEntry
from .match import posts_with_grams
from .parse import Clause, Piece
from .shards import Shards

PREFIX_WEIGHT = 0.25  # a word matched by its start counts a quarter: finished words rank first
ADJACENCY = 1.0  # each clause whose pieces stand together in a post adds this to its score factor
GRAM_FIELD = 3  # n-gram pieces score with the weight of this field (body)


def idf(posts: int, df: int) -> float:
    """whoosh's idf: log(N / (df + 1)) + 1."""
    return math.log(posts / (df + 1)) + 1


def bm25(idf_: float, tf: int, length: int, average: float, k1: float, b: float) -> float:
    """One field's BM25, written as whoosh writes it so the arithmetic matches."""
    return idf_ * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * length / average)))


def gram_score(wanted: list[str], index: Shards) -> float:
    """N-grams score like one body word seen once: the mean idf of the n-grams."""
    total = 0.0
    for gram in wanted:
        total += idf(index.post_count, len(index.grams.get(gram, set())))
    return index.weights[GRAM_FIELD] * total / len(wanted)


def term_score(entry: TermEntry, post: int, index: Shards) -> float:
    """A term's BM25F score in a post that has it: Σ over fields (field order) of weight x
    BM25. Kept on the entry once computed: typing a query repeats its terms."""
    found = entry.scores.get(post)
    if found is None:
        found = 0.0
        length = post * index.field_count
        for f, tf in enumerate(entry.postings[post]):
            if tf:
                df_idf = idf(index.post_count, entry.df[f])
                found += index.weights[f] * bm25(
                    df_idf, tf, index.lengths[length + f], index.averages[f], index.k1, index.b
                )
        entry.scores[post] = found
    return found


def add_to(totals: dict[int, float], posts: Collection[int], values: Iterable[float]) -> None:
    """`totals[post] += value` for each post and its value, looped in C (map, zip): a query
    on a big site adds to thousands of posts per term."""
    totals.update(zip(posts, map(operator.add, map(totals.__getitem__, posts), values), strict=False))


def scores(posts: list[int], pieces: list[Piece], index: Shards) -> dict[int, float]:
    """Each post's score: Σ over pieces, then their terms and prefix terms (in that fixed
    order), of w x term_score, w 1 for a term and PREFIX_WEIGHT for a prefix term; a piece a
    post has by its spelling only scores as n-grams. Worked out term by term over the posts
    that have the term, so a frequent word costs one addition per post. A weighted page's
    total is then multiplied by its weight."""
    totals = dict.fromkeys(posts, 0.0)
    for piece in pieces:
        if piece.grams:
            add_to(totals, posts, itertools.repeat(gram_score(piece.grams, index)))
            continue
        scored: set[int] = set()
        for terms, weight in ((piece.terms, 1.0), (piece.prefix_terms, PREFIX_WEIGHT)):
            for term in terms:
                entry = index.terms.get(term)
                if entry is None:
                    continue
                common = totals.keys() & entry.postings.keys()
                if len(entry.scores) < len(entry.postings):  # not every post scored yet
                    for post in common - entry.scores.keys():
                        term_score(entry, post, index)  # kept on the entry
                ordered = list(common)
                add_to(totals, ordered, map(weight.__mul__, map(entry.scores.__getitem__, ordered)))
                scored |= common
        if piece.spelled and len(scored) < len(totals):  # some post may have it by spelling only
            value = gram_score(piece.spelled, index)
            add_to(
                totals,
                list((posts_with_grams(piece.spelled, index.grams) & totals.keys()) - scored),
                itertools.repeat(value),
            )
    for post in sorted(index.boosts.keys() & totals.keys()):  # weighted pages (manifest `boosts`)
        totals[post] *= index.boosts[post]
    return totals


def ranked(
    posts: list[int], totals: dict[int, float], clauses: list[Clause], grams: dict[str, set[int]], limit: int | None
) -> list[tuple[float, int]]:
    """The first `limit` (None: all) `(score, post)`, best first: posts with more word
    clauses as typed (all the clause's n-grams) first, then by score (raised by ADJACENCY
    for each such clause), then by id. `posts` come sorted by id and the sorts are stable;
    a tier's posts are only sorted if the ones above it leave room."""
    adjacent = Counter(
        itertools.chain.from_iterable(
            posts_with_grams(c.grams, grams) & totals.keys() for c in clauses if c.kind == "word" and c.grams
        )
    )
    order: list[tuple[float, int]] = []
    tiers = sorted({0, *adjacent.values()}, reverse=True)
    for n in tiers:
        room = None if limit is None else limit - len(order)
        if room is not None and room <= 0:
            break
        if n == 0:
            tier = [post for post in posts if post not in adjacent] if adjacent else posts
            values = totals
        else:
            tier = sorted(adjacent if len(tiers) == 2 else (p for p, c in adjacent.items() if c == n))
            factor = itertools.repeat(1 + ADJACENCY * n)
            values = dict(zip(tier, map(operator.mul, map(totals.__getitem__, tier), factor), strict=False))
        order.extend((values[post], post) for post in sorted(tier, key=values.__getitem__, reverse=True)[:room])
    return order


def coordinations(posts: list[int], word_posts: list[set[int]], post_count: int) -> dict[int, float]:
    """Per post, the share of the words' idf weight it has (words in query order)."""
    weights = [idf(post_count, len(found)) for found in word_posts]
    total = sum(weights)
    shares = {}
    for post in posts:
        have = 0.0
        for weight, found in zip(weights, word_posts, strict=True):
            if post in found:
                have += weight
        shares[post] = have / total if total else 0.0
    return shares


def partially_ranked(
    posts: list[int], totals: dict[int, float], shares: dict[int, float], limit: int | None
) -> list[tuple[float, int]]:
    """The first `limit` (None: all) partial matches, `(score x coordination², post)`, best
    first, then by id (`posts` come sorted by id; the sort is stable)."""
    values = {post: totals[post] * shares[post] * shares[post] for post in posts}
    return [(values[post], post) for post in sorted(posts, key=values.__getitem__, reverse=True)[:limit]]
