"""Two phases of a build timed in one process, old and new taking turns, where whole builds
are too noisy to show a change of a few percent (this machine's speed drifts by a third
between runs, and a whole build's wall time with it).

    python -m benchmarks.phase_ab ../shared/corpora/efcl-blog --old /tmp/old/src [--rounds 6]

- `sequence`: the CPU time of `Analyzer.sequence` over every field text of the corpus (what
  a worker asks of Sudachi and of the loop per morpheme), with `analysis.py` from `--old`
  and from this tree, each a fresh Analyzer. The two modules are copied into packages of
  their own (with `core.py` and `units.py`, the modules analysis.py imports) so both load
  at once.
- `encode`: the wall time of `format.encode_rows(apart=True)` on one analyzed index, the
  lexicon encoded here after the n-grams (as before) or in a forked child beside them (as
  now). Each round runs in a forked copy of the analyzed builder, which encode_rows consumes.

Prints every round and the median ratio new / old.
"""

from __future__ import annotations

import importlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from benchmarks.common import arguments, published
from postsearch.index import field_texts
from postsearch.text import post_text


def analysis_module(src: Path, name: str, into: Path) -> Any:
    """`src`'s analysis.py (and the modules it imports) loaded as the package `name`."""
    package = into / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module in ("analysis.py", "core.py", "units.py"):
        if (src / "postsearch" / module).exists():  # (units.py: since issue 15's tenth part)
            shutil.copy(src / "postsearch" / module, package / module)
    return importlib.import_module(f"{name}.analysis")


def sequence_seconds(module: Any, texts: list[list[str]]) -> float:
    """CPU seconds a fresh Analyzer of `module` takes to read every post's fields."""
    analyzer = module.Analyzer()
    started = time.process_time()
    for fields in texts:
        analyzer.make_room()
        for f, text in enumerate(fields):
            if text:
                analyzer.sequence(text, code=f == 4)
    return time.process_time() - started


def encode_seconds(builder: Any, old: bool) -> float:
    """Wall seconds of encode_rows(apart=True) in a forked copy of this process."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        from postsearch import format as fmt

        os.close(read)
        if old:  # the lexicon encoded here, when the n-grams are done
            real = fmt.Forked.start

            class InPlace:
                def __init__(self, task: Any, args: tuple[Any, ...]) -> None:
                    self.task, self.args = task, args

                def wait(self) -> Any:
                    return self.task(*self.args)

                def __enter__(self) -> Any:
                    return self

                def __exit__(self, *_: object) -> None:
                    pass

            fmt.Forked.start = lambda what, task, *args: (  # type: ignore[method-assign]
                InPlace(task, args) if what == "encoding the lexicon" else real(what, task, *args)
            )
        started = time.perf_counter()
        fmt.encode_rows(builder, apart=True)
        os.write(write, str(time.perf_counter() - started).encode())
        os._exit(0)
    os.close(write)
    seconds = float(os.read(read, 64))
    os.waitpid(pid, 0)
    os.close(read)
    return seconds


def turns(rounds: int, run: Any) -> None:
    """`run(old)` for old and new in turn, `rounds` times; every figure and the median ratio."""
    got: dict[bool, list[float]] = {True: [], False: []}
    for r in range(rounds):
        for old in (True, False) if r % 2 == 0 else (False, True):
            got[old].append(run(old))
    ratios = [new / old for new, old in zip(got[False], got[True], strict=True)]
    print(f"  old {' '.join(f'{s:.2f}' for s in got[True])}  (median {statistics.median(got[True]):.2f} s)")
    print(f"  new {' '.join(f'{s:.2f}' for s in got[False])}  (median {statistics.median(got[False]):.2f} s)")
    print(f"  new / old: median {statistics.median(ratios):.3f}")


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--old", type=Path, required=True, help="the old source tree (its src/)")
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args()
    posts = published(args.corpus)
    texts = [[unicodedata.normalize("NFKC", t) for t in field_texts(post_text(p))] for p in posts]
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, tmp)
        modules = {
            True: analysis_module(args.old, "old_tree", Path(tmp)),
            False: analysis_module(Path(__file__).parents[1] / "src", "new_tree", Path(tmp)),
        }
        print(f"{args.corpus.name}: Analyzer.sequence, CPU seconds")
        turns(args.rounds, lambda old: sequence_seconds(modules[old], texts))
    from postsearch.analysis import Analyzer
    from postsearch.index import IndexBuilder, analyze_post

    analyzer, builder = Analyzer(), IndexBuilder()
    for post in posts:
        builder.add(analyze_post(post, analyzer))
    print(f"{args.corpus.name}: encode_rows(apart=True), wall seconds")
    turns(args.rounds, lambda old: encode_seconds(builder, old))


if __name__ == "__main__":
    main()
