"""Stage 6, search: answer queries from the files the build wrote, exactly as the browser does.

This module never imports SudachiPy. It is mirrored function by function, in the same
order, by `web/postsearch.js`: change one, change the other (tests/test_parity.py and
the Node and Chromium parity tests hold them together). The file format is
docs/format.md.

A query is folded (NFKC, lower case), split into clauses (words, "quoted phrases",
-exclusions), and each clause is segmented against the lexicon of surface forms the
build saw, so the query is cut the way the posts were. Text the lexicon cannot cover,
and a clause whose pieces no post has together (Sudachi cut the posts differently),
falls back to character bigrams of its kana and kanji, and to term prefixes for the rest.
All pieces must match (AND); posts are ranked by BM25 per field, summed with field
weights (whoosh's BM25F).

Bounded work for any query: `Index.search` reads only the first MAX_QUERY_CHARS (1,000)
code points of the raw query, before folding (a lone surrogate counts one, as in a
JavaScript string's iterator); the rest is dropped, and the result's `query` is what was
read. Segmenting a word of n characters costs at most n x `longest` lexicon lookups
(`longest`: the longest surface read); phrases and exclusions gather each piece's posts once
per query and its positions once per field and post, never once per post or start.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import operator
import os
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from dataclasses import field as default
from pathlib import Path
from typing import Any

from .core import (  # noqa: F401 (re-exported: postsearch.search keeps the names it had)
    FORMAT,
    VERSION,
    compare,
    fold,
    gram_shard,
    grams_of,
    is_gram_char,
    range_shard,
    shard_of,
    undeltas,
)

PREFIX_SURFACES = 16  # longer surfaces a prefix may stand for (never every post)
PREFIX_WEIGHT = 0.25  # a word matched by its start counts a quarter: finished words rank first
ADJACENCY = 1.0  # each clause whose pieces stand together in a post adds this to its score factor
EXCERPT_CHARS = 120
UNCOVERED_COST = 32  # cost of a character no surface covers (a surface costs 1 to about 28)
UNCOVERED, KNOWN, PREFIX = 0, 1, 2  # how segment() reached a cut
GRAM_FIELD = 3  # n-gram pieces score with the weight of this field (body)
MAX_QUERY_CHARS = 1000  # code points of a query that are read; the rest is dropped (see above)


def is_word_char(c: str) -> bool:
    """Letters and digits; everything else separates words in a query."""
    return unicodedata.category(c)[0] in "LN"


def escape_html(text: str) -> str:
    """Post text is untrusted: escape it before wrapping matches in <mark>."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


# --- decoding the files -------------------------------------------------------------------


@dataclass
class LexiconEntry:
    """A surface form: how many positions it spans, what cutting it out of a query costs (rare
    surfaces cost more), and the terms it stands for (none: a stop)."""

    width: int
    cost: int
    terms: list[str]


@dataclass
class TermEntry:
    """A term's postings: post id -> term frequency per field (0 where absent), its document
    frequency per field, the other surfaces it was seen as (to mark other spellings), and,
    once read (phrases need them), post id -> positions per field (None where absent)."""

    postings: dict[int, list[int]]
    df: list[int]
    forms: list[str]
    positions: dict[int, list[list[int] | None]] | None = None
    scores: dict[int, float] = default(default_factory=dict)  # post id -> term_score, once computed


def decode_lexicon(data: list[list[Any]], into: dict[str, LexiconEntry]) -> int:
    """Add a lexicon shard's `[surface, width, cost, term...]` rows (`""` = same as surface).
    Returns the longest surface in characters."""
    longest = 0
    for row in data:
        surface = row[0]
        terms = [surface if t == "" else t for t in row[3:]]
        into[surface] = LexiconEntry(row[1], row[2], terms)
        longest = max(longest, len(surface))
    return longest


def decode_lengths(data: list[list[int]]) -> list[int]:
    """`[levels, column per field]` to the length of field f of post p at `[p * F + f]`."""
    levels, columns = data[0], data[1:]
    return [levels[column[p]] for p in range(len(columns[0]) if columns else 0) for column in columns]


def decode_ids(values: list[int]) -> set[int]:
    """Post ids from their deltas."""
    return set(undeltas(values))


def decode_postings(ints: list[int], fields: int) -> TermEntry:
    """Flat ints: per post `dPost, fieldMask`, then the tf of each field in the mask."""
    postings: dict[int, list[int]] = {}
    df = [0] * fields
    post = 0
    i = 0
    while i < len(ints):
        post += ints[i]
        mask = ints[i + 1]
        i += 2
        tfs = [0] * fields
        for f in range(fields):
            if mask & (1 << f):
                tfs[f] = ints[i]
                df[f] += 1
                i += 1
        postings[post] = tfs
    return TermEntry(postings, df, [])


def decode_positions(ints: list[int], entry: TermEntry) -> None:
    """Flat position deltas, in postings order (posts ascending, fields ascending, tf each)."""
    positions: dict[int, list[list[int] | None]] = {}
    i = 0
    for post in sorted(entry.postings):
        per_field: list[list[int] | None] = []
        for tf in entry.postings[post]:
            if tf == 0:
                per_field.append(None)
                continue
            found = []
            p = 0
            for k in range(tf):
                p += ints[i + k]
                found.append(p)
            per_field.append(found)
            i += tf
        positions[post] = per_field
    entry.positions = positions


# --- queries ------------------------------------------------------------------------------


@dataclass
class Piece:
    """A piece of a segmented query clause."""

    surface: str
    terms: list[str]  # empty for a stop piece
    qpos: int  # position in the query, in the same units as post positions
    fallback: bool  # not cut from the lexicon: matched by n-grams or as a prefix
    grams: list[str]  # a fallback piece's n-grams (grams_of), all of which a post must have
    prefix_terms: list[str] = default(default_factory=list)  # terms of longer surfaces it starts
    spelled: list[str] = default(default_factory=list)  # n-grams of its kana/kanji surface: match as typed too
    posts: set[int] | None = default(default=None, repr=False, compare=False)  # posts_with, kept by clause_matches


@dataclass
class Clause:
    """`word`: all pieces must match; `phrase`: and in sequence; `not`: excludes posts."""

    kind: str
    text: str
    pieces: list[Piece]
    grams: list[str] = default(default_factory=list)  # n-grams of its text: a post with all has it as typed


def parse_query(query: str) -> list[Clause]:
    """Folded query text to clauses: "quoted phrases", -excluded words, tag:/category:
    filters, plain words."""
    text = fold(query)
    clauses: list[Clause] = []
    parts = text.split('"')
    for i, part in enumerate(parts):
        if i % 2 == 1 and i < len(parts) - 1:
            if part.strip():
                clauses.append(Clause("phrase", part.strip(), []))
            continue
        for word in part.split():
            if word.startswith("-") and len(word) > 1:
                clauses.append(Clause("not", word[1:], []))
            elif word.startswith(("tag:", "category:")) and not word.endswith(":"):
                clauses.append(Clause("tag", word.split(":", 1)[1], []))
            elif word != "-":
                clauses.append(Clause("word", word, []))
    return clauses


def ascii_class(c: str) -> int:
    """1 for an ASCII letter (folded: lower case), 2 for an ASCII digit, 0 for anything else."""
    return 1 if "a" <= c <= "z" else (2 if "0" <= c <= "9" else 0)


def can_cut(chars: list[str], i: int) -> bool:
    """A lexicon piece never starts or ends inside a run of Latin letters or of digits: `dock`
    is a word (or the start of one), never `doc` + `k`; `910` is never `9` + `10`."""
    if i == 0 or i == len(chars):
        return True
    kind = ascii_class(chars[i])
    return kind == 0 or kind != ascii_class(chars[i - 1])


def piece_starts(text: str) -> list[str]:
    """The characters a piece of the text may start with (can_cut): their lexicon shards are
    all a query needs, one for `kubernetes`, not one per letter."""
    chars = list(text)
    return [c for i, c in enumerate(chars) if can_cut(chars, i)]


SurfacesOf = Callable[[str], list[str]]  # a character -> the sorted surfaces of its lexicon shard


def longer_surfaces(prefix: str, surfaces_of: SurfacesOf, lexicon: dict[str, LexiconEntry]) -> list[str]:
    """Surfaces (not stops) that start with `prefix` and are longer, most frequent first, capped.
    They all stand in the lexicon shard of the prefix's first character."""
    surfaces = surfaces_of(prefix[0])
    found = []
    i = bisect_left(surfaces, prefix)
    while i < len(surfaces) and surfaces[i].startswith(prefix):
        if surfaces[i] != prefix and lexicon[surfaces[i]].terms:
            found.append(surfaces[i])
        i += 1
    found.sort(key=lambda s: (lexicon[s].cost, len(s), s))
    return found[:PREFIX_SURFACES]


def prefix_terms(prefix: str, surfaces_of: SurfacesOf, lexicon: dict[str, LexiconEntry], exact: list[str]) -> list[str]:
    """The terms of the surfaces `prefix` starts (search as you type: 機械学 → 機械学習)."""
    terms = {t for s in longer_surfaces(prefix, surfaces_of, lexicon) for t in lexicon[s].terms}
    return sorted(terms - set(exact))


def segment(
    text: str, lexicon: dict[str, LexiconEntry], longest: int, surfaces_of: SurfacesOf | None = None
) -> list[Piece]:
    """Cut text into lexicon surfaces at the least total cost (each surface's cost comes from
    how often the posts had it: a unigram model); runs of characters no surface covers become
    fallback pieces. Ties go to the earlier, longer surface. With `surfaces_of`, a tail of two
    or more characters may also be the start of longer surfaces (typing), costing one more
    than the most frequent of them."""
    chars = list(text)
    n = len(chars)
    inf = n * UNCOVERED_COST + 1
    best = [inf] * (n + 1)
    back: list[tuple[int, int]] = [(0, UNCOVERED)] * (n + 1)
    best[0] = 0
    for i in range(n):
        if best[i] == inf:
            continue
        for length in range(min(longest, n - i) if can_cut(chars, i) else 0, 0, -1):
            if not can_cut(chars, i + length):
                continue
            entry = lexicon.get(text[i : i + length])  # str indexes are code points, as chars
            if entry is not None and best[i] + entry.cost < best[i + length]:
                best[i + length] = best[i] + entry.cost
                back[i + length] = (i, KNOWN)
        # a surface longer than the rest needs a rest shorter than `longest`: only the last
        # `longest` positions look, so a long word costs n x longest lookups, not n squared
        if surfaces_of is not None and 2 <= n - i < longest and can_cut(chars, i):
            longer = longer_surfaces(text[i:], surfaces_of, lexicon)
            if longer and best[i] + lexicon[longer[0]].cost + 1 < best[n]:
                best[n] = best[i] + lexicon[longer[0]].cost + 1
                back[n] = (i, PREFIX)
        if best[i] + UNCOVERED_COST < best[i + 1]:
            best[i + 1] = best[i] + UNCOVERED_COST
            back[i + 1] = (i, UNCOVERED)
    cuts: list[tuple[int, int, int]] = []
    end = n
    while end > 0:
        start, kind = back[end]
        if kind == UNCOVERED and cuts and cuts[-1][2] == UNCOVERED and cuts[-1][0] == end:
            cuts[-1] = (start, cuts[-1][1], UNCOVERED)
        else:
            cuts.append((start, end, kind))
        end = start
    cuts.reverse()
    pieces: list[Piece] = []
    qpos = 0
    for start, end, kind in cuts:
        surface = "".join(chars[start:end])
        if kind == KNOWN:
            entry = lexicon[surface]
            pieces.append(Piece(surface, sorted(set(entry.terms)), qpos, False, []))
            qpos += entry.width
        elif kind == PREFIX:
            assert surfaces_of is not None
            exact = sorted(set(lexicon[surface].terms)) if surface in lexicon else []
            pieces.append(Piece(surface, exact, qpos, False, [], prefix_terms(surface, surfaces_of, lexicon, exact)))
            qpos += 1
        else:
            for piece in fallback_pieces(surface, qpos):
                pieces.append(piece)
                qpos += 1
    if surfaces_of is not None and pieces:
        pieces[-1] = last_piece_as_prefix(pieces[-1], lexicon, surfaces_of)
    return pieces


def last_piece_as_prefix(piece: Piece, lexicon: dict[str, LexiconEntry], surfaces_of: SurfacesOf) -> Piece:
    """The last piece of a clause also matches the longer words it starts (下 → 下げる, as
    typed or cut short); a single hiragana there need not match at all (な in ブランチがな)."""
    if is_hiragana(piece.surface):
        return Piece(piece.surface, [], piece.qpos, False, [])
    if piece.grams or piece.fallback or piece.prefix_terms or not piece.terms:
        return piece
    more = prefix_terms(piece.surface, surfaces_of, lexicon, piece.terms)
    return Piece(piece.surface, piece.terms, piece.qpos, False, [], more)


def is_hiragana(text: str) -> bool:
    """One hiragana character: at the end of a query, the start of a word still being typed or
    an inflection cut short, so it need not match."""
    return len(text) == 1 and 0x3041 <= ord(text) <= 0x309F


def split_words(text: str) -> list[str]:
    """Runs of letters and digits, cut where kana/kanji meet other scripts; the characters
    between words are dropped."""
    words: list[str] = []
    current = ""
    for c in text:
        if is_word_char(c) and current and is_gram_char(c) == is_gram_char(current[-1]):
            current += c
        else:
            if current:
                words.append(current)
            current = c if is_word_char(c) else ""
    if current:
        words.append(current)
    return words


def fallback_pieces(text: str, qpos: int) -> list[Piece]:
    """Pieces for text the lexicon does not cut: bigrams for kana/kanji runs of two or more,
    a prefix of longer surfaces for anything else (their terms filled in later)."""
    pieces: list[Piece] = []
    for word in split_words(text):
        grams = grams_of(word) if len(word) > 1 and is_gram_char(word[0]) else []
        pieces.append(Piece(word, [], qpos + len(pieces), True, grams))
    return pieces


def spelled(piece: Piece) -> list[str]:
    """The bigrams of a lexicon piece written in kana/kanji only. Sudachi cuts a word by its
    context (勝手に alone, 勝手 + に in a sentence), so a post with all of them matches the
    piece even where its words were cut otherwise."""
    if piece.fallback or len(piece.surface) < 2 or not all(is_gram_char(c) for c in piece.surface):
        return []
    return grams_of(piece.surface)


def is_required(piece: Piece) -> bool:
    """A piece a post must match: a word, or a fallback (stops never need to)."""
    return bool(piece.terms) or bool(piece.prefix_terms) or piece.fallback


def needed_pieces(clauses: list[Clause]) -> list[Piece]:
    """Pieces hits are scored on: those of word and phrase clauses, stops left out."""
    return [p for c in clauses if c.kind != "not" for p in c.pieces if is_required(p)]


def posts_with_grams(wanted: list[str], grams: dict[str, set[int]]) -> set[int]:
    """Posts that have every one of these bigrams (none: no posts)."""
    found = set(grams.get(wanted[0], set())) if wanted else set()
    for gram in wanted[1:]:
        found &= grams.get(gram, set())
    return found


def posts_with(piece: Piece, terms: dict[str, TermEntry], grams: dict[str, set[int]]) -> set[int]:
    """Posts containing any term of the piece or all of its spelling's bigrams; for a
    fallback piece, every bigram of it."""
    if piece.grams:
        return posts_with_grams(piece.grams, grams)
    found = posts_with_grams(piece.spelled, grams)
    for term in [*piece.terms, *piece.prefix_terms]:
        entry = terms.get(term)
        if entry is not None:
            found.update(entry.postings)
    return found


def clause_posts(clause: Clause, terms: dict[str, TermEntry], grams: dict[str, set[int]]) -> set[int] | None:
    """Posts with every required piece of the clause, or with the whole clause as typed (all
    its n-grams: however the post's words were cut); None if the clause requires nothing."""
    found: set[int] | None = None
    for piece in clause.pieces:
        if is_required(piece):
            posts = posts_with(piece, terms, grams)
            found = posts if found is None else found & posts
    if found is not None and clause.grams:
        found |= posts_with_grams(clause.grams, grams)
    return found


def positions_of(piece: Piece, post: int, field: int, terms: dict[str, TermEntry]) -> set[int]:
    """Where any term of the piece stands in one field of one post (positions read)."""
    found: set[int] = set()
    for term in [*piece.terms, *piece.prefix_terms]:
        entry = terms.get(term)
        per_field = entry.positions.get(post) if entry is not None and entry.positions is not None else None
        if per_field is not None and per_field[field] is not None:
            found.update(per_field[field])  # type: ignore[arg-type]
    return found


def in_sequence(pieces: list[Piece], post: int, fields: int, terms: dict[str, TermEntry]) -> bool:
    """True when the clause's lexicon pieces stand at the query's relative positions in one
    field (fallback pieces only need to be present; their width is unknown)."""
    anchored = [p for p in pieces if (p.terms or p.prefix_terms) and not p.fallback]
    if len(anchored) < 2:
        return True
    first = anchored[0]
    for field in range(fields):  # each piece's positions once per field, not once per start
        at = [positions_of(p, post, field, terms) for p in anchored]
        for start in at[0]:
            if all(start + p.qpos - first.qpos in where for p, where in zip(anchored, at, strict=True)):
                return True
    return False


def clause_matches(
    clause: Clause, post: int, fields: int, terms: dict[str, TermEntry], grams: dict[str, set[int]]
) -> bool:
    """Whether a post has every piece of the clause (in sequence for phrases and exclusions)."""
    pieces = [p for p in clause.pieces if is_required(p)]
    for p in pieces:  # once per piece, not once per post: that cost posts x postings
        if p.posts is None:
            p.posts = posts_with(p, terms, grams)
    if not pieces or any(post not in (p.posts or ()) for p in pieces):
        return False
    return clause.kind == "word" or in_sequence(pieces, post, fields, terms)


def idf(posts: int, df: int) -> float:
    """whoosh's idf: log(N / (df + 1)) + 1."""
    return math.log(posts / (df + 1)) + 1


def bm25(idf_: float, tf: int, length: int, average: float, k1: float, b: float) -> float:
    """One field's BM25, written as whoosh writes it so the arithmetic matches."""
    return idf_ * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * length / average)))


def gram_score(wanted: list[str], index: Index) -> float:
    """Bigrams score like one body word seen once: the mean idf of the bigrams."""
    total = 0.0
    for gram in wanted:
        total += idf(index.post_count, len(index.grams.get(gram, set())))
    return index.weights[GRAM_FIELD] * total / len(wanted)


def term_score(entry: TermEntry, post: int, index: Index) -> float:
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


def scores(posts: list[int], pieces: list[Piece], index: Index) -> dict[int, float]:
    """Each post's score: Σ over pieces, then their terms and prefix terms (in that fixed
    order), of w x term_score, w 1 for a term and PREFIX_WEIGHT for a prefix term; a piece a
    post has by its spelling only scores as n-grams. Worked out term by term over the posts
    that have the term, so a frequent word costs one addition per post."""
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


def mark_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping spans of the needles in the folded text, longest first at a tie."""
    folded = fold_same_length(text)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        if not needle:
            continue
        at = folded.find(needle)
        while at >= 0:
            spans.append((at, at + len(needle)))
            at = folded.find(needle, at + 1)
    spans.sort(key=lambda s: (s[0], -s[1]))
    chosen: list[tuple[int, int]] = []
    for span in spans:
        if not chosen or span[0] >= chosen[-1][1]:
            chosen.append(span)
    return chosen


@functools.lru_cache(maxsize=1024)  # as FOLDED in the JS: a hit's text is folded once
def fold_same_length(text: str) -> str:
    """`fold` for marking: case only, per code point, so indexes into the text stay valid
    (stored text is already NFKC)."""
    lower = text.lower()
    if len(lower) == len(text) and "Σ" not in text:
        return lower
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def excerpt(text: str, needles: list[str]) -> tuple[str, int]:
    """EXCERPT_CHARS characters around the densest cluster of matches, escaped, with each
    match in <mark>, and where that cluster starts (-1 when nothing matches literally, and
    the excerpt is the start of the text)."""
    spans = mark_spans(text, needles)
    size = EXCERPT_CHARS
    start = 0
    cluster = -1
    if spans:
        best, best_count, j = 0, 0, 0
        for i, span in enumerate(spans):  # spans never overlap, so their ends rise: a sliding window
            j = max(j, i)
            while j < len(spans) and spans[j][1] <= span[0] + size:
                j += 1
            if j - i > best_count:
                best, best_count = i, j - i
        last = spans[best + best_count - 1][1] if best_count else spans[best][1]
        cluster = spans[best][0]
        slack = size - (last - spans[best][0])
        start = max(0, min(spans[best][0] - slack // 2, len(text) - size))
    end = min(len(text), start + size)
    out = ["…"] if start > 0 else []
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape_html(text[cursor:s]))
        out.append("<mark>" + escape_html(text[s:e]) + "</mark>")
        cursor = e
    out.append(escape_html(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out).replace("\n", " ").replace("\t", " "), cluster


def section_at(text: str, headings: list[Any], at: int) -> tuple[str | None, str | None]:
    """The anchor and title of the heading whose section holds character `at` (headings are
    flat `offset, anchor, ...`), or (None, None) before the first heading or with no match."""
    anchor, title = None, None
    for k in range(0, len(headings), 2):
        if at < 0 or headings[k] > at:
            break
        anchor = headings[k + 1]
        end = text.find("\n", headings[k])
        title = text[headings[k] : end if end >= 0 else len(text)]
    return anchor, title


def needles_for(pieces: list[Piece], terms: dict[str, TermEntry]) -> list[str]:
    """Every spelling to mark: the query's own surfaces, the terms and their other forms."""
    found: list[str] = []
    for piece in pieces:
        for s in [piece.surface, *piece.terms]:
            if s not in found:
                found.append(s)
        for term in piece.terms:
            entry = terms.get(term)
            for form in entry.forms if entry is not None else []:
                if form not in found:
                    found.append(form)
    return sorted(found, key=lambda s: (-len(s), s))


# --- the index ----------------------------------------------------------------------------


@dataclass
class Hit:
    """One search result, as the CLI's --json and the browser API give it."""

    url: str
    title: str
    date: str | None
    tags: list[str]
    score: float
    excerpt: str
    path: str
    anchor: str | None = None  # the heading whose section matched: link to url#anchor
    section: str | None = None  # that heading's text

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "date": self.date,
            "tags": self.tags,
            "score": self.score,
            "excerpt": self.excerpt,
            "path": self.path,
            "anchor": self.anchor,
            "section": self.section,
        }


@dataclass
class SearchResult:
    """Ranked hits, how many posts matched in all, and the bytes read so far for this index."""

    query: str
    total: int
    hits: list[Hit]
    bytes_read: int

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "hits": [h.as_dict() for h in self.hits]}


class CorruptIndex(ValueError):
    """An index file that is missing or not what the build writes (named in the message)."""


class IndexChanged(Exception):
    """The files under an open Index were replaced by a rebuild while it read them."""


NAME, BUILD = re.compile(r"[a-z]+\.json"), re.compile(r"[0-9a-f]{16}")
LISTS = ("fields", "weights", "fieldTotals", "terms", "positions", "texts")
INTS, NUMBERS = ("postCount", "lexicon", "grams"), ("k1", "b")


def check_manifest(m: Any) -> None:
    """Raise CorruptIndex unless `m` is a manifest of this format version, with every key a
    reader needs, of its type, and file names that stay in the index folder."""

    def bad(why: str) -> None:
        raise CorruptIndex(f"manifest.json: {why}")

    if not isinstance(m, dict) or m.get("format") != FORMAT or m.get("version") != VERSION:
        bad(f"not a postsearch index of version {VERSION}; build it again")

    def typed(keys: tuple[str, ...], ok: Callable[[Any], bool]) -> bool:
        return all(ok(m.get(k)) and not isinstance(m.get(k), bool) for k in keys)

    if not (
        typed(LISTS, lambda v: isinstance(v, list))
        and typed(INTS, lambda v: isinstance(v, int))
        and typed(NUMBERS, lambda v: isinstance(v, int | float))
    ):
        bad("a key is missing or of the wrong type")
    names = [m.get("lengths"), m.get("dates"), m.get("tags")]
    if not all(isinstance(n, str) and NAME.fullmatch(n) for n in names) or not BUILD.fullmatch(str(m.get("build"))):
        bad("file names not an index's")
    if len(m["weights"]) != len(m["fields"]) or len(m["fieldTotals"]) != len(m["fields"]):
        bad("a weight and total per field")


def reopening(method: Callable[..., Any]) -> Callable[..., Any]:
    """Make a method of Index answer from the new files when a rebuild replaced them while it
    read: the index is opened again and the call made again, once."""

    @functools.wraps(method)
    def call(self: Index, *args: Any, **kwargs: Any) -> Any:
        if self.version is not None and self.version() != self.opened:
            self.open()  # the manifest file changed since it was read: a rebuild
        try:
            return method(self, *args, **kwargs)
        except IndexChanged as e:
            if e.args[0] == self.build:
                self.open()
            return method(self, *args, **kwargs)

    return call


class Index:
    """An index opened from its files; shards are read on demand and kept for later queries.
    The data files live in the folder of the manifest's build, so a rebuild (a new manifest,
    a new build folder) never mixes with what was read before: when a file of the build
    opened is gone, the index reads the new manifest and answers from the new build. With
    `version` (open_index gives the manifest file's inode and time), a search also starts by
    checking that the manifest is the one read, so it answers from the newest build; the
    browser, which cannot ask that cheaply, answers from the build it opened until then."""

    def __init__(self, load: Callable[[str], bytes], version: Callable[[], Any] | None = None) -> None:
        self.load_bytes = load
        self.version = version  # what tells that the manifest changed, if the files can tell it
        self.bytes_read = 0
        self.open()

    def open(self) -> None:
        """Read and check the manifest and the field lengths; forget every shard read before."""
        self.opened = self.version() if self.version is not None else None
        manifest = self.load_json("manifest.json")
        check_manifest(manifest)
        self.manifest = manifest
        self.build: str = manifest["build"]
        self.fields: list[str] = manifest["fields"]
        self.field_count = len(self.fields)
        self.weights: list[float] = manifest["weights"]
        self.k1: float = manifest["k1"]
        self.b: float = manifest["b"]
        self.post_count: int = manifest["postCount"]
        self.averages = [(t / self.post_count if self.post_count else 0) or 1 for t in manifest["fieldTotals"]]
        self.lengths = decode_lengths(self.load_file(manifest["lengths"]))
        self.lexicon: dict[str, LexiconEntry] = {}
        self.longest = 0
        self.lexicon_loaded: dict[int, list[str]] = {}  # shard -> its surfaces, sorted
        self.terms: dict[str, TermEntry] = {}
        self.term_shards_loaded: set[int] = set()
        self.grams: dict[str, set[int]] = {}
        self.gram_shards_loaded: set[int] = set()
        self.position_shards_loaded: set[int] = set()
        self.tag_posts: dict[str, set[int]] | None = None  # folded tag -> posts
        self.tag_counts: list[tuple[str, int]] = []
        self.dates: list[str | None] | None = None
        self.texts: dict[int, list[Any]] = {}

    def load_json(self, name: str) -> Any:
        data = self.load_bytes(name)
        self.bytes_read += len(data)
        try:
            return json.loads(data)
        except ValueError as e:
            raise CorruptIndex(f"{name}: not valid JSON ({e}): the index is damaged, build it again") from None

    def load_file(self, name: str) -> Any:
        """A data file of the build opened; IndexChanged when a rebuild has replaced it."""
        path = f"{self.build}/{name}"
        try:
            return self.load_json(path)
        except OSError as e:
            if self.rebuilt():
                raise IndexChanged(self.build) from None
            raise CorruptIndex(f"{path}: cannot read it ({e.strerror or e}): the index is damaged") from None

    def rebuilt(self) -> bool:
        """Whether manifest.json now names another build than the one opened."""
        try:
            return self.load_json("manifest.json").get("build") != self.build
        except (OSError, ValueError, AttributeError):
            return False

    def ensure_lexicon(self, shards: list[int]) -> None:
        """Read the lexicon shards not read yet."""
        for shard in sorted(set(shards)):
            if shard not in self.lexicon_loaded:
                data = self.load_file(f"lexicon-{shard}.json")
                self.lexicon_loaded[shard] = [row[0] for row in data]  # sorted by the build
                self.longest = max(self.longest, decode_lexicon(data, self.lexicon))

    def surfaces_of(self, c: str) -> list[str]:
        """The sorted surfaces of the (read) lexicon shard that holds surfaces starting with c."""
        return self.lexicon_loaded.get(shard_of(c, self.manifest["lexicon"]), [])

    def ensure_terms(self, wanted: list[str]) -> None:
        """Read the term shards that hold these terms."""
        shards = self.manifest["terms"]
        if not shards:
            return
        for shard in sorted({range_shard(t, shards) for t in wanted}):
            if shard in self.term_shards_loaded:
                continue
            self.term_shards_loaded.add(shard)
            for row in self.load_file(f"terms-{shard}.json"):
                entry = decode_postings(row[1], self.field_count)
                entry.forms = row[2:]
                self.terms[row[0]] = entry

    def ensure_grams(self, wanted: list[str]) -> None:
        """Read the n-gram shards that hold these n-grams."""
        shards = self.manifest["grams"]
        for shard in sorted({gram_shard(g, shards) for g in wanted}):
            if shard in self.gram_shards_loaded:
                continue
            self.gram_shards_loaded.add(shard)
            for row in self.load_file(f"grams-{shard}.json"):
                self.grams[row[0]] = decode_ids(row[1:])

    def ensure_texts(self, posts: list[int]) -> None:
        """Read the text bundles that hold these posts' metadata and text."""
        bundles = list(itertools.accumulate(self.manifest["texts"]))
        for post in posts:
            if post in self.texts:
                continue
            k = max(i for i, first in enumerate(bundles) if first <= post)
            for j, row in enumerate(self.load_file(f"text-{k}.json")):
                self.texts[bundles[k] + j] = row

    def ensure_positions(self, wanted: list[str]) -> None:
        """Read the positions of these (already read) terms: only phrases need them."""
        shards = self.manifest["positions"]
        if not shards:
            return
        for shard in sorted({range_shard(t, shards) for t in wanted if t in self.terms}):
            if shard in self.position_shards_loaded:
                continue
            self.position_shards_loaded.add(shard)
            for row in self.load_file(f"positions-{shard}.json"):
                entry = self.terms.get(row[0])
                if entry is not None:
                    decode_positions(row[1], entry)

    def fill_fallbacks(self, clause: Clause) -> None:
        """Give a clause's fallback prefixes their terms and read its n-gram shards."""
        for piece in clause.pieces:
            if piece.fallback and not piece.grams:
                piece.prefix_terms = prefix_terms(piece.surface, self.surfaces_of, self.lexicon, [])
        self.ensure_grams(sorted({g for p in clause.pieces for g in p.grams}))

    def prepare(self, clauses: list[Clause], prefix: bool, adjacency: bool) -> None:
        """Segment every clause, reading the lexicon, term and n-gram shards it needs; a word
        or phrase clause whose pieces no post has together, or of stop words only, is
        searched by n-grams instead. With adjacency, pieces get their spelling's n-grams."""
        chars = sorted({c for clause in clauses for c in piece_starts(clause.text)})
        shard_count = self.manifest["lexicon"]
        self.ensure_lexicon([shard_of(c, shard_count) for c in chars])
        for clause in clauses:
            surfaces_of = self.surfaces_of if prefix and clause.kind != "not" else None
            clause.pieces = segment(clause.text, self.lexicon, self.longest, surfaces_of)
            self.fill_fallbacks(clause)
        self.ensure_terms(sorted({t for c in clauses for p in c.pieces for t in [*p.terms, *p.prefix_terms]}))
        for clause in clauses:
            cut_by_lexicon = any(not p.fallback and (p.terms or p.prefix_terms) for p in clause.pieces)
            only_stops = not any(is_required(p) for p in clause.pieces) and len(grams_of(clause.text)) > 0
            lost = cut_by_lexicon and not clause_posts(clause, self.terms, self.grams)
            if clause.kind != "not" and (lost or only_stops):
                clause.pieces = fallback_pieces(clause.text, 0)
                self.fill_fallbacks(clause)
                self.ensure_terms(sorted({t for p in clause.pieces for t in p.prefix_terms}))
            if adjacency and clause.kind == "word":
                clause.grams = grams_of(clause.text)
            if adjacency and clause.kind != "not":
                for piece in clause.pieces:
                    piece.spelled = spelled(piece)
        self.ensure_grams(sorted({g for c in clauses for g in [*c.grams, *(g for p in c.pieces for g in p.spelled)]}))
        in_order = [p for c in clauses if c.kind != "word" for p in c.pieces if p.terms and not p.fallback]
        if len(in_order) > 1:
            self.ensure_positions(sorted({t for p in in_order for t in [*p.terms, *p.prefix_terms]}))

    def ensure_tags(self) -> None:
        """Read the tag list (only filters and tag lists need it)."""
        if self.tag_posts is None:
            self.tag_posts = {}
            self.tag_counts = []
            for row in self.load_file(self.manifest["tags"]):
                self.tag_posts[fold(row[0])] = decode_ids(row[2:])
                self.tag_counts.append((row[0], row[1]))

    def ensure_dates(self) -> None:
        """Read every post's date (only date filters and sorting by date need them)."""
        if self.dates is None:
            self.dates = self.load_file(self.manifest["dates"])

    @reopening
    def tags(self) -> list[tuple[str, int]]:
        """Every tag (tags, categories, topics) with its number of posts, most used first."""
        self.ensure_tags()
        return sorted(self.tag_counts, key=lambda tc: (-tc[1], tc[0]))

    def filtered(
        self, candidates: set[int] | None, tags: list[str], since: str | None, until: str | None
    ) -> set[int] | None:
        """Candidates (None: every post) narrowed to posts with all the tags and a date in range."""
        if tags:
            self.ensure_tags()
            assert self.tag_posts is not None
            for tag in tags:
                posts = self.tag_posts.get(fold(tag), set())
                candidates = set(posts) if candidates is None else candidates & posts
        if since or until:
            self.ensure_dates()
            assert self.dates is not None
            dates = self.dates
            pool = range(self.post_count) if candidates is None else candidates
            candidates = {
                p
                for p in pool
                if dates[p] is not None
                and (not since or dates[p][:10] >= since)
                and (not until or dates[p][:10] <= until)
            }
        return candidates

    @reopening
    def search(
        self,
        query: str,
        limit: int = 10,
        *,
        prefix: bool = True,
        adjacency: bool = True,
        tags: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        sort: str = "score",
    ) -> SearchResult:
        """Ranked posts for a query. The one public entry of this stage. `prefix`: a clause's
        last word also matches longer words it starts; `adjacency`: posts with a clause's
        pieces side by side rank higher, and words also match as spelled (n-grams) (both on by
        default; off, matching and ranking are plain BM25F).
        `tags` (and `tag:x` / `category:x` in the query) keep posts with all those tags;
        `since` / `until` (YYYY-MM-DD, inclusive) keep posts dated in range; `sort="date"`
        puts the newest first. A query of filters alone lists the posts that pass them."""
        query = query[:MAX_QUERY_CHARS]  # bounded work for any input: see the module docstring
        clauses = parse_query(query)
        wanted = [*(tags or []), *(c.text for c in clauses if c.kind == "tag")]
        clauses = [c for c in clauses if c.kind != "tag"]
        self.prepare(clauses, prefix, adjacency)
        pieces = needed_pieces(clauses)
        candidates: set[int] | None = None
        for clause in clauses:
            found = clause_posts(clause, self.terms, self.grams) if clause.kind != "not" else None
            if found is not None:
                candidates = found if candidates is None else candidates & found
        filters = bool(wanted or since or until)
        words = any(c.kind != "not" for c in clauses)
        if filters and (pieces or not words):  # filters alone: every post that passes them
            candidates = self.filtered(candidates, wanted, since, until)
        fields, terms, grams = self.field_count, self.terms, self.grams
        phrases = [c for c in clauses if c.kind == "phrase"]
        exclusions = [c for c in clauses if c.kind == "not"]
        matched = sorted(candidates or set())
        if phrases or exclusions:
            matched = [
                post
                for post in matched
                if all(clause_matches(c, post, fields, terms, grams) for c in phrases)
                and not any(clause_matches(c, post, fields, terms, grams) for c in exclusions)
            ]
        totals = scores(matched, pieces, self)
        order = ranked(matched, totals, clauses, self.grams, None if sort == "date" else max(0, limit))
        if sort == "date":
            self.ensure_dates()
            dates = self.dates or []
            order.sort(key=lambda r: dates[r[1]] or "", reverse=True)  # stable: by score within a date
        shown = order[: max(0, limit)]
        self.ensure_texts([post for _, post in shown])
        needles = needles_for(pieces, self.terms)
        hits = [self.hit(post, s, needles) for s, post in shown]
        return SearchResult(query, len(matched), hits, self.bytes_read)

    def hit(self, post: int, score_: float, needles: list[str]) -> Hit:
        url, title, date, tags, path, text, headings = self.texts[post]
        shown, cluster = excerpt(text, needles)
        anchor, section = section_at(text, headings, cluster)
        return Hit(url, title, date, tags, score_, shown, path, anchor, section)


def open_index(path: str | Path) -> Index:
    """Open an index folder written by `postsearch index` (or `postsearch.build`)."""
    root = Path(path)
    if not (root / "manifest.json").is_file():
        raise FileNotFoundError(f"{root}: no manifest.json (not a postsearch index)")

    def load(name: str) -> bytes:
        try:
            return (root / name).read_bytes()
        except OSError as e:
            e.filename = str(root / name)
            raise

    def version() -> tuple[int, int, int]:
        """The manifest file's inode, size and time: a build swaps in a new one."""
        try:
            st = os.stat(root / "manifest.json")
        except OSError:
            return (0, 0, 0)
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    return Index(load, version)
