"""The pipeline: posts → text → analysis → index → format, in one call.

`build()` is what site generators and the CLI call. Analysis runs in worker processes
(each with its own Sudachi dictionary: Sudachi objects cannot be pickled); records come
back in file order, so the output is byte-identical whatever the number of jobs.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import Analyzer
from .format import WriteSummary, write_index
from .index import IndexBuilder, PostRecord, analyze_post
from .posts import Draft, Failure, Post, SiteOptions, one_line, read_posts

ProgressFn = Callable[[int, int, str], None]


@dataclass
class BuildReport:
    """The build summary: what was indexed, skipped and failed, and what was written."""

    posts: int = 0
    drafts: list[Draft] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    written: WriteSummary | None = None
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


def analyze_all(posts: list[Post], jobs: int, anchors: str) -> Iterator[PostRecord | Failure]:
    """Records in the order of `posts`, analyzed by `jobs` processes."""
    if jobs <= 1 or len(posts) < 8:
        _init_worker(anchors)
        yield from (_analyze(p) for p in posts)
        return
    ctx = multiprocessing.get_context("spawn" if os.name != "posix" else "fork")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(anchors,)) as pool:
        yield from pool.imap(_analyze, posts, chunksize=4)


def build_records(records: Iterable[PostRecord]) -> IndexBuilder:
    """Records into an index builder (records must come in post id order)."""
    builder = IndexBuilder()
    for record in records:
        builder.add(record)
    return builder


def build(
    src: str | Path,
    out: str | Path,
    *,
    options: SiteOptions | None = None,
    anchors: str = "github",
    jobs: int | None = None,
    progress: ProgressFn | None = None,
) -> BuildReport:
    """Index the site at `src` into the folder `out`. Bad files are reported, never fatal."""
    started = time.perf_counter()
    src, out = Path(src), Path(out)
    if not src.is_dir():
        raise FileNotFoundError(f"{src}: not a folder")
    options = options or SiteOptions()
    options = SiteOptions(**{**options.__dict__, "skip": (*options.skip, out)})
    report = BuildReport()
    posts: list[Post] = []
    for item in read_posts(src, options):
        if isinstance(item, Draft):
            report.drafts.append(item)
        elif isinstance(item, Failure):
            report.failures.append(item)
        else:
            posts.append(item)
            report.warnings.extend((item.path, w) for w in item.warnings)
    builder = IndexBuilder()
    jobs = jobs or os.cpu_count() or 1
    for done, record in enumerate(analyze_all(posts, jobs, anchors), 1):
        if isinstance(record, Failure):
            report.failures.append(record)
        else:
            builder.add(record)
        if progress:
            progress(done, len(posts), record.path)
    report.posts = len(builder.posts)
    report.written = write_index(builder, out)
    report.seconds = time.perf_counter() - started
    return report
