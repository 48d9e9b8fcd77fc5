"""Stage 2, text, for Markdown: a post's Markdown source as blocks (blocks.py).

Template syntax (Liquid, Hugo shortcodes), MDX component tags and import/export lines,
DocFX and Zenn container markers are removed first, outside code fences only
(`clean_markdown`). Then pyromark (pulldown-cmark, compiled: about 25 x faster than the
pure-Python markdown-it-py this replaced) parses CommonMark with tables and strikethrough,
and `Walker` turns its events into blocks. It reads them as markdown-it-py's tokens were
read, so the blocks are the ones that parser gave on 99.9 % of the shared corpora's posts
(benchmarks/RESULTS.md says where they differ).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import mdurl
import pyromark

from .blocks import _EXPLICIT_ID, Block, Dropping, drop_change, html_blocks

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A line that may open or close a fence (clean_markdown): white space, then ``` or ~~~ or $$.
_FENCE_LIKE = re.compile(r"^[^\S\n]*(?:```|~~~|\$\$)", re.MULTILINE)
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
    for line, may_fence in fence_runs(convert_liquid_highlight(source)):
        if not may_fence:  # lines that neither open nor close a fence: where the state puts them
            (prose if fence is None else out).append(line)
            continue
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


def fence_runs(text: str) -> Iterator[tuple[str, bool]]:
    """The text's lines, each that may open or close a fence alone (`line`, True), the lines
    between them as one string (`lines`, False): a post's lines are looked at in Python only
    where a fence may start or end. Joined with newlines, they give the text back."""
    at = 0  # where the lines not yet given start
    for m in _FENCE_LIKE.finditer(text):
        if m.start() > at:
            yield text[at : m.start() - 1], False  # without the newline before the match
        end = text.find("\n", m.start())
        if end < 0:
            yield text[m.start() :], True
            return
        yield text[m.start() : end], True
        at = end + 1
    yield text[at:], False


def convert_liquid_highlight(source: str) -> str:
    """`{% highlight ruby %}...{% endhighlight %}` becomes a fenced block, so it is code."""
    source = re.sub(r"\{%-?\s*highlight\s+(\w+)[^%]*%\}", r"\n```\1\n", source)
    return re.sub(r"\{%-?\s*endhighlight\s*-?%\}", "\n```\n", source)


def clean_prose(text: str) -> str:
    """One run of lines outside fences, with every non-text construct removed."""
    # The two patterns that start at a line's start are tried at every line (most of this
    # function's time) unless the text has what they need.
    if "{/*" in text:
        text = _MDX_HEADING_ID.sub(r"\1{#\2}", text)
    text = _MDX_COMMENT.sub("", text)
    text = _TEMPLATE.sub("", text)
    if "import" in text or "export" in text:
        text = _MDX_IMPORT.sub("", text)
    text = _JSX_TAG.sub("", text)
    text = _DOCFX.sub("", text)
    if ":::" not in text:  # no container marker (most posts): no line to look at
        return text
    lines = []
    for line in text.split("\n"):
        m = _CONTAINER.match(line)
        if m:
            rest = m[2].strip()
            line = "" if rest.endswith(":::") or (m[1] or "") != "details" else rest
        lines.append(line)
    return "\n".join(lines)


# --- Markdown events to blocks ------------------------------------------------------------

OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH
_INLINE_CONTAINERS = frozenset({"Emphasis", "Strong", "Strikethrough", "Link", "Superscript", "Subscript"})
_BLOCK_EDGES = frozenset({"Heading", "CodeBlock", "HtmlBlock"})  # what block_start and block_end act on
_LEVELS = {"H1": 1, "H2": 2, "H3": 3, "H4": 4, "H5": 5, "H6": 6}
_ANCHOR = re.compile(r"""<a\s[^>]*(?:name|id)=["']?([^"'\s>]+)""")
# CommonMark closes a fence on "```" followed by spaces or tabs; pulldown-cmark not on a tab
_FENCE_TAIL_TAB = re.compile(r"^( {0,3}(?:`{3,}|~{3,}))[ \t]*\t[ \t]*$", re.MULTILINE)


def markdown_blocks(source: str) -> list[Block]:
    """Blocks of a Markdown document, in reading order. The one public entry of this module."""
    src = clean_markdown(source)
    if "\t" in src:
        src = _FENCE_TAIL_TAB.sub(r"\1", src)
    walker = Walker()
    for event in pyromark.events(src, options=OPTIONS):
        walker.step(event)
    walker.close_run()
    return walker.blocks


@dataclass
class Run:
    """The inline content of one block being read: what markdown-it-py put in one `inline`
    token (a paragraph, a heading, a table cell, the text of a tight list item)."""

    dropped: bool  # a drop tag was open where it started
    text: list[str] = field(default_factory=list)  # display text (text and prose grow in step)
    prose: list[str] = field(default_factory=list)  # the same, inline code as a space
    code: list[str] = field(default_factory=list)
    anchor: str = ""  # from an inline `<a name=...>`
    text_first: bool = False  # it starts with a text event (markdown-it stripped the source's edges)
    text_last: bool = False  # its latest event was text


class Walker:
    """pyromark events in, blocks out (`blocks`), as markdown_blocks read markdown-it-py's
    tokens: inline code apart from prose, images as their alt text, explicit heading ids
    (`{#id}`, `<a name>`), and what is inside a drop tag (`<script>`...) left out."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.dropping = Dropping()
        self.run: Run | None = None
        self.heading = 0  # the level of the heading being read
        self.image = 0  # images open (their text is the alt text)
        self.alt: list[str] = []
        self.code_block: list[str] | None = None
        self.html_block: list[str] | None = None
        self.autolink = False

    def step(self, event: Any) -> None:
        """One event: a string (SoftBreak, HardBreak, Rule) or a one-key dict. The kinds are
        tested in the order of how often they come (a post has hundreds of events: Start and
        End are about three in five, Text one in four)."""
        if event.__class__ is str:
            if event == "Rule":
                self.close_run()
            elif not self.image:
                self.inline(" ", " ")
            return
        ((kind, value),) = event.items()
        if kind == "Start" or kind == "End":
            self.tag(kind == "Start", value if value.__class__ is str else next(iter(value)), value)
        elif kind == "Text":
            self.text(value)
        elif kind in ("Code", "InlineHtml") and self.image:
            self.alt.append(value)  # inside an image, all of it is alt text
        elif kind == "Code":
            self.inline(value, " ", value)
        elif kind == "InlineHtml":
            self.inline_html(value)
        elif kind == "Html" and self.html_block is not None:
            self.html_block.append(value)

    def open_run(self) -> Run:
        if self.run is None:
            self.run = Run(dropped=self.dropping.depth > 0)
        return self.run

    def text(self, value: str) -> None:
        if self.code_block is not None:
            self.code_block.append(value)
        elif self.image:
            self.alt.append(value)
        else:
            if self.autolink:  # markdown-it shows an autolink percent-decoded
                value = mdurl.decode(value, mdurl.DECODE_DEFAULT_CHARS + "%")
            opens = self.run is None
            run = self.inline(value, value)
            run.text_first = run.text_first or (opens and not self.dropping.depth)
            run.text_last = not self.dropping.depth

    def inline(self, text: str, prose: str, code: str = "") -> Run:
        """Inline content into the open run (none while a drop tag is open); the run."""
        run = self.open_run()
        run.text_last = False
        if self.dropping.depth:
            return run
        run.text.append(text)
        run.prose.append(prose)
        if code:
            run.code.append(code)
        return run

    def inline_html(self, html: str) -> None:
        run = self.open_run()
        run.text_last = False
        self.dropping.depth = max(0, self.dropping.depth + drop_change(html))
        m = None if self.dropping.depth or run.anchor else _ANCHOR.search(html)
        if m:
            run.anchor = m[1]

    def tag(self, start: bool, tag: str, value: Any) -> None:
        """A Start or End event: inline containers and images, else a block's edge."""
        if tag in _INLINE_CONTAINERS:
            self.open_run().text_last = False
            if tag == "Link":
                self.autolink = start and value["Link"]["link_type"] in ("Autolink", "Email")
        elif tag == "Image":
            self.image_edge(start)
        else:
            if self.run is not None:
                self.close_run()
            if tag in _BLOCK_EDGES:  # the other blocks' edges only end the run before them
                (self.block_start if start else self.block_end)(tag, value)

    def image_edge(self, start: bool) -> None:
        self.open_run().text_last = False
        self.image += 1 if start else -1
        if not start and not self.image:
            alt = "".join(self.alt)
            self.alt = []
            self.inline(alt, alt)

    def block_start(self, tag: str, value: Any) -> None:
        if tag == "Heading":
            self.heading = _LEVELS[value["Heading"]["level"]]
            self.open_run()  # a heading is a block even when empty
        elif tag == "CodeBlock":
            self.code_block = []
        elif tag == "HtmlBlock":
            self.html_block = []

    def block_end(self, tag: str, value: Any) -> None:
        if tag == "Heading":
            self.heading = 0
        elif tag == "CodeBlock":
            content = "".join(self.code_block or [])
            self.code_block = None
            if content.strip() and not self.dropping.depth:
                self.blocks.append(Block("code", content.rstrip("\n")))
        elif tag == "HtmlBlock":
            self.blocks.extend(html_blocks("".join(self.html_block or []), self.dropping))
            self.html_block = None

    def close_run(self) -> None:
        """The open run as a heading or prose block (none when it is empty)."""
        run, self.run = self.run, None
        if run is None:
            return
        if run.text_first and run.text:  # markdown-it stripped Unicode spaces (U+3000) at the edges
            run.text[0] = run.prose[0] = run.text[0].lstrip()
        if run.text_last and run.text:
            run.text[-1] = run.prose[-1] = run.text[-1].rstrip()
        text = "".join(run.text)
        if self.heading and (text.strip() or not (run.dropped or self.dropping.depth)):
            m = _EXPLICIT_ID.search(text)
            anchor = m[1] if m else run.anchor
            self.blocks.append(
                Block("heading", (text[: m.start()] if m else text).strip(), level=self.heading, anchor=anchor)
            )
        elif not self.heading and text.strip():
            self.blocks.append(Block("prose", text, prose="".join(run.prose), code=" ".join(run.code)))
