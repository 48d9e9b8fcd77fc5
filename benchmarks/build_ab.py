"""Full builds of several source trees side by side, with the SudachiPy floor in the same run.

    python -m benchmarks.build_ab ../shared/corpora/efcl-blog --src /tmp/old/src --src src
                                  [--jobs 1] [--rounds 3] [--same] [--pagefind]

Each round times, in turn, the SudachiPy floor (benchmarks.build.sudachi_floor: mode C over
the same field texts, one process) and a `postsearch index --no-cache` (a child process,
Python start-up included) with the package from each `--src`, so every figure comes from the
same stretch of this shared, noisy machine. Prints the median of each, its ratio to the
floor and to the first tree, the median of the rounds' own ratios, the peak RSS, and the
CPU seconds of the build and its workers (steadier than wall time when other work shares
the machine; a tree's modules are byte-compiled first, as an installed package's). The
trees take turns in either order, round by round. `--same` also checks that every tree wrote
the same index bytes (the manifest's build name aside). `--pagefind` also builds the corpus
rendered as pages (benchmarks/pagefind_site.py) with Pagefind in each round, and gives each
tree's ratio to it.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from benchmarks.build import sudachi_floor
from benchmarks.common import arguments, cold_build, data_files, posts_dir


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--src", type=Path, action="append", required=True, help="a source tree (one or more)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--same", action="store_true", help="check that the trees write the same bytes")
    ap.add_argument("--pagefind", action="store_true", help="also time Pagefind's build of the same posts")
    args = ap.parse_args()
    corpus = posts_dir(args.corpus)
    floors: list[float] = []
    times: dict[int, list[float]] = {v: [] for v in range(len(args.src))}
    cpus: dict[int, list[float]] = {v: [] for v in range(len(args.src))}
    rss: dict[int, int] = {}
    pagefind: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.pagefind:
            from benchmarks.pagefind_bench import run_pagefind
            from benchmarks.pagefind_site import render

            render(args.corpus, Path(tmp) / "site")
        for r in range(args.rounds):
            floors.append(sudachi_floor(corpus)[0])
            if args.pagefind:
                pagefind.append(run_pagefind(Path(tmp) / "site")[0])
            trees = list(enumerate(args.src))
            for v, src in trees if r % 2 == 0 else trees[::-1]:  # neither tree always goes first
                seconds, peak, cpu = cold_build(
                    corpus, Path(tmp) / f"out{v}", ["--jobs", str(args.jobs)], src.resolve()
                )
                times[v].append(seconds)
                cpus[v].append(cpu)
                rss[v] = max(rss.get(v, 0), peak)
        same = [data_files(Path(tmp) / f"out{v}") == data_files(Path(tmp) / "out0") for v in times]
    floor = statistics.median(floors)
    first = statistics.median(times[0])
    print(f"corpus {corpus}, --jobs {args.jobs}, {args.rounds} rounds (medians)")
    print(f"SudachiPy floor: {floor:.2f} s")
    if pagefind:
        print(f"Pagefind: {statistics.median(pagefind):.2f} s")
    for v, src in enumerate(args.src):
        t = statistics.median(times[v])
        line = f"{src}: {t:.2f} s = {t / floor:.2f} x floor, {t / first:.2f} x first tree, peak RSS {rss[v] / 1024:.0f} MiB"
        line += f", CPU {statistics.median(cpus[v]):.2f} s ({per_round(cpus[v], cpus[0]):.3f} x first tree per round)"
        line += f", {t / statistics.median(pagefind):.2f} x Pagefind" if pagefind else ""
        print(line + (f", same bytes as the first: {same[v]}" if args.same else ""))
        ratios = {"floor": floors, "first tree": times[0]} | ({"Pagefind": pagefind} if pagefind else {})
        print(
            "  per round, median ratio: " + ", ".join(f"{per_round(times[v], b):.3f} x {k}" for k, b in ratios.items())
        )


def per_round(times: list[float], base: list[float]) -> float:
    """The median of each round's ratio: steadier than a ratio of medians while the machine's
    speed drifts during a run (each round's figures are taken minutes apart at most)."""
    return statistics.median(t / b for t, b in zip(times, base, strict=True))


if __name__ == "__main__":
    main()
