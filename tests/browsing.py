"""What the Chromium tests share: a small file server, what each page records, and the
steps of driving a postsearch box (type, wait for its answer, read its titles)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CSP = "default-src 'self'; script-src 'self'; style-src 'self'"

# Recorded before any page script runs: CSP violations, and searches the box ran.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
window.__searches = [];
document.addEventListener('postsearch:results', (e) => window.__searches.push(e.detail.query));
"""


def serve(directory: Path, extra: dict[str, Path]) -> http.server.ThreadingHTTPServer:
    """Serve a folder on 127.0.0.1 (a free port), plus a few extra files by URL path."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            route = path.split("?", 1)[0]
            return str(extra[route]) if route in extra else super().translate_path(path)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def search_box(page: Any) -> Any:
    return page.locator("main input[role=combobox]")


def type_and_wait(page: Any, query: str) -> None:
    """Type a query (no IME) and wait until the box shows its answer."""
    done = len(page.evaluate("window.__searches"))
    search_box(page).fill(query)
    page.wait_for_function("(n) => window.__searches.length > n", arg=done)


def titles(page: Any) -> list[str]:
    return page.locator("main .postsearch-option:not(.postsearch-sub) .postsearch-title").all_text_contents()


@contextlib.contextmanager
def site_page(browser: Any, folder: Path, path: str = "/") -> Iterator[tuple[Any, list[str]]]:
    """A page of a site a generator wrote, served from `folder` and opened in Chromium with its
    searches recorded (WATCH), and the errors its scripts raise."""
    server = serve(folder, {})
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(WATCH)
        page.goto(f"http://127.0.0.1:{server.server_address[1]}{path}")
        yield page, errors
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def search_on(page: Any, query: str) -> None:
    """Type into the page's postsearch box once it is there, and wait for its answer."""
    page.wait_for_function("() => customElements.get('post-search') && document.querySelector('[role=combobox]')")
    page.locator("input[role=combobox]").fill(query)
    page.wait_for_function("() => window.__searches.length > 0")


def without_query(url: str) -> str:
    """A result's link without its query (ui.js adds ?postsearch-highlight=...): what a test
    compares with the page and #section it expects."""
    before, _, fragment = url.partition("#")
    return before.split("?")[0] + ("#" + fragment if fragment else "")
