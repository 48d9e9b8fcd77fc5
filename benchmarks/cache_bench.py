"""Cache benchmark: what the build cache costs and saves, for two versions of postsearch side by side.

    python -m benchmarks.cache_bench ../shared/corpora/efcl-blog --src /tmp/old/src --src src [--rounds 3]

For each source tree (a folder holding the `postsearch` package), on its own copy of the corpus
and its own cache folder, it times the `postsearch index` command (child process, all cores)
for: a cold build that fills the cache; a warm full build (every post in the record cache, the
saved build deleted); a rebuild with nothing changed (patched); a rebuild after a sentence is
added to one post (patched). The versions take turns step by step, so both see the same
machine load; each figure is the median of `--rounds` rounds, printed with the ratio of the
second version to the first. The cache folder's size is printed too.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.common import arguments, posts_dir, run_child, writable_copy


def timed(src: Path, site: Path, out: Path, cache: Path) -> float:
    """Wall seconds of one `postsearch index` with the package from `src`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "postsearch", "index", str(site), "-o", str(out), "-q", "--cache", str(cache)]
    child = run_child(cmd, env=env)
    if child.code == 2:
        raise SystemExit(child.stderr[-2000:])
    return child.seconds


def saved_build(cache: Path) -> list[Path]:
    """The saved-build file(s) of either version (build.pickle before, build.bin now)."""
    return [p for p in cache.iterdir() if p.name.startswith("build.")]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--src", type=Path, action="append", required=True, help="a source tree (give two)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    corpus = posts_dir(args.corpus)
    steps = [
        "cold build (fills the cache)",
        "warm full build (records cached)",
        "no change (patched)",
        "one edit (patched)",
    ]
    times: dict[tuple[int, int], list[float]] = {}
    sizes: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            places = []
            for v, src in enumerate(args.src):
                place = Path(tmp) / f"v{v}"
                shutil.rmtree(place, ignore_errors=True)
                writable_copy(corpus, place / "site")
                places.append((src.resolve(), place))
            for step in range(len(steps)):
                for v, (src, place) in enumerate(places):
                    site, out, cache = place / "site", place / "out", place / "cache"
                    if step == 1:
                        for p in saved_build(cache):
                            p.unlink()
                    if step == 3:
                        post = sorted(site.rglob("*.md"))[len(list(site.rglob("*.md"))) // 2]
                        post.write_text(post.read_text(encoding="utf-8") + "\n\n追記した一文です。\n", encoding="utf-8")
                    times.setdefault((v, step), []).append(timed(src, site, out, cache))
                    sizes[v] = folder_bytes(cache)
    print(f"corpus  {corpus}   rounds {args.rounds}   medians in seconds, then version 2 / version 1")
    for v, src in enumerate(args.src):
        print(f"version {v + 1}: {src}   cache folder {sizes[v] / 1e6:.1f} MB")
    for step, name in enumerate(steps):
        row = [statistics.median(times[(v, step)]) for v in range(len(args.src))]
        ratio = f"{row[1] / row[0]:.2f}" if len(row) == 2 and row[0] else ""
        print(f"{name:36s} " + "  ".join(f"{s:7.2f}" for s in row) + f"   {ratio}")


if __name__ == "__main__":
    main()
