"""Fuzzing the index writer and reader: random small sites round-trip through the files.

Each example writes a small site of generated posts, builds it with the cache, edits one post
and rebuilds (patched from the saved build), and checks: the rebuild writes the bytes a cold
build writes; every post is found by a word it holds; no answer names a post that is not in
the index; the saved build and record cache read back as they were written.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import postsearch
from postsearch import cache, saved

from .helpers import read_all

WORDS = [
    "灯台", "港町", "朝市", "坂道", "図書館", "路面電車", "夕焼け", "カメラ", "サーバー", "サーバ",
    "検索", "形態素", "python", "Docker", "node.js", "v2", "2024年", "ＡＢＣ", "ｶﾀｶﾅ", "﨑",
]  # fmt: skip
GLUE = ["。", "、", "を", "に", "で", "が", " ", "\n\n", "！", "「", "」", "&", "<b>", "#"]

words = st.sampled_from(WORDS)
bodies = st.lists(st.tuples(words, st.sampled_from(GLUE)), min_size=1, max_size=30).map(
    lambda parts: "".join(w + g for w, g in parts)
)
posts = st.lists(st.tuples(words, bodies, st.lists(words, max_size=2)), min_size=1, max_size=5)


def write_site(site: Path, entries: list[tuple[str, str, list[str]]]) -> None:
    for n, (title, body, tags) in enumerate(entries):
        path = site / "posts" / f"p{n:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: {json.dumps(title)}\ntags: {json.dumps(tags)}\n---\n{body}\n", encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=posts, edit=st.tuples(st.integers(0, 4), bodies))
def test_random_sites_round_trip_and_patched_rebuilds_equal_cold_builds(entries, edit):
    with tempfile.TemporaryDirectory() as tmp:
        site, out, cold = Path(tmp) / "site", Path(tmp) / "out", Path(tmp) / "cold"
        write_site(site, entries)
        first = postsearch.build(site, out, jobs=1)
        assert first.posts == len(entries) and first.failures == []
        index = postsearch.open_index(out)
        paths = {f"posts/p{n:02d}.md" for n in range(len(entries))}
        for n, (title, body, _) in enumerate(entries):
            word = next(w for w in WORDS if w in title + body)
            result = index.search(word, limit=100)
            assert {h.path for h in result.hits} <= paths and result.total <= len(entries)
            assert f"posts/p{n:02d}.md" in {h.path for h in result.hits}, (word, title, body)
        # the cache reads back exactly what was written
        folder = site / ".postsearch-cache"
        for record in folder.glob("??/*.json"):
            assert cache.encode_record(cache.decode_record(record.read_bytes())) == record.read_bytes()
        data = (folder / saved.BUILD_FILE).read_bytes()
        key = json.loads(data.split(b"\n", 2)[1])["key"]
        build = saved.decode_build(data, key)
        assert build is not None and saved.encode_build(build) == data
        # an edit, patched from the saved build, gives the bytes of a cold build
        k, body = edit
        k %= len(entries)
        title, _, tags = entries[k]
        entries[k] = (title, body, tags)
        write_site(site, entries)
        again = postsearch.build(site, out, jobs=1)
        assert again.patched
        shutil.rmtree(folder)
        postsearch.build(site, cold, jobs=1, cache=False)
        assert read_all(out) == read_all(cold)
