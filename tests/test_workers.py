"""Where posts are analyzed (workers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from postsearch import workers
from postsearch.analysis import Analyzer
from postsearch.index import PostRecord, analyze_post
from postsearch.pipeline import batches
from postsearch.posts import Failure, Post
from postsearch.workers import CHUNK, DaskPool, analyze_all, analyzed, chunks_of


def post(name: str, body: str = "今日は晴れ。") -> Post:
    return Post(f"posts/{name}.md", f"/{name}/", name, None, [], body, "markdown")


class RecordingPool:
    """A pool that only notes when posts are sent to it."""

    posts_per_task = 8

    def __init__(self) -> None:
        self.sent: list[list[Any]] = []

    def imap(self, func: Any, chunks: list[list[Any]], chunksize: int = 1) -> Any:
        self.sent.extend(chunks)
        return iter([[None] * len(c) for c in chunks])


def test_posts_go_to_the_pool_before_the_first_record_is_asked_for():
    # The build reads and sends the next batch while it merges this one: if sending waited
    # for the first record to be asked for, the workers would stand idle between batches.
    pool = RecordingPool()
    posts = [post("a"), post("b")]
    records = analyze_all(posts, "github", pool)
    assert pool.sent == [posts]
    assert list(records) == [None, None]


def test_posts_go_out_in_groups_closed_by_count_or_by_length():
    posts = [post(str(k), "あ" * 10) for k in range(7)]
    assert chunks_of(posts, most=3, chars=1000) == [posts[:3], posts[3:6], posts[6:]]
    assert chunks_of(posts, most=3, chars=20) == [posts[:2], posts[2:4], posts[4:6], posts[6:]]
    assert chunks_of(posts, most=3, chars=5) == [[p] for p in posts]
    assert chunks_of([], most=3) == []


def test_posts_analyzed_together_give_the_records_each_gives_alone():
    posts = [post("a", "機械学習の本。"), post("b", ""), post("c", "Node.js と C++ で書く。\n\n```js\nx = 1\n```")]
    alone = [analyze_post(p, Analyzer()) for p in posts]
    assert analyzed(posts, Analyzer(), "github") == alone


def test_a_post_whose_analysis_fails_fails_alone(monkeypatch: pytest.MonkeyPatch):
    real = workers.analyze_posts

    def failing(posts: list[Post], analyzer: Analyzer, anchors: str) -> list[PostRecord]:
        if any(p.title == "bad" for p in posts):
            raise ValueError("no good")
        return real(posts, analyzer, anchors)

    monkeypatch.setattr(workers, "analyze_posts", failing)
    got = analyzed([post("a"), post("bad"), post("c")], Analyzer(), "github")
    assert isinstance(got[0], PostRecord) and got[0].title == "a"
    assert got[1] == Failure("posts/bad.md", "analysis failed: no good")
    assert isinstance(got[2], PostRecord) and got[2].title == "c"


class DoneFuture:
    def __init__(self, chunk: list[Any]) -> None:
        self.chunk = chunk

    def result(self) -> list[Any]:
        return [f"record of {post}" for post in self.chunk]

    def release(self) -> None:
        pass


class RecordingClient:
    """A Dask client that only notes the chunks sent to it."""

    def __init__(self) -> None:
        self.sent: list[list[Any]] = []

    def map(self, func: Any, chunks: list[list[Any]], **kwargs: Any) -> list[DoneFuture]:
        self.sent.extend(chunks)
        return [DoneFuture(c) for c in chunks]


def test_posts_go_to_the_cluster_before_the_first_record_is_asked_for():
    pool = object.__new__(DaskPool)  # without connecting: only imap is tried
    pool.client, pool.anchors = RecordingClient(), "github"  # type: ignore[assignment]
    posts = [post(str(k)) for k in range(CHUNK + 1)]
    records = analyze_all(posts, "github", pool)
    assert pool.client.sent == [posts[:CHUNK], posts[CHUNK:]]  # type: ignore[attr-defined]
    assert list(records) == [f"record of {p}" for p in posts]


def test_the_first_batch_is_small_so_the_workers_start_sooner():
    assert list(batches(range(11), 4, 2)) == [[0, 1], [2, 3, 4, 5], [6, 7, 8, 9], [10]]
    assert list(batches(range(5), 4)) == [[0, 1, 2, 3], [4]]
    assert list(batches(range(1), 4, 2)) == [[0]]
    assert list(batches(range(5), 2, 4)) == [[0, 1], [2, 3], [4]]


def test_the_pools_worker_handler_does_not_wake_for_every_waiting_result(monkeypatch):
    """multiprocessing's Pool also waits on its result queue in the thread that minds the
    workers, so that thread goes round its loop for as long as a result waits to be read
    (thousands of times in a build, while the merging thread holds the GIL). QuietPool's
    wakes when a worker exits or the pool changes."""
    import multiprocessing
    import time

    from postsearch.workers import QuietPool

    turns: list[int] = []
    wait = QuietPool._wait_for_updates
    monkeypatch.setattr(QuietPool, "_wait_for_updates", staticmethod(lambda *a: turns.append(1) or wait(*a)))
    pool = QuietPool(2, context=multiprocessing.get_context("fork"))
    try:
        results = pool.imap(abs, range(-200, 0), chunksize=1)
        busy_until = time.monotonic() + 0.5
        while time.monotonic() < busy_until:  # hold the GIL, as the merging thread does
            sum(range(1000))
        assert sorted(results) == list(range(1, 201))
    finally:
        pool.close()
        pool.join()
    assert len(turns) < 20
