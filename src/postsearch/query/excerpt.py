"""What a hit shows: the excerpt around its densest cluster of matches and the section it is in.

Mirrored by `web/src/excerpt.js`, function by function.
"""

from __future__ import annotations

import functools
from typing import Any

from ..core import lower_per_code_point
from .decode import TermEntry
from .parse import Piece

EXCERPT_CHARS = 120
MAX_SECTIONS = 3  # a hit's sections shown under its title, as Pagefind's sub-results


def escape_html(text: str) -> str:
    """Post text is untrusted: escape it before wrapping matches in <mark>."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


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
    """`fold` for marking: case only, so indexes into the text stay valid (stored text is
    already NFKC)."""
    return lower_per_code_point(text)


def excerpt(text: str, needles: list[str]) -> tuple[str, int]:
    """EXCERPT_CHARS characters around the densest cluster of matches, escaped, with each
    match in <mark>, and where that cluster starts (-1 when nothing matches literally, and
    the excerpt is the start of the text)."""
    return excerpt_in(text, mark_spans(text, needles), 0, len(text))


def excerpt_in(text: str, spans: list[tuple[int, int]], lo: int, hi: int) -> tuple[str, int]:
    """`excerpt` of text[lo:hi] from the spans of the whole text (a section's excerpt needs
    no second search: no match crosses a line, so none crosses a section's edge)."""
    spans = [span for span in spans if lo <= span[0] and span[1] <= hi]
    size = EXCERPT_CHARS
    start = lo
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
        start = max(lo, min(spans[best][0] - slack // 2, hi - size))
    end = min(hi, start + size)
    out = ["…"] if start > lo else []
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape_html(text[cursor:s]))
        out.append("<mark>" + escape_html(text[s:e]) + "</mark>")
        cursor = e
    out.append(escape_html(text[cursor:end]))
    if end < hi:
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


def sections(text: str, headings: list[Any], spans: list[tuple[int, int]]) -> list[dict[str, str]]:
    """The MAX_SECTIONS sections (headings with an anchor) holding the most matches (`spans`,
    from mark_spans), in page order, each with its anchor, title and own excerpt: in a long
    post, the other places a reader may want to jump to. Ties go to the earlier section."""
    starts = headings[0::2]
    counts = [0] * len(starts)
    k = -1
    for s, _ in spans:  # spans rise, so the section they fall in only moves on
        while k + 1 < len(starts) and starts[k + 1] <= s:
            k += 1
        if k >= 0:
            counts[k] += 1
    best = sorted((-n, k) for k, n in enumerate(counts) if n and headings[2 * k + 1])[:MAX_SECTIONS]
    return [section_of(text, headings, k, spans) for k in sorted(k for _, k in best)]


def section_of(text: str, headings: list[Any], k: int, spans: list[tuple[int, int]]) -> dict[str, str]:
    """Section k's anchor, title (its heading line) and the excerpt of what follows it."""
    start = headings[2 * k]
    end = headings[2 * k + 2] if 2 * k + 2 < len(headings) else len(text)
    line = text.find("\n", start, end)
    title_end = line if line >= 0 else end
    shown, _ = excerpt_in(text, spans, min(title_end + 1, end), end)
    return {"anchor": headings[2 * k + 1], "title": text[start:title_end], "excerpt": shown}


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
