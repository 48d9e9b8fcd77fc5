"""CPU time per character of one very long line, by kind of text, read by `Analyzer.analyze`.

    python -m benchmarks.long_lines [--sizes 2000 8000 16000 32000]
    PYTHONPATH=OTHER/src python -m benchmarks.long_lines     # another tree, to compare

A post is untrusted input, and some text costs Sudachi time that grows with the square of a
run's length (percent-encoded URLs: its numeric joins). Each kind is a line of the given
length with no newline; prose is the reference. The texts are made here, not read from a
corpus. Prints CPU seconds and microseconds per character; compare trees in one run of the
machine, one after the other, as ratios.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from benchmarks.common import arguments


def repeated(unit: str) -> Callable[[int], str]:
    """A text of n characters: `unit` again and again."""
    return lambda n: (unit * (n // len(unit) + 1))[:n]


KINDS: dict[str, Callable[[int], str]] = {
    "percent-encoded": repeated("%E3%81%82%2F"),
    "digits": repeated("1234567890"),
    "base64": repeated("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"),
    "prose": repeated("今日は東京で新しいサーバーを設定しました。"),
}


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[2_000, 8_000, 16_000, 32_000])
    args = ap.parse_args()
    from postsearch.analysis import Analyzer

    analyzer = Analyzer()
    analyzer.analyze("準備")  # the dictionary's first pages read before timing
    for kind, make in KINDS.items():
        for size in args.sizes:
            text = make(size)
            started = time.process_time()
            analyzer.analyze(text)
            seconds = time.process_time() - started
            print(f"{kind:16} {size:7,} characters {seconds:7.3f} CPU-s {seconds / size * 1e6:6.2f} us a character")


if __name__ == "__main__":
    main()
