"""The command line, run as a user runs it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from postsearch import cli

from .conftest import EXAMPLE_SITE


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "postsearch", *args], capture_output=True, text=True)


def test_index_then_query_json(tmp_path):
    out = tmp_path / "search"
    done = run("index", str(EXAMPLE_SITE), "-o", str(out), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert "skipped 4 drafts, 0 failed" in done.stdout
    q = run("query", str(out), "新幹線 京都", "--json", "--limit", "2")
    assert q.returncode == 0, q.stderr
    data = json.loads(q.stdout)
    assert data["query"] == "新幹線 京都" and data["total"] >= 1 and len(data["hits"]) <= 2
    assert set(data["hits"][0]) == {
        "url", "title", "date", "tags", "score", "excerpt", "path", "anchor", "section", "missing", "sections"
    }  # fmt: skip
    assert data["hits"][0]["path"] == "_posts/2016-04-02-kyoto-day-trip.md"
    assert (out / "postsearch.js").is_file()  # the browser runtime is written next to the index


def test_query_prints_ranked_hits(example_index):
    q = run("query", str(example_index), "サーバ")
    assert q.returncode == 0
    assert "2 posts match" in q.stdout and "1." in q.stdout and "2." in q.stdout


def test_failed_files_are_listed_and_set_exit_1(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "good.md").write_text("---\ntitle: 良い記事\n---\n本文です。\n", encoding="utf-8")
    (site / "bad.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    done = run("index", str(site), "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    assert "indexed 1 posts (" in done.stdout and "1 failed" in done.stdout
    assert "bad.md" in done.stderr and "UTF-8" in done.stderr
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_missing_site_or_index_exit_2(tmp_path):
    assert run("index", str(tmp_path / "nope"), "-o", str(tmp_path / "out")).returncode == 2
    assert not (tmp_path / "out").exists()
    assert run("query", str(tmp_path), "x").returncode == 2


def test_help_everywhere():
    for args in ([], ["index"], ["query"], ["serve"]):
        done = run(*args, "--help")
        assert done.returncode == 0 and "usage:" in done.stdout


def test_output_inside_the_site_is_not_indexed(tmp_path):
    site = tmp_path / "site"
    (site / "posts").mkdir(parents=True)
    (site / "posts" / "a.md").write_text("---\ntitle: 記事\n---\n本文です。\n", encoding="utf-8")
    for _ in range(2):
        done = run("index", str(site), "-o", str(site / "search"))
        assert "indexed 1 posts (" in done.stdout, done.stdout + done.stderr
    assert Path(site / "search" / "manifest.json").is_file()


def test_query_filters_sort_and_tag_list(example_index):
    listed = run("query", str(example_index), "--tags")
    assert listed.returncode == 0 and "2\t新幹線" in listed.stdout
    q = run("query", str(example_index), "新幹線", "--tag", "旅行", "--json")
    assert [h["path"] for h in json.loads(q.stdout)["hits"]] == ["source/_posts/osaka-kanazawa-trip.md"]
    q = run("query", str(example_index), "新幹線", "--sort", "date", "--since", "2015-01-01", "--json")
    dates = [h["date"][:10] for h in json.loads(q.stdout)["hits"]]
    assert dates == ["2016-04-02", "2015-03-08"]


def test_watch_rebuilds_when_a_post_changes(tmp_path):
    import signal
    import time

    site = tmp_path / "site"
    site.mkdir()
    (site / "first.md").write_text("---\ntitle: 最初\n---\n京都の寺を歩いた。\n", encoding="utf-8")
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "postsearch",
        "index",
        str(site),
        "-o",
        str(out),
        "--watch",
        "--interval",
        "0.2",
        "-j",
        "1",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:

        def found(word: str) -> bool:
            if not (out / "manifest.json").exists():
                return False
            import postsearch

            return postsearch.open_index(out).search(word).total > 0

        deadline = time.monotonic() + 120
        while not found("京都") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert found("京都") and not found("函館")
        (site / "second.md").write_text("---\ntitle: 次\n---\n函館の朝市に行った。\n", encoding="utf-8")
        while not found("函館") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert found("函館")
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert stdout.count("indexed") == 2 and "(1 from cache, last build patched)" in stdout


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """Exit 2 and one line on stderr (argparse's usage lines aside), never a traceback."""
    assert done.returncode == 2 and "Traceback" not in done.stderr, (done.returncode, done.stderr)
    lines = [line for line in done.stderr.strip().splitlines() if not line.startswith((" ", "usage:"))]
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_bad_arguments_are_one_line_errors(tmp_path):
    line = one_line_error(run("index", str(EXAMPLE_SITE), "-o", str(tmp_path / "o"), "--url-template", "/{nope}/"))
    assert "{nope}" in line and "{slug}" in line
    assert "expected '}'" in one_line_error(
        run("index", str(EXAMPLE_SITE), "-o", str(tmp_path / "o"), "--url-template", "/{slug")
    )
    for interval in ("-1", "0", "nan", "x"):
        line = one_line_error(
            run("index", str(EXAMPLE_SITE), "-o", str(tmp_path / "o"), "--watch", "--interval", interval)
        )
        assert "--interval" in line
    assert not (tmp_path / "o").exists()


def test_an_exclusion_after_the_index_is_part_of_the_query(example_index):
    plain = json.loads(run("query", str(example_index), "京都", "--json").stdout)
    excluded = run("query", str(example_index), "京都", "-形態素", "--json")
    assert excluded.returncode == 0, excluded.stderr
    data = json.loads(excluded.stdout)
    assert data["query"] == "京都 -形態素" and 0 < data["total"] < plain["total"]
    assert "--bogus" in one_line_error(run("query", str(example_index), "京都", "--bogus"))


def test_an_explicit_cache_may_be_a_link_but_the_sites_own_may_not(tmp_path):
    site = tmp_path / "site"
    (site / "p").mkdir(parents=True)
    (site / "p" / "a.md").write_text("---\ntitle: 川\n---\n川で泳いだ。\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "link").symlink_to(elsewhere)
    done = run("index", str(site), "-o", str(tmp_path / "out"), "--cache", str(tmp_path / "link"))
    assert done.returncode == 0 and (elsewhere / "postsearch-cache.json").is_file(), done.stderr
    (site / ".postsearch-cache").symlink_to(elsewhere)
    done = run("index", str(site), "-o", str(tmp_path / "out"))
    assert done.returncode == 0 and "a link" in done.stderr, done.stderr


def test_markup_in_names_titles_and_queries_is_printed_as_text(tmp_path):
    site = tmp_path / "site"
    folder = site / "[/red]"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text("---\ntitle: '[bold]題[/bold]'\n---\n角括弧の本文。\n", encoding="utf-8")
    (folder / "b.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    out = tmp_path / "[/red]out"
    done = run("index", str(site), "-o", str(out))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "failed: [/red]/b.md: bad front matter" in done.stderr and "[/red]out" in done.stdout
    q = run("query", str(out), "角括弧")
    assert q.returncode == 0 and "[bold]題[/bold]" in q.stdout, q.stderr
    q = run("query", str(out), "[/red]")
    assert q.returncode == 0 and "0 posts match '[/red]'" in q.stdout, q.stderr


def test_partial_matches_are_said_to_be_partial(example_index):
    q = run("query", str(example_index), "新幹線 予約")  # no post has 予約
    assert q.returncode == 0, q.stderr
    assert "no post has every word of '新幹線 予約'" in q.stdout and "missing: 予約" in q.stdout
    data = json.loads(run("query", str(example_index), "新幹線 予約", "--json").stdout)
    assert data["complete"] == 0 and data["total"] > 0 and data["hits"][0]["missing"] == ["予約"]
    strict = json.loads(run("query", str(example_index), "新幹線 予約", "--json", "--no-partial").stdout)
    assert strict["total"] == strict["complete"] == 0 and strict["hits"] == []
    both = run("query", str(example_index), "新幹線 京都")
    assert "2 posts match '新幹線 京都';" in both.stdout and "more have some of its words" in both.stdout


def test_the_command_flushes_its_output_before_it_leaves(tmp_path):
    """`postsearch` leaves without Python's teardown (cli.run): what it printed into a pipe
    (block-buffered) must still all be there, and its exit status kept."""
    out = tmp_path / "search"
    assert run("index", str(EXAMPLE_SITE), "-o", str(out), "--jobs", "1").returncode == 0
    q = run("query", str(out), "新幹線", "--json")
    assert q.returncode == 0 and json.loads(q.stdout)["total"] >= 1, q.stderr
    assert run("query", str(out / "nope"), "x").returncode == 2


def test_output_that_cannot_be_flushed_exits_120(monkeypatch):
    """As Python's own shutdown does when stdout is a closed pipe."""

    class Closed(io.StringIO):
        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    def leave(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(cli, "main", lambda: 0)
    monkeypatch.setattr(cli.os, "_exit", leave)
    monkeypatch.setattr(sys, "stdout", Closed())
    with pytest.raises(SystemExit) as left:
        cli.run()
    assert left.value.code == 120
    monkeypatch.setattr(cli, "main", lambda: 1)
    with pytest.raises(SystemExit) as left:
        cli.run()
    assert left.value.code == 1  # a failure already reported keeps its status
