"""Stage 2, text: a post's Markdown or HTML as plain-text fields.

markdown.py reads Markdown and blocks.py reads HTML into blocks (headings, prose, code);
here they become the post's fields: title, tags, headings, prose and code kept apart (they
are weighted differently), plus the readable text that excerpts are cut from, NFKC-normalized
so offsets agree everywhere, and each heading's anchor as the generator makes it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .anchors import SLUGGERS, unique_anchor
from .blocks import Block, html_blocks
from .markdown import markdown_blocks
from .posts import Post


@dataclass(frozen=True)
class Heading:
    """A heading, the anchor id the generator gives it, and where it starts in `PostText.text`."""

    level: int
    text: str
    anchor: str
    offset: int


@dataclass(frozen=True)
class PostText:
    """A post's searchable fields, and `text`: everything readable, in order, for excerpts."""

    title: str
    tags: str
    headings: list[Heading]
    body: str
    code: str
    text: str


def normalized(block: Block) -> Block:
    """NFKC (what analysis sees and what excerpts show), so offsets agree everywhere."""

    def nfkc(s: str) -> str:
        return unicodedata.normalize("NFKC", s)

    return Block(block.kind, nfkc(block.text), nfkc(block.prose), nfkc(block.code), block.level, block.anchor)


def post_text(post: Post, anchors: str = "github") -> PostText:
    """A post's fields. The one public entry of this stage."""
    blocks = html_blocks(post.body) if post.markup == "html" else markdown_blocks(post.body)
    slug = SLUGGERS[anchors]
    seen: dict[str, int] = {}
    headings: list[Heading] = []
    pieces: list[str] = []
    body: list[str] = []
    code: list[str] = []
    offset = 0
    for block in blocks:
        block = normalized(block)
        if block.kind == "heading":
            anchor = block.anchor or unique_anchor(slug(block.text), seen)
            headings.append(Heading(block.level, block.text, anchor, offset))
        elif block.kind == "prose":
            body.append(block.prose)
            if block.code:
                code.append(block.code)
        else:
            code.append(block.text)
        pieces.append(block.text)
        offset += len(block.text) + 1
    return PostText(
        title=unicodedata.normalize("NFKC", post.title),
        tags=unicodedata.normalize("NFKC", "\n".join(post.tags)),
        headings=headings,
        body="\n".join(body),
        code="\n".join(code),
        text="\n".join(pieces),
    )
