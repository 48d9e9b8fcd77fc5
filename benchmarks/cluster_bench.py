"""A build on a Dask cluster beside a local one: time, and whether the bytes are the same.

    python -m benchmarks.cluster_bench ../shared/corpora/efcl-blog [CORPUS ...] [--workers 2] [--rounds 1]

Starts a `LocalCluster` (N worker processes, one thread each, as `dask worker --nthreads 1`
machines would run), then for each corpus times, in turn, `postsearch index --no-cache
--jobs N` and `postsearch index --no-cache --scheduler <the cluster>` (child processes,
Python start-up included), and compares every data file of the two indexes. On one machine
the cluster's workers share its cores with the build's own process, so this measures the
cost of the cluster's plumbing (posts sent out, records sent back), not a speed-up: that
needs machines of their own.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from benchmarks.common import arguments, cold_build, data_files, posts_dir


def main() -> None:
    from distributed import LocalCluster

    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path, nargs="+")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    print(
        "| corpus | local (--jobs N) | on the cluster | ratio | main process peak RSS, local / cluster | same bytes |"
    )
    print("|---|---:|---:|---:|---:|---|")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        for corpus in map(posts_dir, args.corpus):
            local: list[float] = []
            remote: list[float] = []
            with tempfile.TemporaryDirectory() as tmp:
                for _ in range(args.rounds):
                    seconds, rss_local, _ = cold_build(corpus, Path(tmp) / "local", ["--jobs", str(args.workers)])
                    local.append(seconds)
                    seconds, rss_remote, _ = cold_build(
                        corpus, Path(tmp) / "cluster", ["--scheduler", cluster.scheduler_address]
                    )
                    remote.append(seconds)
                same = data_files(Path(tmp) / "local") == data_files(Path(tmp) / "cluster")
            a, b = statistics.median(local), statistics.median(remote)
            print(
                f"| {corpus.parent.name} | {a:.1f} s | {b:.1f} s | {b / a:.2f} | "
                f"{rss_local / 1024:.0f} / {rss_remote / 1024:.0f} MiB | {same} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
