"""Writing OUT: only ever over an index, whole or not at all, and leftovers cleaned."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import postsearch
from postsearch.writer import UnsafeOutput, check_output, foreign_entry

from .conftest import EXAMPLE_SITE
from .helpers import read_all


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "postsearch", *args], capture_output=True, text=True, timeout=600, **kwargs
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The run failed with exit 2 and one line on stderr starting with `error:` (no traceback)."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in done.stderr, done.stderr
    return lines[0]


@pytest.fixture
def small_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "posts").mkdir(parents=True)
    (site / "posts" / "a.md").write_text("---\ntitle: 湖の朝\n---\n湖のほとりで朝食をとった。\n", encoding="utf-8")
    return site


def test_a_folder_of_other_files_is_refused_before_anything_is_touched(small_site, tmp_path):
    public = tmp_path / "public"  # the usual mistake: -o public instead of -o public/search
    (public / "css").mkdir(parents=True)
    (public / "index.html").write_text("keep", encoding="utf-8")
    (public / "css" / "site.css").write_text("body{}", encoding="utf-8")
    line = one_line_error(cli("index", str(small_site), "-o", str(public)))
    assert "not a postsearch index" in line and str(public) in line
    assert (public / "index.html").read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in public.iterdir()) == ["css", "index.html"]
    assert not (small_site / ".postsearch-cache").exists()  # refused before the cache was made
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "site"]  # no temp folders


def test_the_site_itself_or_a_folder_holding_it_is_refused(small_site, tmp_path):
    for out in (small_site, tmp_path):
        line = one_line_error(cli("index", str(small_site), "-o", str(out)))
        assert "holds the site" in line
    assert (small_site / "posts" / "a.md").is_file()


def test_a_file_is_refused(small_site, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("x", encoding="utf-8")
    assert "not a folder" in one_line_error(cli("index", str(small_site), "-o", str(notes)))
    assert notes.read_text(encoding="utf-8") == "x"


def test_an_index_holding_a_file_it_did_not_write_is_refused(small_site, tmp_path):
    out = tmp_path / "search"
    postsearch.build(small_site, out)
    (out / "notes.md").write_text("mine", encoding="utf-8")
    with pytest.raises(UnsafeOutput, match=r"notes\.md"):
        postsearch.build(small_site, out)
    assert (out / "notes.md").read_text(encoding="utf-8") == "mine"
    build = json.loads((out / "manifest.json").read_bytes())["build"]
    (out / "notes.md").unlink()
    (out / build / "extra").mkdir()
    with pytest.raises(UnsafeOutput, match=f"{build}/extra"):
        postsearch.build(small_site, out)


def test_a_link_inside_an_index_is_refused(small_site, tmp_path):
    out = tmp_path / "search"
    postsearch.build(small_site, out)
    (tmp_path / "precious").write_text("mine", encoding="utf-8")
    (out / "lengths.json").symlink_to(tmp_path / "precious")
    with pytest.raises(UnsafeOutput, match=r"lengths\.json"):
        postsearch.build(small_site, out)
    assert (tmp_path / "precious").read_text(encoding="utf-8") == "mine"


def test_empty_folders_and_indexes_of_any_version_are_replaced(small_site, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    postsearch.build(small_site, empty)
    old = tmp_path / "old"  # a version 4 index kept its data files beside the manifest
    old.mkdir()
    (old / "manifest.json").write_text('{"format":"postsearch-index","version":4}', encoding="utf-8")
    for name in ("terms-0.json", "lexicon-3.json", "postsearch.js", "demo.html"):
        (old / name).write_text("[]", encoding="utf-8")
    postsearch.build(small_site, old)
    assert postsearch.open_index(old).search("湖").total == 1
    assert not (old / "terms-0.json").exists()


def test_check_output_lists_what_is_not_ours(tmp_path):
    folder = tmp_path / "x"
    (folder / "0123456789abcdef").mkdir(parents=True)
    (folder / "manifest.json").write_text('{"format":"postsearch-index"}', encoding="utf-8")
    (folder / "0123456789abcdef" / "terms-0.json").write_text("[]", encoding="utf-8")
    assert foreign_entry(folder) is None
    check_output(folder)
    (folder / "0123456789abcdef" / "photo.jpg").write_text("", encoding="utf-8")
    assert foreign_entry(folder) == "0123456789abcdef/photo.jpg"


def test_leftovers_of_a_killed_build_are_cleaned_and_nothing_else(small_site, tmp_path):
    out = tmp_path / "search"
    postsearch.build(small_site, out)
    killed_new = tmp_path / ".search.new-abc123"  # killed while writing
    (killed_new / ".data").mkdir(parents=True)
    (killed_new / ".data" / "terms-0.json").write_text("[]", encoding="utf-8")
    killed_old = tmp_path / ".search.old-def456"  # killed between the two renames
    shutil.copytree(out, killed_old / "index")
    not_ours = tmp_path / ".search.new-user"  # the same prefix, but a user's file inside
    not_ours.mkdir()
    (not_ours / "diary.txt").write_text("mine", encoding="utf-8")
    postsearch.build(small_site, out)
    assert not killed_new.exists() and not killed_old.exists()
    assert (not_ours / "diary.txt").read_text(encoding="utf-8") == "mine"


def test_concurrent_builds_take_turns(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns(".postsearch-cache"))
    out = tmp_path / "search"
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "postsearch", "index", str(site), "-o", str(out), "-j", "1", "--no-cache"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stderr
        assert "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["search", "site"]
    postsearch.build(site, tmp_path / "cold", jobs=1, cache=False)
    assert read_all(out) == read_all(tmp_path / "cold")


def test_a_full_disk_leaves_the_previous_index_and_says_so_in_one_line(small_site, tmp_path):
    import resource

    out = tmp_path / "search"
    postsearch.build(small_site, out, cache=False)
    before = read_all(out)

    def small_files() -> None:  # every file write past 2 KiB fails (EFBIG), as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    (small_site / "posts" / "b.md").write_text(
        "---\ntitle: 長い記事\n---\n" + "山の上で星を数えた夜のこと。\n" * 400, encoding="utf-8"
    )
    done = cli("index", str(small_site), "-o", str(out), "--no-cache", "-j", "1", preexec_fn=small_files)
    line = one_line_error(done)
    assert "too large" in line.lower() or "space" in line.lower(), line
    assert read_all(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["search", "site"]
