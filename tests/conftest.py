"""Shared fixtures: the example site, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

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
