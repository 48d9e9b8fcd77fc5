"""Stage 2: Markdown and HTML to plain-text fields."""

from __future__ import annotations

from postsearch.posts import Post
from postsearch.text import clean_markdown, post_text, slug_github, slug_kramdown


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
