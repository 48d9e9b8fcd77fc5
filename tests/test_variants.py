"""Spelling variants in both directions: a query in a term's own spelling (Sudachi's
normalized form) finds every post with the term, whatever spelling the post used.

tests/sites/variants/ is a small site written for these tests whose posts spell words only
in a variant of their normalized form, never in that form: サーバ (サーバー), バッテリ
(バッテリー), Amazon (アマゾン), 引越し (引っ越し), 打ち合せ (打ち合わせ), 行なう (行う).
The lexicon ships the surfaces seen in the posts, so it has a row of each term's own
spelling only because the build adds one (index.lexicon_entries, docs/format.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import postsearch
from postsearch.core import fold
from postsearch.index import IndexBuilder, LexiconRow, lexicon_counts, lexicon_entries, surface_cost
from tests.parity import make_parity

from .conftest import ROOT
from .helpers import read_all

SITE = ROOT / "tests" / "sites" / "variants"
SERVER = "_posts/2023-04-01-home-server.md"
BOOKS = "_posts/2023-05-10-book-shopping.md"
MOVING = "_posts/2023-06-20-moving-day.md"
VARIANTS = [  # (normalized spelling, the post's spelling, the post)
    ("サーバー", "サーバ", SERVER),
    ("バッテリー", "バッテリ", SERVER),
    ("アマゾン", "Amazon", BOOKS),
    ("引っ越し", "引越し", MOVING),
    ("打ち合わせ", "打ち合せ", MOVING),
    ("行う", "行なう", MOVING),
]
# Queries both runtimes answer alike on the variants site (tests/parity.py, Node below).
NODE_QUERIES = [
    *(q for normalized, variant, _ in VARIANTS for q in (normalized, variant)),
    "amazon",
    "AMAZON",
    "ｱﾏｿﾞﾝ",
    "自宅サーバー",
    '"自宅サーバー"',
    "サーバー 点検",
    "点検 -サーバー",
    "アマゾンで本",
    "引っ越しの打ち合わせ",
    "バッテ",
    "打ち合わ",
    "行う そうだ",
]


def lexicon_rows(out: Path) -> dict[str, list]:
    """Every lexicon row of a built index, by surface."""
    build = out / json.loads((out / "manifest.json").read_bytes())["build"]
    return {row[0]: row for f in sorted(build.glob("lexicon-*.json")) for row in json.loads(f.read_bytes())}


@pytest.fixture(scope="module")
def variants_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("variants") / "index"
    report = postsearch.build(SITE, out, jobs=1, cache=False)
    assert report.posts == 4 and report.failures == []
    return out


def test_the_posts_only_use_the_variant_spellings() -> None:
    """The fixture stays what it is for: no post writes a normalized spelling, and Sudachi
    still takes each variant to it."""
    from postsearch.analysis import Analyzer

    texts = {p.relative_to(SITE).as_posix(): p.read_text(encoding="utf-8") for p in SITE.rglob("*.md")}
    assert sorted(texts) == sorted({SERVER, BOOKS, MOVING, "_posts/2023-07-02-summer-garden.md"})
    analyzer = Analyzer()
    for normalized, variant, path in VARIANTS:
        assert all(normalized not in text for text in texts.values()), normalized
        assert variant in texts[path]
        terms = {t.term for t in analyzer.analyze(texts[path]) if t.surface == fold(variant)}
        assert terms == {normalized}, (variant, terms)


@pytest.mark.parametrize(("normalized", "variant", "path"), VARIANTS)
def test_the_normalized_spelling_finds_the_post_and_marks_its_spelling(variants_index, normalized, variant, path):
    index = postsearch.open_index(variants_index)
    found = index.search(normalized)
    assert [h.path for h in found.hits] == [path]
    assert f"<mark>{variant}</mark>" in found.hits[0].excerpt
    assert [h.path for h in index.search(variant).hits] == [path]  # as before


def test_phrases_and_clauses_in_the_normalized_spelling(variants_index) -> None:
    """The post that has every word ranks first (posts with only some may follow)."""
    index = postsearch.open_index(variants_index)
    for query, path in [
        ('"自宅サーバー"', SERVER),
        ("自宅サーバー 点検", SERVER),
        ("引っ越しの打ち合わせ", MOVING),
        ("点検 -サーバー", MOVING),
        ("アマゾン 文庫本", BOOKS),
    ]:
        hits = index.search(query).hits
        assert hits and hits[0].path == path, query
        assert SERVER not in [h.path for h in hits] or "-" not in query
    assert "<mark>Amazon</mark>" in index.search("アマゾン 文庫本").hits[0].excerpt


def test_each_term_spelled_as_no_surface_has_a_row_of_its_own(variants_index) -> None:
    """`[term, width, cost, ""]`: the term's most frequent width, and the cost its tokens
    would have as one surface (so ranking and cutting treat it as the word it is)."""
    rows = lexicon_rows(variants_index)
    for normalized, variant, _ in VARIANTS:
        mine, theirs = rows[normalized], rows[fold(variant)]
        assert mine[3:] == [""] and theirs[3:] == [normalized]
        assert mine[1:3] == theirs[1:3]  # one spelling in the posts: same count, same width


def test_lexicon_entries_add_term_rows_and_keep_stops() -> None:
    surfaces: Counter[tuple[str, str, int]] = Counter(
        {
            ("サーバ", "サーバー", 1): 3,
            ("server", "サーバー", 1): 1,
            ("webサーバー", "ウェブサーバー", 2): 2,
            ("纏め", "纏める", 1): 2,  # a surface seen as one term, spelling another
            ("まとめ", "纏め", 1): 1,
            ("と", "", 1): 9,  # a stop surface, also a term once: stays a stop
            ("と", "と", 1): 1,
            ("都", "と", 1): 1,
        }
    )
    total = sum(surfaces.values())
    rows = lexicon_entries(surfaces, total)
    assert rows["サーバー"] == LexiconRow("サーバー", 1, surface_cost(total, 4), ["サーバー"])
    assert rows["ウェブサーバー"] == LexiconRow("ウェブサーバー", 2, surface_cost(total, 2), ["ウェブサーバー"])
    assert rows["纏め"] == LexiconRow("纏め", 1, surface_cost(total, 2), ["纏め", "纏める"])
    assert rows["纏める"].terms == ["纏める"] and rows["と"].terms == []
    assert rows["サーバ"].terms == ["サーバー"] and rows["都"].terms == ["と"]
    assert lexicon_entries(surfaces, total, {"サーバー", "と", "纏め"}) == {
        k: rows[k] for k in ("サーバー", "と", "纏め")
    }
    counts = lexicon_counts(surfaces)
    assert set(counts) == set(rows) and counts["サーバー"] == 4 and counts["と"] == 10
    assert all(rows[s].cost == surface_cost(total, n) for s, n in counts.items())


def test_term_rows_are_in_sorted_order_and_the_same_every_build(variants_index, tmp_path) -> None:
    builder = IndexBuilder()
    builder.surfaces.update({("サーバ", "サーバー", 1): 1, ("amazon", "アマゾン", 1): 1, ("あ", "", 1): 1})
    assert [r.surface for r in builder.lexicon()] == ["amazon", "あ", "アマゾン", "サーバ", "サーバー"]
    again = tmp_path / "again"
    postsearch.build(SITE, again, jobs=2, cache=False)
    assert read_all(again) == read_all(variants_index)


def test_node_answers_the_variant_queries_as_python(variants_index, tmp_path) -> None:
    """The same queries through web/postsearch.js in Node (tests/js/parity.test.mjs)."""
    from .test_parity import node

    parity = tmp_path / "parity.json"
    answers = make_parity(variants_index, NODE_QUERIES, parity, extra=False)
    assert all(a["total"] >= 1 for a in answers["queries"]), [a["query"] for a in answers["queries"] if not a["total"]]
    env = {**os.environ, "POSTSEARCH_INDEX": str(variants_index), "POSTSEARCH_PARITY": str(parity)}
    run = subprocess.run(
        [node(), "--test", "tests/js/parity.test.mjs"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    assert re.search(r"^# pass [1-9]", run.stdout, re.M) and re.search(r"^# fail 0$", run.stdout, re.M), run.stdout


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("フォルダー", "content/posts/hugo-dev-server.md"),  # the post writes フォルダ
        ("リポジトリー", "content/posts/hugo-dev-server.md"),  # リポジトリ
        ("ウェブサーバー", "_posts/2019-01-05-docker-web-server.md"),  # Webサーバー
    ],
)
def test_the_example_site_finds_its_words_in_their_normalized_spelling(example, query, path):
    assert path in [h.path for h in example.search(query).hits]


# Patched rebuilds (update.py): a post's edit can add or take away a term's own row, or turn
# it into the row of a surface the posts now write; each rebuild writes a cold build's bytes.


def rebuild(site: Path, out: Path, cold: Path, patched: bool = True) -> postsearch.Index:
    """Rebuild `out` from the cache (patched, unless post ids moved) and check it against a
    cold build into `cold`."""
    report = postsearch.build(site, out, jobs=1)
    postsearch.build(site, cold, jobs=1, cache=False)
    assert read_all(out) == read_all(cold)
    assert report.failures == [] and report.patched == patched
    return postsearch.open_index(out)


def paths(index: postsearch.Index, query: str) -> list[str]:
    return [h.path for h in index.search(query, limit=20).hits]


def test_patched_rebuilds_add_and_drop_the_rows_of_terms(tmp_path) -> None:
    site, out, cold = tmp_path / "site", tmp_path / "out", tmp_path / "cold"
    shutil.copytree(SITE, site)
    postsearch.build(site, out, jobs=1)
    books = site / BOOKS
    original = books.read_text(encoding="utf-8")

    books.write_text(original.replace("Amazon", "通販"), encoding="utf-8")  # the only Amazon goes
    index = rebuild(site, out, cold)
    assert paths(index, "アマゾン") == [] and "アマゾン" not in lexicon_rows(out)

    books.write_text(original.replace("Amazon", "アマゾン", 1), encoding="utf-8")  # both spellings
    index = rebuild(site, out, cold)
    assert paths(index, "アマゾン") == [BOOKS] and lexicon_rows(out)["アマゾン"][3:] == [""]

    books.write_text(original, encoding="utf-8")  # the variant alone again
    index = rebuild(site, out, cold)
    assert paths(index, "アマゾン") == [BOOKS]

    (site / "_posts" / "2023-08-01-zz-new.md").write_text(
        "---\ntitle: 新しいサーバー\n---\nサーバーを買い替えた。アマゾンで。\n", encoding="utf-8"
    )  # a new post after the last, in the normalized spellings
    index = rebuild(site, out, cold)
    assert set(paths(index, "サーバー")) == {SERVER, "_posts/2023-08-01-zz-new.md"}
    assert set(paths(index, "Amazon")) == {BOOKS, "_posts/2023-08-01-zz-new.md"}

    server = site / SERVER
    server.write_text(server.read_text(encoding="utf-8").replace("サーバ", "機械"), encoding="utf-8")
    index = rebuild(site, out, cold)
    assert paths(index, "サーバ") == paths(index, "サーバー") == ["_posts/2023-08-01-zz-new.md"]

    (site / "_posts" / "2023-08-01-zz-new.md").unlink()  # ids move: a full build
    index = rebuild(site, out, cold, patched=False)
    assert paths(index, "サーバー") == [] and "サーバー" not in lexicon_rows(out)


WORDS = [
    "サーバ",
    "サーバー",
    "Amazon",
    "アマゾン",
    "引越し",
    "引っ越し",
    "書いた",
    "書く",
    "纏め",
    "まとめ",
    "灯台",
    "十五",
]
GLUE = ["。", "、", "を", "に", " ", "\n\n"]
bodies = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GLUE)), min_size=1, max_size=12).map(
    lambda parts: "".join(w + g for w, g in parts)
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bodies, min_size=1, max_size=4), st.tuples(st.integers(0, 3), bodies))
def test_random_variant_sites_patch_to_cold_builds(posts, edit) -> None:
    """Posts mixing variant and normalized spellings; one is edited: the patched rebuild
    writes a cold build's bytes, and each normalized spelling finds every post with the term."""
    with tempfile.TemporaryDirectory() as tmp:
        site, out, cold = Path(tmp) / "site", Path(tmp) / "out", Path(tmp) / "cold"

        def write(bodies: list[str]) -> None:
            for n, body in enumerate(bodies):
                (site / f"p{n}.md").write_text(f"---\ntitle: p{n}\n---\n{body}\n", encoding="utf-8")

        site.mkdir()
        write(posts)
        postsearch.build(site, out, jobs=1)
        k, body = edit
        posts[k % len(posts)] = body
        write(posts)
        index = rebuild(site, out, cold)
        # 引越し stays in the words (patched = cold bytes) but not here: before 、 or に Sudachi
        # reads it as the verb 引越す (normalized 引っ越す), so the noun 引っ越し is not in the post
        for normalized, variant in [("サーバー", "サーバ"), ("アマゾン", "Amazon")]:
            having = {f"p{n}.md" for n, b in enumerate(posts) if normalized in b or variant in b}
            assert set(paths(index, normalized)) == having, (normalized, posts)
