"""postsearch on a corpus: bytes a first query fetches, warm query latency, known-item quality.

    python -m benchmarks.postsearch_bench CORPUS [--index DIR] [--targets 300] [--seed 1]
                                             [--types all|T,T...] [--questions [--questions-limit N]]
                                             [--browser] [--json out.json]

Builds the index (unless --index names one already built from CORPUS), generates the
tokenizer-neutral known-item queries of benchmarks/queries.py (`--types`: all by default,
`words` included, which needs `pip install -e '.[bench]'`; figures measured before the word
queries existed used `--types title-word,body-rare,body-phrase`), adds with `--questions` the
corpus's questions.jsonl (type `question`, all or `--questions-limit N` of them, scored apart
from the known-item types' overall; the byte and latency figures are over every query asked),
then for every query:
- opens the index afresh (an empty cache, like a first visit), asks for the first page the
  search box shows (5 hits, with their texts) and counts the files that reads, raw and
  gzip -6 (what a static host sends), with and without the browser runtime (postsearch.js +
  ui.js + highlight.js + ui.css, gzip);
- runs it again on a warm index for latency (Python, time.perf_counter);
- scores the rank of the target post: MRR@10, success@1, success@10, zero-result rate.
With --browser the warm latency is also measured in headless Chromium (Debian's chromium
through Playwright), with the same queries through postsearch.js, and the answers are
checked to be the Python ones.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import queries as known_items
from benchmarks.common import (
    QuietHandler,
    arguments,
    folder_server,
    gzip_size,
    percentile_rounded,
    posts_dir,
    rank_of,
    run_all,
    running,
    scores,
    scores_by_type,
)
from postsearch.search import Index

RUNTIME = ("postsearch.js", "ui.js", "highlight.js", "ui.css")
PAGE = 5  # hits the search box shows first (ui.js), like Pagefind's default UI
LIMIT = 10


class CountingLoader:
    """Reads index files and remembers which ones, so a query's cost can be summed."""

    def __init__(self, root: Path, sizes: dict[str, tuple[int, int]]) -> None:
        self.root = root
        self.sizes = sizes  # name -> (raw, gzip), shared across loaders
        self.read: list[str] = []

    def __call__(self, name: str) -> bytes:
        data = (self.root / name).read_bytes()
        if name not in self.sizes:
            self.sizes[name] = (len(data), gzip_size(data))
        self.read.append(name)
        return data


def run_python(index_dir: Path, items: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Each query on a fresh index (bytes), then all of them again on a warm one (latency):
    two passes, so no timed query runs just after a fresh index was built and dropped."""
    sizes: dict[str, tuple[int, int]] = {}
    warm = Index(CountingLoader(index_dir, sizes))
    for item in items:  # warm every shard once, so the timed pass reads nothing
        warm.search(item["query"], limit=LIMIT)
    rows = []
    for item in items:
        loader = CountingLoader(index_dir, sizes)
        Index(loader).search(item["query"], limit=PAGE)
        rows.append(
            {
                **item,
                "files": loader.read,
                "raw": sum(sizes[n][0] for n in loader.read),
                "gzip": sum(sizes[n][1] for n in loader.read),
            }
        )
    for row in rows:
        started = time.perf_counter()
        result = warm.search(row["query"], limit=LIMIT)
        row["warm_ms"] = (time.perf_counter() - started) * 1000
        row["total"] = result.total
        row["rank"] = rank_of([h.path for h in result.hits], row["target_path"])
        row["paths"] = [h.path for h in result.hits]
    return rows


BROWSER_PAGE = """<!doctype html><meta charset="utf-8"><script type="module">
import { openIndex } from './postsearch.js';
window.runAll = async (queries, limit) => {
  const index = await openIndex('.');
  for (const q of queries) await index.search(q, limit);  // warm every shard
  const out = [];
  for (const q of queries) {
    const t0 = performance.now();
    const r = await index.search(q, limit);
    out.push({ ms: performance.now() - t0, paths: r.hits.map((h) => h.path) });
  }
  return out;
};
window.ready = true;
</script>"""


def run_browser(index_dir: Path, items: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Warm latency of every query in headless Chromium, and its answers."""
    with tempfile.TemporaryDirectory() as tmp:
        page_dir = Path(tmp)
        (page_dir / "bench.html").write_text(BROWSER_PAGE, encoding="utf-8")

        class Handler(QuietHandler):  # the bench page from page_dir, the rest from the index (left unwritten)
            def translate_path(self, path: str) -> str:
                name = path.split("?")[0].lstrip("/")
                return str(page_dir / name) if name == "bench.html" else str(index_dir / name)

        with running(folder_server(index_dir, Handler)) as base:
            return run_all(f"{base}/bench.html", [i["query"] for i in items], LIMIT)


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--index", type=Path, help="an index already built from CORPUS")
    ap.add_argument("--targets", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--types",
        type=known_items.parse_types,
        default=list(known_items.TYPES),
        help=f"all (default) or some of {','.join(known_items.TYPES)}",
    )
    ap.add_argument("--questions", action="store_true", help="also the corpus's questions.jsonl (type question)")
    ap.add_argument("--questions-limit", type=int, default=None, metavar="N", help="N questions, evenly spread")
    ap.add_argument("--browser", action="store_true", help="also measure warm latency in Chromium")
    ap.add_argument("--json", type=Path, help="write per-query rows here")
    args = ap.parse_args()
    corpus = posts_dir(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index
        if index_dir is None:
            import postsearch

            index_dir = Path(tmp) / "index"
            postsearch.build(corpus, index_dir, cache=False)
        items = known_items.generate(corpus, args.targets, args.seed, args.types)
        if args.questions:
            items += known_items.read_questions(corpus, args.questions_limit)
        rows = run_python(index_dir, items)
        runtime = sum(gzip_size((index_dir / n).read_bytes()) for n in RUNTIME if (index_dir / n).exists())
        gz = [r["gzip"] for r in rows]
        warm = [r["warm_ms"] for r in rows]
        print(f"corpus {corpus}: {len(rows)} queries")
        print(
            f"first query, index files gzip: median {statistics.median(gz) / 1024:.1f} KiB, p95 {percentile_rounded(gz, 95) / 1024:.1f} KiB"
        )
        print(
            f"  with the runtime ({runtime / 1024:.1f} KiB gzip): median {(statistics.median(gz) + runtime) / 1024:.1f} KiB, p95 {(percentile_rounded(gz, 95) + runtime) / 1024:.1f} KiB"
        )
        print(f"warm latency, Python: p50 {statistics.median(warm):.2f} ms, p95 {percentile_rounded(warm, 95):.2f} ms")
        if args.browser:
            browser = run_browser(index_dir, items)
            ms = [b["ms"] for b in browser]
            same = sum(1 for b, r in zip(browser, rows, strict=True) if b["paths"] == r["paths"])
            print(
                f"warm latency, Chromium: p50 {statistics.median(ms):.2f} ms, p95 {percentile_rounded(ms, 95):.2f} ms"
            )
            print(f"  answers identical to Python: {same}/{len(rows)}")
            for b, r in zip(browser, rows, strict=True):
                if b["paths"] != r["paths"]:
                    print(f"    differs: {r['query']!r}: Python {r['paths']}, Chromium {b['paths']}")
        print(f"{'type':<12} {'queries':>7} {'MRR@10':>7} {'s@1':>6} {'s@10':>6} {'zero':>6}")
        known = [r for r in rows if r["type"] != known_items.QUESTION]
        asked = [r for r in rows if r["type"] == known_items.QUESTION]
        quality = scores_by_type(known, args.types) if known else {}
        if asked:  # apart, as in quality.py: overall stays the known-item types'
            quality[known_items.QUESTION] = scores(asked)
        for kind, q in quality.items():
            print(f"{kind:<12} {q['queries']:>7} {q['mrr10']:>7.3f} {q['s1']:>6.3f} {q['s10']:>6.3f} {q['zero']:>6.1%}")
        if args.json:
            args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
