"""Stage 5, for a rebuild: patch the last build's rows with the posts edited since.

A build with a cache saves its `IndexRows` there (`SavedBuild`), with a digest of every
post file. When the next build finds the same files in the same order (or new files after
the last), it reads only the changed files, and `replace_post` re-encodes only the rows an
edited post touches: its terms, n-grams, lexicon surfaces and text. Grouping rows into
files is cheap, so every file is then written as a full build writes it: a rebuild gives
the same bytes as a cold build (tests/test_format.py checks it).
"""

from __future__ import annotations

import hashlib
import json
from bisect import insort
from pathlib import Path
from typing import Any

from .core import deltas, undeltas
from .format import IndexRows, encode_postings, lexicon_row, splice_postings
from .index import LexiconRow, PostRecord, forms_of, lexicon_counts, lexicon_entries, metadata, text_row
from .ngrams import gram_texts, unpacked
from .rows import dumps
from .saved import FileOutcome, SavedBuild


def file_digest(path: Path, known: FileOutcome | None) -> tuple[str, tuple[int, int]]:
    """The digest of a file's bytes ("" if it cannot be read: read_post will say why) and its
    size and time. A file whose size and time are those it had at the last build is taken
    to have its digest (as git and make do), without reading it."""
    try:
        st = path.stat()
        stat = (st.st_size, st.st_mtime_ns)
        if known is not None and known.stat == stat and known.digest:
            return known.digest, stat
        return hashlib.sha256(path.read_bytes()).hexdigest(), stat
    except OSError:
        return "", (0, 0)


def changed_files(saved: SavedBuild, paths: list[str], digests: list[tuple[str, tuple[int, int]]]) -> list[int] | None:
    """Which files changed since the saved build, by position; None when the files are not
    the same ones in the same order (new files after the last are fine): post ids would
    move, so only a full build gives the right index."""
    old = saved.files
    if len(paths) < len(old) or any(f.path != p for f, p in zip(old, paths, strict=False)):
        return None
    return [i for i, (d, _) in enumerate(digests) if i >= len(old) or old[i].digest != d]


def replace_post(rows: IndexRows, post_id: int, old: PostRecord | None, new: PostRecord) -> None:
    """Put `new` in the rows in place of `old` (None: a new post, `post_id` the next id)."""
    old_postings = old.postings.fields() if old else {}
    new_postings = new.postings.fields()
    old_surfaces = old.surfaces if old else {}
    keys = old_surfaces.keys() | new.surfaces.keys()
    before = {key: rows.surfaces.get(key, 0) for key in keys}
    total_before = sum(rows.surfaces.values())
    touched = {s for s, _, _ in keys} | {t for _, t, _ in keys if t}  # a term has a row too
    lexicon_before = lexicon_entries(rows.surfaces, total_before, touched)
    rows.surfaces.subtract(old_surfaces)
    rows.surfaces.update(new.surfaces)
    for key in keys:
        if rows.surfaces[key] <= 0:
            del rows.surfaces[key]
    # A term's row changes with its postings in this post, or with its forms: a surface it
    # was seen as that appeared in the site or went away.
    crossed = {key for key in keys if (before[key] > 0) != (key in rows.surfaces)}
    terms = {t for t in old_postings.keys() | new_postings.keys() if old_postings.get(t) != new_postings.get(t)}
    replace_terms(rows, post_id, terms | {t for _, t, _ in crossed if t}, new_postings)
    old_grams = set(gram_texts(unpacked(old.grams))) if old else set()
    replace_grams(rows, post_id, old_grams, set(gram_texts(unpacked(new.grams))))
    replace_lexicon(rows, touched, lexicon_before, total_before)
    if post_id == len(rows.posts):
        rows.posts.append(metadata(new))
    else:
        rows.posts[post_id] = metadata(new)
    rows.texts.splice([(post_id, min(post_id + 1, len(rows.texts)), [text_row(new)])])
    rows.rescale()


def replace_terms(
    rows: IndexRows, post_id: int, touched: set[str], new: dict[str, list[tuple[int, list[int]]]]
) -> None:
    """Re-encode the rows of these terms with the post's new postings."""
    forms = forms_of(rows.surfaces, touched)
    term_rows: dict[str, bytes | None] = {}
    position_rows: dict[str, bytes | None] = {}
    for term in touched:
        row = rows.terms.get(term)
        if row is None:
            postings, positions = encode_postings([(post_id, new[term])])
        else:
            postings, positions = json.loads(row)[1], json.loads(rows.positions.get(term) or b"")[1]
            postings, positions = splice_postings(postings, positions, post_id, new.get(term))
        if postings:
            term_rows[term] = dumps([term, postings, *forms.get(term, [])])
            position_rows[term] = dumps([term, positions])
        else:
            term_rows[term] = position_rows[term] = None
    rows.terms.update(term_rows)
    rows.positions.update(position_rows)


def replace_grams(rows: IndexRows, post_id: int, old: set[str], new: set[str]) -> None:
    """Add the post to the rows of n-grams it gained, take it out of those it lost."""

    def change(gram: str, row: list[Any] | None) -> list[Any] | None:
        ids = list(undeltas(row[1:])) if row else []
        if gram in new:
            insort(ids, post_id)
        else:
            ids.remove(post_id)
        return [gram, *deltas(ids)] if ids else None

    rows.grams.patch(old ^ new, change)


def replace_lexicon(rows: IndexRows, touched: set[str], before: dict[str, LexiconRow], total_before: int) -> None:
    """Re-encode the lexicon rows that changed: those of the surfaces and terms the post
    touched (a row depends on the tokens spelled as its surface and, for a term, on the
    term's tokens) that differ from `before`, and of every surface whose cost moved because
    the site's token count did."""
    total = sum(rows.surfaces.values())
    moved: set[str] = set()
    if total != total_before:
        counts = lexicon_counts(rows.surfaces)
        # surface_cost, inlined: this runs over every surface
        moved = {s for s, n in counts.items() if (total // n).bit_length() != (total_before // n).bit_length()}
    after = lexicon_entries(rows.surfaces, total, touched | moved)
    redo = moved | {s for s in touched if before.get(s) != after.get(s)}

    def change(surface: str, _: list[Any] | None) -> list[Any] | None:
        return lexicon_row(after[surface]) if surface in after else None

    rows.lexicon.patch(redo, change)
