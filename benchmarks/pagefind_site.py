"""Render a corpus as a plain HTML site for Pagefind, so it indexes the same text postsearch does.

    python -m benchmarks.pagefind_site CORPUS OUT_DIR

Pagefind indexes built HTML, not Markdown. To compare like with like, every post becomes one
page holding exactly the text postsearch extracts (`post_text(post).text`: headings, prose and
code, in order), HTML-escaped, one `<p>` per line, inside `<main data-pagefind-body>`; the title
is an `<h1 data-pagefind-meta="title">`. The page lives at the post's own URL
(`/2014/09/03/slug/` becomes `2014/09/03/slug/index.html`), so Pagefind's result URL maps back
to the post. `render` returns that map and writes it to OUT_DIR/mapping.json.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote

from benchmarks.common import arguments, posts_dir, published
from postsearch.posts import Post
from postsearch.text import post_text

MAPPING = "mapping.json"

PAGE = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>{title}</title>
</head>
<body>
<main data-pagefind-body>
<h1 data-pagefind-meta="title">{title}</h1>
{paragraphs}
</main>
</body>
</html>
"""


def page_file(url: str) -> str:
    """The file, relative to the site root, that a web server would answer `url` with.

    `/a/b/` and `/a/b` become `a/b/index.html`; `/a/b.html` stays. Characters that are unsafe
    in file names become `_` (the corpora's URLs are plain ASCII, so this rarely matters).
    """
    path = unquote(url.split("#", 1)[0].split("?", 1)[0]).strip("/")
    path = re.sub(r'[\x00-\x1f<>:"\\|?*]', "_", path)
    parts = [part for part in path.split("/") if part not in ("", ".", "..")]
    if parts and parts[-1].endswith((".html", ".htm")):
        return "/".join(parts)
    return "/".join([*parts, "index.html"])


def page_url(file: str) -> str:
    """The URL Pagefind reports for a page file: `index.html` stripped, as `pagefind` does by default."""
    return "/" + file.removesuffix("index.html")


def render_page(post: Post) -> str:
    """One post as an HTML page: escaped title and text, a paragraph per line of text."""
    title = html.escape(post.title)
    lines = [line for line in post_text(post).text.split("\n") if line.strip()]
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return PAGE.format(title=title, paragraphs=paragraphs)


def render(corpus: Path, out_dir: Path) -> dict[str, str]:
    """Write one page per published post under out_dir; return {Pagefind URL: post path}.

    Post paths are relative to the corpus posts folder, like postsearch's `hit.path`. Two posts
    claiming the same URL would overwrite each other, so the second gets a numbered folder.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    mapping: dict[str, str] = {}
    for post in published(posts_dir(corpus)):  # drafts and unreadable files are not in postsearch's index either
        file = page_file(post.url)
        n = 1
        while page_url(file) in mapping:
            n += 1
            file = page_file(f"{post.url.rstrip('/')}-{n}/")
        target = out_dir / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_page(post), encoding="utf-8")
        mapping[page_url(file)] = post.path
    (out_dir / MAPPING).write_text(json.dumps(mapping, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    return mapping


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    mapping = render(args.corpus, args.out_dir)
    print(f"{len(mapping)} pages written to {args.out_dir} (map: {args.out_dir / MAPPING})", file=sys.stderr)


if __name__ == "__main__":
    main()
