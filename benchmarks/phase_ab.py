"""Phases of a build timed in one process, an old tree's and this one's taking turns, where
whole builds are too noisy to show a change of a few percent (this machine's speed drifts
by a third between runs, and a whole build's wall time with it).

    python -m benchmarks.phase_ab ../shared/corpora/efcl-blog --old /tmp/old/src \\
        [--rounds 6] [--phases sequence markdown encode]

Both trees' `postsearch` packages are copied into packages of their own (`old_tree`,
`new_tree`), so both load at once; each phase calls the same function of each.
- `sequence`: CPU seconds of `Analyzer.sequence` over every field text of the corpus (what
  a worker asks of Sudachi and of the loop per morpheme), each round a fresh Analyzer.
- `markdown`: CPU seconds of `markdown.markdown_blocks` over every Markdown post.
- `encode`: wall seconds of `format.encode_rows(apart=True)` (the end of a two-job build,
  its forked children included) on the corpus's records, which this tree analyzes once and
  each tree's IndexBuilder merges. Each round runs in a forked copy of the merged builder,
  which encode_rows consumes.

Prints every round and the median ratio new / old.
"""

from __future__ import annotations

import importlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import arguments, published
from postsearch.analysis import Analyzer
from postsearch.index import analyze_post, field_texts
from postsearch.posts import Post
from postsearch.text import post_text

PHASES = ("sequence", "markdown", "encode")


def tree_package(src: Path, name: str, into: Path) -> str:
    """`src`'s postsearch package copied to `into` as the package `name`; its name."""
    shutil.copytree(src / "postsearch", into / name, ignore=shutil.ignore_patterns("__pycache__"))
    return name


def sequence_seconds(package: str, texts: list[list[str]]) -> float:
    """CPU seconds a fresh Analyzer of `package` takes to read every post's fields."""
    analysis = importlib.import_module(f"{package}.analysis")
    code = importlib.import_module(f"{package}.postterms").CODE
    analyzer = analysis.Analyzer()
    started = time.process_time()
    for fields in texts:
        analyzer.make_room()
        for f, text in enumerate(fields):
            if text:
                analyzer.sequence(text, code=f == code)
    return time.process_time() - started


def markdown_seconds(package: str, bodies: list[str]) -> float:
    """CPU seconds of `package`'s markdown_blocks over every Markdown post."""
    markdown = importlib.import_module(f"{package}.markdown")
    started = time.process_time()
    for body in bodies:
        markdown.markdown_blocks(body)
    return time.process_time() - started


def encode_seconds(package: str, builder: Any) -> float:
    """Wall seconds of `package`'s encode_rows(apart=True) in a forked copy of this process."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        fmt = importlib.import_module(f"{package}.format")
        started = time.perf_counter()
        fmt.encode_rows(builder, apart=True)
        os.write(write, str(time.perf_counter() - started).encode())
        os._exit(0)
    os.close(write)
    seconds = float(os.read(read, 64))
    os.waitpid(pid, 0)
    os.close(read)
    return seconds


def merged_builders(packages: dict[bool, str], posts: list[Post]) -> dict[bool, Any]:
    """Each tree's IndexBuilder with every post's record, analyzed once by this tree."""
    analyzer = Analyzer()
    records = [analyze_post(post, analyzer) for post in posts]
    builders = {}
    for old, package in packages.items():
        builder = importlib.import_module(f"{package}.index").IndexBuilder()
        for record in records:
            builder.add(record)
        builders[old] = builder
    return builders


def turns(rounds: int, run: Callable[[bool], float]) -> None:
    """`run(old)` for old and new in turn, `rounds` times; every figure and the median ratio."""
    got: dict[bool, list[float]] = {True: [], False: []}
    for r in range(rounds):
        for old in (True, False) if r % 2 == 0 else (False, True):
            got[old].append(run(old))
    ratios = [new / old for new, old in zip(got[False], got[True], strict=True)]
    print(f"  old {' '.join(f'{s:.3f}' for s in got[True])}  (median {statistics.median(got[True]):.3f} s)")
    print(f"  new {' '.join(f'{s:.3f}' for s in got[False])}  (median {statistics.median(got[False]):.3f} s)")
    print(f"  new / old: median {statistics.median(ratios):.3f}")


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--old", type=Path, required=True, help="the old source tree (its src/)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--phases", nargs="+", choices=PHASES, default=list(PHASES))
    args = ap.parse_args()
    posts = published(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, tmp)
        packages = {
            True: tree_package(args.old, "old_tree", Path(tmp)),
            False: tree_package(Path(__file__).parents[1] / "src", "new_tree", Path(tmp)),
        }
        if "sequence" in args.phases:
            texts = [[unicodedata.normalize("NFKC", t) for t in field_texts(post_text(p))] for p in posts]
            print(f"{args.corpus.name}: Analyzer.sequence, CPU seconds")
            turns(args.rounds, lambda old: sequence_seconds(packages[old], texts))
        if "markdown" in args.phases:
            bodies = [p.body for p in posts if p.markup == "markdown"]
            print(f"{args.corpus.name}: markdown_blocks over {len(bodies)} posts, CPU seconds")
            turns(args.rounds, lambda old: markdown_seconds(packages[old], bodies))
        if "encode" in args.phases:
            builders = merged_builders(packages, posts)
            print(f"{args.corpus.name}: encode_rows(apart=True), wall seconds")
            turns(args.rounds, lambda old: encode_seconds(packages[old], builders[old]))


if __name__ == "__main__":
    main()
