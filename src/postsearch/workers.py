"""Where posts are analyzed: in this process, in a local process pool, or on a Dask cluster.

The analysis of a post (its Markdown, Sudachi, its postings) is the bulk of a build and needs
nothing but the post, so it runs wherever there are cores. Records come back in the order
the posts went out, wherever they ran, so the index is byte for byte the same.

- No pool: a few posts, or one job. The Analyzer is made once per process (`_worker`).
- `multiprocessing` (`--jobs N`): N processes, forked, each with its own Sudachi dictionary
  (Sudachi objects cannot be pickled).
- Dask distributed (`--scheduler tcp://host:8786`): a chunk of posts per task on the
  cluster's workers. Posts travel to the workers, so they need no access to the site; they
  need the same postsearch, SudachiPy and dictionary, which `DaskPool` checks before
  sending anything (`analysis_salt`, the cache's own test of "the same analysis").

A build runs with Python's cyclic collector paused (`collector_paused`), in this process and
in the forked workers that inherit it.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.pool
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

from .analysis import Analyzer
from .index import PostRecord, analyze_posts
from .posts import Failure, Post, one_line

CHUNK = 16  # posts per Dask task: enough to outweigh a task's overhead, small enough to spread
# Posts sent to a local worker at a time, and counted together (index.analyze_posts): a
# count's array operations cost a few hundred microseconds however short the posts (a
# two-job build of jsquad-valid's 1,146 short posts: 16 took 0.96 x the time of 8). A group
# closes early at CHUNK_CHARS, so long posts still spread evenly over the workers.
POSTS_PER_CALL = 16
CHUNK_CHARS = 20_000

_worker: tuple[Analyzer, str] | None = None
_threads = threading.local()  # a Dask worker runs tasks in threads: one Analyzer each


class ClusterMismatch(RuntimeError):
    """The cluster's workers would not analyze posts as this process does."""


def _init_worker(anchors: str) -> None:
    global _worker
    _worker = (Analyzer(), anchors)


def _analyze(posts: list[Post]) -> list[PostRecord | Failure]:
    """Analyze a few posts in a worker."""
    assert _worker is not None
    return analyzed(posts, _worker[0], _worker[1])


def analyzed(posts: list[Post], analyzer: Analyzer, anchors: str) -> list[PostRecord | Failure]:
    """Posts analyzed together; an unexpected error fails its own post only (the posts are
    then analyzed one at a time to find it)."""
    try:
        return list(analyze_posts(posts, analyzer, anchors))
    except Exception as e:
        if len(posts) == 1:
            return [Failure(posts[0].path, f"analysis failed: {one_line(e)}")]
    return [record for post in posts for record in analyzed([post], analyzer, anchors)]


def analyze_chunk(posts: list[Post], anchors: str) -> list[PostRecord | Failure]:
    """A Dask task: these posts analyzed by this thread's own Analyzer (a Sudachi tokenizer
    is not thread-safe)."""
    analyzer = getattr(_threads, "analyzer", None)
    if analyzer is None:
        analyzer = _threads.analyzer = Analyzer()
    return analyzed(posts, analyzer, anchors)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a build (its workers inherit that): the index
    is millions of small objects and makes no reference cycles, so it would only walk them
    again and again. At the end what is left goes to its oldest generation (freeze, then
    unfreeze), or the first young collection would walk every one of them (0.24 s after a
    one-job build of efcl-blog). A caller that had it off keeps it off."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def chunks_of(posts: list[Post], most: int = POSTS_PER_CALL, chars: int = CHUNK_CHARS) -> list[list[Post]]:
    """The posts in order, in groups of at most `most`, a group closed once its bodies
    reach `chars` characters."""
    chunks: list[list[Post]] = []
    size = 0
    for post in posts:
        if not chunks or len(chunks[-1]) >= most or size >= chars:
            chunks.append([])
            size = 0
        chunks[-1].append(post)
        size += len(post.body)
    return chunks


def analyze_all(posts: list[Post], anchors: str, pool: Any) -> Iterator[PostRecord | Failure]:
    """Records in the order of `posts`, analyzed in the pool (or here without one), a few
    posts at a time (`chunks_of`). The posts go to the pool now, not when the first record
    is asked for, so the workers have them while this process is still merging an earlier
    batch."""
    if pool is not None:
        return chain.from_iterable(pool.imap(_analyze, chunks_of(posts, pool.posts_per_task), chunksize=1))
    if _worker is None or _worker[1] != anchors:
        _init_worker(anchors)
    return chain.from_iterable(map(_analyze, chunks_of(posts)))


def worker_salt() -> str:
    """On a worker (pickled by name, so the worker runs its own code): its analysis salt."""
    from . import pipeline

    return pipeline.analysis_salt()


class DaskPool:
    """`imap` on a Dask cluster, in order, a chunk of posts per task."""

    def __init__(self, address: str, anchors: str) -> None:
        from distributed import Client

        from . import pipeline

        self.client = Client(address)  # waits distributed.comm.timeouts.connect (Dask's config; 30 s)
        self.anchors = anchors
        ours = pipeline.analysis_salt()
        theirs = self.client.run(worker_salt)
        if not theirs:
            self.close()
            raise ClusterMismatch(f"{address}: the cluster has no workers")
        other = sorted(w for w, salt in theirs.items() if salt != ours)
        if other:
            self.close()
            raise ClusterMismatch(
                f"{address}: workers {', '.join(other)} run another postsearch, SudachiPy or dictionary"
            )

    posts_per_task = CHUNK

    def imap(
        self, func: Callable[[list[Post]], Any], chunks: Iterable[list[Post]], chunksize: int = 1
    ) -> Iterator[Any]:
        """What multiprocessing's imap gives (`func` is always _analyze), from the cluster:
        the tasks are sent now, the records read as they are asked for."""
        return results_of(self.client.map(analyze_chunk, list(chunks), anchors=self.anchors, pure=False))

    def close(self) -> None:
        self.client.close()


def results_of(futures: list[Any]) -> Iterator[Any]:
    """The records of Dask futures (a list each), in order, each future let go once read."""
    for future in futures:
        yield future.result()
        future.release()


class QuietPool(multiprocessing.pool.Pool):
    """multiprocessing's Pool, whose worker handler thread wakes when a worker exits or the
    pool changes, and not also whenever a result waits in the queue: it went round its loop
    while each result waited to be read (17,153 times in a two-job build of efcl-blog's 838
    posts), taking half a CPU second and the GIL from the thread that merges the records."""

    posts_per_task = POSTS_PER_CALL

    def _get_sentinels(self) -> list[Any]:
        return [self._change_notifier._reader]  # type: ignore[attr-defined]


class LazyPool:
    """Worker processes (or the cluster), started only when a batch has enough posts the
    cache lacks (a rebuild from the cache, or a few posts, is not worth starting them)."""

    def __init__(self, jobs: int, anchors: str, scheduler: str | None = None) -> None:
        self.jobs, self.anchors, self.scheduler = jobs, anchors, scheduler
        self.pool: Any = None

    def get(self, misses: int) -> Any:
        if self.pool is None and self.scheduler and misses:
            self.pool = DaskPool(self.scheduler, self.anchors)
        elif self.pool is None and misses >= 8 and self.jobs > 1:
            ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            self.pool = QuietPool(self.jobs, initializer=_init_worker, initargs=(self.anchors,), context=ctx)
        return self.pool

    def close(self) -> None:
        if isinstance(self.pool, DaskPool):
            self.pool.close()
        elif self.pool is not None:
            self.pool.close()
            self.pool.join()
