"""The files of one build, read on demand: the manifest (checked), the field lengths, and the
lexicon, term, n-gram, position and text shards a query needs, each read once and kept.

The data files live in the folder of the manifest's build, so a rebuild (a new manifest, a
new build folder) never mixes with what was read before: when a file of the build opened is
gone, IndexChanged tells `reopening` to open the new build and answer again. Mirrored by
`web/src/shards.js`.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable
from typing import Any

from ..core import FORMAT, VERSION, fold, gram_shard, range_shard, shard_of
from .decode import (
    Lexicon,
    TermEntry,
    decode_ids,
    decode_lengths,
    decode_lexicon,
    decode_positions,
    decode_postings,
)


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
    if not isinstance(m, dict) or m.get("format") != FORMAT or m.get("version") != VERSION:
        raise CorruptIndex(f"manifest.json: not a postsearch index of version {VERSION}; build it again")

    def typed(keys: tuple[str, ...], ok: Callable[[Any], bool]) -> bool:
        return all(ok(m.get(k)) and not isinstance(m.get(k), bool) for k in keys)

    names = all(isinstance(n, str) and NAME.fullmatch(n) for n in (m.get("lengths"), m.get("dates"), m.get("tags")))
    ok = (
        typed(LISTS, lambda v: isinstance(v, list))
        and typed(INTS, lambda v: isinstance(v, int))
        and typed(NUMBERS, lambda v: isinstance(v, int | float))
        and names
        and bool(BUILD.fullmatch(str(m.get("build"))))
        and len(m["weights"]) == len(m["fields"])
        and len(m["fieldTotals"]) == len(m["fields"])
        and all(  # weighted pages, optional: [post id, weight] pairs
            isinstance(b, list) and len(b) == 2 and type(b[0]) is int and type(b[1]) in (int, float)
            for b in m.get("boosts", [])
        )
    )
    if not ok:
        raise CorruptIndex("manifest.json: keys or file names not those of an index")


def reopening(method: Callable[..., Any]) -> Callable[..., Any]:
    """Make a method of Index answer from the new files when a rebuild replaced them while it
    read: the index is opened again and the call made again, once."""

    @functools.wraps(method)
    def call(self: Shards, *args: Any, **kwargs: Any) -> Any:
        if self.version is not None and self.version() != self.opened:
            self.open()  # the manifest file changed since it was read: a rebuild
        try:
            return method(self, *args, **kwargs)
        except IndexChanged as e:
            if e.args[0] == self.build:
                self.open()
            return method(self, *args, **kwargs)

    return call


class Shards:
    """The files of the build a manifest names, read on demand and kept for later queries.
    `load(name)` gives a file's bytes; `version()`, if the files can tell it, what tells that
    the manifest changed (see `reopening`)."""

    def __init__(self, load: Callable[[str], bytes], version: Callable[[], Any] | None = None) -> None:
        self.load_bytes = load
        self.version = version  # what tells that the manifest changed, if the files can tell it
        self.bytes_read = 0
        try:
            self.open()
        except IndexChanged:  # a rebuild swapped the files in while they were read: its build
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
        self.boosts: dict[int, float] = {post: weight for post, weight in manifest.get("boosts", [])}
        self.averages = [(t / self.post_count if self.post_count else 0) or 1 for t in manifest["fieldTotals"]]
        self.lengths = decode_lengths(self.load_file(manifest["lengths"]))
        self.lexicon = Lexicon()
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
        """A file's JSON, its bytes counted; CorruptIndex when it is not JSON."""
        data = self.load_bytes(name)
        self.bytes_read += len(data)
        try:
            return json.loads(data)
        except ValueError as e:
            raise CorruptIndex(f"{name}: not valid JSON ({e}): build the index again") from None

    def load_file(self, name: str) -> Any:
        """A data file of the build opened; IndexChanged when a rebuild has replaced it."""
        path = f"{self.build}/{name}"
        try:
            return self.load_json(path)
        except OSError as e:
            if self.rebuilt():
                raise IndexChanged(self.build) from None
            raise CorruptIndex(f"{path}: cannot read it ({e.strerror or e})") from None

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
