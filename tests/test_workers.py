"""Where posts are analyzed (workers.py)."""

from __future__ import annotations

from typing import Any

from postsearch.workers import analyze_all


class RecordingPool:
    """A pool that only notes when posts are sent to it."""

    def __init__(self) -> None:
        self.sent: list[list[Any]] = []

    def imap(self, func: Any, posts: list[Any], chunksize: int = 1) -> Any:
        self.sent.append(list(posts))
        return iter([None] * len(posts))


def test_posts_go_to_the_pool_before_the_first_record_is_asked_for():
    # The build reads and sends the next batch while it merges this one: if sending waited
    # for the first record to be asked for, the workers would stand idle between batches.
    pool = RecordingPool()
    records = analyze_all(["a", "b"], "github", pool)  # type: ignore[list-item]
    assert pool.sent == [["a", "b"]]
    assert list(records) == [None, None]
