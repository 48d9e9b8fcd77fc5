"""Files made ahead (ahead.py): the same index, nothing left behind, never a file not ours."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import postsearch
from postsearch import pipeline
from postsearch.ahead import FilesAhead, in_use
from postsearch.forked import can_fork

from .conftest import EXAMPLE_SITE
from .helpers import read_all

pytestmark = pytest.mark.skipif(not can_fork(), reason="files are made ahead only where a process can fork")


def made(ahead: FilesAhead, count: int) -> None:
    """Wait until the child has made `count` files (it runs at the lowest priority)."""
    deadline = time.monotonic() + 60
    while len(os.listdir(ahead.folder)) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(os.listdir(ahead.folder)) >= count


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns(".postsearch-cache"))
    return site


def test_a_build_through_files_made_ahead_writes_the_same_bytes(site, tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    postsearch.build(site, plain, jobs=1, cache=False)
    filled: list[bool] = []
    fill = FilesAhead.fill

    def spied(self: FilesAhead, target: Path, data: bytes) -> bool:
        if not filled:
            made(self, 10)  # the child runs at the lowest priority: let it make some first
        filled.append(fill(self, target, data))
        return filled[-1]

    monkeypatch.setattr(FilesAhead, "fill", spied)
    monkeypatch.setattr(pipeline, "AHEAD_POSTS", 1)  # the example site is smaller than the threshold
    out = tmp_path / "out"
    postsearch.build(site, out, jobs=2, cache=False)
    assert read_all(out) == read_all(plain)
    assert filled[:10] == [True] * 10  # written through files made ahead
    assert [p.name for p in tmp_path.iterdir() if ".ahead-" in p.name] == []  # the unused ones went away


def test_files_made_ahead_are_filled_and_moved_and_the_rest_removed(tmp_path):
    out = tmp_path / "search"
    with FilesAhead(out, 5) as ahead:
        made(ahead, 5)
        (tmp_path / "index").mkdir()
        assert ahead.fill(tmp_path / "index" / "a.json", b'["\xe6\xb9\x96"]')
        assert (tmp_path / "index" / "a.json").read_bytes() == b'["\xe6\xb9\x96"]'
        for k in range(4):
            assert ahead.fill(tmp_path / "index" / f"b{k}.json", b"[]" * 5000)
        assert not ahead.fill(tmp_path / "index" / "c.json", b"[]")  # none left: the caller writes it
    assert not ahead.folder.exists()


def test_a_folder_emptied_under_it_only_means_files_are_written_as_they_come(site, tmp_path, monkeypatch):
    out = tmp_path / "out"
    with FilesAhead(out, 20) as ahead:
        made(ahead, 20)
        ahead.stop_making()
        shutil.rmtree(ahead.folder)  # as another build's clean_leftovers would, were it not locked
        assert not ahead.fill(tmp_path / "x.json", b"[]")
    assert not (tmp_path / "x.json").exists()


def test_leftovers_made_ahead_are_removed_but_not_a_running_builds_nor_a_users_file(site, tmp_path):
    out = tmp_path / "search"
    killed = tmp_path / ".search.ahead-killed"  # a build killed with its files made ahead
    killed.mkdir()
    for k in range(3):
        (killed / f"slot-{k}").touch()
    mixed = tmp_path / ".search.ahead-mixed"
    mixed.mkdir()
    (mixed / "slot-0").touch()
    (mixed / "slot-1").write_text("mine", encoding="utf-8")  # not empty: not one postsearch made
    (mixed / "notes.txt").write_text("mine", encoding="utf-8")
    with FilesAhead(out, 3) as running:
        made(running, 3)
        assert in_use(running.folder)
        postsearch.build(site, out, jobs=1, cache=False)  # its writer cleans the leftovers
        assert len(os.listdir(running.folder)) == 3  # locked: left alone
        assert running.fill(tmp_path / "late.json", b"[]")
    assert not killed.exists()
    assert sorted(os.listdir(mixed)) == ["notes.txt", "slot-1"]
    assert read_all(out)  # the index itself was written
