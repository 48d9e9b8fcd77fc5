"""Python's answers to the parity queries, written as JSON for the JavaScript reader to match.

`make_parity(index_dir, queries_file, out_file)` runs every query of the file (one a line),
or of a list (tests/test_fuzz_query.py passes the fuzzer's), through `postsearch.search`
on one `Index`, in order, so shard caching and the bytes read grow exactly as they will
in `web/postsearch.js` (generated from `web/src/`) running the same queries in order.

`unassigned_table()` is the table of code points Python's `unicodedata` leaves unassigned,
in the encoding `web/src/compat.js` embeds (see UNASSIGNED_TABLE there, one piece a line):
run this file to print it.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

from postsearch.search import open_index

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def read_queries(queries_file: str | Path) -> list[str]:
    """One query a line, taken as it is (spaces and tabs included). Lines starting with `##`
    are comments; a line `#esc:TEXT` is TEXT with escapes decoded (see `unescape`), for
    queries a line cannot hold (newlines, invisible characters)."""
    lines = Path(queries_file).read_bytes().decode("utf-8").split("\n")  # keep any \r
    if lines and lines[-1] == "":
        lines.pop()  # the file's final newline
    return [
        unescape(line[len("#esc:") :]) if line.startswith("#esc:") else line
        for line in lines
        if not line.startswith("##")
    ]


def unescape(text: str) -> str:
    """`\\n`, `\\t`, `\\\\` and `\\u{X...}` (any code point, hex); anything else is literal."""
    return re.sub(
        r"\\(n|t|\\|u\{([0-9a-fA-F]+)\})",
        lambda m: {"n": "\n", "t": "\t", "\\": "\\"}.get(m[1]) or chr(int(m[2], 16)),
        text,
    )


# Filters and sorting, with the same option names in search.py and postsearch.js.
OPTION_QUERIES: list[tuple[str, dict]] = [
    ("新幹線", {"tags": ["京都"]}),
    ("新幹線", {"since": "2016-01-01"}),
    ("新幹線", {"until": "2015-12-31"}),
    ("新幹線", {"sort": "date"}),
    ("ページ", {"sort": "date", "until": "2022-01-01"}),
    ("", {"tags": ["travel"]}),
    ("", {"since": "2019-01-01", "sort": "date"}),
    ("設定を変更する", {"prefix": False, "adjacency": False}),
    ("形態素解", {"prefix": False}),
    ("tag:TECH", {"tags": ["life"]}),
]


# Longer than MAX_QUERY_CHARS (made here, not stored): both runtimes read the same first
# 1,000 code points, an emoji one (not two UTF-16 units), a lone surrogate one.
LONG_QUERIES: list[str] = [
    ("新幹線で京都へ" * 14_286)[:100_000],
    "🚄 " * 450 + "京都 " * 40 + "zqxjv " * 20_000,  # cut by UTF-16 units, no 京都 is left
    "\ud800" * 997 + " 京都 新幹線",
    "京都 " * 333 + '"新幹線 京都"' + " -京都" * 20_000,
]


def make_parity(
    index_dir: str | Path,
    queries: str | Path | list[str],
    out_file: str | Path,
    limit: int = 10,
    *,
    extra: bool = True,
) -> dict:
    """Write Python's full answer to every query (hits, total, bytes read so far): those of a
    queries file (read_queries) or a list, then (`extra`) LONG_QUERIES and OPTION_QUERIES."""
    index = open_index(index_dir)
    answers = []
    listed = queries if isinstance(queries, list) else read_queries(queries)
    asked = [(query, {}) for query in listed] + ([(q, {}) for q in LONG_QUERIES] + OPTION_QUERIES if extra else [])
    for query, options in asked:
        result = index.search(query, limit=limit, **options)
        answers.append({**result.as_dict(), "bytesRead": result.bytes_read, "options": options})
    data = {
        "limit": limit,
        "unicode": unicodedata.unidata_version,
        "queries": answers,
    }
    # ASCII JSON: a query may hold a lone surrogate, which UTF-8 cannot carry
    Path(out_file).write_text(json.dumps(data, indent=1), encoding="ascii")
    return data


def base36(n: int) -> str:
    out = ""
    while True:
        out = DIGITS[n % 36] + out
        n //= 36
        if not n:
            return out


def unassigned_table() -> str:
    """Ranges of code points whose category is Cn here, as `gap.length` in base 36."""
    ranges: list[list[int]] = []
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)) == "Cn":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    parts = []
    previous = 0
    for first, last in ranges:
        parts.append(base36(first - previous) + ("." + base36(last - first) if last > first else ""))
        previous = last
    return ",".join(parts)


if __name__ == "__main__":
    print(unicodedata.unidata_version)
    print(unassigned_table())
