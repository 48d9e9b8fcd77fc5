"""Index options from postsearch.toml / pyproject.toml, flags winning."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import postsearch

BUILT = Path(__file__).parent / "sites" / "built"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "postsearch", *args], capture_output=True, text=True)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(BUILT, tmp_path / "public")
    return tmp_path / "public"


def test_options_from_postsearch_toml(site, tmp_path):
    (site / "postsearch.toml").write_text('html = true\nbase-url = "/blog/"\nlang = "ja"\n', encoding="utf-8")
    done = run("index", str(site), "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    index = postsearch.open_index(tmp_path / "out")
    assert index.search("保津川").hits[0].url == "/blog/posts/kyoto/"
    assert index.search("weekends", partial=False).hits == []  # lang = "ja"


def test_flags_win_over_the_file(site, tmp_path):
    (site / "postsearch.toml").write_text('html = true\nbase-url = "/blog/"\n', encoding="utf-8")
    assert run("index", str(site), "-o", str(tmp_path / "out"), "--base-url", "/docs/").returncode == 0
    assert postsearch.open_index(tmp_path / "out").search("保津川").hits[0].url == "/docs/posts/kyoto/"


def test_tool_table_in_pyproject(site, tmp_path):
    (site / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.postsearch]\nhtml = true\n', encoding="utf-8")
    assert run("index", str(site), "-o", str(tmp_path / "out")).returncode == 0
    assert postsearch.open_index(tmp_path / "out").search("保津川").hits[0].url == "/posts/kyoto/"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1\n", "unknown key 'colour'"),
        ("follow-symlinks = true\n", "unknown key 'follow-symlinks'"),  # flags only: the file is untrusted
        ('out = "/tmp/x"\n', "unknown key 'out'"),
        ('jobs = "two"\n', "jobs must be an integer"),
        ('anchors = "mine"\n', "anchors must be one of"),
        ("html = [\n", "not a TOML file"),
    ],
)
def test_a_bad_file_is_an_error_naming_it_and_the_key(site, tmp_path, text, message):
    (site / "postsearch.toml").write_text(text, encoding="utf-8")
    done = run("index", str(site), "-o", str(tmp_path / "out"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"error: {site / 'postsearch.toml'}: ") and message in done.stderr
    assert not (tmp_path / "out").exists()


def test_version():
    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"postsearch {postsearch.__version__}"


def test_verbose_says_what_the_build_decided(site, tmp_path):
    (site / "postsearch.toml").write_text("html = true\n", encoding="utf-8")
    done = run("index", str(site), "-o", str(tmp_path / "out"), "--verbose")
    assert done.returncode == 0
    assert f"postsearch.config: options from {site / 'postsearch.toml'}" in done.stderr
    assert "postsearch.build: full build of" in done.stderr and "cache: off" in done.stderr
    quiet = run("index", str(site), "-o", str(tmp_path / "out2"))
    assert "postsearch.build" not in quiet.stderr


def test_a_config_file_that_is_a_link_is_never_read(site, tmp_path):
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("html = true\n", encoding="utf-8")
    (site / "postsearch.toml").symlink_to(outside)
    done = run("index", str(site), "-o", str(tmp_path / "out"))
    assert done.returncode == 2 and "a link" in done.stderr and not (tmp_path / "out").exists()


def test_site_rules_never_follow_a_link_out_of_the_site(tmp_path):
    from postsearch.siterules import site_rules

    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (tmp_path / "outside.yml").write_text("permalink: /leak/:title/\n", encoding="utf-8")
    (site / "_config.yml").symlink_to(tmp_path / "outside.yml")
    assert site_rules(site).permalink == "/:categories/:year/:month/:day/:title:output_ext"  # Jekyll's default
