"""Known-item queries for comparing search tools, cut by script or by a dictionary no tool uses.

    python -m benchmarks.queries CORPUS [--targets 300] [--seed 1] [--types all|T,T...] [--out queries.json]

A known-item query is one a reader might type to find again a post they remember; the post
it came from is the right answer. Cutting queries with Sudachi (or any tokenizer a tool uses)
would hand the tool that shares that tokenizer an advantage, so three types are cut by
**script** only: a *run* is a maximal stretch of kanji (with 々), of katakana (with ー) or of
ASCII letters and digits. For each target post, picked at random with a seed:

- `title-word`: one run of 2-10 characters from the title;
- `body-rare`: two runs of 2-10 characters from the body text, each a substring of at most
  5 posts of the whole corpus (title or text, ignoring ASCII case), joined by a space;
- `body-phrase`: 5-12 characters of a body sentence, containing hiragana and kanji or
  katakana, starting where a kanji or katakana run starts (例: 設定を変更する). A sentence is a
  stretch of kana and kanji (punctuation, spaces and other scripts end it), and the phrase never
  ends inside a kanji or katakana run (設定を変 is not offered), only inside a hiragana run or at
  a run's end, so no word is cut in half by a rule that knows words.

- `words`: two or three content words of the body, each a substring of at most 5 posts (as
  for `body-rare`), joined by spaces: the words a reader remembers from a post and types into
  a box (学食 ボルツマン カレーフェア). See "Word queries" below.

A type is skipped for a target that has no candidate. Posts are read with postsearch's own
reader and text extraction (drafts excluded), so the text is the text every tool indexes.

**Word queries.** Words need a dictionary, and the one used here is one that none of the
compared tools uses: UniDic (unidic-lite 1.0.8, through the MeCab wrapper fugashi; postsearch
uses Sudachi's dictionary, lunr-ja TinySegmenter, MiniSearch the browser's ICU segmenter,
Pagefind its own). Install them with `pip install -e '.[bench]'`; without them `words` stops
with that hint, and `--types title-word,body-rare,body-phrase` leaves it out. What counts as a
word a reader would type:

- a *noun* as UniDic cuts it (short units: 普通名詞 or 固有名詞, not 数詞 nor 副詞可能 such
  as 今回 or ため), in its surface form as written in the post, 2-10 characters, containing a
  kanji and nothing but kanji and kana (学食, 開催, 取り組み). Surface forms, not lemmas: a
  reader types the word as they saw it (UniDic's lemma of サーバー is `サーバー-server`, of
  北海道 a reading), and nouns rather than verbs or adjectives, whose surface in the text is
  a conjugated stem (書い) nobody types;
- a *katakana word*: a maximal stretch of adjacent katakana tokens of which one at least is a
  noun, 2-10 characters, joined (カレーフェア, not カレー + フェア). UniDic cuts unknown
  loanwords at odd places (ボルツマンマシン as ボルツ + マンマシン), while a reader types the
  whole word as written;
- never ASCII or full-width letters and digits: there UniDic only groups characters by script,
  which `body-rare` already does, and this lens is about Japanese words.

The title is left out (`title-word` covers it), so a post is found by words of its text. Words
are drawn for each target with a generator seeded by the seed and the post's path, so adding
or leaving out `words` never changes the other types' queries, and the same corpus, targets
and seed always give the same word queries. The number of words (2 or 3) is drawn first; when
only 2 rare words turn up the query has 2, with fewer the type is skipped. No picked word
contains another.

Also here: `read_questions`, a corpus's `questions.jsonl` (`{"qid", "query", "target_id"}`,
the target being the post `posts/<target_id>.md`) as queries of type `question`.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
SCRIPT_TYPES = ("title-word", "body-rare", "body-phrase")  # cut by script, need no dictionary
TYPES = (*SCRIPT_TYPES, "words")
QUESTION = "question"  # a corpus's questions.jsonl (read_questions), not generated
WORD = re.compile(f"[{KANJI}{KATAKANA}{HIRAGANA}]{{2,10}}")
WORD_KANJI = re.compile(f"[{KANJI}]")
WHOLE_KATAKANA = re.compile(f"[{KATAKANA}]+")
INSTALL_HINT = (
    "word queries need UniDic: pip install -e '.[bench]' (fugashi and unidic-lite), "
    "or leave them out with --types " + ",".join(SCRIPT_TYPES)
)


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


def generate(corpus_dir: Path, targets: int = 300, seed: int = 1, types: Sequence[str] = TYPES) -> list[dict[str, str]]:
    """Queries for `targets` random posts (all posts if fewer): dicts of type, query, target_path.

    target_path is the post's path relative to the posts folder, as in postsearch's `hit.path`.
    The same corpus, targets and seed always give the same queries, and each type's queries do
    not depend on which other types are asked for. `words` needs fugashi and unidic-lite.
    """
    tagger = unidic_tagger() if "words" in types else None
    posts = sorted(published(posts_dir(Path(corpus_dir))), key=lambda p: p.path)
    bodies = {p.path: post_text(p).text for p in posts}
    corpus = Corpus([p.title + "\n" + bodies[p.path] for p in posts])
    rng = random.Random(seed)
    chosen = rng.sample(posts, min(targets, len(posts)))
    queries: list[dict[str, str]] = []
    for post in chosen:
        body = bodies[post.path]
        # the script types always draw from rng in the same order, whichever types are kept
        title_runs = runs(post.title)
        if title_runs:
            queries.append(query("title-word", rng.choice(title_runs), post))
        rare = pick_rare(runs(body), corpus, rng)
        if rare:
            queries.append(query("body-rare", " ".join(rare), post))
        body_phrases = phrases(body)
        if body_phrases:
            queries.append(query("body-phrase", rng.choice(body_phrases), post))
        if tagger is not None:
            words = pick_words(content_words(tagger, body), corpus, random.Random(f"words {seed} {post.path}"))
            if words:
                queries.append(query("words", " ".join(words), post))
    return [q for q in queries if q["type"] in types]


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


def unidic_tagger() -> Any:
    """A fugashi (MeCab) tagger with unidic-lite's dictionary, or SystemExit saying how to install them."""
    try:
        import fugashi
        import unidic_lite
    except ImportError:
        raise SystemExit(INSTALL_HINT) from None
    return fugashi.Tagger(f'-d "{unidic_lite.DICDIR}"')


def is_noun_word(token: Any) -> bool:
    """A UniDic noun a reader would type: common or proper, not a numeral nor an adverb-like noun,
    2-10 kanji and kana with at least one kanji."""
    feature = token.feature
    return (
        feature.pos1 == "名詞"
        and feature.pos2 in ("普通名詞", "固有名詞")
        and feature.pos3 != "副詞可能"
        and WORD.fullmatch(token.surface) is not None
        and WORD_KANJI.search(token.surface) is not None
    )


def content_words(tagger: Any, text: str) -> list[str]:
    """The text's content words (see the module docstring), distinct, in order of first appearance.

    Lines are tagged one at a time (a line break always ends a word). Adjacent katakana tokens,
    with nothing between them, are joined into one katakana word if one of them is a noun.
    """
    found: dict[str, None] = {}
    for line in text.splitlines():
        katakana: list[Any] = []  # the stretch of adjacent katakana tokens being read
        for token in [*tagger(line), None]:
            if token is not None and WHOLE_KATAKANA.fullmatch(token.surface) and not (katakana and token.white_space):
                katakana.append(token)
                continue
            if katakana:
                word = "".join(t.surface for t in katakana)
                if 2 <= len(word) <= 10 and any(t.feature.pos1 == "名詞" for t in katakana):
                    found[word] = None
                katakana = []
            if token is not None and WHOLE_KATAKANA.fullmatch(token.surface):
                katakana.append(token)  # a katakana token after a space starts a new stretch
            elif token is not None and is_noun_word(token):
                found[token.surface] = None
    return list(found)


def pick_words(candidates: list[str], corpus: Corpus, rng: random.Random) -> list[str] | None:
    """2 or 3 content words (the number drawn first), each in at most RARE_MAX_POSTS posts, none
    containing another; 2 if only 2 turn up, None if fewer. Tried in a random order, as pick_rare."""
    wanted = rng.choice((2, 3))
    order = candidates[:]
    rng.shuffle(order)
    picked: list[str] = []
    for word in order:
        if any(word in p or p in word for p in picked):
            continue
        if corpus.posts_containing(word, RARE_MAX_POSTS + 1) <= RARE_MAX_POSTS:
            picked.append(word)
            if len(picked) == wanted:
                break
    return picked if len(picked) >= 2 else None


def read_questions(corpus_dir: Path, limit: int | None = None) -> list[dict[str, str]]:
    """The corpus's questions.jsonl (beside posts/) as queries of type `question`, [] if it has none.

    Each becomes {type, query, target_path, qid}, target_path being `target_id + ".md"`.
    `limit` keeps an evenly spread, deterministic subset: the questions at positions
    ⌊i · n / limit⌋ for i < limit (every k-th when limit divides n).
    """
    corpus_dir = Path(corpus_dir)
    folder = corpus_dir.parent if corpus_dir.name == "posts" else corpus_dir
    path = folder / "questions.jsonl"
    if not path.is_file():
        return []
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit is not None and limit < len(questions):
        questions = [questions[i * len(questions) // limit] for i in range(limit)]
    return [
        {"type": QUESTION, "query": q["query"], "target_path": q["target_id"] + ".md", "qid": q["qid"]}
        for q in questions
    ]


def parse_types(value: str, allowed: Sequence[str] = TYPES) -> list[str]:
    """`all` (every type in `allowed`) or a comma-separated list of them, for --types."""
    if value == "all":
        return list(allowed)
    chosen = [t.strip() for t in value.split(",") if t.strip()]
    unknown = [t for t in chosen if t not in allowed]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown query types {unknown}; choose from {', '.join(allowed)} or all")
    return chosen


def query(kind: str, text: str, post: Post) -> dict[str, str]:
    return {"type": kind, "query": text, "target_path": post.path}


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--targets", type=int, default=300, help="target posts (default 300, or all if fewer)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--types", type=parse_types, default=list(TYPES), help=f"all (default) or some of {','.join(TYPES)}"
    )
    parser.add_argument("--out", type=Path, default=None, help="write the queries here as JSON")
    args = parser.parse_args()
    queries = generate(args.corpus, args.targets, args.seed, args.types)
    counts = Counter(q["type"] for q in queries)
    for kind in args.types:
        print(f"{kind:<12} {counts[kind]:>5}")
    print(f"{'total':<12} {len(queries):>5}")
    if args.out:
        args.out.write_text(json.dumps(queries, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
