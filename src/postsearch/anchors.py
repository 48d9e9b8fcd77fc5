"""Stage 2, text: the anchor ids generators give headings, so a hit links to `url#anchor`.

Each generator's Markdown renderer makes ids its own way (`--anchors`): GitHub, Hugo (goldmark)
and Zenn keep letters of every script; Jekyll's kramdown keeps ASCII only; markdown-it-anchor
percent-encodes. Repeated headings get `-1`, `-2`, ... as they all do.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable


def slug_github(text: str) -> str:
    """GitHub, Hugo (goldmark) and Zenn style: lower case, punctuation dropped, spaces to '-'."""
    text = text.strip().lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return text.replace(" ", "-")


def slug_kramdown(text: str) -> str:
    """Jekyll's kramdown auto_ids: ASCII letters, digits, spaces and '-' only; else `section`."""
    text = re.sub(r"^[^a-zA-Z]+", "", text)
    text = re.sub(r"[^a-zA-Z0-9 -]", "", text).replace(" ", "-").lower()
    return text or "section"


def slug_markdown_it_anchor(text: str) -> str:
    """markdown-it-anchor's default: lower case, whitespace to '-', percent-encoded."""
    from urllib.parse import quote

    return quote(re.sub(r"\s+", "-", text.strip().lower()), safe="-_.!~*'()")


SLUGGERS: dict[str, Callable[[str], str]] = {
    "github": slug_github,
    "hugo": slug_github,
    "kramdown": slug_kramdown,
    "markdown-it-anchor": slug_markdown_it_anchor,
    "none": lambda text: "",  # built pages: a heading without an id has no anchor to link to
}


def unique_anchor(anchor: str, seen: dict[str, int]) -> str:
    """Repeated headings get `-1`, `-2`, ... as the generators do (no anchor stays none)."""
    if not anchor:
        return ""
    if anchor not in seen:
        seen[anchor] = 0
        return anchor
    seen[anchor] += 1
    return f"{anchor}-{seen[anchor]}"
