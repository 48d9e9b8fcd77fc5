"""The pipeline: posts → text → analysis → index → format, in one call.

`build()` is what site generators and the CLI call. Analysis runs in worker processes
(each with its own Sudachi dictionary: Sudachi objects cannot be pickled); records come
back in file order, so the output is byte-identical whatever the number of jobs.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .analysis import Analyzer
from .format import WriteSummary, write_index
from .index import IndexBuilder, PostRecord, analyze_post
from .posts import Draft, Failure, Post, SiteOptions, find_post_files, one_line, read_posts

ProgressFn = Callable[[int, int, str], None]
CACHE_DIR = ".postsearch-cache"
BATCH = 256  # posts read ahead of analysis


@dataclass
class BuildReport:
    """The build summary: what was indexed, skipped and failed, and what was written."""

    posts: int = 0
    drafts: list[Draft] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    written: WriteSummary | None = None
    cached: int = 0  # posts taken from the cache instead of analyzed
    seconds: float = 0.0


_worker: tuple[Analyzer, str] | None = None


def _init_worker(anchors: str) -> None:
    global _worker
    _worker = (Analyzer(), anchors)


def _analyze(post: Post) -> PostRecord | Failure:
    """Analyze one post in a worker; an unexpected error fails that post only."""
    assert _worker is not None
    try:
        return analyze_post(post, _worker[0], _worker[1])
    except Exception as e:
        return Failure(post.path, f"analysis failed: {one_line(e)}")


class RecordCache:
    """Analyzed posts kept between builds (one pickle per post), keyed by everything the
    analysis depends on: the post itself, the anchor style, our analysis code and the Sudachi
    and dictionary versions. A rebuild after editing one post re-analyzes only that post."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.salt = analysis_salt()
        self.used: set[str] = set()
        self.hits = 0

    def key(self, post: Post, anchors: str) -> str:
        fields = [self.salt, anchors, post.path, post.url, post.title, post.date, post.tags, post.markup, post.body]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()

    def path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> PostRecord | None:
        self.used.add(key)
        if self.folder is None:
            return None
        try:
            record = pickle.loads(self.path(key).read_bytes())
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
            return None
        self.hits += 1
        return record if isinstance(record, PostRecord) else None

    def put(self, key: str, record: PostRecord) -> None:
        if self.folder is None:
            return
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, path)
        except OSError:
            self.folder = None  # a read-only site: build on without a cache

    def prune(self) -> None:
        """Forget entries this build did not use (edited or deleted posts)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.glob("*/*.pickle"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def default_cache(src: Path) -> Path | None:
    """`src/.postsearch-cache`, unless the site folder has no write bits (a read-only checkout
    or corpus: root could still write there, and should not)."""
    return src / CACHE_DIR if src.stat().st_mode & 0o222 else None


def analysis_salt() -> str:
    """What makes a cached record stale: our analysis code and Sudachi's versions."""
    from importlib import metadata

    from . import analysis, index, text

    digest = hashlib.sha256()
    for module in (analysis, index, text):
        digest.update(Path(module.__file__ or "").read_bytes())
    for package in ("sudachipy", "sudachidict-core"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()[:16]


def analyze_all(posts: list[Post], jobs: int, anchors: str, pool: Any) -> Iterator[PostRecord | Failure]:
    """Records in the order of `posts`, analyzed in the pool (or here without one)."""
    if pool is None:
        if _worker is None or _worker[1] != anchors:
            _init_worker(anchors)
        yield from (_analyze(p) for p in posts)
    else:
        yield from pool.imap(_analyze, posts, chunksize=4)


def batches(items: Iterable[Post | Draft | Failure], size: int) -> Iterator[list[Post | Draft | Failure]]:
    """Posts a batch at a time, so a build never holds every post's source at once."""
    batch: list[Post | Draft | Failure] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def build(
    src: str | Path,
    out: str | Path,
    *,
    options: SiteOptions | None = None,
    anchors: str = "github",
    jobs: int | None = None,
    cache: str | Path | bool | None = True,
    progress: ProgressFn | None = None,
) -> BuildReport:
    """Index the site at `src` into the folder `out`. Bad files are reported, never fatal.

    `cache`: True keeps analyzed posts in `src/.postsearch-cache` (skipped when the site is
    read-only), a path puts them there, False or None turns the cache off."""
    started = time.perf_counter()
    src, out = Path(src), Path(out)
    if not src.is_dir():
        raise FileNotFoundError(f"{src}: not a folder")
    options = options or SiteOptions()
    options = SiteOptions(**{**options.__dict__, "skip": (*options.skip, out)})
    folder = default_cache(src) if cache is True else (Path(cache) if cache else None)
    records = RecordCache(folder)
    report = BuildReport()
    builder = IndexBuilder()
    jobs = jobs or os.cpu_count() or 1
    total = len(find_post_files(src, options))
    done = 0
    pool = None  # started at the first post the cache does not have
    try:
        for batch in batches(read_posts(src, options), BATCH):
            posts = [item for item in batch if isinstance(item, Post)]
            keys = [records.key(p, anchors) for p in posts]
            cached = [records.get(k) for k in keys]
            misses = sum(1 for c in cached if c is None)
            if pool is None and misses >= 8 and jobs > 1:  # a few posts: not worth starting workers
                ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
                pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(anchors,))
            fresh = iter(analyze_all([p for p, c in zip(posts, cached, strict=True) if c is None], jobs, anchors, pool))
            for item in batch:
                if isinstance(item, Draft):
                    report.drafts.append(item)
                    continue
                if isinstance(item, Failure):
                    report.failures.append(item)
                else:
                    report.warnings.extend((item.path, w) for w in item.warnings)
            for post, key, record in zip(posts, keys, cached, strict=True):
                if record is None:
                    record = next(fresh)
                    if isinstance(record, PostRecord):
                        records.put(key, record)
                if isinstance(record, Failure):
                    report.failures.append(record)
                else:
                    builder.add(record)
                done += 1
                if progress:
                    progress(done, total, post.path)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    report.posts = len(builder.posts)
    report.cached = records.hits
    report.written = write_index(builder, out)
    records.prune()
    report.seconds = time.perf_counter() - started
    return report
