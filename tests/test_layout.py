"""The code's shape (docs/architecture.md): small modules and functions, the build apart from the query side."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

SRC = ROOT / "src" / "postsearch"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
QUERY_SIDE = {"search", "query"}
# What the query side may import of the package: the shared core and itself.
QUERY_IMPORTS = {"core", "query"}


def modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def imported(path: Path) -> set[str]:
    """The package's modules a module imports (first name after `postsearch.` or `.`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level and node.module:
                found.add(node.module.split(".")[0])
            elif node.level:
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("postsearch."):
                found.add(node.module.split(".")[1])
    return found


def test_no_module_is_long():
    long = {
        p.relative_to(SRC).as_posix(): n for p in modules() if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_long():
    long = {}
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(SRC).as_posix()}:{node.name}"] = lines
    assert long == {}


def test_the_build_never_imports_the_query_side():
    for path in modules():
        rel = path.relative_to(SRC)
        if rel.parts[0] in ("query", "search.py", "__init__.py", "cli.py", "console.py"):
            continue  # the query side itself, the package's front door, the command line and what it shows
        assert not imported(path) & QUERY_SIDE, rel


def test_the_query_side_imports_only_the_core():
    for path in [SRC / "search.py", *sorted((SRC / "query").glob("*.py"))]:
        outside = imported(path) - QUERY_IMPORTS - {p.stem for p in (SRC / "query").glob("*.py")}
        assert outside == set(), (path.name, outside)


def test_ruff_is_clean():
    """Lint and complexity (ruff, C901 at pyproject.toml's threshold) hold in CI too."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
