"""`Analyzer.sequence` over the fields of a corpus's first posts, to be counted by callgrind:
instructions are deterministic where this machine's clocks drift by a third.

    PYTHONPATH=TREE/src valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        "$(python -c 'import sys; print(sys.executable)')" -m benchmarks.sequence_run CORPUS --posts 300

(the interpreter itself, not a pyenv shim, which is a shell script). Before valgrind starts
counting the analysis, the texts are read and kept as JSON in `--texts` (default: a file in the
system's temporary folder), so the count holds only loading them, the dictionary and the
analysis; `--load-only` stops after the dictionary, to count what the analysis adds. Prints
the posts and morphemes read and the CPU seconds of the analysis; callgrind prints
"Collected : N" (instructions) at the end.

Read the counts with care where Sudachi copies much memory: a large copy is many instructions
to callgrind and little time to the processor. efcl-blog's first 300 posts hold two 10,000-character
`data:` URIs in a code block, each read whole as one word: a quarter of the analysis's
instructions (1.54 G of 6.05 G), a twentieth of its CPU time (0.11 of 2.25 s;
benchmarks/RESULTS.md, eleventh part).
"""

from __future__ import annotations

import json
import tempfile
import time
import unicodedata
from pathlib import Path

from benchmarks.common import arguments, published

CODE = 4  # the code field (index.FIELDS)


def field_texts_of(corpus: Path, posts: int) -> list[list[str]]:
    """The NFKC field texts of the first `posts` published posts."""
    from postsearch.index import field_texts
    from postsearch.text import post_text

    return [[unicodedata.normalize("NFKC", t) for t in field_texts(post_text(p))] for p in published(corpus)[:posts]]


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--posts", type=int, default=300)
    ap.add_argument("--texts", type=Path, help="where the texts are kept between runs")
    ap.add_argument("--load-only", action="store_true", help="load the texts and the dictionary only")
    args = ap.parse_args()
    cache = args.texts or Path(tempfile.gettempdir()) / f"sequence_run-{args.corpus.name}-{args.posts}.json"
    if not cache.exists():  # made by a first run (outside valgrind, or counted once)
        cache.write_text(json.dumps(field_texts_of(args.corpus, args.posts), ensure_ascii=False), "utf-8")
    texts = json.loads(cache.read_text("utf-8"))
    from postsearch.analysis import Analyzer

    analyzer = Analyzer()
    if args.load_only:
        return
    morphemes = 0
    started = time.process_time()
    for fields in texts:
        analyzer.make_room()
        for f, text in enumerate(fields):
            if text:
                morphemes += len(analyzer.sequence(text, code=f == CODE)[0])
    seconds = time.process_time() - started
    print(f"{len(texts)} posts, {morphemes} morphemes, {seconds:.2f} CPU-s (under callgrind: its own)")


if __name__ == "__main__":
    main()
