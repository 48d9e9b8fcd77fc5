"""A build whose analysis runs on a Dask cluster (a two-worker LocalCluster here) writes the
bytes a local build writes, and a cluster that would analyze differently is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import postsearch
import postsearch.workers

from .conftest import EXAMPLE_SITE
from .helpers import read_all


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from distributed import LocalCluster

    # processes, one thread each, as `dask worker` machines would run; no dashboard
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def data_files(out: Path) -> dict[str, bytes]:
    return read_all(out)


def test_a_cluster_build_is_byte_identical_to_a_local_one(tmp_path: Path, cluster: Any, monkeypatch: Any) -> None:
    local = postsearch.build(EXAMPLE_SITE, tmp_path / "local", jobs=2, cache=False)

    def no_local_analysis(*args: Any) -> None:
        raise AssertionError("a post was analyzed in this process, not on the cluster")

    monkeypatch.setattr(postsearch.workers, "_init_worker", no_local_analysis)
    monkeypatch.setattr(postsearch.workers, "_worker", None)
    remote = postsearch.build(EXAMPLE_SITE, tmp_path / "cluster", cache=False, scheduler=cluster.scheduler_address)
    assert (remote.posts, remote.failures, remote.drafts) == (local.posts, local.failures, local.drafts)
    assert remote.posts > 0 and data_files(tmp_path / "cluster") == data_files(tmp_path / "local")


def test_the_cli_takes_a_scheduler(tmp_path: Path, cluster: Any) -> None:
    out = tmp_path / "search"
    done = subprocess.run(
        [sys.executable, "-m", "postsearch", "index", str(EXAMPLE_SITE), "-o", str(out), "--no-cache",
         "--scheduler", cluster.scheduler_address],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert postsearch.open_index(out).search("新幹線").hits[0].title == "桜の季節に京都へ日帰り旅行"


def test_workers_that_analyze_differently_are_refused(tmp_path: Path, cluster: Any, monkeypatch: Any) -> None:
    from postsearch import pipeline

    monkeypatch.setattr(pipeline, "analysis_salt", lambda: "not-what-the-workers-have")
    with pytest.raises(postsearch.workers.ClusterMismatch, match="run another postsearch"):
        postsearch.build(EXAMPLE_SITE, tmp_path / "out", cache=False, scheduler=cluster.scheduler_address)
    assert not (tmp_path / "out").exists()  # nothing written


def test_no_scheduler_there_is_a_clean_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "postsearch", "index", str(EXAMPLE_SITE), "-o", str(tmp_path / "o"), "--no-cache",
         "--scheduler", "tcp://127.0.0.1:9"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},  # Dask's own setting
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("error:"), done.stderr
    assert "Traceback" not in done.stderr
