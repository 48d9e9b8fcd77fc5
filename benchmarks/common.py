"""What several benchmark scripts do the same way: reading a corpus, sizes, percentiles,
known-item scores, timing a child process, serving a folder and asking Chromium.

Kept to helpers whose results the scripts already printed identically before they shared
them, so moving a script onto them changes none of its figures.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import functools
import gzip
import http.server
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import postsearch
from benchmarks.chromium import launch

if TYPE_CHECKING:
    from postsearch.posts import Post

# --- command line and corpora ----------------------------------------------------------------


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """A script's argument parser, its module docstring (the usage lines) as the help text."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


def posts_dir(corpus: Path) -> Path:
    """The shared corpora keep their posts in CORPUS/posts beside SOURCE.md; accept either."""
    return corpus / "posts" if (corpus / "posts").is_dir() else corpus


def published(folder: Path) -> list[Post]:
    """The posts postsearch indexes (drafts and unreadable files left out), in reading order."""
    from postsearch.posts import Post, read_posts

    return [p for p in read_posts(folder) if isinstance(p, Post)]


def writable_copy(source: Path, target: Path) -> None:
    """Copy a site to edit it: the shared corpora are read-only, and the copy keeps their mode bits."""
    shutil.copytree(source, target)
    for path in target.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)


# --- sizes and statistics --------------------------------------------------------------------


def gzip_size(data: bytes, level: int = 6) -> int:
    """Bytes of `data` gzipped as a web server would send it (level 6 unless given)."""
    return len(gzip.compress(data, level, mtime=0))


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list: the value at rank ⌈p/100 · n⌉."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def percentile_rounded(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile as postsearch_bench.py and scale.py compute it, the rank being
    p/100 · n + 1/2 rounded half to even. That is `percentile`'s rank, except one more when
    p/100 · n is an odd whole number; kept so their figures stay comparable with RESULTS.md."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def rank_of(paths: list[str], target: str) -> int | None:
    """Rank (1-based) of the target among a tool's results, or None if it is not there."""
    return paths.index(target) + 1 if target in paths else None


def scores(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Known-item quality of rows that have a `rank` and a `total`: MRR@10 (0 beyond 10 or
    missing), success@1, success@10 and the share of queries with no result at all."""
    n = len(rows) or 1
    ranks = [row["rank"] for row in rows]
    return {
        "queries": len(rows),
        "mrr10": sum(1 / r for r in ranks if r and r <= 10) / n,
        "s1": sum(1 for r in ranks if r == 1) / n,
        "s10": sum(1 for r in ranks if r and r <= 10) / n,
        "zero": sum(1 for row in rows if row["total"] == 0) / n,
    }


def scores_by_type(rows: list[dict[str, Any]], types: Sequence[str]) -> dict[str, dict[str, float]]:
    """`scores` per query type, then `overall`; types without a query are left out."""
    out: dict[str, dict[str, float]] = {}
    for kind in [*types, "overall"]:
        chosen = [r for r in rows if kind in ("overall", r["type"])]
        if chosen:
            out[kind] = scores(chosen)
    return out


# --- child processes -------------------------------------------------------------------------


@dataclass
class Child:
    """A finished child process: wall seconds, exit code, resource usage, what it wrote to stderr."""

    seconds: float
    code: int
    usage: Any  # resource.struct_rusage from os.wait4: ru_maxrss (KiB), ru_utime, ru_stime
    stderr: str


def run_child(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Child:
    """Run a command to its end and time it (wall clock), stdout discarded.

    stderr goes to a file, not a pipe: a big site's warnings would fill a pipe and stall the
    child. `os.wait4` gives the child's own resource usage (peak RSS, CPU seconds)."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        log.seek(0)
        return Child(seconds, proc.returncode, usage, log.read().decode(errors="replace"))


# --- serving and Chromium --------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging every request."""

    def log_message(self, *args: Any) -> None:
        pass


def folder_server(directory: Path, handler: type[QuietHandler] = QuietHandler) -> http.server.ThreadingHTTPServer:
    """A server for `directory` on 127.0.0.1 (a free port), not yet running: see `running`."""
    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))


@contextlib.contextmanager
def running(server: http.server.HTTPServer) -> Iterator[str]:
    """Run the server in a thread; yields its base URL, then stops and closes it."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_all(url: str, queries: list[str], limit: int) -> list[dict[str, Any]]:
    """Open `url` in headless Chromium, wait for `window.ready`, and return what the page's
    `window.runAll(queries, limit)` answers (a bench page written by the calling script)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_function("window.ready === true")
        answers = page.evaluate("([q, n]) => window.runAll(q, n)", [queries, limit])
        browser.close()
    return answers


def byte_compiled(tree: Path) -> None:
    """The package's modules in `tree` compiled to bytecode beforehand, as `pip install`
    leaves an installed package: where PYTHONDONTWRITEBYTECODE is set (as on this machine), a
    tree run from source would otherwise compile every module again in every build."""
    compileall.compile_dir(tree / "postsearch", quiet=1)


def index_command(
    corpus: Path, out: Path, extra: list[str], src: Path | None = None
) -> tuple[list[str], dict[str, str] | None]:
    """The command line and environment of a quiet `postsearch index --no-cache` (`extra`:
    more flags; `src`: the package's source tree to run, else the installed one), its
    modules byte-compiled first (byte_compiled)."""
    env = {**os.environ, "PYTHONPATH": str(src)} if src else None
    byte_compiled(src or Path(postsearch.__file__).parent.parent)
    return [sys.executable, "-m", "postsearch", "index", str(corpus), "-o", str(out), "-q", "--no-cache", *extra], env


def cold_build(corpus: Path, out: Path, extra: list[str], src: Path | None = None) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds (its own and its workers') of one
    `postsearch index --no-cache` in a child process (`extra`: more flags; `src`: the
    package's source tree to run, else the installed one)."""
    cmd, env = index_command(corpus, out, extra, src)
    child = run_child(cmd, env=env)
    if child.code == 2:
        raise SystemExit(f"{src or corpus}: build failed\n{child.stderr[-2000:]}")
    return child.seconds, child.usage.ru_maxrss, child.usage.ru_utime + child.usage.ru_stime


def data_files(out: Path) -> dict[str, bytes]:
    """An index's data files by name (those of its build folder; the manifest left out)."""
    return {p.name: p.read_bytes() for p in sorted(out.glob("*/*.json"))}
