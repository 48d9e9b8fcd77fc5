"""Known-item queries for comparing search tools, built without any morphological analyzer.

    python -m benchmarks.queries CORPUS [--targets 300] [--seed 1] [--out queries.json]

A known-item query is one a reader might type to find again a post they remember; the post
it came from is the right answer. Cutting queries with Sudachi (or any tokenizer) would hand
the tool that shares that tokenizer an advantage, so queries here are cut by **script** only:
a *run* is a maximal stretch of kanji (with 々), of katakana (with ー) or of ASCII letters and
digits. For each target post, picked at random with a seed:

- `title-word`: one run of 2-10 characters from the title;
- `body-rare`: two runs of 2-10 characters from the body text, each a substring of at most
  5 posts of the whole corpus (title or text, ignoring ASCII case), joined by a space;
- `body-phrase`: 5-12 characters of a body sentence, containing hiragana and kanji or
  katakana, starting where a kanji or katakana run starts (例: 設定を変更する). A sentence is a
  stretch of kana and kanji (punctuation, spaces and other scripts end it), and the phrase never
  ends inside a kanji or katakana run (設定を変 is not offered), only inside a hiragana run or at
  a run's end, so no word is cut in half by a rule that knows words.

A type is skipped for a target that has no candidate. Posts are read with postsearch's own
reader and text extraction (drafts excluded), so the text is the text every tool indexes.
"""

from __future__ import annotations

import bisect
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from benchmarks.common import arguments, posts_dir, published
from postsearch.posts import Post
from postsearch.text import post_text

KANJI = "\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
KATAKANA = "\u30a1-\u30fa\u30fc-\u30ff"  # ァ…ヺ, ー, ヽヾヿ (the middle dot ・ separates words)
HIRAGANA = "\u3041-\u309f"
RUN = re.compile(f"[{KANJI}]+|[{KATAKANA}]+|[A-Za-z0-9]+")
SENTENCE = re.compile(f"[{KANJI}{KATAKANA}{HIRAGANA}]+")
SCRIPT_RUN = re.compile(f"[{KANJI}]+|[{KATAKANA}]+|[{HIRAGANA}]+")
RARE_MAX_POSTS = 5
TYPES = ("title-word", "body-rare", "body-phrase")


def runs(text: str) -> list[str]:
    """Distinct single-script runs of 2-10 characters, in order of first appearance."""
    return list(dict.fromkeys(m.group() for m in RUN.finditer(text) if 2 <= len(m.group()) <= 10))


def phrases(text: str) -> list[str]:
    """Every phrase the `body-phrase` rule allows in `text`, distinct, in order of appearance."""
    found: dict[str, None] = {}
    for sentence in SENTENCE.finditer(text):
        s = sentence.group()
        pieces = [(m.start(), m.end(), m.group()[0]) for m in SCRIPT_RUN.finditer(s)]
        for i, (start, _, first) in enumerate(pieces):
            if re.match(f"[{HIRAGANA}]", first):
                continue  # phrases start with a kanji or katakana run
            for j in range(i, len(pieces)):
                run_start, run_end, char = pieces[j]
                hiragana = bool(re.match(f"[{HIRAGANA}]", char))
                # allowed ends: the end of any run, or anywhere inside a hiragana run
                ends = range(run_start + 1, run_end + 1) if hiragana else [run_end]
                for end in ends:
                    if end - start > 12:
                        break
                    phrase = s[start:end]
                    if len(phrase) >= 5 and has_kana_and_kanji(phrase):
                        found[phrase] = None
                if run_end - start >= 12:
                    break
    return list(found)


def has_kana_and_kanji(phrase: str) -> bool:
    """Hiragana, and kanji or katakana: a piece of a sentence rather than one word."""
    return bool(re.search(f"[{HIRAGANA}]", phrase)) and bool(re.search(f"[{KANJI}{KATAKANA}]", phrase))


class Corpus:
    """Every post's searchable text in one lower-cased string, to count posts containing a string.

    One `str.find` pass over the joined text is fast enough (tens of milliseconds for the
    largest corpus) and, unlike a word index, knows nothing about words.
    """

    def __init__(self, texts: list[str]) -> None:
        self.starts: list[int] = []
        pieces = []
        offset = 0
        for text in texts:
            self.starts.append(offset)
            pieces.append(text.lower())
            offset += len(pieces[-1]) + 1
        self.text = "\0".join(pieces)

    def posts_containing(self, needle: str, stop_after: int) -> int:
        """How many posts contain `needle` (ASCII case ignored), counting no further than stop_after."""
        needle = needle.lower()
        count, at = 0, 0
        while count < stop_after:
            at = self.text.find(needle, at)
            if at < 0:
                break
            count += 1
            post = bisect.bisect_right(self.starts, at) - 1
            at = self.starts[post + 1] if post + 1 < len(self.starts) else len(self.text)
        return count


def generate(corpus_dir: Path, targets: int = 300, seed: int = 1) -> list[dict[str, str]]:
    """Queries for `targets` random posts (all posts if fewer): dicts of type, query, target_path.

    target_path is the post's path relative to the posts folder, as in postsearch's `hit.path`.
    The same corpus, targets and seed always give the same queries.
    """
    posts = sorted(published(posts_dir(Path(corpus_dir))), key=lambda p: p.path)
    bodies = {p.path: post_text(p).text for p in posts}
    corpus = Corpus([p.title + "\n" + bodies[p.path] for p in posts])
    rng = random.Random(seed)
    chosen = rng.sample(posts, min(targets, len(posts)))
    queries: list[dict[str, str]] = []
    for post in chosen:
        body = bodies[post.path]
        title_runs = runs(post.title)
        if title_runs:
            queries.append(query("title-word", rng.choice(title_runs), post))
        rare = pick_rare(runs(body), corpus, rng)
        if rare:
            queries.append(query("body-rare", " ".join(rare), post))
        body_phrases = phrases(body)
        if body_phrases:
            queries.append(query("body-phrase", rng.choice(body_phrases), post))
    return queries


def pick_rare(candidates: list[str], corpus: Corpus, rng: random.Random) -> list[str] | None:
    """Two runs, chosen at random among those in at most RARE_MAX_POSTS posts, or None.

    Runs are tried in a random order until two rare ones turn up, which is the same as drawing
    two from the rare ones, without counting every run of a long post. Runs that differ only in
    ASCII case count as one.
    """
    order = candidates[:]
    rng.shuffle(order)
    picked: list[str] = []
    for run in order:
        if any(run.lower() == p.lower() for p in picked):
            continue
        if corpus.posts_containing(run, RARE_MAX_POSTS + 1) <= RARE_MAX_POSTS:
            picked.append(run)
            if len(picked) == 2:
                return picked
    return None


def query(kind: str, text: str, post: Post) -> dict[str, str]:
    return {"type": kind, "query": text, "target_path": post.path}


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--targets", type=int, default=300, help="target posts (default 300, or all if fewer)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="write the queries here as JSON")
    args = parser.parse_args()
    queries = generate(args.corpus, args.targets, args.seed)
    counts = Counter(q["type"] for q in queries)
    for kind in TYPES:
        print(f"{kind:<12} {counts[kind]:>5}")
    print(f"{'total':<12} {len(queries):>5}")
    if args.out:
        args.out.write_text(json.dumps(queries, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
