"""Pagefind on a corpus: build time and memory, index size, first-query bytes and known-item quality.

    python -m benchmarks.pagefind_bench CORPUS [--queries 300] [--seed 1] [--types all|T,T...] [--json results.json]

Needs the pinned peers: `npm ci --prefix benchmarks/peers` (Pagefind's extended binary, which
segments Japanese). Steps:

1. Render the corpus as HTML pages (benchmarks/pagefind_site.py), the text postsearch indexes.
2. Build: `npx pagefind --site SITE --output-subdir pagefind` run from benchmarks/peers; wall
   clock and the peak resident memory of the largest process (npx's node or pagefind).
3. Index size: raw and gzip -6 of every file under pagefind/, without the JS/wasm/CSS runtime
   and UI files (the index proper), and with them.
4. First query: the site is served on 127.0.0.1 by a small server that gzips bodies (level 6)
   when the browser accepts gzip and gzip makes them smaller, as a static host would. For each
   query a fresh headless Chromium context (empty cache) opens a tiny page that imports
   /pagefind/pagefind.js and runs init, search, and `data()` of the first 5 results (the
   fragments Pagefind's default UI loads first). Bytes are counted by the server as sent, split
   into runtime (JS and wasm) and index data.
5. Quality: the queries come from benchmarks/queries.py (known items: the post a query came
   from is the answer; `--types` picks the types, all by default). The rank of that post among
   all results gives MRR@10, success@1 and @10 and the zero-result rate, per query type.

`search_all` is the quick way to the same answers, for benchmarks/quality.py: one page, and for
each query a new Pagefind instance (`destroy()` then `init()`), so it answers as on a first
visit while the files come from the browser's cache (no bytes counted). A new instance matters:
Pagefind's answers depend on what the instance already loaded (asking the same queries in
another order in one instance changes a few rankings).
"""

from __future__ import annotations

import gzip
import http.server
import json
import mimetypes
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from benchmarks.chromium import launch
from benchmarks.common import arguments, gzip_size, percentile, rank_of, run_child, running, scores
from benchmarks.pagefind_site import render
from benchmarks.queries import TYPES, generate, parse_types

PEERS = Path(__file__).resolve().parent / "peers"
TOP_FRAGMENTS = 5  # results whose fragment Pagefind's default UI loads first

BENCH_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>pagefind bench</title></head><body>
<script type="module">
import * as pagefind from "/pagefind/pagefind.js";
window.runQuery = async (q) => {
  await pagefind.init();
  const r = await pagefind.search(q);
  const data = await Promise.all(r.results.slice(0, TOP_FRAGMENTS).map((x) => x.data()));
  return { ids: r.results.map((x) => x.id), urls: data.map((d) => d.url) };
};
</script></body></html>
""".replace("TOP_FRAGMENTS", str(TOP_FRAGMENTS))

SEARCH_ALL_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>pagefind search</title></head><body>
<script type="module">
import * as pagefind from "/pagefind/pagefind.js";
window.searchAll = async (queries) => {
  const out = [];
  for (const q of queries) {
    // a new instance per query: what earlier queries loaded changes Pagefind's answers
    await pagefind.destroy();
    await pagefind.init();
    out.push((await pagefind.search(q)).results.map((x) => x.id));
  }
  return out;
};
</script></body></html>
"""
PAGES = {"/bench.html": BENCH_PAGE, "/search-all.html": SEARCH_ALL_PAGE}


# --- build and size --------------------------------------------------------------------------


def run_pagefind(site: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (KiB, largest process) of
    `npx pagefind` on site. CPU time barely moves when other work shares the machine; wall
    time does.

    The previous bundle is removed first, so a rebuild leaves no stale files to be measured.
    """
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    child = run_child(["npx", "pagefind", "--site", str(site), "--output-subdir", "pagefind"], cwd=PEERS)
    if child.code != 0:
        raise SystemExit(f"pagefind failed (exit {child.code}): {child.stderr}")
    return child.seconds, child.usage.ru_utime + child.usage.ru_stime, child.usage.ru_maxrss


def npx_overhead() -> float:
    """Seconds `npx pagefind --version` takes: the npx and node start-up inside the build time."""
    started = time.perf_counter()
    subprocess.run(["npx", "pagefind", "--version"], cwd=PEERS, check=True, capture_output=True)
    return time.perf_counter() - started


def is_runtime(name: str) -> bool:
    """Pagefind's JS, wasm and CSS files (search runtime and UIs), as opposed to index data."""
    return name.endswith((".js", ".css")) or (name.startswith("wasm.") and name.endswith(".pagefind"))


@dataclass
class Size:
    """A set of files: how many, and their bytes raw and gzip -6."""

    files: int = 0
    raw: int = 0
    gzip: int = 0


def index_size(bundle: Path) -> tuple[Size, Size]:
    """(index data only, everything) under the pagefind/ folder; gzip -6 per file, as a server would."""
    data, everything = Size(), Size()
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        body = path.read_bytes()
        packed = gzip_size(body)
        for size in (everything,) if is_runtime(path.name) else (data, everything):
            size.files += 1
            size.raw += len(body)
            size.gzip += packed
    return data, everything


def fragment_urls(bundle: Path) -> dict[str, str]:
    """Result id → page URL, read from the fragment files, to rank results without fetching them.

    A fragment file is gzip of b"pagefind_dcd" + JSON: one page ({"url": ...}) or, when pages
    are bundled (`--max-fragments`), an object of page id → page.
    """
    urls: dict[str, str] = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        body = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        fragment = json.loads(body)
        if "url" in fragment:
            urls[path.stem] = fragment["url"]
        else:
            urls.update({page_id: page["url"] for page_id, page in fragment.items()})
    return urls


# --- serving ---------------------------------------------------------------------------------


class Server(http.server.ThreadingHTTPServer):
    """Serves the site (gzip when accepted and smaller) and logs (path, raw, sent bytes) per request."""

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.root = root.resolve()
        self.log: list[tuple[str, int, int]] = []
        self.lock = threading.Lock()
        self.packed: dict[Path, bytes] = {}

    def take(self) -> list[tuple[str, int, int]]:
        with self.lock:
            taken, self.log = self.log, []
        return taken


class Handler(http.server.BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path in PAGES:
            body, kind = PAGES[path].encode(), "text/html; charset=utf-8"
            file = None
        else:
            file = (self.server.root / path.lstrip("/")).resolve()
            if not file.is_file() or self.server.root not in file.parents:
                self.send_error(404)
                return
            body = file.read_bytes()
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        raw = len(body)
        encoding = None
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            packed = self.server.packed.get(file) if file else None
            if packed is None:
                packed = gzip.compress(body, 6, mtime=0)
                if file:
                    self.server.packed[file] = packed
            if len(packed) < raw:
                body, encoding = packed, "gzip"
        with self.server.lock:  # logged before sending, so the count is complete when the page has the body
            self.server.log.append((path, raw, len(body)))
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        self.wfile.write(body)


# --- queries ---------------------------------------------------------------------------------


def run_queries(site: Path, queries: list[dict[str, str]], url_of_id: dict[str, str]) -> list[dict[str, Any]]:
    """Each query in a fresh browser context: results (page URLs in rank order) and bytes sent."""
    from playwright.sync_api import sync_playwright

    server = Server(site)
    rows: list[dict[str, Any]] = []
    with running(server) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        for n, q in enumerate(queries, 1):
            context = browser.new_context()
            page = context.new_page()
            server.take()
            started = time.perf_counter()
            page.goto(f"{base}/bench.html")
            page.wait_for_function("() => window.runQuery")
            answer = page.evaluate("(q) => window.runQuery(q)", q["query"])
            ms = (time.perf_counter() - started) * 1000
            fetched = [entry for entry in server.take() if entry[0].startswith("/pagefind/")]
            context.close()
            urls = [url_of_id.get(page_id, "?" + page_id) for page_id in answer["ids"]]
            if answer["urls"] != urls[: len(answer["urls"])]:
                print(f"warning: fragment URLs differ from the offline map for {q['query']!r}", file=sys.stderr)
            runtime = sum(sent for path, _, sent in fetched if is_runtime(path.rsplit("/", 1)[-1]))
            rows.append(
                {
                    **q,
                    "total": len(urls),
                    "urls": urls[:20],
                    "ms": round(ms, 1),
                    "bytes": sum(sent for _, _, sent in fetched),
                    "runtime_bytes": runtime,
                    "data_bytes": sum(sent for _, _, sent in fetched) - runtime,
                    "files": [[path, raw, sent] for path, raw, sent in fetched],
                    "_all_urls": urls,
                }
            )
            if n % 50 == 0:
                print(f"  {n}/{len(queries)} queries", file=sys.stderr)
        browser.close()
    return rows


def search_all(
    site: Path, queries: list[dict[str, str]], url_of_id: dict[str, str], chunk: int = 200
) -> list[dict[str, Any]]:
    """Every query in one page, a new Pagefind instance each: {**query, total, urls (the first 20)}.

    The answers `run_queries` gives (checked: the same URLs and totals for every known-item query
    of zenn-kaityo256 and react-ja and 300 questions of jsquad-valid), without its fresh browser
    context per query (about a second each; here a few tenths) and without byte counts. The
    queries go to the page `chunk` at a time, with a progress line after each.
    """
    from playwright.sync_api import sync_playwright

    rows: list[dict[str, Any]] = []
    with running(Server(site)) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(f"{base}/search-all.html")
        page.wait_for_function("() => window.searchAll")
        for start in range(0, len(queries), chunk):
            part = queries[start : start + chunk]
            answers = page.evaluate("(q) => window.searchAll(q)", [q["query"] for q in part])
            for q, ids in zip(part, answers, strict=True):
                urls = [url_of_id.get(page_id, "?" + page_id) for page_id in ids]
                rows.append({**q, "total": len(urls), "urls": urls[:20]})
            print(f"  {len(rows)}/{len(queries)} queries", file=sys.stderr)
        browser.close()
    return rows


def add_ranks(rows: list[dict[str, Any]], url_of_path: dict[str, str]) -> None:
    """Rank (1-based) of each query's target among all its results, or None if not found."""
    for row in rows:
        row["rank"] = rank_of(row.pop("_all_urls"), url_of_path[row["target_path"]])


# --- report ----------------------------------------------------------------------------------


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument(
        "--queries", "--targets", dest="targets", type=int, default=300, help="target posts, up to 3 queries each"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--types", type=parse_types, default=list(TYPES), help=f"all (default) or some of {','.join(TYPES)}"
    )
    parser.add_argument("--json", type=Path, default=None, help="write per-query results here")
    parser.add_argument("--site", type=Path, default=None, help="render the site here and keep it (default: temp)")
    parser.add_argument("--builds", type=int, default=1, help="build N times, report the median time (noisy machines)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or Path(tmp) / "site"
        mapping = render(args.corpus, site)
        builds = [run_pagefind(site) for _ in range(max(1, args.builds))]
        seconds = statistics.median(b[0] for b in builds)
        cpu = statistics.median(b[1] for b in builds)
        rss = max(b[2] for b in builds)
        startup = npx_overhead()
        bundle = site / "pagefind"
        data, everything = index_size(bundle)
        url_of_id = fragment_urls(bundle)

        queries = generate(args.corpus, args.targets, args.seed, args.types)
        print(f"{len(queries)} queries, {len(mapping)} pages; running them in Chromium…", file=sys.stderr)
        rows = run_queries(site, queries, url_of_id)
        add_ranks(rows, {path: url for url, path in mapping.items()})

    version = (PEERS / "node_modules" / "pagefind" / "package.json").read_text()
    total = [row["bytes"] / 1024 for row in rows]
    bare = [row["data_bytes"] / 1024 for row in rows]
    print(f"corpus              {args.corpus}   (pagefind {json.loads(version)['version']}, {len(mapping)} pages)")
    runs = f"median of {len(builds)}, best {min(b[0] for b in builds):.2f} s, " if len(builds) > 1 else ""
    print(f"build               {seconds:.2f} s  ({runs}of which npx start-up ≈ {startup:.2f} s), CPU {cpu:.2f} s")
    print(f"peak RSS            {rss / 1024:.0f} MiB")
    print(
        f"index               {data.files} files, {data.raw / 1e6:.2f} MB raw, {data.gzip / 1e6:.2f} MB gzip"
        f"  (with JS/wasm/CSS: {everything.files} files, {everything.raw / 1e6:.2f} MB raw, {everything.gzip / 1e6:.2f} MB gzip)"
    )
    if rows:
        print(
            f"first query         median {statistics.median(total):.0f} KiB, p95 {percentile(total, 95):.0f} KiB"
            f"   without JS/wasm: median {statistics.median(bare):.0f} KiB, p95 {percentile(bare, 95):.0f} KiB"
        )
        print(f"browser time        median {statistics.median(row['ms'] for row in rows):.0f} ms (page load + search)")
    if rows:
        print(f"\n{'type':<12} {'queries':>7} {'MRR@10':>7} {'S@1':>6} {'S@10':>6} {'zero':>6}")
    for kind in (*args.types, "all"):
        subset = [row for row in rows if kind in ("all", row["type"])]
        if subset:
            m = scores(subset)
            print(f"{kind:<12} {m['queries']:>7} {m['mrr10']:>7.3f} {m['s1']:>6.3f} {m['s10']:>6.3f} {m['zero']:>6.3f}")
    if args.json:
        summary = {
            "corpus": str(args.corpus),
            "pages": len(mapping),
            "build_seconds": seconds,
            "build_runs_seconds": [b[0] for b in builds],
            "build_cpu_seconds": cpu,
            "npx_startup_seconds": startup,
            "peak_rss_kib": rss,
            "index": vars(data),
            "index_with_runtime": vars(everything),
            "quality": {kind: scores([r for r in rows if kind in ("all", r["type"])]) for kind in (*args.types, "all")},
            "queries": rows,
        }
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"\nper-query results: {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
