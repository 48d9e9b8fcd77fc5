"""What the browser downloads: the runtime's size, and the bytes a first query fetches.

    python benchmarks/browser_bytes.py INDEX_DIR "新幹線" "設定を変更する" ...

Serves INDEX_DIR (an index written by `postsearch index`, with demo.html next to it) on
127.0.0.1, opens demo.html in Debian's Chromium (/usr/bin/chromium, through Playwright) with
an empty cache for each query, types the query into the search box and counts every response
until the results show: the page and runtime, then the index files the query needed
(manifest, posts, lexicon, term and bigram shards, text bundles). Sizes are bodies as served
(http.server does not compress); "gzip" is what a static host compressing with gzip -9 sends.
Then all the queries run one after another in one page, to show what caching saves.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import threading
from pathlib import Path
from typing import Any

from chromium import CHROMIUM, CHROMIUM_ARGS

RUNTIME = ("postsearch.js", "ui.js", "ui.css", "demo.html")


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def serve(directory: Path) -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Recorder:
    """Names and body sizes of the responses a page receives."""

    def __init__(self, page: Any) -> None:
        self.seen: list[tuple[str, int]] = []
        page.on("response", self.record)

    def record(self, response: Any) -> None:
        if response.ok and response.request.method == "GET":
            self.seen.append((response.url.rsplit("/", 1)[-1].split("?")[0], len(response.body())))

    def take(self) -> list[tuple[str, int]]:
        taken, self.seen = self.seen, []
        return taken


def run_query(page: Any, query: str) -> dict[str, Any]:
    """Type a query into the box; the postsearch.js answer once the results show."""
    done = page.evaluate("window.__results.length")
    page.locator("input[role=combobox]").fill(query)
    page.wait_for_function("(n) => window.__results.length > n", arg=done, timeout=60_000)
    return page.evaluate("window.__results[window.__results.length - 1]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("queries", nargs="+")
    args = parser.parse_args()
    index: Path = args.index
    if not (index / "demo.html").is_file():
        raise SystemExit(f"{index}: no demo.html (write the index with this version of postsearch)")

    print("runtime                raw     gzip -9")
    for name in RUNTIME:
        path = index / name
        print(f"  {name:<16} {path.stat().st_size:>8,} {gzip_size(path):>8,}")

    from playwright.sync_api import sync_playwright

    server = serve(index)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    watch = (
        "window.__results = [];"
        "document.addEventListener('postsearch:results', (e) => window.__results.push("
        "{ total: e.detail.total, bytesRead: e.detail.bytesRead }));"
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

            print("\nfirst query, empty cache: index bytes fetched (raw / gzip -9), files")
            for query in args.queries:
                context = browser.new_context()
                page = context.new_page()
                page.add_init_script(watch)
                recorder = Recorder(page)
                page.goto(f"{base}/demo.html")
                page.wait_for_function("() => customElements.get('post-search')")
                page.wait_for_load_state("networkidle")
                recorder.take()  # the page and runtime: listed above
                answer = run_query(page, query)
                fetched = recorder.take()
                raw = sum(size for _, size in fetched)
                packed = sum(gzip_size(index / name) for name, _ in fetched)
                names = " ".join(name for name, _ in fetched)
                check = "" if raw == answer["bytesRead"] else f"  (postsearch.js counted {answer['bytesRead']:,})"
                print(f"  {query[:40]}: {answer['total']} hits, {raw:,} / {packed:,} bytes{check}  [{names}]")
                context.close()

            print("\nthe same queries in turn in one page (shards cached)")
            context = browser.new_context()
            page = context.new_page()
            page.add_init_script(watch)
            recorder = Recorder(page)
            page.goto(f"{base}/demo.html")
            page.wait_for_function("() => customElements.get('post-search')")
            page.wait_for_load_state("networkidle")
            recorder.take()
            for query in args.queries:
                run_query(page, query)
                fetched = recorder.take()
                names = " ".join(name for name, _ in fetched) or "-"
                print(f"  {query[:40]}: +{sum(s for _, s in fetched):,} bytes  [{names}]")
            context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
