"""MkDocs plugin: `plugins: [postsearch]` in mkdocs.yml.

Each page's rendered content (MkDocs' own page objects: URL, title, `date` and `tags` from
its meta, and the HTML its Markdown became, with the toc extension's heading ids) is indexed
with `build_pages` into `SITE_DIR/postsearch/` after the build, and every page gets
postsearch's search box at the top of its content (`<post-search>`, with ui.js and ui.css
linked from the index folder). Theme-independent: it works with the default theme and with
mkdocs-material alike. Leave MkDocs' own `search` plugin out of the list to replace its box.

Options (`plugins: [{postsearch: {folder: search, box: modal}}]`): `folder`, where the index
goes in the site (default `postsearch`); `box`, whether pages get the search box (default
true; `modal`: a button that opens it, and ⌘K, Ctrl+K or /); `placeholder`, the box's
placeholder text.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin

from .pages import Page, box_element, build_pages, site_base


class PostsearchConfig(Config):
    folder = config_options.Type(str, default="postsearch")
    box = config_options.Type((bool, str), default=True)  # true, false or "modal"
    placeholder = config_options.Type(str, default="記事を検索")


class PostsearchPlugin(BasePlugin[PostsearchConfig]):
    """Index MkDocs' pages with postsearch and put its box on them."""

    def __init__(self) -> None:
        self.pages: list[Page] = []

    def on_pre_build(self, config: Any) -> None:
        self.pages = []  # `mkdocs serve` builds again in the same process

    def base(self, config: Any) -> str:
        """The site's path on its host (`/` unless site_url has one), ending in `/`."""
        return site_base(config.get("site_url"))

    def on_page_content(self, content: str, page: Any, config: Any, files: Any) -> str:
        meta = page.meta or {}
        date = meta.get("date")
        tags = meta.get("tags") or []
        self.pages.append(
            Page(
                url=self.base(config) + page.url,
                title=page.title or page.file.src_uri,
                html=content,
                date=str(date) if date else None,
                tags=[str(t) for t in tags] if isinstance(tags, list) else [str(tags)],
                path=page.file.src_uri,
                draft=bool(meta.get("draft")),
            )
        )
        if not self.config.box:
            return content
        index_url = html.escape(self.base(config) + self.config.folder + "/")
        modal = self.config.box == "modal"
        return box_element(index_url, modal=modal, placeholder=html.escape(self.config.placeholder)) + "\n" + content

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        if not self.config.box:
            return output
        folder = html.escape(self.base(config) + self.config.folder + "/")
        tags = f'<link rel="stylesheet" href="{folder}ui.css">\n<script type="module" src="{folder}ui.js"></script>\n'
        return output.replace("</head>", tags + "</head>", 1)

    def on_post_build(self, config: Any) -> None:
        report = build_pages(self.pages, Path(config["site_dir"]) / self.config.folder)
        for failure in report.failures:
            self.log_problem(f"{failure.path}: {failure.reason}")
        for path, warning in report.warnings:
            self.log_problem(f"{path}: {warning}")

    def log_problem(self, message: str) -> None:
        import logging

        logging.getLogger("mkdocs.plugins.postsearch").warning("postsearch: %s", message)
