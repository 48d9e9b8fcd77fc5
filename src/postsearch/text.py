"""Stage 2, text: a post's Markdown or HTML as plain-text fields.

markdown-it-py parses the Markdown; template syntax (Liquid, Hugo shortcodes), MDX
component tags and import/export lines, DocFX and Zenn container markers are removed
first, outside code fences only. HTML keeps its text, never its tags; `<script>` and
`<style>` bodies are dropped. The result keeps title, tags, headings, prose and code
apart (they are weighted differently), plus the readable text that excerpts are cut from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token as MdToken

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


@dataclass
class Block:
    """A piece of the document: a heading, prose (with its inline code kept apart) or code."""

    kind: str  # "heading" | "prose" | "code"
    text: str
    prose: str = ""
    code: str = ""
    level: int = 0
    anchor: str = ""


# --- anchors ------------------------------------------------------------------------------


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
}


def unique_anchor(anchor: str, seen: dict[str, int]) -> str:
    """Repeated headings get `-1`, `-2`, ... as the generators do."""
    if anchor not in seen:
        seen[anchor] = 0
        return anchor
    seen[anchor] += 1
    return f"{anchor}-{seen[anchor]}"


# --- cleaning Markdown source before parsing ----------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TEMPLATE = re.compile(
    r"\{%-?\s*(?:raw|endraw)\s*-?%\}"  # Liquid raw markers (their content stays)
    r"|\{\{<.*?>\}\}|\{\{%.*?%\}\}"  # Hugo shortcodes
    r"|\{%.*?%\}"  # other Liquid tags
    r"|\{\{.*?\}\}",  # Liquid output, JSX style objects
    re.DOTALL,
)
_JSX_TAG = re.compile(r"</?[A-Z][\w.]*(?:\s(?:[^<>{}]|\{[^{}]*\})*?)?/?>", re.DOTALL)
_MDX_IMPORT = re.compile(r"^(?:import|export)\s+(?:\{|\*|default\b|const\b|function\b|[\w$]+\s).*$", re.MULTILINE)
_DOCFX = re.compile(r"\[!\w[\w-]*\[[^\]]*\]\([^)]*\)\]|\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]")
_MDX_HEADING_ID = re.compile(r"^(#{1,6}\s.*?)\{/\*\s*([^*\s]+)\s*\*/\}\s*$", re.MULTILINE)
_MDX_COMMENT = re.compile(r"\{/\*.*?\*/\}", re.DOTALL)
_CONTAINER = re.compile(r"^ {0,3}:::+\s*(\w[\w-]*)?(.*)$")


def clean_markdown(source: str) -> str:
    """Template and MDX syntax removed (their text kept), outside code fences only."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in convert_liquid_highlight(source).split("\n"):
        m = _FENCE.match(line)
        if fence is None and (m or line.strip() == "$$"):
            out.append(clean_prose("\n".join(prose)))
            prose = []
            fence = m[1] if m else "$$"
            out.append(line if m else "```math")
        elif fence is not None:
            closes = (
                line.strip() == "$$"
                if fence == "$$"
                else line.strip().startswith(fence) and not line.strip().strip(fence[0])
            )
            out.append(("```" if fence == "$$" else line) if closes else line)
            if closes:
                fence = None
        else:
            prose.append(line)
    out.append(clean_prose("\n".join(prose)))
    return "\n".join(out)


def convert_liquid_highlight(source: str) -> str:
    """`{% highlight ruby %}...{% endhighlight %}` becomes a fenced block, so it is code."""
    source = re.sub(r"\{%-?\s*highlight\s+(\w+)[^%]*%\}", r"\n```\1\n", source)
    return re.sub(r"\{%-?\s*endhighlight\s*-?%\}", "\n```\n", source)


def clean_prose(text: str) -> str:
    """One run of lines outside fences, with every non-text construct removed."""
    text = _MDX_HEADING_ID.sub(r"\1{#\2}", text)
    text = _MDX_COMMENT.sub("", text)
    text = _TEMPLATE.sub("", text)
    text = _MDX_IMPORT.sub("", text)
    text = _JSX_TAG.sub("", text)
    text = _DOCFX.sub("", text)
    lines = []
    for line in text.split("\n"):
        m = _CONTAINER.match(line)
        if m:
            rest = m[2].strip()
            line = "" if rest.endswith(":::") or (m[1] or "") != "details" else rest
        lines.append(line)
    return "\n".join(lines)


# --- HTML ---------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "br", "tr", "td", "th", "table", "section", "article",
    "blockquote", "dd", "dt", "dl", "figure", "figcaption", "header", "footer", "hr", "main",
    "nav", "aside", "iframe",
}  # fmt: skip
_DROP_TAGS = {"script", "style", "template", "noscript", "svg", "math"}


class HtmlBlocks(HTMLParser):
    """HTML as blocks: headings with their ids, code from pre/code, the rest as prose."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.code: list[str] = []
        self.drop = 0
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
        elif re.fullmatch(r"h[1-6]", tag):
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
        elif re.fullmatch(r"h[1-6]", tag):
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

    def close(self) -> None:
        super().close()
        self.flush()


def html_blocks(html: str) -> list[Block]:
    """Blocks of an HTML fragment or page."""
    parser = HtmlBlocks()
    parser.feed(html)
    parser.close()
    return parser.blocks


# --- Markdown -----------------------------------------------------------------------------

_MD = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
_EXPLICIT_ID = re.compile(r"\s*\{#([^}\s]+)\}\s*$")


def inline_parts(token: MdToken) -> tuple[str, str, str, str]:
    """An inline token's (display text, prose without code, inline code, explicit anchor)."""
    text: list[str] = []
    prose: list[str] = []
    code: list[str] = []
    anchor = ""
    for child in token.children or []:
        if child.type == "text":
            text.append(child.content)
            prose.append(child.content)
        elif child.type == "code_inline":
            text.append(child.content)
            prose.append(" ")
            code.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            text.append(" ")
            prose.append(" ")
        elif child.type == "image":
            alt = "".join(c.content for c in child.children or [])
            text.append(alt)
            prose.append(alt)
        elif child.type == "html_inline":
            m = re.search(r"""<a\s[^>]*(?:name|id)=["']?([^"'\s>]+)""", child.content)
            if m and not anchor:
                anchor = m[1]
    return "".join(text), "".join(prose), " ".join(code), anchor


def markdown_blocks(source: str) -> list[Block]:
    """Blocks of a Markdown document, in reading order."""
    blocks: list[Block] = []
    tokens = _MD.parse(clean_markdown(source))
    heading_level = 0
    for token in tokens:
        if token.type == "heading_open":
            heading_level = int(token.tag[1])
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type == "inline":
            text, prose, code, anchor = inline_parts(token)
            if heading_level:
                m = _EXPLICIT_ID.search(text)
                if m:
                    anchor = m[1]
                    text = text[: m.start()]
                    prose = _EXPLICIT_ID.sub("", prose)
                blocks.append(Block("heading", text.strip(), level=heading_level, anchor=anchor))
            elif text.strip():
                blocks.append(Block("prose", text, prose=prose, code=code))
        elif token.type in ("fence", "code_block"):
            if token.content.strip():
                blocks.append(Block("code", token.content.rstrip("\n")))
        elif token.type == "html_block":
            blocks.extend(html_blocks(token.content))
    return blocks


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
