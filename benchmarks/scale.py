"""How build time, memory and bytes per query grow with the number of posts.

    python -m benchmarks.scale CORPUS [--sizes 100,300,1000,3000,6000] [--queries 100]
    python -m benchmarks.scale CORPUS --synthetic 60000 [--jobs 2]
    python -m benchmarks.scale CORPUS --synthetic 1000,10000,60000,120000 --queries 0 [--jobs 2]

First form: for each size, the first N posts of CORPUS (sorted by path) are copied into a
temporary site, built with `postsearch index` (all cores, no cache) and queried with the
known-item queries of benchmarks/queries.py generated from that subset (its script-cut types,
as before the word queries were added, so the figures stay comparable and no dictionary is
needed): build seconds, peak memory, index size (gzip) and the median / p95 gzip bytes of a
first query (5 hits shown).

Second form: a synthetic site of N posts made from CORPUS repeated with perturbed text (each
copy's paragraphs shuffled with its own seed and a copy-specific sentence and title suffix
added), built once: seconds, peak memory, files and index size, then the bytes of a first
query for known-item queries generated from it (--queries 0 skips them). Each copy takes the
corpus's posts in an order of its own (seeded), so the first N posts of any size are a
sample of the whole corpus and sites of different sizes hold the same mix of posts. Several
sizes (comma-separated) give a growth table: time and peak memory per post, one build each.
"""

from __future__ import annotations

import random
import re
import shutil
import statistics
import tempfile
from pathlib import Path

from benchmarks import build as build_bench
from benchmarks import postsearch_bench
from benchmarks import queries as known_items
from benchmarks.common import arguments, percentile_rounded, posts_dir
from postsearch.search import Index


def subset(corpus: Path, n: int, out: Path) -> None:
    """The first n post files of the corpus (by path), copied with their folders."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".md", ".markdown", ".html"))
    for path in files[:n]:
        target = out / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def perturbed(text: str, copy: int) -> str:
    """A post's text for copy k: its front matter kept, its paragraphs shuffled, one line added."""
    head, sep, body = text.partition("\n---\n") if text.startswith("---") else ("", "", text)
    paragraphs = body.split("\n\n")
    random.Random(copy).shuffle(paragraphs)
    if head:  # the copy's number goes inside the title's quotes, if it has any (YAML stays valid)
        head = re.sub(r"\ntitle: ([\"']?)", lambda m: f"\ntitle: {m.group(1)}第{copy}版 ", head, count=1)
    return head + sep + f"これは第{copy}版の写しです。\n\n" + "\n\n".join(paragraphs)


def synthetic(corpus: Path, n: int, out: Path) -> int:
    """A site of n posts: the corpus repeated with perturbed text, each copy's posts in an
    order of its own, so that a smaller site is not made of the corpus's first posts only."""
    files = sorted(p for p in corpus.rglob("*.md") if p.is_file())
    made = 0
    copy = 0
    while made < n:
        for path in random.Random(f"order {copy}").sample(files, len(files)):
            if made == n:
                break
            target = out / f"copy{copy:02d}" / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(perturbed(path.read_text(encoding="utf-8", errors="replace"), copy), encoding="utf-8")
            made += 1
        copy += 1
    return made


def first_query_bytes(index_dir: Path, items: list[dict[str, str]]) -> list[int]:
    sizes: dict[str, tuple[int, int]] = {}
    out = []
    for item in items:
        loader = postsearch_bench.CountingLoader(index_dir, sizes)
        Index(loader).search(item["query"], limit=postsearch_bench.PAGE)
        out.append(sum(sizes[n][1] for n in loader.read))
    return out


def synthetic_build(corpus: Path, n: int, tmp: Path, jobs: int | None, queries: int) -> tuple[float, int]:
    """One synthetic site of n posts built and described; its build seconds and peak RSS (KiB)."""
    site, index_dir = tmp / f"synthetic-{n}", tmp / f"synthetic-index-{n}"
    made = synthetic(corpus, n, site)
    seconds, rss, code = build_bench.run_build(site, index_dir, jobs)
    files, raw, gz = build_bench.index_size(index_dir)
    print(f"synthetic site: {made} posts from {corpus}")
    print(f"build {seconds:.1f} s (exit {code}), peak RSS {rss / 1024:.0f} MiB")
    print(f"index {files} files, {raw / 1e6:.1f} MB raw, {gz / 1e6:.1f} MB gzip", flush=True)
    if queries:
        items = known_items.generate(site, queries, 1, known_items.SCRIPT_TYPES)
        sizes = first_query_bytes(index_dir, items)
        print(
            f"first query (gzip, without the runtime), {len(items)} known-item queries: "
            f"median {statistics.median(sizes) / 1024:.1f} KiB, p95 {percentile_rounded(sizes, 95) / 1024:.1f} KiB"
        )
    shutil.rmtree(site)
    shutil.rmtree(index_dir)
    return seconds, rss


def growth(corpus: Path, sizes: list[int], tmp: Path, jobs: int | None, queries: int) -> None:
    """Synthetic sites of each size built one after another, then the growth table: time and
    peak memory per post, and the memory above the smallest site's, per post added."""
    rows = [(n, *synthetic_build(corpus, n, tmp, jobs, queries)) for n in sizes]
    print(f"\n{'posts':>7} {'build s':>8} {'ms/post':>8} {'peak MiB':>9} {'KiB/post above first':>21}")
    first_n, _, first_rss = rows[0]
    for n, seconds, rss in rows:
        above = f"{(rss - first_rss) / (n - first_n):.2f}" if n > first_n else "-"
        print(f"{n:>7} {seconds:>8.1f} {seconds / n * 1000:>8.2f} {rss / 1024:>9.0f} {above:>21}")


def subsets(corpus: Path, sizes: list[int], tmp: Path, jobs: int | None, queries: int) -> None:
    """The first N posts of the corpus for each size: build, index and first-query bytes."""
    print(
        f"{'posts':>6} {'build s':>8} {'peak MiB':>9} {'index MB gz':>12} {'files':>6} {'query KiB p50':>14} {'p95':>6}"
    )
    for n in sizes:
        site = tmp / f"site-{n}"
        subset(corpus, n, site)
        index_dir = tmp / f"index-{n}"
        seconds, rss, _ = build_bench.run_build(site, index_dir, jobs)
        files, _, gz = build_bench.index_size(index_dir)
        items = known_items.generate(site, queries, 1, known_items.SCRIPT_TYPES)
        sizes_read = first_query_bytes(index_dir, items)
        print(
            f"{n:>6} {seconds:>8.1f} {rss / 1024:>9.0f} {gz / 1e6:>12.2f} {files:>6} "
            f"{statistics.median(sizes_read) / 1024:>14.1f} {percentile_rounded(sizes_read, 95) / 1024:>6.1f}",
            flush=True,
        )


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--sizes", default="100,300,1000,3000,6000")
    ap.add_argument("--queries", type=int, default=100, help="known-item targets per size")
    ap.add_argument("--synthetic", help="synthetic sites of these many posts (comma-separated)")
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    corpus = posts_dir(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        if args.synthetic:
            sizes = [int(x) for x in args.synthetic.split(",")]
            if len(sizes) == 1:
                synthetic_build(corpus, sizes[0], Path(tmp), args.jobs, args.queries)
            else:
                growth(corpus, sizes, Path(tmp), args.jobs, args.queries)
            return
        subsets(corpus, [int(x) for x in args.sizes.split(",")], Path(tmp), args.jobs, args.queries)


if __name__ == "__main__":
    main()
