"""Stage 4, index: analyzed posts into one inverted index with its lexicon of surfaces.

`analyze_posts` turns a few posts into a `PostRecord` each (small and picklable, so worker
processes can make them), counting them together; `IndexBuilder` gathers records into
postings per term and field, with the positions phrase matching needs, and the lexicon the
query segmenter needs.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from .analysis import Analyzer
from .core import fold
from .ngrams import PAIR_BYTES, GramPostings, gram_stretches, packed, post_gram_codes, unpacked
from .postings import HeldPostings, PostPostings, pack_postings
from .posts import Post
from .postterms import PostTerms, posts_terms
from .rows import RowSpool
from .spill import Record, Runs
from .text import PostText, post_text


@dataclass(slots=True)  # a big site keeps one per post (metadata): no __dict__ each
class PostRecord:
    """Everything the index needs from one post, and nothing more."""

    path: str
    url: str
    title: str
    date: str | None
    tags: list[str]
    text: str
    headings: list[tuple[int, str]]  # (offset into text, anchor)
    lengths: list[int]  # indexed tokens per field
    postings: PostPostings  # per term: fields, tf and positions, encoded (postterms.py)
    grams: bytes  # kana/kanji bigrams and trigrams anywhere in the post: ngrams codes, packed
    surfaces: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (surface, term, width) -> count
    weight: float = 1.0  # the post's scores are multiplied by this (Post.weight)


def field_texts(text: PostText) -> list[str]:
    """The texts of FIELDS, in order."""
    return [text.title, text.tags, "\n".join(h.text for h in text.headings), text.body, text.code]


def analyze_posts(posts: list[Post], analyzer: Analyzer, anchors: str = "github") -> list[PostRecord]:
    """Posts, analyzed; counted together (postterms.posts_terms), each its own record. The
    one public entry of this stage's first half."""
    texts = [post_text(post, anchors) for post in posts]
    terms = posts_terms(analyzer, [field_texts(text) for text in texts])
    return [record_of(post, text, each) for post, text, each in zip(posts, texts, terms, strict=True)]


def analyze_post(post: Post, analyzer: Analyzer, anchors: str = "github") -> PostRecord:
    """One post, analyzed."""
    return analyze_posts([post], analyzer, anchors)[0]


def record_of(post: Post, text: PostText, terms: PostTerms) -> PostRecord:
    return PostRecord(
        path=post.path,
        url=post.url,
        title=post.title,
        date=post.date,
        tags=post.tags,
        text=text.text,
        headings=[(h.offset, h.anchor) for h in text.headings],
        lengths=terms.lengths,
        postings=terms.postings,
        grams=packed(post_gram_codes(fold("\n".join([text.title, text.tags, text.text])))),
        surfaces=terms.surfaces,
        weight=post.weight,
    )


@dataclass
class LexiconRow:
    """One surface form in the built lexicon."""

    surface: str
    width: int
    cost: int  # surface_cost: rarer costs more
    terms: list[str]  # empty: a stop surface


def text_row(record: PostRecord) -> bytes:
    """A post's row of a text bundle (docs/format.md): what a hit shows, as compact JSON."""
    headings = [x for h in record.headings for x in h]
    row = [record.url, record.title, record.date, record.tags, record.path, record.text, headings]
    return orjson.dumps(row)  # what json.dumps(ensure_ascii=False, compact) gave, faster


@dataclass
class TermRun:
    """A term's postings and positions, encoded (uint32 arrays: a few bytes per number where
    Python objects took dozens), and the last post id it is in (HeldPostings.runs)."""

    last: int = 0
    postings: array[int] = field(default_factory=lambda: array("I"))
    positions: array[int] = field(default_factory=lambda: array("I"))


SPILL_BYTES = 64 * 1024 * 1024  # postings, positions and n-gram ids held before they go to disk
KEY_BYTES = 200  # about what a new key costs beside its numbers (its string and dict slot; its arrays once in order)


class IndexBuilder:
    """Records in, postings and lexicon out. Post ids follow the order records are added.

    The postings and n-gram ids grow with the site: past `spill_bytes` they are written to
    disk as sorted runs (spill.py; ngrams.py for the n-grams) and merged back, key by key,
    when they are encoded (`terms`, `grams`), so a site of any size is built within about
    that much memory."""

    def __init__(self, spill_bytes: int | None = None) -> None:
        self.texts = RowSpool()  # post texts on disk until the bundles are written
        self.posts: list[PostRecord] = []
        self.term_postings = HeldPostings()  # since the last spill
        self.surfaces: Counter[tuple[str, str, int]] = Counter()
        self.gram_postings = GramPostings()
        self.term_runs = Runs()
        self.held = 0  # about how many bytes postings and n-gram ids hold in memory
        self.spill_bytes = SPILL_BYTES if spill_bytes is None else spill_bytes

    def add(self, record: PostRecord) -> None:
        post_id = len(self.posts)
        new_keys = self.term_postings.add(post_id, record.postings)
        self.surfaces.update(record.surfaces)
        self.gram_postings.add(post_id, unpacked(record.grams))
        self.texts.append(text_row(record))
        self.posts.append(metadata(record))  # the analyzed maps are merged, the text spooled
        self.held += 4 * (sum(record.lengths) + 3 * len(record.postings.terms)) + KEY_BYTES * new_keys
        self.held += PAIR_BYTES * (len(record.grams) // 8)  # packed: 8 bytes a code
        if self.held > self.spill_bytes:
            self.spill()

    def spill(self) -> None:
        """The postings and n-gram pairs so far to disk, as one sorted run each."""
        self.term_runs.spill(self.term_postings.runs())
        self.gram_postings.spill()
        self.term_postings, self.held = HeldPostings(), 0

    def has_terms(self, count: int) -> bool:
        """Whether there are at least `count` terms (or so many that some were spilled)."""
        return len(self.term_postings.numbers) >= count or bool(self.term_runs.files)

    def drop_terms(self) -> None:
        """Let the postings go unread (a forked child encodes them: format.encode_rows)."""
        self.term_postings, self.term_runs = HeldPostings(), Runs()

    def terms(self) -> Iterator[tuple[str, TermRun]]:
        """Every term with its postings, in term order; the builder's are consumed."""
        if not self.term_runs.files:  # nothing spilled (a small site): no merge
            yield from (
                (t, TermRun(last, postings, positions)) for t, last, (postings, positions) in self.term_postings.runs()
            )
            return
        for term, pieces in self.term_runs.merged(self.term_postings.runs()):
            yield term, joined_run(pieces)

    def grams(self) -> Iterator[tuple[list[str], list[bytes]]]:
        """Every n-gram's row (`[gram, idDelta...]`), in n-gram order, a stretch of rows at a
        time (ngrams.gram_stretches); the builder's are consumed."""
        for codes, ids in self.gram_postings.pieces():
            yield from gram_stretches(codes, ids)

    def lexicon(self) -> list[LexiconRow]:
        """The lexicon rows of every surface seen and every term, sorted by surface."""
        rows = lexicon_entries(self.surfaces, sum(self.surfaces.values()))
        return [rows[surface] for surface in sorted(rows)]

    def forms(self) -> dict[str, list[str]]:
        return forms_of(self.surfaces)


def joined_run(pieces: list[Record]) -> TermRun:
    """A term's TermRun from its pieces, in the order they were built. Each piece after the
    first was started afresh after a spill, so its first id delta counts from 0: it is made
    to count from the piece before's last post, as one TermRun would have written it."""
    _, last, (postings, positions) = pieces[0]
    run = TermRun(last, postings, positions)
    for _, last, (postings, positions) in pieces[1:]:
        postings[0] -= run.last
        run.postings.extend(postings)
        run.positions.extend(positions)
        run.last = last
    return run


NOTHING: list[Any] = []  # shared by every metadata record (never added to)
NONE: dict[Any, Any] = {}
NO_POSTINGS = pack_postings({})


def metadata(record: PostRecord) -> PostRecord:
    """A record without its text and analyzed maps: what the index keeps per post once they
    are merged."""
    return replace(record, text="", headings=NOTHING, postings=NO_POSTINGS, surfaces=NONE, grams=b"")


def surfaces_seen(
    surfaces: Counter[tuple[str, str, int]], only: set[str] | None = None
) -> dict[str, list[tuple[str, int, int]]]:
    """Per surface (or each of `only`), how it was seen: (term, or "" as a stop; width; tokens)."""
    seen: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for (surface, term, width), count in surfaces.items():
        if only is None or surface in only:
            seen[surface].append((term, width, count))
    return seen


def terms_seen(
    surfaces: Counter[tuple[str, str, int]], only: set[str] | None = None
) -> dict[str, list[tuple[str, int, int]]]:
    """Per term (or each of `only`), its tokens as if spelled as the term: (term; width; tokens)."""
    seen: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for (_, term, width), count in surfaces.items():
        if term and (only is None or term in only):
            seen[term].append((term, width, count))
    return seen


def lexicon_entries(
    surfaces: Counter[tuple[str, str, int]], total: int, only: set[str] | None = None
) -> dict[str, LexiconRow]:
    """The lexicon rows of every surface seen and every term (or of each of `only` that is
    one), by surface. A surface seen in the posts has its row (lexicon_entry), standing also
    for the term spelled as it, if there is one and the row is not a stop; a term spelled as
    no surface has the row it would have if every token of it had been spelled as the term:
    so a query in a term's own spelling (Sudachi's normalized form: サーバー, アマゾン, 書く)
    finds every post with the term, whatever spelling the posts used (サーバ, Amazon, 書い)."""
    seen = surfaces_seen(surfaces, only)
    spelled = terms_seen(surfaces, only)
    rows: dict[str, LexiconRow] = {}
    for surface, ways in seen.items():
        row = lexicon_entry(surface, ways, total)
        if row.terms and surface in spelled and surface not in row.terms:
            row.terms = sorted([*row.terms, surface])
        rows[surface] = row
    for term, ways in spelled.items():
        if term not in rows:
            rows[term] = lexicon_entry(term, ways, total)
    return rows


def lexicon_counts(surfaces: Counter[tuple[str, str, int]]) -> Counter[str]:
    """Per lexicon surface, the tokens its cost counts (lexicon_entries): a surface's, or, for
    a term spelled as no surface, the term's."""
    counts: Counter[str] = Counter()
    spelled: Counter[str] = Counter()
    for (surface, term, _), count in surfaces.items():
        counts[surface] += count
        if term:
            spelled[term] += count
    for term, count in spelled.items():
        if term not in counts:
            counts[term] = count
    return counts


def lexicon_entry(surface: str, seen: list[tuple[str, int, int]], total: int) -> LexiconRow:
    """A surface's lexicon row: its most frequent width, its cost for the query segmenter (a
    unigram model: a query is cut the way the posts most often were) and every term it was
    seen as; a surface seen more often as a stop than as a word is a stop."""
    if len(seen) == 1:  # most surfaces: seen one way only
        term, width, count = seen[0]
        return LexiconRow(surface, width, surface_cost(total, count), [term] if term else [])
    widths: Counter[int] = Counter()
    terms: set[str] = set()
    stops = words = 0
    for term, width, count in seen:
        widths[width] += count
        if term:
            words += count
            terms.add(term)
        else:
            stops += count
    width = max(widths.items(), key=lambda wc: (wc[1], -wc[0]))[0]
    return LexiconRow(surface, width, surface_cost(total, stops + words), [] if stops >= words else sorted(terms))


def surface_cost(total: int, count: int) -> int:
    """1 + floor(log2(total / count)), in integers: a surface seen half as often costs one more."""
    return (total // count).bit_length()


def forms_of(surfaces: Counter[tuple[str, str, int]], only: set[str] | None = None) -> dict[str, list[str]]:
    """For each term (or each of `only`), the other surfaces it was seen as (to mark them in
    excerpts)."""
    found: dict[str, set[str]] = defaultdict(set)
    for surface, term, _ in surfaces:
        if term and surface != term and (only is None or term in only):
            found[term].add(surface)
    return {t: sorted(s) for t, s in found.items()}


def shared_urls(posts: list[PostRecord]) -> list[tuple[str, str]]:
    """A warning for each post whose URL an earlier post (by path) has: two files of the
    site published at one address means the URLs postsearch gives are not the site's."""
    first: dict[str, str] = {}
    warnings = []
    for post in posts:
        if post.url in first:
            warnings.append((post.path, f"same URL {post.url} as {first[post.url]}"))
        else:
            first[post.url] = post.path
    return warnings
