"""Stage 2: Markdown and HTML to plain-text fields."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postsearch.anchors import slug_github, slug_kramdown
from postsearch.markdown import clean_markdown, fence_runs
from postsearch.posts import Post
from postsearch.text import post_text


def text_of(body: str, markup: str = "markdown", anchors: str = "github"):
    return post_text(Post("p.md", "/p/", "題名", None, ["タグ"], body, markup), anchors)


def test_fields_are_kept_apart():
    t = text_of("# 見出しです\n\n本文の段落で`useEffect`を呼ぶ。\n\n```js\nconst x = 1;\n```\n")
    assert t.title == "題名" and t.tags == "タグ"
    assert [h.text for h in t.headings] == ["見出しです"]
    assert "本文の段落" in t.body and "useEffect" not in t.body
    assert "useEffect" in t.code and "const x = 1;" in t.code
    assert "本文の段落でuseEffectを呼ぶ。" in t.text  # excerpts read naturally


def test_template_syntax_is_removed_outside_code():
    src = '前{{ site.url }}後 {% include a.html %}\n{{< figure src="a.png" >}}\n{{% notice %}}注意文{{% /notice %}}\n\n```\n{{ kept }}\n```\n'
    t = text_of(src)
    assert "site.url" not in t.text and "include" not in t.text and "figure" not in t.text
    assert "前後" in t.body and "注意文" in t.body
    assert "{{ kept }}" in t.code


def test_liquid_highlight_becomes_code():
    t = text_of("説明\n\n{% highlight ruby %}\nputs 'hi'\n{% endhighlight %}\n")
    assert "puts 'hi'" in t.code and "puts" not in t.body


def test_mdx_components_keep_their_children():
    src = "import Foo from './foo'\nexport const meta = {}\n\n<Note>\nノートの文章\n</Note>\n\n<Diagram name=\"x\" />\n\n## 見出し {/*my-anchor*/}\n"
    t = text_of(src)
    assert "ノートの文章" in t.body
    assert "import" not in t.text and "Diagram" not in t.text and "Note" not in t.text
    assert t.headings[0].anchor == "my-anchor" and t.headings[0].text == "見出し"


def test_html_keeps_text_not_tags_or_scripts():
    html = '<h2 id="intro">はじめに</h2><p>段落の<b>太字</b>です。<code>npm run</code></p><script>var 隠し = 1;</script><pre>コード</pre>'
    t = text_of(html, markup="html")
    assert t.headings[0].anchor == "intro"
    assert "段落の太字です。" in t.text
    assert "隠し" not in t.text and "<b>" not in t.text
    assert "npm run" in t.code and "コード" in t.code


def test_html_blocks_inside_markdown():
    t = text_of('<div class="note"><p>ブロックの中の文</p><script>alert(1)</script></div>\n\n普通の段落\n')
    assert "ブロックの中の文" in t.body and "alert" not in t.text and "普通の段落" in t.body


def test_anchor_styles():
    assert slug_github("Hello World! 日本語") == "hello-world-日本語"
    assert slug_kramdown("Hello World! 日本語") == "hello-world-"
    assert slug_kramdown("日本語") == "section"
    t = text_of("## 同じ\n\n## 同じ\n\n## Explicit {#given}\n")
    assert [h.anchor for h in t.headings] == ["同じ", "同じ-1", "given"]
    assert text_of("## Hello World", anchors="kramdown").headings[0].anchor == "hello-world"


def test_docfx_and_zenn_markers():
    src = "> [!NOTE]\n> 注意書き [!INCLUDE[vs](../includes/vs.md)]\n\n:::message\nメッセージ本文\n:::\n\n:::details 詳細の題\n中身\n:::\n"
    t = text_of(src)
    assert "[!NOTE]" not in t.text and "INCLUDE" not in t.text and ":::" not in t.text
    assert "注意書き" in t.body and "メッセージ本文" in t.body and "詳細の題" in t.body


def test_heading_offsets_point_into_text():
    t = text_of("前置き\n\n## 二番目の見出し\n\n本文\n")
    h = t.headings[0]
    assert t.text[h.offset : h.offset + len(h.text)] == "二番目の見出し"


def test_fences_survive_cleaning():
    src = "```jsx\n<Note>{{a: 1}}</Note>\nimport x from 'y'\n```\n"
    assert clean_markdown(src).count("<Note>{{a: 1}}</Note>") == 1


FENCE_BITS = ["```", "~~~", "````", "$$", "$", "`", "~", " ", "   ", "    ", "\t", "\r", "\u3000", "\n", "a", "本文", "js"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FENCE_BITS), max_size=16).map("".join))
def test_fence_runs_give_every_line_that_may_fence_alone(text: str) -> None:
    """clean_markdown looks only at the lines fence_runs gives alone: no other line may open
    or close a fence, and together they are the text."""
    runs = list(fence_runs(text))
    assert "\n".join(line for line, _ in runs) == text
    for lines, alone in runs:
        if not alone:
            for line in lines.split("\n"):
                assert not line.strip().startswith(("```", "~~~", "$$")), (text, runs)


def test_inline_script_and_style_bodies_are_dropped():
    """`<script>` inside a paragraph is html_inline to markdown-it: its body is no text."""
    t = text_of("本文 <script>alert('秘密の値')</script> 続き <style>p { color: red }</style>終わり\n")
    assert "alert" not in t.text and "秘密" not in t.text and "color" not in t.text
    assert "本文" in t.body and "続き" in t.body and "終わり" in t.text
    assert "alert" not in t.body and "alert" not in t.code


def test_drop_tags_stay_open_across_blocks():
    """A browser shows nothing of a script until `</script>`, blank lines and all."""
    src = "前 <script>\nvar 一 = 1;\n\nvar 二 = 2;\n</script>\n\n後の段落\n\n<div>\n<style>\nb { x: 1 }\n\nb { y: 2 }\n</style>\n</div>\n\n最後\n"
    t = text_of(src)
    assert "var" not in t.text and "x: 1" not in t.text and "y: 2" not in t.text
    assert "前" in t.text and "後の段落" in t.body and "最後" in t.body


def test_block_and_html_post_scripts_are_still_dropped():
    assert "alert" not in text_of("<script>\nalert(1)\n</script>\n\n本文\n").text
    t = text_of("<p>本文<svg><text>図の字</text></svg><noscript>無効時</noscript>です</p>", markup="html")
    assert t.text == "本文です"


def test_unclosed_html_comment_hides_the_rest():
    t = text_of("<div>見える <!-- 隠れた <script>alert(1)</script>\n", markup="html")
    assert t.text == "見える"


def test_malformed_declarations_do_not_raise():
    """`<![` starts a marked section to Python 3.11's HTMLParser, which then raises."""
    t = text_of("前の段落\n\n<b>\n<![画像の説明](/i.png) 後ろの文\n")  # a bogus comment to a browser
    assert t.text == "前の段落"
    assert text_of("<p>前<![if x]>中<![endif]>後</p>", markup="html").text == "前中後"


@pytest.mark.parametrize(
    ("body", "markup", "kept"),
    [
        ("{{ " * 20_000, "markdown", "{{"),  # the old patterns scanned to the end from each opener: 5.5 s
        ("{{< " * 20_000, "markdown", "{{<"),  # 13 s
        ("{/* " * 20_000, "markdown", "{/*"),  # 7.5 s
        ("<p>前</p>" + "<a " * 20_000, "html", "前\n<a <a"),  # Python 3.11's HTMLParser: 38 s
        ("<p>前</p><a <!-- 隠す", "html", "前\n<a"),
        ("# 見出し" + " " * 20_000 + "{#given}\n", "markdown", "見出し"),
    ],
    ids=["liquid", "shortcode", "mdx-comment", "open-tags", "open-comment", "explicit-id"],
)
def test_unclosed_markup_is_read_in_linear_time(body, markup, kept):
    t = text_of(body, markup=markup)
    assert t.text.startswith(kept) and "隠す" not in t.text


def test_markdown_reads_as_commonmark_renderers_show_it():
    """What the pyromark walker keeps from markdown-it-py's reading (markdown.py)."""
    from postsearch.markdown import markdown_blocks

    blocks = markdown_blocks(
        "　全角の字下げで始まる段落。\n\n"  # U+3000 at a paragraph's edge is not text
        "資料は <https://example.com/a%20b> にある。\n\n"  # an autolink shows percent-decoded
        "```python\t\nprint('コード')\n```\t\n\n"  # a fence closed by ``` and a tab
        "閉じた後の段落。\n"
    )
    assert [(b.kind, b.text) for b in blocks] == [
        ("prose", "全角の字下げで始まる段落。"),
        ("prose", "資料は https://example.com/a b にある。"),
        ("code", "print('コード')"),
        ("prose", "閉じた後の段落。"),
    ]
