"""Queries into clauses, and clauses into pieces cut against the index's own lexicon.

A query is folded (NFKC, lower case) and split into clauses: words, "quoted phrases",
-exclusions and tag: filters. Each clause is segmented against the lexicon of surface forms
the build saw, so the query is cut the way the posts were; text the lexicon cannot cover
becomes fallback pieces (n-grams for kana and kanji, term prefixes for the rest).

Bounded work: segmenting a word of n characters costs at most n x `longest` lexicon lookups
(`longest`: the longest surface read). Mirrored by `web/src/parse.js`, function by function.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as default

from ..core import fold, grams_of, is_gram_char
from .decode import LexiconEntry

PREFIX_SURFACES = 16  # longer surfaces a prefix may stand for (never every post)
UNCOVERED_COST = 32  # cost of a character no surface covers (a surface costs 1 to about 28)
MAX_GRAMS = 12  # n-grams a long run is checked by (spread over it): a pasted paragraph stays cheap
UNCOVERED, KNOWN, PREFIX = 0, 1, 2  # how segment() reached a cut

SurfacesOf = Callable[[str], list[str]]  # a character -> the sorted surfaces of its lexicon shard
Cut = tuple[int, int, int]  # start, end, how it was reached (UNCOVERED, KNOWN or PREFIX)


def is_word_char(c: str) -> bool:
    """Letters and digits; everything else separates words in a query."""
    return unicodedata.category(c)[0] in "LN"


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
    dropped: bool = False  # a word past the query's MAX_WORDS rarest: now a stop (match.limit_words)


@dataclass
class Clause:
    """`word`: all pieces must match; `phrase`: and in sequence; `not`: excludes posts."""

    kind: str
    text: str
    pieces: list[Piece]
    grams: list[str] = default(default_factory=list)  # n-grams of its text: a post with all has it as typed
    words: list[Piece] = default(default_factory=list)  # its lexicon pieces, for partial matches (match.py)


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
    than the most frequent of them, and the last piece matches the words it starts."""
    chars = list(text)
    cuts = backtrack(lattice(text, chars, lexicon, longest, surfaces_of))
    pieces = cut_pieces(chars, cuts, lexicon, surfaces_of)
    if surfaces_of is not None and pieces:
        pieces[-1] = last_piece_as_prefix(pieces[-1], lexicon, surfaces_of)
    return pieces


def lattice(
    text: str, chars: list[str], lexicon: dict[str, LexiconEntry], longest: int, surfaces_of: SurfacesOf | None
) -> list[tuple[int, int]]:
    """The cheapest way to reach each position, as `(start, kind)` of its last cut (`back`):
    position by position, every lexicon surface starting there (longest first), the start of
    longer surfaces (with `surfaces_of`), and one uncovered character."""
    n = len(chars)
    inf = n * UNCOVERED_COST + 1
    best = [inf] * (n + 1)
    back: list[tuple[int, int]] = [(0, UNCOVERED)] * (n + 1)
    best[0] = 0
    for i in range(n):
        if best[i] == inf:
            continue
        for length in range(min(longest, n - i) if can_cut(chars, i) else 0, 0, -1):
            # str indexes are code points, as chars
            entry = lexicon.get(text[i : i + length]) if can_cut(chars, i + length) else None
            if entry is not None:
                reach(best, back, i, i + length, entry.cost, KNOWN)
        # a surface longer than the rest needs a rest shorter than `longest`: only the last
        # `longest` positions look, so a long word costs n x longest lookups, not n squared
        if surfaces_of is not None and 2 <= n - i < longest and can_cut(chars, i):
            longer = longer_surfaces(text[i:], surfaces_of, lexicon)
            if longer:
                reach(best, back, i, n, lexicon[longer[0]].cost + 1, PREFIX)
        reach(best, back, i, i + 1, UNCOVERED_COST, UNCOVERED)
    return back


def reach(best: list[int], back: list[tuple[int, int]], start: int, end: int, cost: int, kind: int) -> None:
    """Reach `end` from `start` at `cost` if that is cheaper than the way found so far (a
    tie keeps the earlier way: the longer surface, tried first)."""
    if best[start] + cost < best[end]:
        best[end] = best[start] + cost
        back[end] = (start, kind)


def backtrack(back: list[tuple[int, int]]) -> list[Cut]:
    """The cuts of the cheapest way to the end, first to last; uncovered characters side by
    side become one cut."""
    cuts: list[Cut] = []
    end = len(back) - 1
    while end > 0:
        start, kind = back[end]
        if kind == UNCOVERED and cuts and cuts[-1][2] == UNCOVERED and cuts[-1][0] == end:
            cuts[-1] = (start, cuts[-1][1], UNCOVERED)
        else:
            cuts.append((start, end, kind))
        end = start
    cuts.reverse()
    return cuts


def cut_pieces(
    chars: list[str], cuts: list[Cut], lexicon: dict[str, LexiconEntry], surfaces_of: SurfacesOf | None
) -> list[Piece]:
    """The pieces of the cuts, each at its query position: a lexicon surface spans its width,
    a prefix and each fallback word one."""
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
    """Pieces for text the lexicon does not cut: n-grams for kana/kanji runs of two or more,
    a prefix of longer surfaces for anything else (their terms filled in later)."""
    pieces: list[Piece] = []
    for word in split_words(text):
        grams = sampled(grams_of(word)) if len(word) > 1 and is_gram_char(word[0]) else []
        pieces.append(Piece(word, [], qpos + len(pieces), True, grams))
    return pieces


def sampled(grams: list[str]) -> list[str]:
    """At most MAX_GRAMS of these n-grams, spread evenly over them: a post with the text has
    them all, and a long text is still found almost only where it stands, for a bounded cost."""
    if len(grams) <= MAX_GRAMS:
        return grams
    return [grams[i * len(grams) // MAX_GRAMS] for i in range(MAX_GRAMS)]


def spelled(piece: Piece) -> list[str]:
    """The n-grams of a lexicon piece written in kana/kanji only. Sudachi cuts a word by its
    context (勝手に alone, 勝手 + に in a sentence), so a post with all of them matches the
    piece even where its words were cut otherwise."""
    if piece.fallback or len(piece.surface) < 2 or not all(is_gram_char(c) for c in piece.surface):
        return []
    return grams_of(piece.surface)
