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

import contextlib
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Literal

from .ahead import FilesAhead
from .builtpages import any_marks_body
from .cache import RecordCache, UnsafeCache, open_cache
from .format import WriteSummary, encode_rows, write_index
from .index import IndexBuilder, PostRecord, shared_urls
from .posts import Draft, Failure, Post, SiteOptions, check_url_template, read_post, ruled
from .saved import FileOutcome, SavedBuild, load_build, save_build
from .sitefiles import show_path, walk_site
from .update import changed_files, file_digest, replace_post
from .workers import LazyPool, analyze_all, collector_paused
from .writer import check_output

ProgressFn = Callable[[int, int, str], None]
log = logging.getLogger("postsearch.build")
CACHE_DIR = ".postsearch-cache"
BATCH = 256  # posts read ahead of analysis
FIRST_BATCH = 32  # fewer, so the workers start sooner
AHEAD_POSTS = 64  # a site of fewer files is written sooner than files are made ahead (FilesAhead)
AHEAD_FILES = 12_000  # at most: an index keeps to about MAX_FILES files (format.budget_scale)
AHEAD_PER_FILE = 3  # files made ahead per file of the site, at most (efcl-blog's index: 2.5)


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


def cache_folder(src: Path, cache: str | Path | bool | None, warnings: list[tuple[str, str]]) -> Path | None:
    """The cache folder to use, made ready (cache.open_cache), or None for no cache. The
    default, `src/.postsearch-cache`, is skipped when the site folder has no write bits (a
    read-only checkout or corpus: root could still write there, and should not), and, with a
    warning, when it is not a postsearch cache (the site's repository is untrusted). A folder
    given explicitly that is not one is refused (UnsafeCache)."""
    if not cache:
        return None
    if cache is not True:
        return open_cache(Path(cache))
    if not src.stat().st_mode & 0o222:
        return None
    try:
        if os.path.islink(src / CACHE_DIR):  # it would lead the cache out of the site
            raise UnsafeCache(f"{src / CACHE_DIR}: a link")
        return open_cache(src / CACHE_DIR)
    except UnsafeCache as e:
        warnings.append((CACHE_DIR, f"not used: {e}"))
        return None


def analysis_salt() -> str:
    """What makes a cached record stale: the code that makes a record from a post (text,
    anchors, analysis, index and the shared core) and Sudachi's versions."""
    from importlib import metadata

    from . import analysis, anchors, blocks, core, index, markdown, ngrams, postings, postterms, text

    digest = hashlib.sha256()
    for module in (analysis, anchors, blocks, core, index, markdown, ngrams, postings, postterms, text):
        digest.update(Path(module.__file__ or "").read_bytes())
    for package in ("sudachipy", "sudachidict-core", "pyromark"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()[:16]


def batches(items: Iterable[int], size: int, first: int | None = None) -> Iterator[list[int]]:
    """File numbers a batch at a time, so a build never holds every post's source at once;
    the first batch holds `first` if that is fewer (the workers start on it while the next
    is read)."""
    batch: list[int] = []
    for item in items:
        batch.append(item)
        if len(batch) == min(first or size, size):
            yield batch
            batch, first = [], None
    if batch:
        yield batch


def build_key(salt: str, options: SiteOptions, anchors: str) -> str:
    """What a saved build depends on besides the post files: all our code (the index format,
    not only the analysis), Sudachi's versions and the options."""
    digest = hashlib.sha256(salt.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    digest.update(repr({**{k: v for k, v in options.__dict__.items() if k != "skip"}, "anchors": anchors}).encode())
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
    scheduler: str | None = None,
) -> BuildReport:
    """Index the site at `src` into the folder `out`. Bad files are reported, never fatal.

    `cache`: True keeps analyzed posts and the last build in `src/.postsearch-cache`
    (skipped when the site is read-only), a path puts them there, False or None turns the
    cache off. With the last build at hand, a rebuild after a few edits patches it.
    `scheduler`: a Dask scheduler's address (`tcp://host:8786`), whose workers analyze the
    posts instead of `jobs` local processes (workers.py); the output is the same."""
    started = time.perf_counter()
    src, out = Path(src), Path(out)
    if not src.is_dir():
        raise FileNotFoundError(f"{src}: not a folder")
    with collector_paused():
        return build_site(src, out, options, anchors, (jobs, scheduler), cache, progress, started)


def build_site(
    src: Path,
    out: Path,
    options: SiteOptions | None,
    anchors: str,
    workers: tuple[int | None, str | None],
    cache: str | Path | bool | None,
    progress: ProgressFn | None,
    started: float,
) -> BuildReport:
    """build(), with its arguments checked."""
    options = ruled(src, options or SiteOptions())
    options = SiteOptions(**{**options.__dict__, "skip": (*options.skip, out)})
    if options.url_template is not None:
        check_url_template(options.url_template)
    check_output(out, src)  # before anything is touched: OUT must be empty or an index
    if options.built:  # a built site is deployed as it is: no cache inside it unless asked
        options = SiteOptions(
            **{
                **options.__dict__,
                "require_body": any_marks_body(src, walk_site(src, options)[0], options.follow_symlinks),
            }
        )
        cache = None if cache is True else cache
        anchors = "none"  # the pages' own ids are the anchors: a heading without one has none
    warnings: list[tuple[str, str]] = []
    folder = cache_folder(src, cache, warnings)
    log.info("site rules: %s; cache: %s", options.rules.generator or "none (conventions)", folder or "off")
    records = RecordCache(folder, analysis_salt())
    key = build_key(records.salt, options, anchors)
    saved = load_build(folder, key)
    site = Site(src, options, anchors, records, progress, {f.path: f for f in saved.files} if saved else {})
    changed = changed_files(saved, site.paths, site.digests) if saved else None
    report = None
    if saved is not None and changed is not None and len(changed) <= max(32, len(site.paths) // 20):
        log.info("patching the last build: %d changed files", len(changed))
        report = update_build(site, saved, changed, out)
    if report is None:
        log.info("full build of %d files", len(site.files))
        jobs, scheduler = workers
        report = full_build(site, LazyPool(jobs or os.cpu_count() or 1, anchors, scheduler), out, key)
    report.drafts += [Draft(rel, "in _drafts/") for rel in site.draft_paths]
    report.warnings.extend(site.skipped)  # links out of the site, special files
    report.warnings[:0] = warnings
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
        self.files, drafts, self.skipped = walk_site(self.src, self.options)
        # as shown and saved (a name that is not UTF-8 escaped: read_post fails it alone)
        self.paths = [show_path(p.relative_to(self.src).as_posix()) for p in self.files]
        self.draft_paths = [show_path(p.relative_to(self.src).as_posix()) for p in drafts]
        # Digests only matter to a saved build, which needs a cache folder.
        self.digests: list[tuple[str, tuple[int, int]]] = []
        if self.records.folder:
            self.digests = [file_digest(f, self.known.get(p)) for f, p in zip(self.files, self.paths, strict=True)]

    def read(self, i: int) -> Post | Draft | Failure:
        return read_post(self.files[i], self.files[i].relative_to(self.src).as_posix(), self.options)


@dataclass
class Analyzed:
    """The outcome of the per-file step, the same for a full and a patched build: the record
    to index (None for a draft or a file that failed) and what the saved build keeps of it."""

    record: PostRecord | None
    file: FileOutcome


def analyze_files(site: Site, numbers: list[int], pool: LazyPool | None) -> list[Analyzed]:
    """The per-file step for these files: read each, take its analysis from the cache or
    analyze it (in the pool, if any), and settle what it gave."""
    return list(settle_files(site, start_files(site, numbers, pool)))


@dataclass
class Started:
    """Files read, their cached records looked up, and the rest sent to be analyzed: the
    records come from `fresh`, in order, as the pool finishes them."""

    numbers: list[int]
    items: list[Post | Draft | Failure]
    keys: list[str | None]
    cached: list[PostRecord | None]
    fresh: Iterator[PostRecord | Failure]


def start_files(site: Site, numbers: list[int], pool: LazyPool | None) -> Started:
    """The first half of the per-file step: read the files, look up the cache, and send the
    posts it lacks to the pool (which starts on them at once)."""
    items = [site.read(i) for i in numbers]
    keys = [site.records.key(item, site.anchors) if isinstance(item, Post) else None for item in items]
    cached = [site.records.get(key) if key else None for key in keys]
    misses = [item for item, key, record in zip(items, keys, cached, strict=True) if key and record is None]
    fresh = iter(analyze_all(misses, site.anchors, pool.get(len(misses)) if pool else None))
    return Started(numbers, items, keys, cached, fresh)


def settle_files(site: Site, started: Started) -> Iterator[Analyzed]:
    """The second half: each file's outcome, in order, waiting for its record if need be."""
    for i, item, key, record in zip(started.numbers, started.items, started.keys, started.cached, strict=True):
        if key and record is None:
            record = next(started.fresh)
            if isinstance(record, PostRecord):
                site.records.put(key, record)
        yield settle(site, i, item, key, record)


def settle(
    site: Site, i: int, item: Post | Draft | Failure, key: str | None, record: PostRecord | Failure | None
) -> Analyzed:
    """What file i gave: a post with its record, or a draft or failure (an analysis that
    failed makes the post a failure)."""
    digest, stat = site.digests[i] if site.digests else ("", (0, 0))
    if isinstance(item, Post) and isinstance(record, PostRecord) and key:
        return Analyzed(record, FileOutcome(item.path, digest, stat, "post", key, item.warnings))
    bad = record if isinstance(record, Failure) else item
    assert isinstance(bad, Draft | Failure)
    kind: Literal["draft", "failure"] = "draft" if isinstance(bad, Draft) else "failure"
    return Analyzed(None, FileOutcome(bad.path, digest, stat, kind, bad.reason, []))


def report_of(files: list[FileOutcome]) -> BuildReport:
    """The build summary of the files a build settled."""
    report = BuildReport()
    for f in files:
        reported = f.reported()
        if reported is None:
            report.posts += 1
            report.warnings.extend((f.path, w) for w in f.warnings)
        elif isinstance(reported, Draft):
            report.drafts.append(reported)
        else:
            report.failures.append(reported)
    return report


def full_build(site: Site, pool: LazyPool, out: Path, key: str) -> BuildReport:
    """Read and analyze every post (the cache spares the analysis of unchanged ones) and
    write the whole index. With a core to spare, the index's files are made empty
    meanwhile, at the lowest priority (ahead.FilesAhead: making a file is what writing
    one costs most), and only filled at the end."""
    apart = pool.jobs > 1 and not pool.scheduler
    ahead = None
    if apart and len(site.files) >= AHEAD_POSTS:
        ahead = FilesAhead.start(out, min(AHEAD_FILES, AHEAD_PER_FILE * len(site.files) + 16))
    with ahead or contextlib.nullcontext():
        builder = IndexBuilder()
        files = analyze_site(site, pool, builder)
        report = report_of(files)
        report.cached = site.records.hits
        rows = encode_rows(builder, apart=apart)
        report.warnings += shared_urls(rows.posts)
        report.written = write_index(rows, out, src=site.src, ahead=ahead)
    if site.records.folder is not None:
        save_build(site.records.folder, SavedBuild(key, files, rows, str(out.resolve()), report.written.stamps))
    return report


def analyze_site(site: Site, pool: LazyPool, builder: IndexBuilder) -> list[FileOutcome]:
    """Every file read and analyzed, its record added to `builder`; what each file gave."""
    files: list[FileOutcome] = []

    def merge(started: Started) -> None:
        """A started batch's outcomes, in file order: records into the builder."""
        for i, result in zip(started.numbers, settle_files(site, started), strict=True):
            if result.record is not None:
                builder.add(result.record)
            files.append(result.file)
            if site.progress:
                site.progress(i + 1, len(site.files), site.paths[i])

    try:
        # Batches overlap: the next one is read and sent to the pool before this one's
        # records are merged, so the workers never wait for this process to catch up.
        waiting: Started | None = None
        for batch in batches(range(len(site.files)), BATCH, FIRST_BATCH):
            started = start_files(site, batch, pool)
            if waiting is not None:
                merge(waiting)
            waiting = started
        if waiting is not None:
            merge(waiting)
    finally:
        pool.close()
    return files


def update_build(site: Site, saved: SavedBuild, changed: list[int], out: Path) -> BuildReport | None:
    """Patch the saved build with the changed files and write the index. None when a change
    moves post ids (a post became a draft, a failure or the reverse, or its cached record is
    gone), or when the saved rows turn out not to be what a build writes (a damaged or planted
    cache): only a full build gets those right."""
    try:
        if not patch_saved(site, saved, changed):
            return None
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None
    report = report_of(saved.files)
    report.warnings += shared_urls(saved.rows.posts)
    report.patched = True
    site.records.used.update(f.detail for f in saved.files if f.kind == "post")  # kept at the prune
    report.cached = report.posts - sum(1 for i in changed if saved.files[i].kind == "post")
    same_place = saved.out == str(out.resolve())
    report.written = write_index(saved.rows, out, saved.stamps if same_place else None, site.src)
    saved.out, saved.stamps = str(out.resolve()), report.written.stamps
    save_build(site.records.folder, saved)
    return report


def patch_saved(site: Site, saved: SavedBuild, changed: list[int]) -> bool:
    """Put the changed files into the saved build's rows; False when a change moves post ids."""
    files = saved.files
    post_ids = list(accumulate(f.kind == "post" for f in files))  # id + 1 of file i's post
    for n, i in enumerate(changed):
        before = files[i] if i < len(files) else None
        old = site.records.get(before.detail, use=False) if before and before.kind == "post" else None
        if before is not None and before.kind == "post" and old is None:
            return False  # its cached record is gone
        (result,) = analyze_files(site, [i], None)
        if before is not None and (old is not None) != (result.record is not None):
            return False  # a post appeared or went away: the ids after it move
        if result.record is not None:
            replace_post(saved.rows, post_ids[i] - 1 if before else len(saved.rows.posts), old, result.record)
        if before is not None:
            files[i] = result.file
        else:
            files.append(result.file)
        if site.progress:
            site.progress(n + 1, len(changed), site.paths[i])
    return True
