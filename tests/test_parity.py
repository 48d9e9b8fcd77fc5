"""web/postsearch.js answers exactly like search.py: Python writes its answers to the parity
queries, then Node's test runner (tests/js/) checks the JavaScript against them."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

from tests.parity import read_queries, unassigned_table

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests" / "parity_queries.txt"
POSTSEARCH_JS = ROOT / "src" / "postsearch" / "web" / "postsearch.js"


def test_node_parity(example_index: Path, parity_file: Path) -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed for the parity tests (apt-get install nodejs; scripts/test.sh does it)"
    env = {**os.environ, "POSTSEARCH_INDEX": str(example_index), "POSTSEARCH_PARITY": str(parity_file)}
    run = subprocess.run(
        [node, "--test", "tests/js/"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"node --test tests/js/ failed:\n{run.stdout}\n{run.stderr}"
    assert re.search(r"^# fail 0$", run.stdout, re.M), run.stdout
    assert not re.search(r"^# (skipped|todo|cancelled) [1-9]", run.stdout, re.M), run.stdout


def test_parity_queries_cover_the_tricky_cases() -> None:
    """The query list keeps its hard cases (someone trimming it should notice)."""
    queries = read_queries(QUERIES)
    assert len(queries) >= 300
    for needed in ["", "constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "ＡＷＳ", "２０２４年"]:
        assert needed in queries, needed
    assert any(q.startswith('"') for q in queries)
    assert any(q.startswith("-") for q in queries)
    assert any(len(q) > 1000 for q in queries)
    assert any(any(ord(c) > 0xFFFF for c in q) for q in queries)  # emoji
    assert any("\u3000" in q for q in queries)


def test_unassigned_table_matches_unicodedata() -> None:
    """postsearch.js treats the code points Python's unicodedata does not know as inert;
    its table must be the one this Python has (`python tests/parity.py` prints it)."""
    source = POSTSEARCH_JS.read_text(encoding="utf-8")
    version = re.search(r"^export const UNICODE_VERSION = '([^']+)';", source, re.M)
    table = re.search(r"^const UNASSIGNED_TABLE =\s*'([^']+)';", source, re.M)
    assert version and table
    assert version[1] == unicodedata.unidata_version, (
        f"postsearch.js mirrors Unicode {version[1]}, this Python has {unicodedata.unidata_version}: "
        "update UNICODE_VERSION and UNASSIGNED_TABLE (python tests/parity.py prints the table)"
    )
    assert table[1] == unassigned_table()


def test_runtime_size_budgets() -> None:
    """What a page downloads before its first query stays small (gzip -9)."""
    web = ROOT / "src" / "postsearch" / "web"
    for name, budget in (("postsearch.js", 17 * 1024), ("ui.js", 10 * 1024)):
        size = len(gzip.compress((web / name).read_bytes(), compresslevel=9))
        assert size <= budget, f"{name}: {size} bytes gzipped, budget {budget}"
