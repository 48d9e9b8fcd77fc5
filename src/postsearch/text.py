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
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token as MdToken

from .anchors import SLUGGERS, unique_anchor
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


# --- cleaning Markdown source before parsing ----------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Every pattern here runs in linear time on any input: a search for a closing delimiter
# stops at the next opening one (`(?:(?!\{\{).)*?`), so a post of 20,000 `{{` and no `}}` is
# not scanned 20,000 times to its end.
_TEMPLATE = re.compile(
    r"\{%-?\s*(?:raw|endraw)\s*-?%\}"  # Liquid raw markers (their content stays)
    r"|\{\{<(?:(?!\{\{).)*?>\}\}|\{\{%(?:(?!\{\{).)*?%\}\}"  # Hugo shortcodes
    r"|\{%(?:(?!\{%).)*?%\}"  # other Liquid tags
    r"|\{\{(?:(?!\{\{).)*?\}\}",  # Liquid output, JSX style objects
    re.DOTALL,
)
_JSX_TAG = re.compile(r"</?[A-Z][\w.]*(?:\s(?:[^<>{}]|\{[^{}]*\})*?)?/?>", re.DOTALL)
_MDX_IMPORT = re.compile(r"^(?:import|export)\s+(?:\{|\*|default\b|const\b|function\b|[\w$]+\s).*$", re.MULTILINE)
_DOCFX = re.compile(r"\[!\w[\w-]*\[[^\[\]]*\]\([^()]*\)\]|\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]")
_MDX_HEADING_ID = re.compile(r"^(#{1,6}\s.*?)\{/\*\s*([^*\s]+)\s*\*/\}\s*$", re.MULTILINE)
_MDX_COMMENT = re.compile(r"\{/\*(?:(?!\{/\*).)*?\*/\}", re.DOTALL)
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


# --- Markdown -----------------------------------------------------------------------------

_MD = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
_EXPLICIT_ID = re.compile(r"\{#([^}\s]+)\}\s*$")  # no leading \s*: quadratic in a run of spaces
_INLINE_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")


def drop_change(html: str) -> int:
    """+1 for an opening drop tag (`<script>`), -1 for a closing one, else 0."""
    m = _INLINE_TAG.match(html)
    if not m or m[2].lower() not in _DROP_TAGS or html.rstrip().endswith("/>"):
        return 0
    return -1 if m[1] else 1


def inline_parts(token: MdToken, dropping: Dropping | None = None) -> tuple[str, str, str, str]:
    """An inline token's (display text, prose without code, inline code, explicit anchor).
    What stands between inline drop tags (`本文 <script>...</script>`) is left out."""
    dropping = dropping or Dropping()
    text: list[str] = []
    prose: list[str] = []
    code: list[str] = []
    anchor = ""
    for child in token.children or []:
        if child.type == "html_inline":
            dropping.depth = max(0, dropping.depth + drop_change(child.content))
        if dropping.depth:
            continue
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
    heading_level = 0
    dropping = Dropping()
    for token in _MD.parse(clean_markdown(source)):
        if token.type == "heading_open":
            heading_level = int(token.tag[1])
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type == "inline":
            blocks.extend(inline_block(token, heading_level, dropping))
        elif token.type in ("fence", "code_block"):
            if token.content.strip() and not dropping.depth:
                blocks.append(Block("code", token.content.rstrip("\n")))
        elif token.type == "html_block":
            blocks.extend(html_blocks(token.content, dropping))
    return blocks


def inline_block(token: MdToken, heading_level: int, dropping: Dropping) -> list[Block]:
    """The block of an inline token: a heading (inside heading_open/close) or prose; none
    when it is empty or all of it is inside a dropped tag (`<script>` ... `</script>`)."""
    dropped = dropping.depth > 0
    text, prose, code, anchor = inline_parts(token, dropping)
    if heading_level and (text.strip() or not (dropped or dropping.depth)):
        m = _EXPLICIT_ID.search(text)
        if m:
            anchor = m[1]
            text = text[: m.start()]
        return [Block("heading", text.strip(), level=heading_level, anchor=anchor)]
    return [Block("prose", text, prose=prose, code=code)] if text.strip() else []


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
