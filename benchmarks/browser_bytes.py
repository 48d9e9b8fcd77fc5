"""What the browser downloads: the runtime's size, and the bytes a first query fetches.

    python -m benchmarks.browser_bytes INDEX_DIR "新幹線" "設定を変更する" ...

Serves INDEX_DIR (an index written by `postsearch index`, with demo.html next to it) on
127.0.0.1, opens demo.html in Debian's Chromium (/usr/bin/chromium, through Playwright) with
an empty cache for each query, types the query into the search box and counts every response
until the results show: the page and runtime, then the index files the query needed
(manifest, posts, lexicon, term and bigram shards, text bundles). Sizes are bodies as served
(http.server does not compress); "gzip" is what a static host compressing with gzip -9 sends.
Then all the queries run one after another in one page, to show what caching saves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.chromium import launch
from benchmarks.common import arguments, folder_server, gzip_size, running

RUNTIME = ("postsearch.js", "ui.js", "highlight.js", "ui.css", "demo.html")
# Recorded before any page script runs: the answers the search box reports.
WATCH = (
    "window.__results = [];"
    "document.addEventListener('postsearch:results', (e) => window.__results.push("
    "{ total: e.detail.total, bytesRead: e.detail.bytesRead }));"
)


def gzip9(path: Path) -> int:
    return gzip_size(path.read_bytes(), 9)


def file_name(path: str) -> str:
    """The name a fetched file is listed by (the data files sit in the build's folder)."""
    return path.rsplit("/", 1)[-1]


class Recorder:
    """Paths (relative to the served folder) and body sizes of the responses a page receives."""

    def __init__(self, page: Any) -> None:
        self.seen: list[tuple[str, int]] = []
        page.on("response", self.record)

    def record(self, response: Any) -> None:
        if response.ok and response.request.method == "GET":
            self.seen.append((urlsplit(response.url).path.lstrip("/"), len(response.body())))

    def take(self) -> list[tuple[str, int]]:
        taken, self.seen = self.seen, []
        return taken


def run_query(page: Any, query: str) -> dict[str, Any]:
    """Type a query into the box; the postsearch.js answer once the results show."""
    done = page.evaluate("window.__results.length")
    page.locator("input[role=combobox]").fill(query)
    page.wait_for_function("(n) => window.__results.length > n", arg=done, timeout=60_000)
    return page.evaluate("window.__results[window.__results.length - 1]")


def open_demo(browser: Any, base: str) -> tuple[Any, Any, Recorder]:
    """demo.html in a new context (an empty cache), loaded, its own responses already taken."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH)
    recorder = Recorder(page)
    page.goto(f"{base}/demo.html")
    page.wait_for_function("() => customElements.get('post-search')")
    page.wait_for_load_state("networkidle")
    recorder.take()  # the page and runtime: listed above
    return context, page, recorder


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("index", type=Path)
    parser.add_argument("queries", nargs="+")
    args = parser.parse_args()
    index: Path = args.index
    if not (index / "demo.html").is_file():
        raise SystemExit(f"{index}: no demo.html (write the index with this version of postsearch)")

    print("runtime                raw     gzip -9")
    for name in RUNTIME:
        path = index / name
        print(f"  {name:<16} {path.stat().st_size:>8,} {gzip9(path):>8,}")

    from playwright.sync_api import sync_playwright

    with running(folder_server(index)) as base, sync_playwright() as playwright:
        browser = launch(playwright)

        print("\nfirst query, empty cache: index bytes fetched (raw / gzip -9), files")
        for query in args.queries:
            context, page, recorder = open_demo(browser, base)
            answer = run_query(page, query)
            fetched = recorder.take()
            raw = sum(size for _, size in fetched)
            packed = sum(gzip9(index / path) for path, _ in fetched)
            names = " ".join(file_name(path) for path, _ in fetched)
            check = "" if raw == answer["bytesRead"] else f"  (postsearch.js counted {answer['bytesRead']:,})"
            print(f"  {query[:40]}: {answer['total']} hits, {raw:,} / {packed:,} bytes{check}  [{names}]")
            context.close()

        print("\nthe same queries in turn in one page (shards cached)")
        context, page, recorder = open_demo(browser, base)
        for query in args.queries:
            run_query(page, query)
            fetched = recorder.take()
            names = " ".join(file_name(path) for path, _ in fetched) or "-"
            print(f"  {query[:40]}: +{sum(s for _, s in fetched):,} bytes  [{names}]")
        context.close()
        browser.close()


if __name__ == "__main__":
    main()
