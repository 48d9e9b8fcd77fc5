"""Known-item quality of postsearch and its peers: the same queries, the same text, one table.

    python -m benchmarks.quality CORPUS [CORPUS ...] [--targets 300] [--seed 1]
                                 [--types all|title-word,body-rare,body-phrase,words,question]
                                 [--questions-limit N]
                                 [--peers all|browser,pagefind,lunr,minisearch,bigram] [--pagefind-fresh]
                                 [--json out.json] [--markdown out.md]

The queries are benchmarks/queries.py's: cut by script (`title-word`, `body-rare`,
`body-phrase`) or by UniDic, a dictionary none of the tools uses (`words`), so no tool shares the
generator's cuts; each has one right answer, the post it came from. A corpus whose folder holds a
`questions.jsonl` (jsquad-valid: crowd-written questions about its paragraphs) is also asked
every one of its questions, type `question`, the right answer being the post
`posts/<target_id>.md`; `--questions-limit N` keeps N of them, evenly spread (for quick runs),
and `--types` without `question` skips them. `--types` picks the query types (default all;
`words` needs `pip install -e '.[bench]'`). Every tool indexes the same text: postsearch's own
reader and extraction (`read_posts`, `post.title`, `post_text(post).text`), drafts left out.
Tools, one row each:

- **postsearch**: the Python API, `open_index(dir).search(q, limit=10)` on a fresh build
  (`postsearch.build(corpus, tmp, cache=False)`). Always run: it is the reference.
- **postsearch (browser)** (`browser`): the same index served on 127.0.0.1 and searched with
  `postsearch.js` in headless Chromium. It must give the Python API's answers, so the number of
  queries whose top-10 paths differ is reported beside the table (expected: 0).
- **Pagefind** (`pagefind`): 1.6 extended, through benchmarks/pagefind_bench.py's own functions
  (render the posts as `lang="ja"` pages, build, rank of the target among all results). The
  queries run in one page, each on a new Pagefind instance (`search_all`), which gives the same
  answers as one fresh Chromium context per query (`run_queries`, what pagefind_bench.py times)
  in a fraction of the time; `--pagefind-fresh` uses the fresh contexts.
- **lunr-ja** (`lunr`): lunr 2 with lunr-languages' `ja` (TinySegmenter), queried with
  `index.search(q)` as a search box does (benchmarks/peers/lunr_ja.mjs). lunr's query parser
  never runs the Japanese tokenizer, so an unspaced phrase is one term that matches nothing;
  the diagnostic `lunr-seg` (only when named in --peers) cuts queries with TinySegmenter first.
- **MiniSearch + Intl.Segmenter** (`minisearch`): MiniSearch defaults (OR, BM25+) with the
  browser's word segmenter as tokenizer (benchmarks/peers/minisearch_seg.mjs).
- **bigram** (`bigram`): the baseline every Japanese search is measured against, here in
  Python: kana/kanji runs become character bigrams (a lone character stays a unigram), ASCII
  letter/digit words stay whole, lower-cased; a post matches when it has every query term
  (AND), ranked by BM25 (k1 1.2, b 0.75 on the body, title weighted 3 and not normalized),
  ties in post order. This is the baseline the issue's figures describe (efcl-blog 0.757 there,
  0.758 here). The diagnostic `bigram-tfidf` (only when named) ranks the same matches by raw
  tf × idf (tf = 3 × title count + body count, idf = log(N/df)), which favours long posts.

Per tool and query type: **MRR@10** (mean of 1/rank, 0 beyond 10 or missing), **S@1** and
**S@10** (target first, target in the top 10) and **zero** (share of queries with no result at
all), computed by benchmarks/common.py's `scores`. **overall** is over the known-item types
(the generated queries); `question` is reported apart, never mixed into overall, so a corpus's
overall means the same with or without questions. `--markdown` writes, with the command line,
the commit and the seconds each tool took, a short table (MRR@10 per type, overall, zero) and
the full tables, for RESULTS.md; `--json` keeps every query's answers per tool.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import postsearch
from benchmarks import pagefind_bench
from benchmarks import queries as known_items
from benchmarks.common import (
    arguments,
    folder_server,
    posts_dir,
    published,
    rank_of,
    run_all,
    running,
    scores,
    scores_by_type,
)
from postsearch.text import post_text

LIMIT = 10
PEERS_DIR = Path(__file__).resolve().parent / "peers"
PEERS = ("browser", "pagefind", "lunr", "minisearch", "bigram")
DIAGNOSTICS = ("lunr-seg", "bigram-tfidf")  # selectable by name, not part of `all`
LABELS = {
    "postsearch": "postsearch (Python API)",
    "browser": "postsearch (browser)",
    "pagefind": "Pagefind 1.6 extended",
    "lunr": "lunr + lunr-languages ja",
    "lunr-seg": "lunr-ja, queries pre-cut by TinySegmenter",
    "minisearch": "MiniSearch + Intl.Segmenter",
    "bigram": "character bigrams (AND, BM25)",
    "bigram-tfidf": "character bigrams (AND, tf-idf)",
}
METRICS = (("mrr10", "MRR@10"), ("s1", "S@1"), ("s10", "S@10"), ("zero", "zero"))
QUESTION = known_items.QUESTION
ALL_TYPES = (*known_items.TYPES, QUESTION)
GROUPS = (*known_items.TYPES, "overall", QUESTION)  # overall: the known-item types, not the questions

Row = dict[str, Any]  # a query ({type, query, target_path}) with the tool's paths, total and rank


@dataclass(frozen=True)
class Doc:
    """One published post as every tool sees it: its path (the answer key), title and text."""

    path: str
    title: str
    body: str


def read_docs(corpus: Path) -> list[Doc]:
    """Published posts in path order, the order queries.py uses (and the bigram tie-break)."""
    posts = published(posts_dir(corpus))
    return [Doc(p.path, p.title, post_text(p).text) for p in sorted(posts, key=lambda p: p.path)]


def answered(item: dict[str, str], paths: list[str], total: int) -> Row:
    """A query row with the tool's top-10 paths, its result count and the target's rank (or None)."""
    top = paths[:LIMIT]
    return {**item, "paths": top, "total": total, "rank": rank_of(top, item["target_path"])}


# --- postsearch ------------------------------------------------------------------------------


def run_postsearch(index_dir: Path, items: list[dict[str, str]]) -> list[Row]:
    """The Python API, as a site generator's build hook or a test would call it."""
    index = postsearch.open_index(index_dir)
    rows = []
    for item in items:
        result = index.search(item["query"], limit=LIMIT)
        rows.append(answered(item, [hit.path for hit in result.hits], result.total))
    return rows


BROWSER_PAGE = """<!doctype html><meta charset="utf-8"><script type="module">
import { openIndex } from './postsearch.js';
window.runAll = async (queries, limit) => {
  const index = await openIndex('.');
  const out = [];
  for (const q of queries) {
    const r = await index.search(q, limit);
    out.push({ paths: r.hits.map((h) => h.path), total: r.total });
  }
  return out;
};
window.ready = true;
</script>"""


def run_browser(index_dir: Path, items: list[dict[str, str]]) -> list[Row]:
    """postsearch.js in headless Chromium, from the index folder served on 127.0.0.1.

    The page is written into the index folder (a temporary build of ours) so that
    `import './postsearch.js'` and `openIndex('.')` resolve exactly as on a real site.
    """
    (index_dir / "quality.html").write_text(BROWSER_PAGE, encoding="utf-8")
    with running(folder_server(index_dir)) as base:
        answers = run_all(f"{base}/quality.html", [i["query"] for i in items], LIMIT)
    return [answered(item, a["paths"], a["total"]) for item, a in zip(items, answers, strict=True)]


def differences(rows: list[Row], reference: list[Row]) -> list[str]:
    """Queries whose top-10 paths differ between two runs of the same queries."""
    return [r["query"] for r, ref in zip(rows, reference, strict=True) if r["paths"] != ref["paths"]]


# --- Pagefind --------------------------------------------------------------------------------


def run_pagefind(corpus: Path, items: list[dict[str, str]], fresh: bool = False) -> list[Row]:
    """Pagefind as benchmarks/pagefind_bench.py builds and asks it, reduced to the answers: all
    queries in one page, or (`fresh`) each in a fresh browser context as pagefind_bench.py does."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        mapping = pagefind_bench.render(corpus, site)  # Pagefind URL -> post path
        pagefind_bench.run_pagefind(site)
        url_of_id = pagefind_bench.fragment_urls(site / "pagefind")
        ask = pagefind_bench.run_queries if fresh else pagefind_bench.search_all
        found = ask(site, items, url_of_id)
    rows = []
    for item, row in zip(items, found, strict=True):
        # run_queries keeps the first 20 URLs; ranks beyond 10 do not count for MRR@10
        rows.append(answered(item, [mapping.get(url, url) for url in row["urls"]], row["total"]))
    return rows


# --- lunr-ja and MiniSearch (Node) -----------------------------------------------------------


def run_node(script: str, docs: list[Doc], items: list[dict[str, str]], *options: str) -> list[Row]:
    """Run a peer script from benchmarks/peers on the docs and queries, read its JSON lines."""
    with tempfile.TemporaryDirectory() as tmp:
        docs_file, queries_file = Path(tmp) / "docs.json", Path(tmp) / "queries.json"
        docs_file.write_text(
            json.dumps([{"id": d.path, "title": d.title, "body": d.body} for d in docs], ensure_ascii=False),
            encoding="utf-8",
        )
        queries_file.write_text(json.dumps([i["query"] for i in items], ensure_ascii=False), encoding="utf-8")
        done = subprocess.run(
            ["node", "--max-old-space-size=8192", str(PEERS_DIR / script), str(docs_file), str(queries_file), *options],
            cwd=PEERS_DIR,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise SystemExit(f"{script} failed (exit {done.returncode}):\n{done.stderr}")
    print(done.stderr.strip(), file=sys.stderr)
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return [answered(item, a["ids"], a["total"]) for item, a in zip(items, answers, strict=True)]


# --- character bigrams -----------------------------------------------------------------------

GRAM_RUN = re.compile(
    f"[{known_items.KANJI}{known_items.KATAKANA}{known_items.HIRAGANA}]+|[A-Za-z0-9]+",
)
TITLE_WEIGHT = 3


def bigram_terms(text: str) -> list[str]:
    """Terms of text: bigrams of kana/kanji runs (a lone character as itself), ASCII words lower-cased.

    Everything else (punctuation, spaces, the middle dot, full-width letters) separates runs.
    """
    terms: list[str] = []
    for match in GRAM_RUN.finditer(text):
        run = match.group()
        if run[0].isascii():
            terms.append(run.lower())
        elif len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


class BigramIndex:
    """Title and body counts of the terms the queries use, and nothing else.

    Scores only need the query terms, so counting just those gives the scores of a full bigram
    index without holding one in memory (the largest corpus has millions of (term, post)
    pairs). Body lengths (all terms) are kept for the BM25 diagnostic.
    """

    def __init__(self, docs: list[Doc], vocabulary: Iterable[str]) -> None:
        wanted = set(vocabulary)
        self.count = len(docs)
        self.title: dict[str, dict[int, int]] = {term: {} for term in wanted}  # term -> post number -> count
        self.body: dict[str, dict[int, int]] = {term: {} for term in wanted}
        self.df: dict[str, int] = {}
        self.lengths: list[int] = []
        for number, doc in enumerate(docs):
            body = bigram_terms(doc.body)
            self.lengths.append(len(body))
            for counts, terms in ((self.title, bigram_terms(doc.title)), (self.body, body)):
                for term, tf in Counter(t for t in terms if t in wanted).items():
                    counts[term][number] = tf
        for term in wanted:
            self.df[term] = len(self.title[term].keys() | self.body[term].keys())
        self.average_length = sum(self.lengths) / max(1, len(self.lengths))

    def search(self, query: str, scoring: str = "bm25") -> list[int]:
        """Post numbers having every query term, best score first, ties in post order.

        `bm25` is the baseline: BM25 (k1 1.2, b 0.75 on the body, none on the short title) per
        field, title weighted 3. `tfidf` is a diagnostic: the sum over distinct query terms of
        (3 × title count + body count) × log(N / df), with no length normalization, so long
        posts that repeat a term rank high.
        """
        terms = list(dict.fromkeys(bigram_terms(query)))
        if not terms:
            return []
        matched = set(range(self.count))
        for term in sorted(terms, key=lambda t: self.df[t]):
            matched &= self.title[term].keys() | self.body[term].keys()
            if not matched:
                return []
        score = self.tfidf if scoring == "tfidf" else self.bm25
        scores = {n: sum(score(t, n) for t in terms) for n in matched}
        return sorted(matched, key=lambda n: (-scores[n], n))

    def tfidf(self, term: str, post: int) -> float:
        tf = TITLE_WEIGHT * self.title[term].get(post, 0) + self.body[term].get(post, 0)
        return tf * math.log(self.count / self.df[term])

    def bm25(self, term: str, post: int, k1: float = 1.2, b: float = 0.75) -> float:
        idf = math.log(1 + (self.count - self.df[term] + 0.5) / (self.df[term] + 0.5))
        title = self.title[term].get(post, 0)
        body = self.body[term].get(post, 0)
        norm = k1 * (1 - b + b * self.lengths[post] / self.average_length)
        return idf * (TITLE_WEIGHT * title * (k1 + 1) / (title + k1) + body * (k1 + 1) / (body + norm))


def run_bigram(docs: list[Doc], items: list[dict[str, str]], scoring: str = "bm25") -> list[Row]:
    """The bigram baseline (or its tf-idf diagnostic) on every query."""
    index = BigramIndex(docs, (t for item in items for t in bigram_terms(item["query"])))
    rows = []
    for item in items:
        found = index.search(item["query"], scoring)
        rows.append(answered(item, [docs[n].path for n in found[:LIMIT]], len(found)))
    return rows


# --- report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What to ask and whom: the command line's choices."""

    targets: int = 300
    seed: int = 1
    types: tuple[str, ...] = ALL_TYPES
    questions_limit: int | None = None
    peers: tuple[str, ...] = PEERS
    pagefind_fresh: bool = False


def corpus_queries(corpus: Path, docs: list[Doc], options: Options) -> list[dict[str, str]]:
    """The known-item queries of the chosen types, then the corpus's questions (if chosen and any)."""
    generated = [t for t in options.types if t != QUESTION]
    items = known_items.generate(corpus, options.targets, options.seed, generated) if generated else []
    if QUESTION in options.types:
        questions = known_items.read_questions(corpus, options.questions_limit)
        paths = {d.path for d in docs}
        missing = sorted({q["target_path"] for q in questions} - paths)
        if missing:
            raise SystemExit(f"questions.jsonl names posts that are not published: {', '.join(missing[:5])}")
        items += questions
    return items


def quality_of(rows: list[Row]) -> dict[str, dict[str, float]]:
    """Scores per known-item type and overall (known items only), and the questions apart."""
    known = [r for r in rows if r["type"] != QUESTION]
    questions = [r for r in rows if r["type"] == QUESTION]
    out = scores_by_type(known, known_items.TYPES) if known else {}
    if questions:
        out[QUESTION] = scores(questions)
    return out


def evaluate(corpus: Path, options: Options) -> dict[str, Any]:
    """Every selected tool on one corpus: per-query rows, quality per tool, seconds per step."""
    corpus = posts_dir(corpus)
    peers = options.peers
    started_all = time.perf_counter()
    docs = read_docs(corpus)
    items = corpus_queries(corpus, docs, options)
    if not items:
        raise SystemExit(f"{corpus}: no queries of the types {', '.join(options.types)} (questions.jsonl missing?)")
    print(f"{corpus}: {len(docs)} posts, {len(items)} queries", file=sys.stderr)
    rows: dict[str, list[Row]] = {}
    seconds: dict[str, float] = {}

    def timed(name: str, run: Callable[[], list[Row]]) -> None:
        started = time.perf_counter()
        rows[name] = run()
        seconds[name] = time.perf_counter() - started
        print(f"  {LABELS[name]}: {seconds[name]:.1f} s", file=sys.stderr)

    seconds["queries"] = time.perf_counter() - started_all
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        started = time.perf_counter()
        postsearch.build(corpus, index_dir, cache=False)
        seconds["build"] = time.perf_counter() - started
        print(f"  postsearch build: {seconds['build']:.1f} s", file=sys.stderr)
        timed("postsearch", lambda: run_postsearch(index_dir, items))
        if "browser" in peers:
            timed("browser", lambda: run_browser(index_dir, items))
    if "pagefind" in peers:
        timed("pagefind", lambda: run_pagefind(corpus, items, options.pagefind_fresh))
    if "lunr" in peers:
        timed("lunr", lambda: run_node("lunr_ja.mjs", docs, items))
    if "lunr-seg" in peers:
        timed("lunr-seg", lambda: run_node("lunr_ja.mjs", docs, items, "--segment-queries"))
    if "minisearch" in peers:
        timed("minisearch", lambda: run_node("minisearch_seg.mjs", docs, items))
    if "bigram" in peers:
        timed("bigram", lambda: run_bigram(docs, items))
    if "bigram-tfidf" in peers:
        timed("bigram-tfidf", lambda: run_bigram(docs, items, "tfidf"))
    seconds["total"] = time.perf_counter() - started_all
    counts = Counter(i["type"] for i in items)
    return {
        "corpus": str(corpus),
        "posts": len(docs),
        "queries": dict(counts, overall=len(items) - counts[QUESTION]),
        "browser_differences": differences(rows["browser"], rows["postsearch"]) if "browser" in rows else None,
        "quality": {name: quality_of(r) for name, r in rows.items()},
        "seconds": seconds,
        "rows": rows,
    }


def corpus_name(result: dict[str, Any]) -> str:
    """The corpus folder's name (efcl-blog), not its posts/ folder."""
    path = Path(result["corpus"])
    return path.parent.name if path.name == "posts" else path.name


def groups(result: dict[str, Any]) -> list[str]:
    """The column groups a corpus has queries for, in GROUPS order."""
    return [kind for kind in GROUPS if result["queries"].get(kind)]


def notes(result: dict[str, Any]) -> list[str]:
    """Lines printed under a table: query counts, the browser parity check, seconds per tool."""
    counts = ", ".join(f"{kind} {result['queries'][kind]}" for kind in groups(result))
    lines = [f"{result['posts']} posts; queries: {counts} (overall: the known-item types, without questions)."]
    different = result["browser_differences"]
    if different is not None:
        asked = sum(n for kind, n in result["queries"].items() if kind != "overall")
        lines.append(
            f"postsearch (browser): top-10 paths differ from the Python API's on {len(different)} of {asked} queries."
        )
    seconds = result["seconds"]
    steps = [("queries", "making the queries"), ("build", "postsearch build")]
    steps += [(name, LABELS[name]) for name in result["quality"]]
    timing = ", ".join(f"{label} {seconds[key]:.0f}" for key, label in steps if key in seconds)
    lines.append(f"Seconds: {timing}; {seconds['total']:.0f} in all.")
    return lines


def text_table(result: dict[str, Any]) -> str:
    """The table for a terminal: a column group per query type, a row per tool."""
    width = max(len(label) for label in LABELS.values())
    group_width = 4 * 7
    kinds = groups(result)
    head1 = " " * width + "".join(f" | {kind:^{group_width}}" for kind in kinds)
    head2 = f"{'tool':<{width}}" + "".join(" | " + "".join(f"{m:>7}" for _, m in METRICS) for _ in kinds)
    lines = [f"corpus {corpus_name(result)}", head1, head2, "-" * len(head2)]
    for name, by_type in result["quality"].items():
        cells = "".join(
            " | " + "".join(f"{by_type[kind][key]:>7.3f}" if kind in by_type else f"{'-':>7}" for key, _ in METRICS)
            for kind in kinds
        )
        lines.append(f"{LABELS[name]:<{width}}{cells}")
    return "\n".join([*lines, *notes(result)])


def markdown_table(result: dict[str, Any]) -> str:
    """The same table in Markdown: the first column of each query type's group names the type."""
    kinds = groups(result)
    header = ["tool"]
    for kind in kinds:
        header += [f"{kind} {METRICS[0][1]}", *(label for _, label in METRICS[1:])]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" + "---:|" * (len(header) - 1)]
    for name, by_type in result["quality"].items():
        cells = [LABELS[name]]
        for kind in kinds:
            cells += [f"{by_type[kind][key]:.3f}" if kind in by_type else "-" for key, _ in METRICS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([f"### {corpus_name(result)}", "", *lines, "", *notes(result)])


def short_table(results: list[dict[str, Any]]) -> str:
    """One Markdown table for all corpora: MRR@10 per type and overall, and overall's zero rate;
    for questions MRR@10, S@1, S@10 and zero. Types a corpus has no query of show "-"."""
    kinds = [k for k in GROUPS if any(k in g for g in map(groups, results))]
    known = [k for k in kinds if k != QUESTION]
    header = ["corpus", "tool", *known, *(["zero"] if "overall" in known else [])]
    if QUESTION in kinds:
        header += ["question MRR@10", "S@1", "S@10", "zero"]
    lines = ["| " + " | ".join(header) + " |", "|---|---|" + "---:|" * (len(header) - 2)]
    for result in results:
        for n, (name, by_type) in enumerate(result["quality"].items()):
            cells = [corpus_name(result) if n == 0 else "", LABELS[name]]
            cells += [f"{by_type[k]['mrr10']:.3f}" if k in by_type else "-" for k in known]
            if "overall" in known:
                cells.append(f"{by_type['overall']['zero']:.1%}" if "overall" in by_type else "-")
            if QUESTION in kinds:
                q = by_type.get(QUESTION)
                cells += (
                    [f"{q['mrr10']:.3f}", f"{q['s1']:.3f}", f"{q['s10']:.3f}", f"{q['zero']:.1%}"] if q else ["-"] * 4
                )
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def source_state() -> str:
    """The commit postsearch ran from, and any uncommitted changes under src/ (they change the figures).

    When postsearch was imported from outside this repository (PYTHONPATH naming another copy,
    such as `git archive HEAD src` unpacked elsewhere, to measure a commit while src/ is being
    edited), that folder is named instead, with the commit in its COMMIT file if it has one.
    """
    repo = Path(__file__).resolve().parent.parent
    package = Path(postsearch.__file__).resolve().parent
    if repo / "src" not in package.parents:
        root = package.parent.parent  # the copy's folder, holding src/postsearch
        commit = (root / "COMMIT").read_text().strip() if (root / "COMMIT").is_file() else "no COMMIT file"
        return f"{commit} (imported from {package})"

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True).stdout

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown commit"
    changed = [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()]
    return f"{commit}, uncommitted changes to {', '.join(changed)}" if changed else commit


def parse_types(value: str) -> list[str]:
    """`all` (every known-item type, and the questions where a corpus has them) or a list."""
    return known_items.parse_types(value, ALL_TYPES)


def parse_peers(value: str) -> list[str]:
    """`all` or a comma-separated list of PEERS."""
    if value == "all":
        return list(PEERS)
    chosen = [p.strip() for p in value.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PEERS + DIAGNOSTICS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown peers {unknown}; choose from {', '.join(PEERS + DIAGNOSTICS)} or all"
        )
    return chosen


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("corpus", type=Path, nargs="+")
    parser.add_argument("--targets", type=int, default=300, help="target posts, up to 4 queries each (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--types",
        type=parse_types,
        default=list(ALL_TYPES),
        help=f"all (default) or some of {','.join(ALL_TYPES)}; question: the corpus's questions.jsonl, if any",
    )
    parser.add_argument(
        "--questions-limit", type=int, default=None, metavar="N", help="ask N of the questions, evenly spread"
    )
    parser.add_argument(
        "--peers",
        type=parse_peers,
        default=list(PEERS),
        help=f"all (default: {','.join(PEERS)}) or a list, which may add the diagnostic {','.join(DIAGNOSTICS)}",
    )
    parser.add_argument(
        "--pagefind-fresh", action="store_true", help="a fresh browser context per Pagefind query (slow; same answers)"
    )
    parser.add_argument("--json", type=Path, help="write the tables' figures and every query's answers here")
    parser.add_argument("--markdown", type=Path, help="write the tables in Markdown here, with this command line")
    args = parser.parse_args()
    command = shlex.join(["python", "-m", "benchmarks.quality", *sys.argv[1:]])
    source = source_state()  # before the run: the src/ postsearch's Python API imported

    options = Options(
        args.targets, args.seed, tuple(args.types), args.questions_limit, tuple(args.peers), args.pagefind_fresh
    )
    results = []
    for corpus in args.corpus:
        result = evaluate(corpus, options)
        results.append(result)
        print(text_table(result), end="\n\n", flush=True)
    if args.markdown:
        body = "\n\n".join(markdown_table(r) for r in results)
        args.markdown.write_text(
            f"```sh\n{command}\n```\n\npostsearch at {source}.\n\n{short_table(results)}\n\n{body}\n", encoding="utf-8"
        )
    if args.json:
        summary = {
            "command": command,
            "source": source,
            "targets": args.targets,
            "seed": args.seed,
            "types": args.types,
            "questions_limit": args.questions_limit,
            "results": results,
        }
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
