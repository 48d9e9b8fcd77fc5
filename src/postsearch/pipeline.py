"""The pipeline: posts → text → analysis → index → format, in one call.

`build()` is what site generators and the CLI call. Analysis runs in worker processes
(each with its own Sudachi dictionary: Sudachi objects cannot be pickled); records come
back in file order, so the output is byte-identical whatever the number of jobs.

With a cache folder, a build keeps every analyzed post there and the encoded index rows of
the whole build (update.py). The next build then takes one of two paths: `update_build`
when a few files changed and no post id moves (it patches the saved rows), `full_build`
otherwise (it still takes unchanged posts from the cache). Both write the same bytes.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from .analysis import Analyzer
from .format import WriteSummary, encode_rows, write_index
from .index import IndexBuilder, PostRecord, analyze_post
from .posts import Draft, Failure, Post, SiteOptions, one_line, read_post, walk_site
from .update import FileOutcome, SavedBuild, changed_files, file_digest, load_build, replace_post, save_build

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
    patched: bool = False  # the last build was patched with the changed files (update.py)
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

    def get(self, key: str, use: bool = True) -> PostRecord | None:
        """The cached record (`use`: and keep it at the next prune)."""
        if use:
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
        for sub in os.scandir(self.folder):  # scandir, not glob: a big site has many thousands
            if sub.is_dir():
                for entry in os.scandir(sub.path):
                    if entry.name.endswith(".pickle") and entry.name[: -len(".pickle")] not in self.used:
                        Path(entry.path).unlink(missing_ok=True)


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


def analyze_all(posts: list[Post], anchors: str, pool: Any) -> Iterator[PostRecord | Failure]:
    """Records in the order of `posts`, analyzed in the pool (or here without one)."""
    if pool is None:
        if _worker is None or _worker[1] != anchors:
            _init_worker(anchors)
        yield from (_analyze(p) for p in posts)
    else:
        yield from pool.imap(_analyze, posts, chunksize=4)


def batches(items: Iterable[int], size: int) -> Iterator[list[int]]:
    """File numbers a batch at a time, so a build never holds every post's source at once."""
    batch: list[int] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_key(salt: str, options: SiteOptions, anchors: str) -> str:
    """What a saved build depends on besides the post files: all our code (the index format,
    not only the analysis), Sudachi's versions and the options."""
    digest = hashlib.sha256(salt.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    digest.update(
        repr((options.include, options.exclude, options.exclude_dirs, options.url_template, anchors)).encode()
    )
    return digest.hexdigest()


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

    `cache`: True keeps analyzed posts and the last build in `src/.postsearch-cache`
    (skipped when the site is read-only), a path puts them there, False or None turns the
    cache off. With the last build at hand, a rebuild after a few edits patches it."""
    started = time.perf_counter()
    src, out = Path(src), Path(out)
    if not src.is_dir():
        raise FileNotFoundError(f"{src}: not a folder")
    # The index is millions of small objects and makes no reference cycles: the cyclic
    # garbage collector would only walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return build_site(src, out, options, anchors, jobs, cache, progress, started)
    finally:
        if collecting:
            gc.enable()


def build_site(
    src: Path,
    out: Path,
    options: SiteOptions | None,
    anchors: str,
    jobs: int | None,
    cache: str | Path | bool | None,
    progress: ProgressFn | None,
    started: float,
) -> BuildReport:
    """build(), with its arguments checked."""
    options = options or SiteOptions()
    options = SiteOptions(**{**options.__dict__, "skip": (*options.skip, out)})
    folder = default_cache(src) if cache is True else (Path(cache) if cache else None)
    records = RecordCache(folder)
    key = build_key(records.salt, options, anchors)
    saved = load_build(folder, key)
    site = Site(src, options, anchors, records, progress, {f.path: f for f in saved.files} if saved else {})
    changed = changed_files(saved, site.paths, site.digests) if saved else None
    report = None
    if saved is not None and changed is not None and len(changed) <= max(32, len(site.paths) // 20):
        report = update_build(site, saved, changed, out)
    if report is None:
        report = full_build(site, jobs or os.cpu_count() or 1, out, key)
    report.drafts += [Draft(rel, "in _drafts/") for rel in site.draft_paths]
    site.records.prune()
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class Site:
    """The post files of a site, with what a build needs to read and analyze them."""

    src: Path
    options: SiteOptions
    anchors: str
    records: RecordCache
    progress: ProgressFn | None
    known: dict[str, FileOutcome]  # the files of the saved build, by path

    def __post_init__(self) -> None:
        self.files, drafts = walk_site(self.src, self.options)
        self.paths = [p.relative_to(self.src).as_posix() for p in self.files]
        self.draft_paths = [p.relative_to(self.src).as_posix() for p in drafts]
        # Digests only matter to a saved build, which needs a cache folder.
        self.digests: list[tuple[str, tuple[int, int]]] = []
        if self.records.folder:
            self.digests = [file_digest(f, self.known.get(p)) for f, p in zip(self.files, self.paths, strict=True)]

    def read(self, i: int) -> Post | Draft | Failure:
        return read_post(self.files[i], self.paths[i], self.options)


def file_outcome(site: Site, i: int, item: Post | Draft | Failure, key: str | None) -> FileOutcome:
    """What file i gave this build, for the saved build."""
    digest, stat = site.digests[i] if site.digests else ("", (0, 0))
    if isinstance(item, Post):
        assert key is not None
        return FileOutcome(item.path, digest, stat, key, item.warnings)
    return FileOutcome(item.path, digest, stat, item, [])


def full_build(site: Site, jobs: int, out: Path, key: str) -> BuildReport:
    """Read and analyze every post (the cache spares the analysis of unchanged ones) and
    write the whole index."""
    records, anchors = site.records, site.anchors
    report = BuildReport()
    builder = IndexBuilder()
    outcomes: list[FileOutcome] = []
    total = len(site.files)
    pool = None  # started at the first post the cache does not have
    try:
        for batch in batches(range(total), BATCH):
            items = [site.read(i) for i in batch]
            posts = [item for item in items if isinstance(item, Post)]
            keys = [records.key(p, anchors) for p in posts]
            cached = [records.get(k) for k in keys]
            misses = sum(1 for c in cached if c is None)
            if pool is None and misses >= 8 and jobs > 1:  # a few posts: not worth starting workers
                ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
                pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(anchors,))
            fresh = iter(analyze_all([p for p, c in zip(posts, cached, strict=True) if c is None], anchors, pool))
            found = iter(zip(keys, cached, strict=True))
            for i, item in zip(batch, items, strict=True):
                post_key = None
                if isinstance(item, Post):
                    post_key, record = next(found)
                    if record is None:
                        record = next(fresh)
                        if isinstance(record, PostRecord):
                            records.put(post_key, record)
                    if isinstance(record, PostRecord):
                        builder.add(record)
                        report.warnings.extend((item.path, w) for w in item.warnings)
                    else:
                        item = record
                if isinstance(item, Draft):
                    report.drafts.append(item)
                elif isinstance(item, Failure):
                    report.failures.append(item)
                outcomes.append(file_outcome(site, i, item, post_key))
                if site.progress:
                    site.progress(i + 1, total, site.paths[i])
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    report.posts = len(builder.posts)
    report.cached = records.hits
    rows = encode_rows(builder)
    report.written = write_index(rows, out)
    if records.folder is not None:
        save_build(records.folder, SavedBuild(key, outcomes, rows, str(out.resolve()), report.written.stamps))
    return report


def update_build(site: Site, saved: SavedBuild, changed: list[int], out: Path) -> BuildReport | None:
    """Patch the saved build with the changed files and write the index. None when a change
    moves post ids (a post became a draft, a failure or the reverse, or its cached record is
    gone): only a full build gets that right."""
    records, rows, files = site.records, saved.rows, saved.files
    post_ids = list(accumulate(isinstance(f.outcome, str) for f in files))  # id + 1 of file i's post
    for n, i in enumerate(changed):
        item = site.read(i)
        before = files[i] if i < len(files) else None
        old = records.get(before.outcome, use=False) if before and isinstance(before.outcome, str) else None
        if before is not None and isinstance(before.outcome, str) and old is None:
            return None
        record: PostRecord | Failure | None = None
        post_key = None
        if isinstance(item, Post):
            post_key = records.key(item, site.anchors)
            record = records.get(post_key)
            if record is None:
                record = next(analyze_all([item], site.anchors, None))
                if isinstance(record, PostRecord):
                    records.put(post_key, record)
            if isinstance(record, Failure):
                item = record
        if before is not None and (old is not None) != isinstance(record, PostRecord):
            return None  # a post appeared or went away: the ids after it move
        if isinstance(record, PostRecord):
            replace_post(rows, post_ids[i] - 1 if before else len(rows.posts), old, record)
        outcome = file_outcome(site, i, item, post_key)
        if before is not None:
            files[i] = outcome
        else:
            files.append(outcome)
        if site.progress:
            site.progress(n + 1, len(changed), site.paths[i])
    report = BuildReport(posts=len(rows.posts), patched=True)
    for f in files:
        if isinstance(f.outcome, str):
            records.used.add(f.outcome)
            report.warnings.extend((f.path, w) for w in f.warnings)
        elif isinstance(f.outcome, Draft):
            report.drafts.append(f.outcome)
        else:
            report.failures.append(f.outcome)
    report.cached = report.posts - sum(1 for i in changed if isinstance(files[i].outcome, str))
    same_place = saved.out == str(out.resolve())
    report.written = write_index(rows, out, saved.stamps if same_place else None)
    saved.out, saved.stamps = str(out.resolve()), report.written.stamps
    save_build(records.folder, saved)
    return report
