"""The build cache holds data, never code; it is checked on load and pruned without following links."""

from __future__ import annotations

import dataclasses
import errno
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import postsearch
from postsearch import cache, saved
from postsearch.core import FIELDS

from .conftest import EXAMPLE_SITE, ROOT
from .helpers import read_all


class Planted:
    """What a hostile pull request could commit: a pickle that runs code when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.write_text, (self.marker, "the cache ran code"))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE / "articles", site / "articles")
    return site


def test_a_planted_pickle_is_never_loaded(site, tmp_path):
    marker = tmp_path / "ran"
    folder = site / ".postsearch-cache"
    (folder / "ab").mkdir(parents=True)
    payload = pickle.dumps(Planted(marker))
    (folder / "build.pickle").write_bytes(payload + payload)  # the key, then the build, as before
    (folder / "ab" / ("ab" + "0" * 62 + ".pickle")).write_bytes(payload)
    report = postsearch.build(site, tmp_path / "out", jobs=1)
    assert report.posts == 3 and not marker.exists()
    assert not list(folder.rglob("*.pickle"))  # an older version's pickles, deleted unread
    assert cache.is_ours(folder)


def test_no_module_unpickles_or_evaluates():
    for module in (ROOT / "src" / "postsearch").glob("*.py"):
        source = module.read_text(encoding="utf-8")
        for needle in ("import pickle", "pickle.load", "marshal", "eval(", "exec(", "yaml.load(", "unsafe_load"):
            assert needle not in source, (module.name, needle)


def _set(part: int, i: int, value: object) -> object:
    return lambda p: p[part].__setitem__(i, value)


POSTINGS_DAMAGE = [  # index.PostPostings: [terms, heads, positions, head ends, position ends]
    _set(1, 0, 1 << len(FIELDS)),  # a field mask naming a field that does not exist
    _set(1, 0, 0),  # no field at all
    _set(1, 1, 0),  # a tf of 0
    _set(1, 1, -1),  # negative
    _set(2, 0, 1 << 32),  # past uint32
    lambda p: p[0].__setitem__(0, p[0][1]),  # the same term twice
    lambda p: p[2].pop(),  # a position short
    lambda p: p[3].pop(),  # an end short
    lambda p: p[4].__setitem__(0, p[4][0] + 1),  # positions that do not add up to the tfs
    lambda p: p[0].append(7),  # a term that is not a string
]


def test_records_round_trip_and_anything_else_is_ignored(site, tmp_path):
    postsearch.build(site, tmp_path / "out", jobs=1)
    folder = site / ".postsearch-cache"
    records = sorted(folder.glob("??/*.json"))
    assert len(records) == 3
    record = cache.decode_record(records[0].read_bytes())
    assert cache.decode_record(cache.encode_record(record)) == record
    odd = dataclasses.replace(record, text=record.text + "\udc80")  # a lone surrogate: orjson refuses it
    assert cache.decode_record(cache.encode_record(odd)) == odd
    bad = [
        b"",
        b"[",
        b'{"a": 1}',
        json.dumps([cache.CACHE_VERSION, *[None] * 11]).encode(),
        records[0].read_bytes().replace(b'"', b"'", 1),
    ]
    row = json.loads(records[0].read_bytes())
    row[9] = {"term": [[99, [1]]]}  # postings in the old form
    bad.append(json.dumps(row).encode())
    for damage in POSTINGS_DAMAGE:
        row = json.loads(records[0].read_bytes())
        damage(row[9])
        bad.append(json.dumps(row).encode())
    row = json.loads(records[0].read_bytes())
    for grams in ([ord("a") << 42 | ord("b") << 21], [1 << 64], [-1], row[10][::-1], ["灯台"]):
        row[10] = grams  # n-gram codes of Latin letters, past 64 bits, negative, falling, strings
        bad.append(json.dumps(row).encode())
    for data in bad:
        with pytest.raises(cache.Invalid):
            cache.decode_record(data)
    for path in records:  # damage every record: the build analyzes again and gives the same bytes
        path.write_bytes(b'[1,"x"]')
    (folder / saved.BUILD_FILE).unlink()
    report = postsearch.build(site, tmp_path / "again", jobs=1)
    assert report.cached == 0 and read_all(tmp_path / "again") == read_all(tmp_path / "out")


@pytest.mark.parametrize("damage", ["truncated", "header", "rows", "row-ends", "swapped"])
def test_a_damaged_saved_build_gives_a_full_build_with_the_same_bytes(site, tmp_path, damage):
    postsearch.build(site, tmp_path / "out", jobs=1)
    path = site / ".postsearch-cache" / saved.BUILD_FILE
    data = path.read_bytes()
    magic, header, rest = data.split(b"\n", 2)
    meta = json.loads(header)
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "header":
        meta["posts"][0][5] = ["not", "numbers"]
        data = b"\n".join([magic, json.dumps(meta).encode(), rest])
    elif damage == "rows":  # well-formed sections, but a term row that is not JSON
        data = data.replace(b'[["', b'[[x"', 1)
    elif damage == "row-ends":
        meta["sections"][0] -= 1
        meta["sections"][1] += 1
        data = b"\n".join([magic, json.dumps(meta).encode(), rest])
    else:  # the grams and lexicon budgets swapped
        meta["grams"][2], meta["lexicon"][2] = meta["lexicon"][2], meta["grams"][2]
        data = b"\n".join([magic, json.dumps(meta).encode(), rest])
    path.write_bytes(data)
    post = site / "articles" / "react-effect-loop.md"
    post.write_text(post.read_text(encoding="utf-8") + "\n\n追記した段落です。\n", encoding="utf-8")
    postsearch.build(site, tmp_path / "out", jobs=1)
    postsearch.build(site, tmp_path / "cold", jobs=1, cache=False)
    assert read_all(tmp_path / "out") == read_all(tmp_path / "cold")


def test_pruning_never_follows_a_link_nor_deletes_what_it_did_not_write(site, tmp_path):
    postsearch.build(site, tmp_path / "out", jobs=1)
    folder = site / ".postsearch-cache"
    # two record folder names the build did not use (records' names change with the code)
    link, other = [name for name in (f"{k:02x}" for k in range(256)) if not (folder / name).exists()][:2]
    outside = tmp_path / "outside"
    outside.mkdir()
    theirs = [link + "1" * 62 + ".json", link + "2" * 62 + ".pickle", "notes.pickle"]
    for name in theirs:
        (outside / name).write_text("theirs", encoding="utf-8")
    (folder / link).symlink_to(outside)  # a link planted where a record folder would be
    (folder / other).mkdir()
    (folder / other / "notes.txt").write_text("kept", encoding="utf-8")
    post = site / "articles" / "react-effect-loop.md"
    post.write_text(post.read_text(encoding="utf-8") + "\n\n編集しました。\n", encoding="utf-8")
    postsearch.build(site, tmp_path / "out", jobs=1)  # prunes the edited post's old record
    assert sorted(p.name for p in outside.iterdir()) == sorted(theirs)
    assert (folder / other / "notes.txt").read_text(encoding="utf-8") == "kept"


def test_a_cache_folder_that_is_not_ours_is_refused_or_skipped(site, tmp_path):
    mine = tmp_path / "mine"
    (mine / "photos").mkdir(parents=True)
    (mine / "photos" / "a.pickle").write_text("x", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "postsearch", "index", str(site), "-o", str(tmp_path / "out"), "--cache", str(mine)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stderr.startswith("error:") and "photos" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert (mine / "photos" / "a.pickle").read_text(encoding="utf-8") == "x"
    assert not (tmp_path / "out").exists()
    # the default folder inside the site (the site's own repository) is skipped with a warning
    (site / ".postsearch-cache").mkdir()
    (site / ".postsearch-cache" / "README").write_text("x", encoding="utf-8")
    report = postsearch.build(site, tmp_path / "out", jobs=1)
    assert report.posts == 3 and any(".postsearch-cache" in path for path, _ in report.warnings)
    assert sorted(p.name for p in (site / ".postsearch-cache").iterdir()) == ["README"]


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Every write under the folders given fails with EROFS, as on a read-only mount (root
    ignores permission bits, so chmod cannot make one here)."""
    folders: list[str] = []

    def blocked(path: object) -> bool:
        where = os.path.abspath(os.fsdecode(path)) if isinstance(path, str | bytes | os.PathLike) else ""
        return any(where == f or where.startswith(f + os.sep) for f in folders)

    def refuse(path: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))  # type: ignore[arg-type]

    def guard(real, writes=lambda *a, **k: True):  # type: ignore[no-untyped-def]
        def call(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            if blocked(path) and writes(*args, **kwargs):
                refuse(path)
            return real(path, *args, **kwargs)

        return call

    def writing_mode(mode: str = "r", *args: object, **kwargs: object) -> bool:
        return any(c in mode for c in "wax+")

    def writing_flags(flags: int, *args: object, **kwargs: object) -> bool:
        return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))

    for name in ("mkdir", "unlink", "remove", "rmdir"):
        monkeypatch.setattr(os, name, guard(getattr(os, name)))
    monkeypatch.setattr(os, "open", guard(os.open, writing_flags))
    monkeypatch.setattr(io, "open", guard(io.open, writing_mode))
    for name in ("replace", "rename", "link"):
        real = getattr(os, name)
        monkeypatch.setattr(
            os,
            name,
            lambda a, b, *args, real=real, **kw: refuse(a) if blocked(a) or blocked(b) else real(a, b, *args, **kw),
        )
    return folders


def test_a_read_only_site_with_a_cache_builds_and_exits_cleanly(site, tmp_path, read_only):
    postsearch.build(site, tmp_path / "first", jobs=1)  # the cache is there, as in a checkout
    cached = read_all(site / ".postsearch-cache")
    read_only.append(os.path.abspath(site))
    for out in ("same", "same", "edited"):  # a full build from the cache, a patched one, an edit
        if out == "edited":
            read_only.clear()
            post = site / "articles" / "react-effect-loop.md"
            post.write_text(post.read_text(encoding="utf-8") + "\n\n読み取り専用の前に書いた。\n", encoding="utf-8")
            read_only.append(os.path.abspath(site))
        report = postsearch.build(site, tmp_path / out, jobs=1)
        assert report.posts == 3 and report.failures == []
    assert postsearch.open_index(tmp_path / "edited").search("読み取り専用").total == 1
    read_only.clear()
    assert read_all(site / ".postsearch-cache") == cached
