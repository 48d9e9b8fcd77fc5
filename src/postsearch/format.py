"""Stage 5, format: the built index as compact, versioned JSON files (docs/format.md).

Everything is written into a fresh folder next to the output and swapped in at the end,
so a failed or interrupted build leaves the previous index as it was. The same index
always gives the same bytes: keys, terms, surfaces and posts are written in sorted order.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import tempfile
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .index import FIELDS, K1, WEIGHTS, B, IndexBuilder, LexiconRow, PostRecord
from .search import FORMAT, VERSION, fold, gram_shard, shard_of

# Target raw sizes of one file: small files keep the bytes a query fetches low, and a 6,000
# page site still stays far below the file count hosts allow (20,000 on Cloudflare Pages).
SHARD_BYTES = 16 * 1024  # term shards
GRAM_BYTES = 6 * 1024  # n-gram shards: a phrase reads one per trigram, so they are small
LEXICON_BYTES = 4 * 1024  # lexicon shards: a query reads one per distinct character
POSITION_BYTES = 32 * 1024  # position shards (read for phrases only)
BUNDLE_BYTES = 8 * 1024  # text bundles (read for the hits shown)
LENGTH_STEP = 1.25  # field lengths kept to within about 12%: BM25 hardly moves, every query reads them
WEB_FILES = ("postsearch.js", "ui.js", "ui.css", "demo.html")


@dataclass(frozen=True)
class WriteSummary:
    """What was written: files and their total size in bytes."""

    files: int
    bytes: int
    terms: int
    surfaces: int


def dumps(data: Any) -> bytes:
    """Compact, deterministic JSON (UTF-8, no spaces)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def encode_postings(entries: list[tuple[int, list[tuple[int, list[int]]]]]) -> tuple[list[int], list[int]]:
    """Postings (per post: id delta, field bit mask, tf per field) and, apart, positions (per
    post and field: position deltas), as docs/format.md describes."""
    postings: list[int] = []
    positions: list[int] = []
    previous = 0
    for post, fields in entries:
        postings.append(post - previous)
        previous = post
        mask = 0
        for f, _ in fields:
            mask |= 1 << f
        postings.append(mask)
        for _, field_positions in sorted(fields):
            postings.append(len(field_positions))
            last = 0
            for p in field_positions:
                positions.append(p - last)
                last = p
    return postings, positions


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
        rows.append([shown, len(ids[key]), *(b - a for a, b in zip([0, *ids[key]], ids[key], strict=False))])
    return rows


def lexicon_row(row: LexiconRow) -> list[Any]:
    """`[surface, width, cost, term...]` with `""` for a term spelled as its surface."""
    return [row.surface, row.width, row.cost, *("" if t == row.surface else t for t in row.terms)]


def cut_by_size(rows: Iterable[tuple[str, bytes]], budget: int) -> Iterator[list[tuple[str, bytes]]]:
    """Consecutive groups of (key, encoded row) whose encoded size stays near the budget."""
    group: list[tuple[str, bytes]] = []
    size = 0
    for key, encoded in rows:
        if group and size + len(encoded) > budget:
            yield group
            group, size = [], 0
        group.append((key, encoded))
        size += len(encoded) + 1
    if group:
        yield group


def shards(
    prefix: str, rows: Iterable[tuple[str, bytes]], budget: int, index: list[Any]
) -> Iterator[tuple[str, bytes]]:
    """Files `prefix-K.json`, each a JSON array of rows; each file's first key goes to `index`."""
    for k, group in enumerate(cut_by_size(rows, budget)):
        name = f"{prefix}-{k}.json"
        index.append(group[0][0])
        yield name, b"[" + b",".join(r for _, r in group) + b"]"


def gram_row(gram: str, ids: Iterable[int]) -> bytes:
    """`dumps([gram, idDelta...])`, written out by hand: kana and kanji need no escaping, and
    a big site has millions of these."""
    deltas = [b - a for a, b in zip([0, *ids], ids, strict=False)]
    return f'["{gram}",{",".join(map(str, deltas))}]'.encode()


def hashed_gram_shards(grams: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """Files `grams-K.json` of rows `[gram, idDelta...]`, a gram in shard `gram_shard(gram,
    K)`: a hash needs no list of first keys in the manifest. Returns K."""
    rows = {gram: gram_row(gram, ids) for gram, ids in grams.items()}
    count = max(1, math.ceil(sum(len(r) + 1 for r in rows.values()) / GRAM_BYTES))
    groups: list[list[str]] = [[] for _ in range(count)]
    for gram in sorted(rows):
        groups[gram_shard(gram, count)].append(gram)
    for k, group in enumerate(groups):
        yield f"grams-{k}.json", b"[" + b",".join(rows.pop(g) for g in group) + b"]"
    return count


def index_files(builder: IndexBuilder) -> Iterator[tuple[str, bytes]]:
    """Every file of the index, by name, one at a time (the manifest last)."""
    forms = builder.forms()
    term_shards: list[Any] = []
    position_shards: list[Any] = []
    position_rows: list[tuple[str, bytes]] = []

    def term_rows() -> Iterator[tuple[str, bytes]]:
        for term in sorted(builder.postings):
            postings, positions = encode_postings(builder.postings[term])
            position_rows.append((term, dumps([term, positions])))
            yield term, dumps([term, postings, *forms.get(term, [])])

    yield from shards("terms", term_rows(), SHARD_BYTES, term_shards)
    yield from shards("positions", position_rows, POSITION_BYTES, position_shards)
    position_rows.clear()

    gram_shards = yield from hashed_gram_shards(builder.grams)

    lexicon = [(r.surface, dumps(lexicon_row(r))) for r in builder.lexicon()]
    shard_count = max(1, math.ceil(sum(len(row) + 1 for _, row in lexicon) / LEXICON_BYTES))
    by_shard: list[list[bytes]] = [[] for _ in range(shard_count)]
    for surface, row in lexicon:  # sorted, so each shard's rows stay sorted
        by_shard[shard_of(surface, shard_count)].append(row)
    for k, rows in enumerate(by_shard):
        yield f"lexicon-{k}.json", b"[" + b",".join(rows) + b"]"

    firsts: list[Any] = []
    text_rows = ((str(i), row) for i, row in enumerate(builder.texts.rows()))
    yield from shards("text", text_rows, BUNDLE_BYTES, firsts)
    bundles = [int(first) for first in firsts]  # the first post id of each bundle
    bundle_deltas = [b - a for a, b in zip([0, *bundles], bundles, strict=False)]

    posts = builder.posts
    yield "lengths.json", dumps(lengths_file(posts))
    yield "dates.json", dumps([p.date for p in posts])
    yield "tags.json", dumps(tag_rows(posts))
    yield (
        "manifest.json",
        dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "fields": list(FIELDS),
                "weights": list(WEIGHTS),
                "k1": K1,
                "b": B,
                "postCount": len(posts),
                "fieldTotals": builder.field_totals(),
                "lengths": "lengths.json",
                "dates": "dates.json",
                "tags": "tags.json",
                "lexicon": shard_count,
                "terms": term_shards,
                "positions": position_shards,
                "grams": gram_shards,
                "texts": bundle_deltas,
            }
        ),
    )


def web_files() -> dict[str, bytes]:
    """The browser runtime shipped in the package, written next to the index."""
    out: dict[str, bytes] = {}
    web = resources.files("postsearch") / "web"
    for name in WEB_FILES:
        f = web / name
        if f.is_file():
            out[name] = f.read_bytes()
    return out


def write_atomically(files: Iterable[tuple[str, bytes]], out: Path) -> tuple[int, int]:
    """Write files into a sibling temp folder as they come, then swap it in: the old index
    stays whole until then. Returns the number of files and bytes written."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    count = size = 0
    try:
        for name, data in files:
            (tmp / name).write_bytes(data)
            count += 1
            size += len(data)
        os.chmod(tmp, 0o755)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "index")
        try:
            os.rename(tmp, out)
        except OSError:
            if old is not None:
                os.rename(old / "index", out)  # put the previous index back
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return count, size


def write_index(builder: IndexBuilder, out: Path, extra: Iterable[tuple[str, bytes]] = ()) -> WriteSummary:
    """Write the index and the browser runtime to `out`. The one public entry of this stage."""
    files, size = write_atomically(itertools.chain(index_files(builder), web_files().items(), extra), out)
    builder.texts.close()
    return WriteSummary(files=files, bytes=size, terms=len(builder.postings), surfaces=len(builder.surfaces))
