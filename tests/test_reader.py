"""Readers notice a rebuild, and a damaged index is named, never a traceback or a wrong answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import postsearch
from postsearch.search import CorruptIndex, Index
from postsearch.writer import exchange

from .conftest import ROOT

NODE_READER = """
import { execSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ps from 'RUNTIME';
const [dir, swap] = process.argv.slice(2);
const index = await ps.openIndex('', { load: (name) => readFile(join(dir, name)) });
const out = [(await index.search('灯台')).total];
execSync(swap); // the rebuild, while the index is open
out.push((await index.search('灯台')).total); // every file it needs is read: the build it opened
out.push((await index.tags()).map(([tag]) => tag)); // tags.json of that build is gone: reopen
out.push((await index.search('灯台')).total, index.build);
console.log(JSON.stringify(out));
""".replace("RUNTIME", (ROOT / "src" / "postsearch" / "web" / "postsearch.js").as_posix())


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "posts").mkdir(parents=True)
    (site / "posts" / "a.md").write_text("---\ntitle: 岬\n---\n岬の灯台まで歩いた。\n", encoding="utf-8")
    (site / "posts" / "b.md").write_text("---\ntitle: 港\n---\n港で魚を買った。\n", encoding="utf-8")
    return site


def rebuild_with_a_new_post(site: Path, out: Path) -> None:
    (site / "posts" / "c.md").write_text(
        "---\ntitle: 夜\ntags: [夜景]\n---\n夜の灯台が光っていた。\n", encoding="utf-8"
    )
    postsearch.build(site, out, jobs=1)


def test_an_open_index_answers_from_the_new_build_after_a_rebuild(site, tmp_path):
    out = tmp_path / "search"
    postsearch.build(site, out, jobs=1)
    index = postsearch.open_index(out)
    assert index.search("灯台").total == 1
    rebuild_with_a_new_post(site, out)
    assert index.search("灯台").total == 2  # the manifest changed: read again
    assert index.build == json.loads((out / "manifest.json").read_bytes())["build"]


def test_a_reader_that_cannot_see_the_manifest_change_notices_a_missing_file(site, tmp_path):
    out = tmp_path / "search"
    postsearch.build(site, out, jobs=1)
    index = Index(lambda name: (out / name).read_bytes())  # no version: as the browser reads
    assert index.search("灯台").total == 1
    first = index.build
    rebuild_with_a_new_post(site, out)
    assert index.search("灯台").total == 1  # every file it needs is already read: the build it opened
    assert [tag for tag, _ in index.tags()] == ["夜景"]  # tags.json of its build is gone: reopened
    assert index.build != first and index.search("灯台").total == 2


def test_the_javascript_reader_opens_the_new_build_too(site, tmp_path):
    out = tmp_path / "search"
    postsearch.build(site, out, jobs=1)
    newer = tmp_path / "newer"
    shutil.copytree(site, tmp_path / "site2")
    rebuild_with_a_new_post(tmp_path / "site2", newer)
    script = tmp_path / "reader.mjs"
    script.write_text(NODE_READER, encoding="utf-8")
    swap = f"mv '{out}' '{tmp_path}/gone' && mv '{newer}' '{out}'"
    done = subprocess.run(["node", str(script), str(out), swap], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    before, cached, tags, after, build = json.loads(done.stdout)
    assert (before, cached, tags, after) == (1, 1, ["夜景"], 2)
    assert build == json.loads((out / "manifest.json").read_bytes())["build"]


def damaged(out: Path, name: str, data: bytes) -> subprocess.CompletedProcess[str]:
    build = json.loads((out / "manifest.json").read_bytes())["build"]
    (out / build / name).write_bytes(data)
    return subprocess.run(
        [sys.executable, "-m", "postsearch", "query", str(out), "灯台"], capture_output=True, text=True
    )


@pytest.mark.parametrize("name", ["lengths.json", "lexicon-0.json", "text-0.json"])
def test_a_truncated_file_is_named_in_one_line(site, tmp_path, name):
    out = tmp_path / "search"
    postsearch.build(site, out, jobs=1)
    build = json.loads((out / "manifest.json").read_bytes())["build"]
    path = out / build / name
    if name == "lexicon-0.json":  # the shard that holds 灯
        count = json.loads((out / "manifest.json").read_bytes())["lexicon"]
        name = f"lexicon-{ord('灯') % count}.json"
        path = out / build / name
    done = damaged(out, name, path.read_bytes()[: len(path.read_bytes()) // 2])
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{build}/{name}" in lines[0] and "not valid JSON" in lines[0], done.stderr


def test_a_missing_file_is_named(site, tmp_path):
    out = tmp_path / "search"
    postsearch.build(site, out, jobs=1)
    build = json.loads((out / "manifest.json").read_bytes())["build"]
    (out / build / "lengths.json").unlink()
    with pytest.raises(CorruptIndex, match=f"{build}/lengths.json"):
        postsearch.open_index(out)


def test_a_manifest_must_name_files_inside_the_index(site, tmp_path):
    out = tmp_path / "search"
    postsearch.build(site, out, jobs=1)
    manifest = json.loads((out / "manifest.json").read_bytes())
    for key, value in [("lengths", "../../etc/passwd"), ("build", "../x"), ("weights", [1]), ("postCount", "2")]:
        (out / "manifest.json").write_text(json.dumps({**manifest, key: value}), encoding="utf-8")
        with pytest.raises(CorruptIndex, match=r"manifest\.json"):
            postsearch.open_index(out)
    (out / "manifest.json").write_text(json.dumps({**manifest, "version": 4}), encoding="utf-8")
    with pytest.raises(CorruptIndex, match="version 5"):
        postsearch.open_index(out)
    assert os.path.exists(out / "manifest.json")


def test_readers_never_fail_while_builds_swap_indexes_in(site, tmp_path):
    import threading

    out = tmp_path / "search"
    postsearch.build(site, out, jobs=1)
    post = site / "posts" / "b.md"

    def rebuild() -> None:
        for n in range(6):  # each build replaces every file: the build name changes
            post.write_text(f"---\ntitle: 港\n---\n港で魚を{n}匹買った。灯台も見た。\n", encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-m", "postsearch", "index", str(site), "-o", str(out), "--no-cache", "-j", "1"],
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    atomic = exchange(tmp_path / "a", tmp_path / "b")  # else OUT is missing for an instant at a swap
    builder = threading.Thread(target=rebuild)
    builder.start()
    answers, missing = [], 0
    while builder.is_alive():  # open, search, read the hits' texts, over and over
        try:
            answers.append(postsearch.open_index(out).search("灯台").total)
            answers.append(Index(lambda name: (out / name).read_bytes()).search("港").total)
        except FileNotFoundError:  # opening at the instant OUT is missing
            assert not atomic
            missing += 1
    builder.join()
    assert answers and set(answers) <= {1, 2}
