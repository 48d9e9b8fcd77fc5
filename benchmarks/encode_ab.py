"""The end of a build, encoding every row, timed for several source trees side by side.

    python -m benchmarks.encode_ab ../shared/corpora/efcl-blog --src /tmp/old/src --src src [--runs 3]

A whole build spends its last second or two in `format.encode_rows` (term rows, n-gram rows,
the lexicon), and the noise of a whole build hides a change there. Each run starts one child
process per tree, in turn (the order alternating run by run): the child analyzes the corpus
once with that tree's code, then times `encode_rows(builder, apart=False)` (everything in one
process, as a one-job build does) `--reps` times over fresh builders, in CPU seconds.
Prints every child's times, then each tree's median and its ratio to the first tree's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, pickle, sys, time
from pathlib import Path
from benchmarks.common import published
from postsearch.analysis import Analyzer
from postsearch.format import encode_rows
from postsearch.index import IndexBuilder, analyze_post

analyzer = Analyzer()
records = [pickle.dumps(analyze_post(post, analyzer)) for post in published(Path(sys.argv[1]))]
seconds = []
for _ in range(int(sys.argv[2])):
    builder = IndexBuilder()
    for record in records:
        builder.add(pickle.loads(record))
    started = time.process_time()
    encode_rows(builder, apart=False)
    seconds.append(time.process_time() - started)
print(json.dumps(seconds))
"""


def child_seconds(corpus: Path, src: Path, reps: int) -> list[float]:
    """encode_rows's CPU seconds, `reps` times, with the code of the tree at `src`."""
    repo = Path(__file__).resolve().parent.parent  # for `benchmarks.common`
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src.resolve()), str(repo)])}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(corpus), str(reps)], env=env, check=True, capture_output=True
    )
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--src", type=Path, action="append", required=True, help="a source tree's src/ (twice or more)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3, help="encodings per child")
    args = ap.parse_args()
    times: dict[Path, list[float]] = {src: [] for src in args.src}
    for run in range(args.runs):
        for src in args.src if run % 2 == 0 else reversed(args.src):
            seconds = child_seconds(args.corpus, src, args.reps)
            times[src] += seconds
            print(f"run {run + 1}, {src}: " + " ".join(f"{s:.3f}" for s in seconds), flush=True)
    first = statistics.median(times[args.src[0]])
    for src, seconds in times.items():
        median = statistics.median(seconds)
        print(f"{src}: encode_rows {median:.3f} CPU-s (median of {len(seconds)}), {median / first:.3f} x first tree")


if __name__ == "__main__":
    main()
