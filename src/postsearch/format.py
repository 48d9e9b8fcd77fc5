"""Stage 5, format: the built index as compact, versioned JSON files (docs/format.md).

The files are written by writer.py: into a fresh folder swapped in at the end, so a failed
or interrupted build leaves the previous index as it was, and only ever over an index. The
same index always gives the same bytes: keys, terms, surfaces and posts are written in
sorted order.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .ahead import FilesAhead
from .core import FIELDS, FORMAT, K1, VERSION, WEIGHTS, B, deltas, fold, gram_shard, shard_of
from .forked import Forked, can_fork
from .index import IndexBuilder, LexiconRow, PostRecord, TermRun
from .ngrams import gram_shards
from .postings import encode_entry
from .rows import HashedFiles, KeyedSpool, RowRun, RowSpool, SortedRows, dumps, number_texts, quoted, string_json
from .writer import WEB_FILES, Stamp, write_folder

# Target raw sizes of one file: small files keep the bytes a query fetches low, and a 6,000
# page site still stays far below the file count hosts allow (20,000 on Cloudflare Pages).
SHARD_BYTES = 16 * 1024  # term shards
GRAM_BYTES = 6 * 1024  # n-gram shards: a phrase reads one per trigram, so they are small
LEXICON_BYTES = 4 * 1024  # lexicon shards: a query reads one per distinct character
POSITION_BYTES = 32 * 1024  # position shards (read for phrases only)
BUNDLE_BYTES = 8 * 1024  # text bundles (read for the hits shown)
# Fewer terms are encoded as soon in this process as in a forked child (encode_rows): with
# two jobs, a site of 2,025 terms took the same either way, one of 9,667 0.1 s less apart.
APART_TERMS = 3_000
MAX_FILES = 10_000  # beyond this, every budget doubles (budget_scale): half Cloudflare's cap
LENGTH_STEP = 1.25  # field lengths kept to within about 12%: BM25 hardly moves, every query reads them


@dataclass(frozen=True)
class WriteSummary:
    """What was written: files and their total size in bytes."""

    files: int
    bytes: int
    terms: int
    surfaces: int
    build: str = ""  # the build folder's name (docs/format.md)
    stamps: dict[str, Stamp] = field(default_factory=dict, repr=False)  # per data file, for the next build


@dataclass
class IndexRows:
    """The whole index as encoded rows, before they are grouped into files. A build with a
    cache keeps it there, so the next build, after a post is edited, re-encodes only that
    post's rows (update.py) and groups the rest into files again, which is cheap."""

    posts: list[PostRecord]  # metadata only (index.metadata), by post id
    texts: RowRun  # text_row, by post id
    terms: SortedRows  # term -> its row of a terms file
    positions: SortedRows  # term -> its row of a positions file
    grams: HashedFiles  # the grams files, by gram_shard
    lexicon: HashedFiles  # the lexicon files, by shard_of
    surfaces: Counter[tuple[str, str, int]]  # (surface, term, width) -> tokens, site-wide
    scale: int = 1  # every file budget times this (budget_scale)

    def rescale(self) -> None:
        """Set the scale for the rows' present size, regrouping the hashed files if it moved."""
        sizes = (self.terms.run.size, self.positions.run.size, self.texts.size, self.grams.size, self.lexicon.size)
        self.scale = budget_scale(*sizes)
        self.grams.rebudget(GRAM_BYTES * self.scale)
        self.lexicon.rebudget(LEXICON_BYTES * self.scale)


def budget_scale(terms: int, positions: int, texts: int, grams: int, lexicon: int) -> int:
    """How many times larger than their base budgets files must be, given the size of each
    kind of row, for the index to stay within about MAX_FILES files: a power of two, so it
    rarely moves. It is 1 up to a site of several thousand posts; a bigger one gets fewer,
    larger files (hosts cap file counts) at the cost of more bytes per query."""
    files = (
        terms / SHARD_BYTES
        + positions / POSITION_BYTES
        + texts / BUNDLE_BYTES
        + grams / GRAM_BYTES
        + lexicon / LEXICON_BYTES
    )
    scale = 1
    while files / scale > MAX_FILES:
        scale *= 2
    return scale


def encode_postings(entries: list[tuple[int, list[tuple[int, list[int]]]]]) -> tuple[list[int], list[int]]:
    """Postings (per post: id delta, field bit mask, tf per field) and, apart, positions (per
    post and field: position deltas), as docs/format.md describes (index.encode_entry each)."""
    postings: list[int] = []
    positions: list[int] = []
    previous = 0
    for post, fields in entries:
        encode_entry(post, previous, fields, postings, positions)
        previous = post
    return postings, positions


def splice_postings(
    postings: list[int], positions: list[int], post: int, fields: list[tuple[int, list[int]]] | None
) -> tuple[list[int], list[int]]:
    """Encoded postings and positions with `post`'s entry replaced by `fields` (None: taken
    out), as encode_postings would write them; only the entries before it are walked."""
    i = j = before = 0  # index into each list, and the id of the entry before index i
    while i < len(postings) and before + postings[i] < post:
        count = postings[i + 1].bit_count()
        before += postings[i]
        j += sum(postings[i + 2 : i + 2 + count])
        i += 2 + count
    end_i, end_j, after_base = i, j, before  # end of the old entry; what the next delta counts from
    if i < len(postings) and before + postings[i] == post:
        count = postings[i + 1].bit_count()
        end_i, end_j, after_base = i + 2 + count, j + sum(postings[i + 2 : i + 2 + count]), post
    new_postings, new_positions = encode_postings([(post, fields)] if fields else [])
    if new_postings:
        new_postings[0] = post - before
    rest = postings[end_i:]
    if rest:
        rest[0] = after_base + rest[0] - (post if fields else before)
    return postings[:i] + new_postings + rest, positions[:j] + new_positions + positions[end_j:]


def encode_term(term: str, run: TermRun, forms: list[str]) -> tuple[bytes, bytes]:
    """A term's row of a terms file, `[term, postings, form...]`, and of a positions file:
    what `dumps` writes for them, put together by hand (a big site has hundreds of millions
    of numbers; str and join are about twice as fast as json on them)."""
    head = b"[" + string_json(term) + b","
    forms_tail = b"".join(b"," + string_json(f) for f in forms)
    return head + number_list(run.postings) + forms_tail + b"]", head + number_list(run.positions) + b"]"


def number_list(values: Sequence[int]) -> bytes:
    """`dumps(list(values))` for integers."""
    return b"[" + ",".join(number_texts(values)).encode() + b"]"


def length_levels(largest: int) -> list[int]:
    """The lengths a field length is rounded to: 0, 1, 2, ... then each about LENGTH_STEP
    times the one before, up to `largest` or beyond."""
    levels = [0, 1]
    while levels[-1] < largest:
        levels.append(max(levels[-1] + 1, round(levels[-1] * LENGTH_STEP)))
    return levels


def nearest_level(levels: list[int], length: int) -> int:
    """The index of the level nearest to `length` by ratio (the lower one at a tie)."""
    i = bisect_left(levels, length)
    if levels[i] == length:
        return i
    return i if levels[i] * levels[i - 1] < length * length else i - 1


def lengths_file(posts: list[PostRecord]) -> list[list[int]]:
    """`[levels, column per field]`: each post's field length as the index of its level."""
    levels = length_levels(max((n for p in posts for n in p.lengths), default=0))
    return [levels, *([nearest_level(levels, p.lengths[f]) for p in posts] for f in range(len(FIELDS)))]


def tag_rows(posts: list[PostRecord]) -> list[list[Any]]:
    """`[tag, count, idDelta...]` per tag, tags told apart by their folded spelling and shown
    in their most used one (then the first in code point order), sorted by folded tag."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    ids: dict[str, list[int]] = defaultdict(list)
    for post_id, post in enumerate(posts):
        for key in sorted({fold(t) for t in post.tags}):
            ids[key].append(post_id)
        for tag in post.tags:
            spellings[fold(tag)][tag] += 1
    rows = []
    for key in sorted(ids):
        shown = min(spellings[key].items(), key=lambda sc: (-sc[1], sc[0]))[0]
        rows.append([shown, len(ids[key]), *deltas(ids[key])])
    return rows


def lexicon_row(row: LexiconRow) -> list[Any]:
    """`[surface, width, cost, term...]` with `""` for a term spelled as its surface."""
    return [row.surface, row.width, row.cost, *["" if t == row.surface else t for t in row.terms]]


def lexicon_json(row: LexiconRow) -> bytes:
    """`dumps(lexicon_row(row))`, put together by hand: a site has tens of thousands of rows."""
    surface, width, cost, *terms = lexicon_row(row)
    spelled = "".join(["," + quoted(t) for t in terms])
    return f"[{quoted(surface)},{width},{cost}{spelled}]".encode()


def encode_rows(builder: IndexBuilder, apart: bool = False) -> IndexRows:
    """Every row of the index, encoded. The builder's postings are consumed as they are
    encoded, so the peak memory holds one of the two, not both. `apart`: on a machine with
    a core to spare (the workers are done by now), the term rows and the lexicon are encoded
    in forked children (forked.py) while this process encodes the n-grams, and then deals
    the n-gram and lexicon rows to their files while the terms' child finishes
    (`early_files`)."""
    forms = builder.forms()
    terms, positions = RowSpool(), RowSpool()
    apart = apart and can_fork() and builder.has_terms(APART_TERMS)
    terms_apart = lexicon_apart = None
    early: tuple[HashedFiles, HashedFiles] | None = None
    with contextlib.ExitStack() as children:
        if apart:
            terms_apart = children.enter_context(
                Forked.start("encoding the terms", encode_terms_apart, builder, forms, terms, positions)
            )
            builder.drop_terms()  # the child has them: let this process's copy go
            lexicon_apart = children.enter_context(Forked.start("encoding the lexicon", lexicon_rows_of, builder))
        keys = encode_terms(builder, forms, terms, positions) if terms_apart is None else []
        gram_spool = KeyedSpool()  # they grow with the site: a big site's go to disk
        for grams, rows in builder.grams():
            gram_spool.extend(grams, rows)
        lexicon_rows = lexicon_rows_of(builder) if lexicon_apart is None else lexicon_apart.wait()
        lexicon_size = sum(len(r) + 1 for r in lexicon_rows.values())
        texts = builder.texts.run()
        if terms_apart is not None:
            early = early_files(gram_spool, lexicon_rows, budget_scale(0, 0, texts.size, gram_spool.size, lexicon_size))
            keys, (term_ends, position_ends) = terms_apart.wait()
            terms.adopt(term_ends)
            positions.adopt(position_ends)
    term_rows, position_rows = (
        SortedRows.of_sorted(keys, terms.run()),
        SortedRows.of_sorted(list(keys), positions.run()),
    )
    scale = budget_scale(term_rows.run.size, position_rows.run.size, texts.size, gram_spool.size, lexicon_size)
    if early is None:
        gram_files, lexicon = hashed_files(gram_spool, lexicon_rows, scale)
    else:
        gram_files, lexicon = early
        gram_files.rebudget(GRAM_BYTES * scale)  # no change unless the terms made the scale grow
        lexicon.rebudget(LEXICON_BYTES * scale)
    return IndexRows(builder.posts, texts, term_rows, position_rows, gram_files, lexicon, builder.surfaces, scale)


def hashed_files(gram_spool: KeyedSpool, lexicon_rows: dict[str, bytes], scale: int) -> tuple[HashedFiles, HashedFiles]:
    """The n-gram and the lexicon files, at this scale of budgets (budget_scale)."""
    grams = HashedFiles.of_spool(gram_spool, GRAM_BYTES * scale, gram_shard, gram_shards)
    return grams, HashedFiles.of(lexicon_rows, LEXICON_BYTES * scale, shard_of)


def early_files(
    gram_spool: KeyedSpool, lexicon_rows: dict[str, bytes], scale: int
) -> tuple[HashedFiles, HashedFiles] | None:
    """hashed_files made before the term rows' sizes are known, at the scale the rest gives
    (the least it can be), while the terms' child finishes on the other core; None when the
    n-grams went to disk. The terms seldom make the scale grow, and then `rebudget` deals
    the rows again in memory, which a site whose n-grams fit in memory can afford."""
    if gram_spool.spooled is not None:
        return None
    return hashed_files(gram_spool, lexicon_rows, scale)


def lexicon_rows_of(builder: IndexBuilder) -> dict[str, bytes]:
    """Every lexicon row, encoded, by surface."""
    return {row.surface: lexicon_json(row) for row in builder.lexicon()}


def encode_terms(builder: IndexBuilder, forms: dict[str, list[str]], terms: RowSpool, positions: RowSpool) -> list[str]:
    """Every term's rows, in term order, straight to disk (read back mapped, file by file);
    the terms, in that order."""
    keys: list[str] = []
    for term, run in builder.terms():
        term_row, position_row = encode_term(term, run, forms.get(term, []))
        keys.append(term)
        terms.append(term_row)
        positions.append(position_row)
    return keys


def encode_terms_apart(
    builder: IndexBuilder, forms: dict[str, list[str]], terms: RowSpool, positions: RowSpool
) -> tuple[list[str], tuple[list[int], list[int]]]:
    """encode_terms in a forked child: the rows go into the spools' files, which the fork
    shares (flushed); the terms and where each row ends come back."""
    keys = encode_terms(builder, forms, terms, positions)
    terms.file.flush()
    positions.file.flush()
    return keys, (terms.ends, positions.ends)


def index_files(rows: IndexRows, manifest: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """Every data file of the index, by name, one at a time; then `manifest` gets its fields
    (all but the build's name, which hashes the files: writer.write_folder)."""
    term_shards: list[Any] = []
    position_shards: list[Any] = []
    for start, name, data in rows.terms.run.files("terms", SHARD_BYTES * rows.scale):
        term_shards.append(rows.terms.keys[start])
        yield name, data
    for start, name, data in rows.positions.run.files("positions", POSITION_BYTES * rows.scale):
        position_shards.append(rows.positions.keys[start])
        yield name, data

    for k, data in enumerate(rows.grams.files):
        yield f"grams-{k}.json", data

    for k, data in enumerate(rows.lexicon.files):
        yield f"lexicon-{k}.json", data

    bundles: list[Any] = []  # the first post id of each bundle
    for start, name, data in rows.texts.files("text", BUNDLE_BYTES * rows.scale):
        bundles.append(start)
        yield name, data
    bundle_deltas = deltas(bundles)

    posts = rows.posts
    yield "lengths.json", dumps(lengths_file(posts))
    yield "dates.json", dumps([p.date for p in posts])
    yield "tags.json", dumps(tag_rows(posts))
    manifest.update(
        {
            "format": FORMAT,
            "version": VERSION,
            "fields": list(FIELDS),
            "weights": list(WEIGHTS),
            "k1": K1,
            "b": B,
            "postCount": len(posts),
            "fieldTotals": [sum(p.lengths[f] for p in posts) for f in range(len(FIELDS))],
            "lengths": "lengths.json",
            "dates": "dates.json",
            "tags": "tags.json",
            "lexicon": len(rows.lexicon.files),
            "terms": term_shards,
            "positions": position_shards,
            "grams": len(rows.grams.files),
            "texts": bundle_deltas,
        }
    )
    boosts = [[post_id, p.weight] for post_id, p in enumerate(posts) if p.weight != 1]
    if boosts:  # only weighted sites carry it: every other index stays as it was
        manifest["boosts"] = boosts


def web_files() -> dict[str, bytes]:
    """The browser runtime shipped in the package, written next to the index."""
    out: dict[str, bytes] = {}
    web = resources.files("postsearch") / "web"
    for name in WEB_FILES:
        f = web / name
        if f.is_file():
            out[name] = f.read_bytes()
    return out


def write_index(
    rows: IndexRows,
    out: Path,
    previous: dict[str, Stamp] | None = None,
    src: Path | None = None,
    ahead: FilesAhead | None = None,
) -> WriteSummary:
    """Write the index and the browser runtime to `out` (writer.write_folder: refused unless
    OUT is empty or an index, and swapped in whole). The one public entry of this stage."""
    manifest: dict[str, Any] = {}
    web = web_files()

    def top(build: str) -> Iterator[tuple[str, bytes]]:
        yield "manifest.json", dumps({**manifest, "build": build})
        yield from web.items()

    written = write_folder(out, index_files(rows, manifest), top, previous, src, ahead)
    return WriteSummary(
        files=written.files,
        bytes=written.bytes,
        terms=len(rows.terms),
        surfaces=len(rows.surfaces),
        build=written.build,
        stamps=written.stamps,
    )
