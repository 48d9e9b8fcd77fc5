"""Where a one-job build's time goes, by module, for one or more source trees.

    python -m benchmarks.profile_build ../shared/corpora/efcl-blog --src OLD/src --src src [--top 12]

Each tree builds the corpus once under cProfile (`postsearch index --jobs 1 --no-cache`, one
process, so every step of the build is in the profile), the trees one after the other. Each
function's own time (cProfile's tottime) is summed by where the function lives: a module of
postsearch, a package (`sudachipy`, `pyromark`, `markdown_it`, `numpy`), a module of the
standard library, or Python's built-ins (list, dict and str methods, called from all of the
above). Grouping by module rather than by function keeps trees with different function names
comparable. The profiler inflates Python calls against compiled ones, so read the seconds as
shares of the profile, and whole builds (`build_ab`) for what a change bought.
"""

from __future__ import annotations

import pstats
import shutil
import subprocess
import sysconfig
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.common import arguments, index_command, posts_dir

STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()
# The CLI's `main` under the profiler, given the arguments of common.index_command's command:
# not `-m postsearch`, which leaves the process with os._exit once a build is written,
# before cProfile could save what it saw.
PROFILED = """
import cProfile, sys
from postsearch.cli import main
cProfile.run("main(sys.argv[2:])", sys.argv[1])
"""


def group_of(file: str, name: str) -> str:
    """The module or package a profiled function belongs to."""
    if file == "~":  # a built-in: Sudachi's and pyromark's entries are built-ins too
        for package in ("sudachipy", "pyromark", "orjson", "numpy"):
            if package in name:
                return package
        return "built-ins (str, list, dict, ...)"
    path = Path(file).resolve()
    parts = path.parts
    if "postsearch" in parts:
        return "postsearch." + ".".join(parts[parts.index("postsearch") + 1 :]).removesuffix(".py")
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if path.is_relative_to(STDLIB):
        return "stdlib " + path.relative_to(STDLIB).parts[0].removesuffix(".py")
    return file


def profile(src: Path, posts: Path, tmp: Path) -> tuple[Counter[str], float]:
    """Own seconds per group, and the whole profile's seconds, of one build with this tree
    (into `tmp`, which it leaves empty for the next)."""
    stats_file, out = tmp / "build.prof", tmp / "out"
    cmd, env = index_command(posts, out, ["--jobs", "1"], src.resolve())
    assert cmd[1:3] == ["-m", "postsearch"]
    subprocess.run([cmd[0], "-c", PROFILED, str(stats_file), *cmd[3:]], env=env, check=False)
    stats = pstats.Stats(str(stats_file)).stats  # type: ignore[attr-defined]
    stats_file.unlink()
    shutil.rmtree(out, ignore_errors=True)
    groups: Counter[str] = Counter()
    for (file, _, name), (_, _, tottime, _, _) in stats.items():
        groups[group_of(file, name)] += tottime
    return groups, sum(groups.values())


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--src", type=Path, action="append", required=True, help="a tree's src folder (repeatable)")
    ap.add_argument("--top", type=int, default=12, help="groups shown, by their largest time in any tree")
    args = ap.parse_args()
    posts = posts_dir(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        results = [profile(src, posts, Path(tmp)) for src in args.src]
    shown = sorted({g for groups, _ in results for g in groups}, key=lambda g: -max(r[0][g] for r in results))
    width = max(len(g) for g in [*shown[: args.top], "own time by module (s, share)"])
    print(f"{'own time by module (s, share)':<{width}} " + " ".join(f"{s!s:>22}" for s in args.src))
    for g in shown[: args.top]:
        cells = [f"{groups[g]:8.2f} {groups[g] / total:6.1%}" for groups, total in results]
        print(f"{g:<{width}} " + " ".join(f"{c:>22}" for c in cells))
    rest = [total - sum(groups[g] for g in shown[: args.top]) for groups, total in results]
    print(f"{'the rest':<{width}} " + " ".join(f"{r:>22.2f}" for r in rest))
    print(f"{'whole profile':<{width}} " + " ".join(f"{total:>22.2f}" for _, total in results))


if __name__ == "__main__":
    main()
