"""An index opened from its files, and `search`: the one entry of the query side.

Shards are read on demand and kept for later queries. Bounded work for any query:
`Index.search` reads only the first MAX_QUERY_CHARS (1,000) code points of the raw query,
before folding (a lone surrogate counts one, as in a JavaScript string's iterator); the rest
is dropped, and the result's `query` is what was read. Mirrored by `web/src/index.js`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import fold, grams_of, shard_of
from .excerpt import excerpt_in, mark_spans, needles_for, section_at, sections
from .match import clause_matches, clause_posts, is_required, limit_words, needed_pieces, posts_with, word_pieces
from .parse import Clause, Piece, fallback_pieces, parse_query, piece_starts, prefix_terms, sampled, segment, spelled
from .rank import coordinations, partially_ranked, ranked, scores
from .shards import Shards, reopening

MAX_QUERY_CHARS = 1000  # code points of a query that are read; the rest is dropped (see above)


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
    missing: list[str] = field(default_factory=list)  # a partial match: the query's words it lacks
    sections: list[dict[str, str]] = field(default_factory=list)  # its best sections: anchor, title, excerpt

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
            "missing": self.missing,
            "sections": self.sections,
        }


@dataclass
class SearchResult:
    """Ranked hits, how many posts matched in all (`complete` of them the whole query, the
    rest some of its words), and the bytes read so far for this index."""

    query: str
    total: int
    hits: list[Hit]
    bytes_read: int
    complete: int = 0

    def as_dict(self) -> dict[str, Any]:
        hits = [h.as_dict() for h in self.hits]
        return {"query": self.query, "total": self.total, "complete": self.complete, "hits": hits}


class Index(Shards):
    """An index opened from its files; shards are read on demand and kept for later queries.
    When a file of the build opened is gone, the index reads the new manifest and answers
    from the new build. With `version` (open_index gives the manifest file's inode and time),
    a search also starts by checking that the manifest is the one read, so it answers from
    the newest build; the browser, which cannot ask that cheaply, answers from the build it
    opened until then."""

    def fill_fallbacks(self, clause: Clause) -> None:
        """Give a clause's fallback prefixes their terms and read its n-gram shards."""
        for piece in clause.pieces:
            if piece.fallback and not piece.grams:
                piece.prefix_terms = prefix_terms(piece.surface, self.surfaces_of, self.lexicon, [])
        self.ensure_grams(sorted({g for p in clause.pieces for g in p.grams}))

    def prepare(self, clauses: list[Clause], prefix: bool, adjacency: bool) -> None:
        """Segment every clause, reading the lexicon, term and n-gram shards it needs; a word
        or phrase clause whose pieces no post has together, or of stop words only, is
        searched by n-grams instead. With adjacency, pieces get their spelling's n-grams.
        Phrases and exclusions of two pieces or more read their terms' positions."""
        self.segment_clauses(clauses, prefix)
        for clause in clauses:
            self.recut(clause)
            if adjacency:
                self.spell(clause)
        self.ensure_grams(sorted({g for c in clauses for g in [*c.grams, *(g for p in c.pieces for g in p.spelled)]}))
        in_order = [p for c in clauses if c.kind != "word" for p in c.pieces if p.terms and not p.fallback]
        if len(in_order) > 1:
            self.ensure_positions(sorted({t for p in in_order for t in [*p.terms, *p.prefix_terms]}))

    def segment_clauses(self, clauses: list[Clause], prefix: bool) -> None:
        """Read the lexicon shards where the clauses' pieces may start, cut every clause, and
        read the term and n-gram shards of its pieces (the last piece of a word or phrase
        clause is a prefix too, with `prefix`)."""
        chars = sorted({c for clause in clauses for c in piece_starts(clause.text)})
        shard_count = self.manifest["lexicon"]
        self.ensure_lexicon([shard_of(c, shard_count) for c in chars])
        for clause in clauses:
            surfaces_of = self.surfaces_of if prefix and clause.kind != "not" else None
            clause.pieces = segment(clause.text, self.lexicon, self.longest, surfaces_of)
            clause.words = clause.pieces  # as cut, kept if the clause is searched by n-grams
        limit_words(clauses, self.lexicon)
        for clause in clauses:
            self.fill_fallbacks(clause)
        self.ensure_terms(sorted({t for c in clauses for p in c.pieces for t in [*p.terms, *p.prefix_terms]}))

    def recut(self, clause: Clause) -> None:
        """A word or phrase clause cut by the lexicon whose required pieces no post has
        together (Sudachi cut the posts otherwise), or of stop words only, becomes the
        fallback pieces of its whole text."""
        cut_by_lexicon = any(not p.fallback and (p.terms or p.prefix_terms) for p in clause.pieces)
        dropped = any(p.dropped for p in clause.pieces)  # words past MAX_WORDS: never searched again
        only_stops = not any(is_required(p) for p in clause.pieces) and not dropped and len(grams_of(clause.text)) > 0
        lost = cut_by_lexicon and not clause_posts(clause, self.terms, self.grams)
        if clause.kind != "not" and (lost or only_stops):
            clause.pieces = fallback_pieces(clause.text, 0)
            self.fill_fallbacks(clause)
            self.ensure_terms(sorted({t for p in clause.pieces for t in p.prefix_terms}))

    def spell(self, clause: Clause) -> None:
        """With adjacency: a word clause gets the n-grams of its text (a post with them all has
        it as typed), and the required pieces of word and phrase clauses those of their
        spelling (stops and dropped words are never looked up: their n-grams are not read)."""
        if clause.kind == "word" and any(is_required(p) for p in clause.pieces):
            clause.grams = sampled(grams_of(clause.text))
        if clause.kind != "not":
            for piece in [*clause.pieces, *clause.words]:
                piece.spelled = spelled(piece) if is_required(piece) else []

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
        partial: bool = True,
        tags: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        sort: str = "score",
    ) -> SearchResult:
        """Ranked posts for a query. The one public entry of this stage. `prefix`: a clause's
        last word also matches longer words it starts; `adjacency`: posts with a clause's
        pieces side by side rank higher, and words also match as spelled (n-grams) (both on by
        default; off, matching and ranking are plain BM25F); `partial`: when fewer posts than
        `limit` have every word, posts with some of them follow (each hit's `missing` says
        which words it lacks; the result's `complete` counts the posts with every word).
        `tags` (and `tag:x` / `category:x` in the query) keep posts with all those tags;
        `since` / `until` (YYYY-MM-DD, inclusive) keep posts dated in range; `sort="date"`
        puts the newest first. A query of filters alone lists the posts that pass them."""
        query = query[:MAX_QUERY_CHARS]  # bounded work for any input: see the module docstring
        clauses = parse_query(query)
        wanted = [*(tags or []), *(c.text for c in clauses if c.kind == "tag")]
        clauses = [c for c in clauses if c.kind != "tag"]
        self.prepare(clauses, prefix, adjacency)
        pieces = needed_pieces(clauses)
        matched = self.matching(self.candidates(clauses), clauses, pieces, wanted, since, until)
        shown = self.ordered(matched, pieces, clauses, limit, sort)[: max(0, limit)]
        hits = self.hits(shown, needles_for(pieces, self.terms))
        pool: list[int] = []
        words = word_pieces(clauses)
        if partial and len(matched) < limit and words:  # too few posts have every word: those with some
            pool, word_posts = self.partial_matches(clauses, words, matched, wanted, since, until)
            partial = self.partially_ordered(pool, words, word_posts, limit - len(shown), sort)
            needles = needles_for([*pieces, *words], self.terms)
            hits += self.hits(partial, needles, (words, word_posts, [c for c in clauses if c.kind == "phrase"]))
        return SearchResult(query, len(matched) + len(pool), hits, self.bytes_read, len(matched))

    def hits(
        self,
        order: list[tuple[float, int]],
        needles: list[str],
        partial: tuple[list[Piece], list[set[int]], list[Clause]] | None = None,
    ) -> list[Hit]:
        """The hits of these `(score, post)` (their text bundles read); for partial matches
        (the words, their posts, the phrases), each says what its post lacks."""
        self.ensure_texts([post for _, post in order])
        found = []
        for score_, post in order:
            hit = self.hit(post, score_, needles)
            if partial is not None:
                words, word_posts, phrases = partial
                fields, terms, grams = self.field_count, self.terms, self.grams
                lost = [c for c in phrases if not clause_matches(c, post, fields, terms, grams)]
                hit.missing = missing_words(post, words, word_posts, phrases, lost)
            found.append(hit)
        return found

    def partial_matches(
        self,
        clauses: list[Clause],
        words: list[Piece],
        matched: list[int],
        wanted: list[str],
        since: str | None,
        until: str | None,
    ) -> tuple[list[int], list[set[int]]]:
        """Posts with some of the query's words but not the whole query, that pass its
        exclusions and filters, by id; and the posts of each word. A phrase counts as its
        words here (the hit says when it lacks the phrase in sequence)."""
        self.ensure_grams(sorted({g for w in words for g in w.spelled}))
        word_posts = [posts_with(w, self.terms, self.grams) for w in words]
        pool = set().union(*word_posts) - set(matched)
        unquoted = [c for c in clauses if c.kind != "phrase"]
        return self.matching(pool, unquoted, words, wanted, since, until), word_posts

    def partially_ordered(
        self, pool: list[int], words: list[Piece], word_posts: list[set[int]], room: int, sort: str
    ) -> list[tuple[float, int]]:
        """The partial matches to show: the first `room` by score x coordination²
        (rank.partially_ranked), or newest first (by score within a date)."""
        totals = scores(pool, words, self)
        shares = coordinations(pool, word_posts, self.post_count)
        order = partially_ranked(pool, totals, shares, None if sort == "date" else max(0, room))
        return self.by_date(order)[: max(0, room)] if sort == "date" else order

    def candidates(self, clauses: list[Clause]) -> set[int] | None:
        """The posts every word and phrase clause may match (None: no clause requires any)."""
        found: set[int] | None = None
        for clause in clauses:
            posts = clause_posts(clause, self.terms, self.grams) if clause.kind != "not" else None
            if posts is not None:
                found = posts if found is None else found & posts
        return found

    def matching(
        self,
        candidates: set[int] | None,
        clauses: list[Clause],
        pieces: list[Piece],
        wanted: list[str],
        since: str | None,
        until: str | None,
    ) -> list[int]:
        """The candidates that match the query and pass its filters, by id: filters alone list
        every post that passes them; phrases must match in sequence; exclusions drop posts."""
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
        return matched

    def ordered(
        self, matched: list[int], pieces: list[Piece], clauses: list[Clause], limit: int, sort: str
    ) -> list[tuple[float, int]]:
        """`(score, post)` in the order asked: the first `limit` by score (rank.ranked), or all
        of them newest first (by score within a date)."""
        totals = scores(matched, pieces, self)
        order = ranked(matched, totals, clauses, self.grams, None if sort == "date" else max(0, limit))
        return self.by_date(order) if sort == "date" else order

    def by_date(self, order: list[tuple[float, int]]) -> list[tuple[float, int]]:
        """`(score, post)` newest first, by score within a date (the sort is stable)."""
        self.ensure_dates()
        dates = self.dates or []
        return sorted(order, key=lambda r: dates[r[1]] or "", reverse=True)

    def hit(self, post: int, score_: float, needles: list[str]) -> Hit:
        """A hit's metadata, excerpt and section (its text bundle read)."""
        url, title, date, tags, path, text, headings = self.texts[post]
        spans = mark_spans(text, needles)
        shown, cluster = excerpt_in(text, spans, 0, len(text))
        anchor, section = section_at(text, headings, cluster)
        parts = sections(text, headings, spans)
        return Hit(url, title, date, tags, score_, shown, path, anchor, section, [], parts)


def missing_words(
    post: int, words: list[Piece], word_posts: list[set[int]], phrases: list[Clause], lost: list[Clause]
) -> list[str]:
    """What of the query a post lacks, each once, in query order: the words of its word
    clauses, as typed, then each phrase it lacks in sequence, quoted (a phrase's own words
    are not listed apart)."""
    quoted = {id(p) for c in phrases for p in c.words}
    lacking = [
        w.surface for w, found in zip(words, word_posts, strict=True) if post not in found and id(w) not in quoted
    ]
    return list(dict.fromkeys([*lacking, *(f'"{c.text}"' for c in lost)]))


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
