"""Stage 2, text, its shared part: the `Block`s a document is read into, and the HTML reader.

A document (a post's Markdown, its HTML blocks, or an HTML post) becomes blocks in reading
order: headings (with their ids), prose (its inline code kept apart) and code. HTML keeps its
text, never its tags; what a browser hides (`<script>`, `<style>`, ...) is dropped, also when
a Markdown document opens such a tag in one block and closes it in another (`Dropping`).
markdown.py reads Markdown into the same blocks; text.py makes a post's fields of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass
class Block:
    """A piece of the document: a heading, prose (with its inline code kept apart) or code."""

    kind: str  # "heading" | "prose" | "code"
    text: str
    prose: str = ""
    code: str = ""
    level: int = 0
    anchor: str = ""


_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "br", "tr", "td", "th", "table", "section", "article",
    "blockquote", "dd", "dt", "dl", "figure", "figcaption", "header", "footer", "hr", "main",
    "nav", "aside", "iframe",
}  # fmt: skip
_DROP_TAGS = {"script", "style", "template", "noscript", "svg", "math"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class HtmlBlocks(HTMLParser):
    """HTML as blocks: headings with their ids, code from pre/code, the rest as prose.
    `drop`: how many drop tags are open where the fragment starts (a Markdown document's
    HTML blocks and paragraphs share it)."""

    def __init__(self, drop: int = 0) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.code: list[str] = []
        self.drop = drop
        self.pre = 0
        self.inline_code = 0
        self.heading: tuple[int, str] | None = None

    def flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        code = " ".join(self.code)
        self.buffer, self.code = [], []
        if not text:
            return
        if self.heading:
            self.blocks.append(Block("heading", text, level=self.heading[0], anchor=self.heading[1]))
        else:
            prose = text
            for c in code.split(" "):
                if c:
                    prose = prose.replace(c, " ", 1)
            self.blocks.append(Block("prose", text, prose=prose, code=code))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in _DROP_TAGS:
            self.drop += 1
        elif tag in _HEADINGS:
            self.flush()
            self.heading = (int(tag[1]), attr.get("id") or "")
        elif tag == "a" and self.heading and not self.heading[1] and (attr.get("name") or attr.get("id")):
            self.heading = (self.heading[0], attr.get("name") or attr.get("id") or "")
        elif tag == "pre":
            self.flush()
            self.pre += 1
        elif tag == "code":
            self.inline_code += 1
        elif tag in _BLOCK_TAGS:
            self.flush()
        elif tag == "img" and attr.get("alt"):
            self.handle_data(" " + (attr.get("alt") or "") + " ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_TAGS:
            self.drop = max(0, self.drop - 1)
        elif tag in _HEADINGS:
            self.flush()
            self.heading = None
        elif tag == "pre":
            code = "".join(self.buffer).strip("\n")
            self.buffer, self.code = [], []
            if code.strip():
                self.blocks.append(Block("code", code))
            self.pre = max(0, self.pre - 1)
        elif tag == "code":
            self.inline_code = max(0, self.inline_code - 1)
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.drop:
            return
        self.buffer.append(data)
        if self.inline_code and not self.pre:
            self.code.append(data.strip())

    def parse_html_declaration(self, i: int) -> int:
        """Python 3.11's parser raises AssertionError on a malformed `<![...` or `<!x[`; a
        browser reads it as a bogus comment, up to the next `>` (or the end)."""
        try:
            return super().parse_html_declaration(i)
        except AssertionError:
            end = self.rawdata.find(">", i + 2)
            return end + 1 if end >= 0 else len(self.rawdata)

    def close(self) -> None:
        if self.rawdata.startswith("<!--"):  # a comment never closed hides the rest, as in a browser
            self.rawdata = ""
        super().close()
        self.flush()


@dataclass
class Dropping:
    """How many drop tags (`<script>`, `<style>`, ...) are open. A browser shows nothing of
    their content up to the closing tag, paragraph breaks and HTML blocks included, so a
    Markdown document carries this from one block to the next."""

    depth: int = 0


def without_open_tail(html: str) -> str:
    """`html` with every `<` after its last `>` escaped (no tag can start there). Python
    3.11's HTMLParser scans from each such `<` to the end (20,000 `<a ` take 38 s); a browser
    shows them as text or drops them, and HtmlBlocks shows them as text either way. A `<!`
    there (a comment or declaration never closed) hides the rest, as in a browser."""
    last = html.rfind(">")
    tail = html[last + 1 :]
    if "<" not in tail:
        return html
    comment = tail.find("<!")
    return html[: last + 1] + (tail if comment < 0 else tail[:comment]).replace("<", "&lt;")


def html_blocks(html: str, dropping: Dropping | None = None) -> list[Block]:
    """Blocks of an HTML fragment or page."""
    parser = HtmlBlocks(dropping.depth if dropping else 0)
    try:
        parser.feed(without_open_tail(html))
        parser.close()
    except AssertionError:  # the standard library's parser gave up on some markup: keep what it read
        parser.flush()
    if dropping:
        dropping.depth = parser.drop
    return parser.blocks


_EXPLICIT_ID = re.compile(r"\{#([^}\s]+)\}\s*$")  # no leading \s*: quadratic in a run of spaces
_INLINE_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")


def drop_change(html: str) -> int:
    """+1 for an opening drop tag (`<script>`), -1 for a closing one, else 0."""
    m = _INLINE_TAG.match(html)
    if not m or m[2].lower() not in _DROP_TAGS or html.rstrip().endswith("/>"):
        return 0
    return -1 if m[1] else 1
