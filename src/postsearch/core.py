"""What the build and the query side share: the format's constants, folding, the kana/kanji
ranges, n-grams, shard keys and delta coding (docs/format.md). Both sides import this module;
the build never imports the query side. `web/src/core.js` mirrors it (tests/test_parity.py
checks that the constants agree).
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import accumulate

FORMAT = "postsearch-index"
VERSION = 5
FIELDS = ("title", "tags", "headings", "body", "code")
WEIGHTS = (20.0, 3.0, 2.0, 1.0, 1.0)  # BM25F field weights, in FIELDS order
K1 = 1.2
B = 0.75
# Kana and kanji, by code point range, so both languages agree: what n-grams cover.
GRAM_RANGES = ((0x3005, 0x3005), (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
GRAM_CLASS = "[" + "".join(f"{chr(a)}-{chr(b)}" if a < b else chr(a) for a, b in GRAM_RANGES) + "]"
_GRAM_RUN = re.compile(GRAM_CLASS + "{2,}")


def fold(text: str) -> str:
    """NFKC, then lower_per_code_point, so Python and JavaScript agree."""
    return lower_per_code_point(unicodedata.normalize("NFKC", text))


def lower_per_code_point(text: str) -> str:
    """Lower case one code point at a time: a code point whose lower case is longer stays as
    it is (İ), and Σ never becomes a final ς, so lengths and indexes never change."""
    lower = text.lower()
    if len(lower) == len(text) and "Σ" not in text:
        return lower
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def is_gram_char(c: str) -> bool:
    """A kana or kanji character (GRAM_RANGES)."""
    cp = ord(c)
    return any(a <= cp <= b for a, b in GRAM_RANGES)


def grams_of(text: str) -> list[str]:
    """The distinct kana/kanji n-grams a post must have to contain `text`, sorted: a run of
    two characters is itself, a longer run gives its trigrams (a post has every bigram and
    trigram of its kana/kanji runs). Trigrams are what make a phrase typed without quotes
    find the posts that have it, rather than posts with its bigrams scattered about."""
    found: set[str] = set()
    run = ""
    for c in [*text, " "]:
        if is_gram_char(c):
            run += c
            continue
        if len(run) == 2:
            found.add(run)
        found.update(run[i : i + 3] for i in range(len(run) - 2))
        run = ""
    return sorted(found)


def post_grams(text: str) -> list[str]:
    """Sorted distinct kana/kanji bigrams and trigrams of a (folded) text: every n-gram
    grams_of can ask for. The definition: a build finds the same n-grams as numbers
    (ngrams.post_gram_codes; tests/test_ngrams.py holds the two together). A regular expression finds the runs: a Python loop per character
    costs more than Sudachi on long posts."""
    found: set[str] = set()
    for run in _GRAM_RUN.findall(text):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
        found.update(run[i : i + 3] for i in range(len(run) - 2))
    return sorted(found)


def gram_shard(gram: str, shards: int) -> int:
    """The n-gram shard of a gram: a polynomial hash of its code points (exact in JavaScript's
    doubles, since it stays below `shards` × 31 + 0x10FFFF)."""
    h = 0
    for c in gram:
        h = (h * 31 + ord(c)) % shards
    return h


def shard_of(surface: str, shards: int) -> int:
    """The lexicon shard that holds surfaces starting with this string's first character."""
    return ord(surface[0]) % shards


# Latin letters and digits, and kana: the first characters of most surfaces of a Japanese site.
_LATIN = [*range(0x30, 0x3A), *range(0x61, 0x7B)]
_KANA = range(0x3041, 0x3100)


def lexicon_file_count(files: int) -> int:
    """The number of lexicon files to use for a site that needs `files`: the first from it up
    whose code point residues keep Latin letters and digits apart from kana (shard_of is a
    code point modulo the count: with 285 files, く, こ and が would share the files of p, t
    and m, and a query of common kana would read the biggest Latin files). Below 227 files
    (191 kana + 36 Latin residues) they cannot all be apart: `files` itself."""
    if files < len(_KANA) + len(_LATIN):
        return files
    count = files
    while {cp % count for cp in _LATIN} & {cp % count for cp in _KANA}:
        count += 1
    return count


def compare(a: str, b: str) -> int:
    """Code point order (JavaScript's `<` compares UTF-16 units; we compare code points)."""
    return -1 if a < b else (1 if a > b else 0)


def range_shard(key: str, firsts: list[str]) -> int:
    """The shard whose key range holds `key` (given each shard's first key, sorted): the
    last one whose first key is not after it."""
    lo, hi = 0, len(firsts) - 1
    while lo < hi:  # an empty list gives 0; callers check for it
        mid = (lo + hi + 1) // 2
        if compare(firsts[mid], key) <= 0:
            lo = mid
        else:
            hi = mid - 1
    return lo


def deltas(ids: Iterable[int]) -> list[int]:
    """Rising ids as differences, the first from 0 (how the format stores id lists)."""
    values = list(ids)
    return values[:1] + list(map(operator.sub, values[1:], values))  # map in C: builds make millions


def undeltas(values: Iterable[int]) -> Iterator[int]:
    """The ids `deltas` gave."""
    return accumulate(values)
