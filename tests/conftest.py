"""Shared fixtures: the example site, built once per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browsing import WATCH, serve

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SITE = ROOT / "examples" / "site"


@pytest.fixture(scope="session")
def example_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site's index folder (built with two jobs, as CI machines have two cores)."""
    import postsearch

    out = tmp_path_factory.mktemp("example") / "index"
    report = postsearch.build(EXAMPLE_SITE, out, jobs=2)
    assert report.failures == [], report.failures
    return out


@pytest.fixture(scope="session")
def example(example_index: Path):  # type: ignore[no-untyped-def]
    """The example index, opened through the Python query API."""
    import postsearch

    return postsearch.open_index(example_index)


@pytest.fixture(scope="session")
def parity_file(example_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Python's answers to tests/parity_queries.txt on the example index, which the
    JavaScript reader must match (tests/test_parity.py in Node, tests/test_browser.py)."""
    from tests.parity import make_parity

    out = tmp_path_factory.mktemp("parity") / "parity.json"
    make_parity(example_index, ROOT / "tests" / "parity_queries.txt", out)
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) for every browser test of the session."""
    from benchmarks.chromium import CHROMIUM, CHROMIUM_ARGS  # Chromium's path and flags, kept in one place

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright: pip install playwright (never `playwright install`)")
    if not Path(CHROMIUM).is_file() or not shutil.which(CHROMIUM):
        pytest.fail(f"the browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site(example_index: Path, parity_file: Path) -> Iterator[str]:
    """Base URL of the example index (with demo.html and the runtime), and /parity.json."""
    server = serve(example_index, {"/parity.json": parity_file})
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    """The demo page, with CSP violations, page errors and searches recorded."""
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.add_init_script(WATCH)
    page.goto(f"{site}/demo.html")
    # Functions, not expression strings: Playwright evals those, which the page's CSP refuses.
    page.wait_for_function("() => customElements.get('post-search') && document.querySelector('[role=combobox]')")
    yield page
    context.close()
