"""Build benchmark: time, peak memory and index size for a corpus, beside the Sudachi floor.

    python -m benchmarks.build ../shared/corpora/efcl-blog [--jobs N] [--out DIR]

Prints: posts, full build wall time (the `postsearch index` command in a child process,
all cores unless --jobs), its peak resident memory, the index size raw and gzip (each file
gzipped at level 6, as a web server would; the browser runtime files excluded), and the
floor: raw SudachiPy mode C tokenization of exactly the same field texts in one process.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import arguments, gzip_size, posts_dir, published, run_child, writable_copy
from postsearch.analysis import split_for_sudachi
from postsearch.index import field_texts
from postsearch.text import post_text


def run_build(corpus: Path, out: Path, jobs: int | None, cache: Path | None = None) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (KiB, largest process of the build) and exit code of the CLI."""
    cmd = [sys.executable, "-m", "postsearch", "index", str(corpus), "-o", str(out), "-q"]
    cmd += ["--cache", str(cache)] if cache else ["--no-cache"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    child = run_child(cmd)
    if child.code == 2:
        print(child.stderr[-2000:], file=sys.stderr)
    return child.seconds, child.usage.ru_maxrss, child.code


def index_size(out: Path) -> tuple[int, int, int]:
    """Files, raw bytes and gzip bytes of the index files."""
    files = [p for p in out.rglob("*.json") if p.is_file()]  # the manifest and the build folder's files
    raw = sum(p.stat().st_size for p in files)
    gz = sum(gzip_size(p.read_bytes()) for p in files)
    return len(files), raw, gz


def sudachi_floor(corpus: Path) -> tuple[float, int]:
    """Seconds of bare Sudachi mode C tokenization of every field text, and the characters."""
    import unicodedata

    from sudachipy import Dictionary, SplitMode

    texts = [unicodedata.normalize("NFKC", t) for p in published(corpus) for t in field_texts(post_text(p)) if t]
    tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    started = time.perf_counter()
    for text in texts:
        for _, piece in split_for_sudachi(text):
            tokenizer.tokenize(piece)
    return time.perf_counter() - started, sum(len(t) for t in texts)


def bigram_cost(corpus: Path) -> tuple[int, int, int]:
    """What character-bigram postings (the usual fallback, post ids only, no positions)
    would add: distinct bigrams, raw and gzip bytes as delta-encoded JSON rows."""
    import re
    import unicodedata

    runs = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]{2,}")
    postings: dict[str, list[int]] = {}
    posts = published(corpus)
    for post_id, post in enumerate(posts):
        text = unicodedata.normalize("NFKC", post.title + "\n" + post_text(post).text)
        grams = {run[i : i + 2] for run in runs.findall(text) for i in range(len(run) - 1)}
        for gram in grams:
            postings.setdefault(gram, []).append(post_id)
    rows = []
    for gram in sorted(postings):
        ids = postings[gram]
        rows.append([gram, *(b - a for a, b in zip([0, *ids], ids, strict=False))])
    raw = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()
    return len(postings), len(raw), gzip_size(raw)


def incremental(corpus: Path, tmp: Path, jobs: int | None, edits: int = 6) -> tuple[float, list[float]]:
    """Full build with an empty cache, then a rebuild after each of `edits` one-post edits
    (half add a sentence at the end of a post, half insert one in its middle, which moves
    every position after it), each on a different post spread over the site."""
    site = tmp / "site"
    writable_copy(corpus, site)
    cache = tmp / "cache"
    full, _, _ = run_build(site, tmp / "inc", jobs, cache)
    posts = sorted(site.rglob("*.md"))
    again = []
    for k in range(edits):
        victim = posts[(2 * k + 1) * len(posts) // (2 * edits)]
        text = victim.read_text(encoding="utf-8")
        sentence = f"\n\n追記した{k + 1}番目の一文です。\n\n"
        middle = text.find("\n\n", len(text) // 2)
        if k % 2 == 0 or middle < 0:
            text += sentence
        else:
            text = text[:middle] + sentence + text[middle:]
        victim.write_text(text, encoding="utf-8")
        seconds, _, _ = run_build(site, tmp / "inc", jobs, cache)
        again.append(seconds)
    return full, again


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--jobs", type=int, default=None, help="build jobs (default: all cores)")
    ap.add_argument("--single", action="store_true", help="also time a --jobs 1 build")
    ap.add_argument("--incremental", action="store_true", help="also time a rebuild after editing one post")
    ap.add_argument("--bigram-cost", action="store_true", help="also size bigram postings for comparison")
    ap.add_argument("--out", type=Path, default=None, help="keep the index here")
    args = ap.parse_args()
    # As a wheel install leaves it (pip compiles bytecode at install): with
    # PYTHONDONTWRITEBYTECODE set, each timed run would otherwise compile our modules again.
    import compileall

    import postsearch

    compileall.compile_dir(Path(postsearch.__file__).parent, quiet=1)
    args.corpus = posts_dir(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "index"
        seconds, rss, code = run_build(args.corpus, out, args.jobs)
        files, raw, gz = index_size(out)
        posts = json.loads((out / "manifest.json").read_text())["postCount"] if raw else 0
        print(f"corpus            {args.corpus}")
        print(f"posts             {posts}")
        print(f"build (jobs={args.jobs or os.cpu_count()})  {seconds:.2f} s   exit {code}")
        print(f"peak RSS          {rss / 1024:.0f} MiB")
        print(f"index             {files} files, {raw / 1e6:.2f} MB raw, {gz / 1e6:.2f} MB gzip")
        if args.single:
            s1, rss1, _ = run_build(args.corpus, Path(tmp) / "single", 1)
            print(f"build (jobs=1)    {s1:.2f} s   peak RSS {rss1 / 1024:.0f} MiB")
        floor, chars = sudachi_floor(args.corpus)
        print(f"sudachi floor     {floor:.2f} s  (mode C tokenize of {chars:,} characters, one process)")
        if args.single:
            print(f"jobs=1 / floor    {s1 / floor:.2f}")
        if args.incremental:
            full, again = incremental(args.corpus, Path(tmp), args.jobs)
            median = sorted(again)[len(again) // 2]
            print(
                f"incremental       full {full:.2f} s (cold cache); after editing one post: median {median:.2f} s "
                f"= {median / full:.1%}, worst {max(again):.2f} s = {max(again) / full:.1%} "
                f"({', '.join(f'{s:.2f}' for s in again)})"
            )
        if args.bigram_cost:
            grams, graw, ggz = bigram_cost(args.corpus)
            print(
                f"bigram fallback   {grams:,} bigrams, {graw / 1e6:.2f} MB raw, {ggz / 1e6:.2f} MB gzip (not built: for comparison)"
            )


if __name__ == "__main__":
    main()
