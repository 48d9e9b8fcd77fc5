"""Fuzzing the input side (issue #10): hypothesis draws post files, Markdown/HTML bodies and
texts around Sudachi's input limit. Reading a post never raises (a bad file is a Failure),
text extraction never raises and never keeps a `<script>` body, analysis never raises and
its offsets point into the text.

Bounded for CI: a fixed number of examples per test, no deadline, no example database.
"""

from __future__ import annotations

import os
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from postsearch.analysis import Analyzer
from postsearch.posts import Draft, Failure, Post, SiteOptions, read_post
from postsearch.search import fold
from postsearch.text import post_text

FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: CI fails on code, not on luck
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- (a) front matter reading -------------------------------------------------------------

# Pieces that exercise the readers: delimiters, YAML anchors, aliases, merge keys, tags and
# impossible dates, TOML tables, JSON escapes (lone surrogates), a BOM, CRLF and controls.
FRONT_PIECES = [
    "---",
    "+++",
    "{",
    "}",
    "\n",
    "\r\n",
    "\r",
    "\ufeff",
    "\x00",
    "\x07",
    "\x1b",
    "\t",
    "  ",
    "title: ",
    "tags: ",
    "date: ",
    "permalink: ",
    "slug: ",
    "draft: true",
    "published: false",
    'title = "題名"',
    "tags = [",
    "]",
    "[params]",
    '"title": ',
    '"\\ud800"',
    '"\\udfff題"',
    '"\\u0000"',
    "'\\ud800'",
    '"a\\tb"',
    "&a ",
    "*a",
    "&b [*a, *a, *a]",
    "<<: *a",
    "!!binary aGk=",
    "!!python/object:os.system",
    "!!set {a, b}",
    "2014-13-45",
    "2019-02-29 10:00:00",
    "2024-03-01T10:20:30+09:00",
    "0x" + "f" * 40,
    "1e999",
    "[",
    "- ",
    "? ",
    ": ",
    "//evil.example/x",
    "/\\evil.example",
    "京都への旅",
    "新幹線, 旅行",
    "#",
    "# 見出し",
    "<h1>A &amp; B</h1>",
    "本文です。",
]


@st.composite
def post_files(draw: st.DrawFn) -> bytes:
    """Post file bytes: mostly pieces of front matter, some arbitrary text, some raw bytes."""
    parts = draw(
        st.lists(
            st.one_of(
                st.sampled_from(FRONT_PIECES),
                st.text(max_size=12),
                st.binary(max_size=6).map(lambda b: b.decode("utf-8", "surrogateescape")),
            ),
            max_size=40,
        )
    )
    text = "".join(parts)
    return text.encode("utf-8", "surrogateescape")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-posts")


def assert_utf8(*texts: str) -> None:
    for text in texts:
        text.encode("utf-8")  # raises on a lone surrogate


@settings(FUZZ, max_examples=400)
@given(raw=post_files(), html=st.booleans())
@example(raw=b"---\na: &a [*a]\ntitle: *a\n---\n", html=False)
@example(raw=b'{\n"title": "\\ud800", "tags": ["\\udfff"], "date": "\\udc00"\n}\n', html=False)
@example(raw=b"\xef\xbb\xbf+++\r\ntitle = 1\r\n+++\r\n# x", html=False)
@example(raw=b"---\ndate: 2014-13-45\n---\n", html=True)
def test_read_post_never_raises(folder: Path, raw: bytes, html: bool) -> None:
    rel = "post.html" if html else "post.md"
    path = folder / rel
    path.write_bytes(raw)
    item = read_post(path, rel, SiteOptions())
    assert isinstance(item, Post | Draft | Failure)
    if isinstance(item, Post):
        assert_utf8(item.path, item.url, item.title, item.date or "", item.body, *item.tags, *item.warnings)
        assert not item.url.startswith(("//", "/\\", "\\"))
    else:
        assert item.reason
        assert_utf8(item.path, item.reason)


@settings(FUZZ, max_examples=60)
@given(name=st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\x00" not in b))
def test_any_file_name_is_a_post_or_a_failure_naming_it(folder: Path, name: bytes) -> None:
    if name in (b".", b".."):
        return
    rel = os.fsdecode(name)
    path = folder / rel
    path.write_bytes("# 題\n本文\n".encode())
    try:
        item = read_post(path, rel, SiteOptions())
    finally:
        path.unlink()
    assert isinstance(item, Post | Failure)
    assert_utf8(item.path)
    if isinstance(item, Failure):
        assert item.reason == "file name is not UTF-8" and item.path == name.decode("utf-8", "backslashreplace")


# --- (b) Markdown and HTML to text ----------------------------------------------------------

SECRET = "秘密の中身"  # only ever inside a drop tag: must never come out

MARKUP_PIECES = [
    "\n",
    "\n\n",
    "# ",
    "## ",
    "### 見出し {#given}\n",
    "- ",
    "> ",
    "1. ",
    "本文です。",
    "京都へ行った",
    "*強調*",
    "**太字**",
    "[リンク](/a)",
    "![画像の説明](/i.png)",
    "&amp;",
    "&#x3042;",
    "&bogus;",
    "&",
    "<b>",
    "</b>",
    "<div>",
    "</div>",
    "<p>",
    '<h2 id="x">',
    "</h2>",
    "<br>",
    '<a name="anchor">',
    "</a>",
    "<span>",
    "<Note>",
    "</Note>",
    '<Diagram name="x" />',
    "{/* MDX の注釈 */}",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
]
CODE_PIECES = [  # literal code: a `<script>` in here is text, rightly kept
    "    ",
    "```",
    "```js\n",
    "~~~",
    "`",
    "\\",
    "$$",
    "{% raw %}",
    "{% endraw %}",
    "{{ site.url }}",
    "{{< figure >}}",
    "{{% notice %}}",
    "{% highlight ruby %}",
    "{% endhighlight %}",
    "import x from 'y'\n",
    "export const a = 1\n",
    ":::message\n",
    ":::details 題\n",
    ":::\n",
    "[!NOTE]",
    "<!--",
    "-->",
    "<pre>",
    "</pre>",
    "<textarea>",
    "<script>",
    "</script>",
    "<",
    ">",
    "{",
    "}",
]


@st.composite
def drop_elements(draw: st.DrawFn) -> str:
    """A script, style or other dropped element around SECRET, as authors write them (lower
    case first letter: `<Script>` is an MDX component), maybe spread over blank lines."""
    tag = draw(st.sampled_from(["script", "style", "template", "noscript", "svg", "math", "sCrIpT", "style"]))
    attrs = draw(st.sampled_from(["", ' type="text/javascript"', " async", ' class="x"']))
    inside = draw(st.sampled_from([SECRET, f"\n{SECRET}\n", f"\n{SECRET}\n\n{SECRET}\n", f"<b>{SECRET}</b>"]))
    if tag.lower() in ("script", "style"):
        inside = inside.replace("<b>", "").replace("</b>", "")
    return f"<{tag}{attrs}>{inside}</{tag}>"


@settings(FUZZ, max_examples=300)
@given(
    pieces=st.lists(st.one_of(st.sampled_from(MARKUP_PIECES + CODE_PIECES), st.text(max_size=8)), max_size=30),
    html=st.booleans(),
)
@example(pieces=["<b>", "\n", "<", "![画像の説明](/i.png)"], html=False)  # HTMLParser raised AssertionError
def test_post_text_never_raises_and_offsets_hold(pieces: list[str], html: bool) -> None:
    t = post_text(Post("p.md", "/p/", "題", None, ["タグ"], "".join(pieces), "html" if html else "markdown"))
    for h in t.headings:
        assert t.text[h.offset : h.offset + len(h.text)] == h.text


@settings(FUZZ, max_examples=300)
@given(
    pieces=st.lists(st.one_of(st.sampled_from(MARKUP_PIECES), drop_elements()), max_size=30),
    html=st.booleans(),
)
@example(pieces=["本文 ", "<script>alert(1)</script>".replace("alert(1)", SECRET), " 続き"], html=False)
@example(pieces=["前 <script>\n", SECRET, "\n\n", SECRET, "\n</script>\n"], html=False)
def test_drop_tag_bodies_never_come_out(pieces: list[str], html: bool) -> None:
    t = post_text(Post("p.md", "/p/", "題", None, ["タグ"], "".join(pieces), "html" if html else "markdown"))
    for field in (t.text, t.body, t.code, *(h.text for h in t.headings)):
        assert SECRET not in field
    for h in t.headings:
        assert t.text[h.offset : h.offset + len(h.text)] == h.text


# --- (c) analysis around Sudachi's 49,149-byte limit ---------------------------------------

# Characters of each UTF-8 width, and (0) some that NFKC or case folding change.
WIDTHS = {
    1: "abcXYZ0189-_.+#:/ ",
    2: "éñßдяαΩ",
    3: "あいうアイウ漢字検索新幹線ー々",
    4: "😀🍣𠮷𩸽",
    0: "İΣςǅ\u0301\u3099ｶﾞ㍿\ufdfa\u3000\u200d\ufe0fＡＷＳ",  # NFKC or case changes their length
}
BOUNDARIES = ["\n\n", "\n", "。", "．", ". ", "！", "？", " "]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()  # slow to make: one for the module


def long_text(seed: int, widths: list[int], boundary_every: int, target: int) -> str:
    """An NFKC text of exactly `target` UTF-8 bytes (what analysis hands Sudachi) drawn from
    characters of the given widths, with a sentence or paragraph boundary every
    `boundary_every` characters or so (0: none at all)."""
    rng = random.Random(seed)
    alphabet = "".join(WIDTHS[w] for w in widths)
    out: list[str] = []
    size = 0
    while size < target + 64:
        if boundary_every and rng.randrange(boundary_every) == 0:
            piece = rng.choice(BOUNDARIES)
        else:
            piece = rng.choice(alphabet) * rng.choice([1, 1, 1, 2, 8])
        out.append(piece)
        size += len(piece.encode())
    text = unicodedata.normalize("NFKC", "".join(out)).encode()[:target].decode("utf-8", "ignore")
    return text + "a" * (target - len(text.encode()))


@settings(FUZZ, max_examples=24, phases=[Phase.explicit, Phase.generate])  # no shrinking 49 kB texts
@given(
    seed=st.integers(0, 2**32),
    widths=st.lists(st.sampled_from([1, 2, 3, 4, 0]), min_size=1, max_size=5, unique=True),
    boundary_every=st.sampled_from([0, 0, 7, 50, 5000]),
    target=st.integers(49_100, 49_200),
)
def test_analysis_around_the_sudachi_limit(
    analyzer: Analyzer, seed: int, widths: list[int], boundary_every: int, target: int
) -> None:
    text = long_text(seed, widths, boundary_every, target)
    assert len(text.encode()) == target and unicodedata.normalize("NFKC", text) == text
    tokens = analyzer.analyze(text)  # offsets are into the NFKC text, which this is
    assert tokens
    for t in tokens:
        assert 0 <= t.start < t.end <= len(text)
        # every token, joined Latin runs included, is the folded text at its offsets
        assert fold(text[t.start : t.end]) == t.surface
    covered = bytearray(len(text))  # Sudachi cuts every character, so no piece is lost
    for t in tokens:
        covered[t.start : t.end] = b"\x01" * (t.end - t.start)
    assert covered.count(0) == 0


def test_analysis_of_text_that_grows_when_lowercased(analyzer: Analyzer) -> None:
    text = "İȺȾ" * 8_200  # 49,200 bytes; 73,800 once lower-cased
    tokens = analyzer.analyze(text)
    assert tokens and all(0 <= t.start < t.end <= len(text) for t in tokens)
