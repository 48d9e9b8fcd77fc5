"""Long queries: a pasted paragraph, timed and weighed on a fresh index, in Python and Chromium.

    python -m benchmarks.long_queries CORPUS [--lengths 100,300,600,1000] [--per-length 8] [--seed 3] [--index DIR]

For each length, `--per-length` stretches of that many characters are cut from the text of
random posts (what a reader pastes into a search box). Each is searched once on a freshly
opened index, through the Python API (`open_index(dir).search(q)`) and through postsearch.js in
headless Chromium (a fresh `openIndex` per query, the index served on 127.0.0.1), and the
script prints per length the median and the worst wall time of that first search (files
fetched, parsed and searched; Chromium fetches them from a Python server in this process), of
the same search again on the same index (its files already read: the search's own work), the
bytes read (raw, as `bytesRead` counts them, and gzip -6 of the same files), whether
Chromium's hits are Python's, and how many stretches find the post they were cut from first,
in the top 10, or get no hit at all. The bound these stay under is in docs/format.md (Query semantics, "Bound").
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import arguments, folder_server, gzip_size, posts_dir, published, run_all, running

PAGE = """<!doctype html><meta charset="utf-8"><script type="module">
import { openIndex } from './postsearch.js';
window.runAll = async (queries, limit) => {
  const out = [];
  for (const q of queries) {
    const index = await openIndex('./');
    const before = index.bytesRead;
    const t = performance.now();
    const r = await index.search(q, limit);
    const ms = performance.now() - t;
    const t2 = performance.now();
    await index.search(q, limit);
    out.push({ ms, warm: performance.now() - t2, bytes: index.bytesRead - before, paths: r.hits.map((h) => h.path) });
  }
  return out;
};
window.ready = true;
</script>"""


def pasted(corpus: Path, lengths: list[int], per_length: int, seed: int) -> list[tuple[str, str]]:
    """`per_length` stretches of each length, cut at random places of random posts' text,
    with the path of the post each came from."""
    from postsearch.text import post_text

    texts = [(p.path, post_text(p).text.replace("\n", " ")) for p in published(corpus)]
    texts = [(path, t) for path, t in texts if t.strip()]
    rng = random.Random(seed)
    queries = []
    for n in lengths:
        long_enough = [(path, t) for path, t in texts if len(t) >= n]
        for _ in range(per_length):
            path, text = rng.choice(long_enough)
            start = rng.randrange(0, len(text) - n + 1)
            queries.append((text[start : start + n], path))
    return queries


def python_runs(index_dir: Path, queries: list[str]) -> list[dict]:
    """Each query on a freshly opened index: wall ms, bytes read (raw and gzip), hit paths."""
    from postsearch import open_index

    runs = []
    for q in queries:
        files: list[str] = []
        index = open_index(index_dir)

        def load(name: str, base=index.load_bytes, files=files) -> bytes:  # type: ignore[no-untyped-def]
            files.append(name)
            return base(name)

        index.load_bytes = load
        before = index.bytes_read
        started = time.perf_counter()
        result = index.search(q)
        ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        index.search(q)
        warm = (time.perf_counter() - started) * 1000
        packed = sum(gzip_size((index_dir / name).read_bytes()) for name in files)
        runs.append(
            {
                "ms": ms,
                "warm": warm,
                "bytes": index.bytes_read - before,
                "gzip": packed,
                "paths": [h.path for h in result.hits],
            }
        )
    return runs


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--lengths", default="100,300,600,1000")
    ap.add_argument("--per-length", type=int, default=8)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--index", type=Path, help="an index already built from CORPUS")
    ap.add_argument(
        "--no-browser", dest="browser", action="store_false", help="Python only (Chromium columns repeat it)"
    )
    args = ap.parse_args()
    import postsearch

    corpus = posts_dir(args.corpus)
    lengths = [int(n) for n in args.lengths.split(",")]
    stretches = pasted(corpus, lengths, args.per_length, args.seed)
    queries = [q for q, _ in stretches]
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index or Path(tmp) / "index"
        if args.index is None:
            postsearch.build(corpus, index_dir, cache=False)
        py = python_runs(index_dir, queries)
        (index_dir / "bench-long.html").write_text(PAGE, encoding="utf-8")
        with running(folder_server(index_dir)) as base:
            js = run_all(f"{base}/bench-long.html", queries, 10) if args.browser else py
        (index_dir / "bench-long.html").unlink()
    print(f"corpus {corpus}: {len(queries)} pasted stretches, a fresh index each (median / worst)")
    print("per length (median / worst): the first search's ms in Python and Chromium, the same search again,")
    print("bytes read raw and gzip; stretches whose Chromium hits are Python's; own post first / in 10 / no hit")
    print("chars        py first     chromium first         py again  chromium again  raw read  gzip  same  own")
    for k, n in enumerate(lengths):
        part = slice(k * args.per_length, (k + 1) * args.per_length)
        p, j = py[part], js[part]
        same = sum(a["paths"] == b["paths"] for a, b in zip(p, j, strict=True))
        sources = [source for _, source in stretches[part]]
        first = sum(r["paths"][:1] == [source] for r, source in zip(p, sources, strict=True))
        top = sum(source in r["paths"] for r, source in zip(p, sources, strict=True))
        zero = sum(not r["paths"] for r in p)

        def two(values: list[float], unit: str = "") -> str:
            return f"{statistics.median(values):7.0f}{unit} / {max(values):6.0f}{unit}"

        print(
            f"{n:5d}  {two([r['ms'] for r in p])}  {two([r['ms'] for r in j])}  "
            f"{two([r['warm'] for r in p])}  {two([r['warm'] for r in j])}  "
            f"{two([r['bytes'] / 1024 for r in p], ' KiB')}  {two([r['gzip'] / 1024 for r in p], ' KiB')}  "
            f"{same}/{len(p)}  {first}/{top}/{zero}"
        )


if __name__ == "__main__":
    main()
