"""The command line: `postsearch index`, `postsearch query`, `postsearch serve`.

Exit status: 0 all went well; 1 the index was written but some files failed (listed in
the summary); 2 nothing was written or found (bad arguments, missing folder, no index).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .console import escape_markup, print_problems, print_result, progress_bar, stderr_console
from .writer import UnsafeOutput

if TYPE_CHECKING:
    from .posts import SiteOptions

EXIT_OK, EXIT_SOME_FAILED, EXIT_ERROR = 0, 1, 2


def site_snapshot(src: Path, out: Path, options: SiteOptions | None = None) -> dict[str, tuple[int, int]]:
    """Modification time and size of every file a build reads (posts and drafts, found as the
    build finds them: no link out of the site, no loop, the output left out): what `--watch`
    compares to see that a post changed."""
    from .posts import SiteOptions
    from .sitefiles import walk_site

    options = options or SiteOptions()
    options = dataclasses.replace(options, skip=(*options.skip, out))
    posts, drafts, _ = walk_site(src, options)
    found: dict[str, tuple[int, int]] = {}
    for path in posts + drafts:
        try:
            stat = os.stat(path)  # a link the walk kept points inside the site
        except OSError:
            continue  # gone since: the next snapshot sees it
        found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def site_options(args: argparse.Namespace) -> SiteOptions:
    """What `index` reads, from its arguments (the build and `--watch` alike)."""
    from .builtpages import built_site
    from .posts import DEFAULT_INCLUDE, SiteOptions

    options = SiteOptions(
        include=tuple(args.include) if args.include else DEFAULT_INCLUDE,
        exclude=tuple(args.exclude or ()),
        url_template=args.url_template,
        follow_symlinks=args.follow_symlinks,
    )
    if not args.html:
        return options
    return built_site(options, base_url=args.base_url, title_from=args.title_from, lang=args.lang)


def cmd_index(args: argparse.Namespace) -> int:
    """Build the index and print the summary; with --watch, again whenever the site changes."""
    from .config import ConfigError, apply_config

    if args.verbose:  # diagnostics go through logging (the "postsearch" logger), to stderr
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    try:
        apply_config(args, parser().parse_args(["index", str(args.src), "-o", str(args.out)]))
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_ERROR
    before = site_snapshot(args.src, args.out, site_options(args)) if args.watch and args.src.is_dir() else {}
    status = index_once(args)
    if not args.watch or status == EXIT_ERROR:
        return status
    err = stderr_console()
    err.print(f"watching {escape_markup(str(args.src))} (Ctrl-C to stop)", highlight=False)
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(args.interval)
            now = site_snapshot(
                args.src, args.out, site_options(args)
            )  # taken before the build: edits made during it count
            if now != before:
                before = now
                status = index_once(args)
    return status


def index_once(args: argparse.Namespace) -> int:
    """Build the index and print the summary. rich is imported only to show progress or
    to print a warning or an error: a quiet build that goes well does without it."""
    from .cache import UnsafeCache
    from .pipeline import build
    from .workers import ClusterMismatch

    with progress_bar(sys.stderr.isatty() and not args.quiet) as on_post:
        try:
            cache = False if args.no_cache else (args.cache or True)
            report = build(
                args.src,
                args.out,
                options=site_options(args),
                anchors=args.anchors,
                jobs=args.jobs,
                cache=cache,
                progress=on_post,
                scheduler=args.scheduler,
            )
        except (OSError, UnsafeOutput, UnsafeCache, ValueError, ClusterMismatch) as e:  # nothing was written
            stderr_console().print(f"[red]error:[/red] {escape_markup(error_line(e))}", highlight=False, soft_wrap=True)
            return EXIT_ERROR
    written = report.written
    assert written is not None
    print(  # one line, whatever the terminal's width: scripts read it
        f"indexed {report.posts} posts ({report.cached} from cache{', last build patched' if report.patched else ''}), skipped {len(report.drafts)} drafts, "
        f"{len(report.failures)} failed; {written.terms} terms, {written.files} files, "
        f"{written.bytes:,} bytes in {args.out}; {report.seconds:.2f} s",
        flush=True,
    )
    if report.warnings or report.failures:
        print_problems(report)
    return EXIT_SOME_FAILED if report.failures else EXIT_OK


def error_line(e: BaseException) -> str:
    """An error as one line that names the file and the reason."""
    if isinstance(e, OSError) and e.strerror:
        where = f"{e.filename}: " if e.filename else ""
        return f"{where}{e.strerror}"
    return " ".join(str(e).split()) or type(e).__name__


def cmd_query(args: argparse.Namespace) -> int:
    """Search an index and print ranked hits."""
    from .search import open_index

    try:
        index = open_index(args.index)
        if args.list_tags:
            for tag, count in index.tags():
                print(f"{count}\t{tag}")
            return EXIT_OK
        result = index.search(
            args.query,
            limit=args.limit,
            tags=args.tag,
            since=args.since,
            until=args.until,
            sort=args.sort,
            partial=args.partial,
        )
    except (OSError, ValueError) as e:  # no index there, or a damaged one (the file is named)
        print(f"error: {args.index}: {error_line(e)}", file=sys.stderr)
        return EXIT_ERROR
    except (TypeError, KeyError, IndexError) as e:  # files that parse but hold the wrong things
        print(
            f"error: {args.index}: the index is damaged ({type(e).__name__}: {error_line(e)}); build it again",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print_result(args.query, result)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve an index folder (with its demo page) on 127.0.0.1."""
    import functools
    import http.server

    root = Path(args.index)
    if not (root / "manifest.json").is_file():
        print(f"error: {root}: no manifest.json (not a postsearch index)", file=sys.stderr)
        return EXIT_ERROR

    class Server(http.server.ThreadingHTTPServer):
        """A thread per request (daemon: Ctrl+C never waits for a client), and a listen
        backlog for a page's burst of requests: the default of 5 drops connections at once
        (clients wait seconds for a retry, or see resets)."""

        request_queue_size = 1024
        daemon_threads = True

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    try:
        server = Server((args.host, args.port), handler)
    except (OSError, OverflowError) as error:  # the port is taken or out of range, or the host is not ours
        reason = getattr(error, "strerror", None) or error
        print(f"error: cannot serve on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return EXIT_ERROR
    with server:
        host, port = server.server_address[:2]
        print(f"serving {root} at http://{host}:{port}/demo.html (Ctrl+C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return EXIT_OK


def positive_seconds(text: str) -> float:
    """A --interval value: a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="postsearch", description="Japanese full-text search for static sites.")
    p.add_argument("--version", action="version", version=f"postsearch {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    add_index_command(sub)
    add_query_command(sub)
    s = sub.add_parser("serve", help="serve an index and its demo page on 127.0.0.1")
    s.add_argument("index", type=Path, help="the index folder")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free port, printed)")
    s.add_argument("--host", default="127.0.0.1")
    s.set_defaults(run=cmd_serve)
    return p


def add_index_command(sub: argparse._SubParsersAction) -> None:
    i = sub.add_parser("index", help="index a site's posts", description="Index a site's posts into OUT.")
    i.add_argument("src", type=Path, help="the site's source folder")
    i.add_argument("-o", "--out", type=Path, required=True, help="output folder (replaced when the build is complete)")
    i.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: all cores)")
    i.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="a Dask scheduler (tcp://host:8786) whose workers analyze the posts (pip install 'postsearch[cluster]'); "
        "a flag only, never read from a site's config: a scheduler is trusted with pickled results",
    )
    i.add_argument(
        "--include", action="append", help="glob of post files (repeatable; default *.md *.markdown *.mdx *.html)"
    )
    i.add_argument("--exclude", action="append", help="glob of files to leave out (repeatable)")
    i.add_argument(
        "--html",
        action="store_true",
        help="SRC is a generator's built site: index its HTML pages' content (Pagefind's data-pagefind-* understood)",
    )
    i.add_argument(
        "--config", type=Path, help="options file (default SRC/postsearch.toml or SRC/pyproject.toml [tool.postsearch])"
    )
    i.add_argument("--base-url", default="/", help="with --html: the URL SRC is served at (default /)")
    i.add_argument(
        "--title-from", choices=["h1", "title"], default="h1", help="with --html: a page's title (default: first h1)"
    )
    i.add_argument("--lang", help="with --html: only pages whose <html lang> is this language (e.g. ja)")
    i.add_argument("--url-template", help="URL of every post, e.g. '/{year}/{month}/{day}/{slug}/' (also {dir} {path})")
    i.add_argument(
        "--anchors",
        default="github",
        choices=["github", "hugo", "kramdown", "markdown-it-anchor"],
        help="heading id style",
    )
    i.add_argument("--cache", type=Path, help="cache folder for analyzed posts (default SRC/.postsearch-cache)")
    i.add_argument("--no-cache", action="store_true", help="analyze every post again")
    i.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    i.add_argument(
        "-v", "--verbose", action="store_true", help="say what the build decided (config, rules, cache) on stderr"
    )
    i.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="read symlinks to files outside SRC and walk symlinked folders (default: skipped with a warning)",
    )
    i.add_argument("--watch", action="store_true", help="rebuild (from the cache) whenever a file of the site changes")
    i.add_argument(
        "--interval", type=positive_seconds, default=1.0, help="seconds between checks with --watch (default 1)"
    )
    i.set_defaults(run=cmd_index)


def add_query_command(sub: argparse._SubParsersAction) -> None:
    q = sub.add_parser("query", help="search an index", description="Search an index written by `postsearch index`.")
    q.add_argument("index", type=Path, help="the index folder")
    q.add_argument("query", nargs="?", default="", help='the query: words, "a phrase", -excluded, tag:name')
    q.add_argument("-n", "--limit", type=int, default=10, help="hits to show (default 10)")
    q.add_argument(
        "--json",
        action="store_true",
        help="print JSON: {query, total, hits: [{url, title, date, tags, score, excerpt, path, anchor, section, missing, sections}]}",
    )
    q.add_argument("--tag", action="append", help="only posts with this tag or category (repeatable)")
    q.add_argument("--since", help="only posts dated on or after YYYY-MM-DD")
    q.add_argument("--until", help="only posts dated on or before YYYY-MM-DD")
    q.add_argument("--sort", choices=["score", "date"], default="score", help="order: best match or newest first")
    q.add_argument(
        "--no-partial",
        dest="partial",
        action="store_false",
        help="only posts with every word (by default, too few of them: posts with some follow)",
    )
    q.add_argument("--tags", dest="list_tags", action="store_true", help="list the tags and their post counts")
    q.set_defaults(run=cmd_query)


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args, extra = p.parse_known_args(argv)
    if extra and args.command == "query" and all(x[:1] == "-" and x[1:2] not in ("", "-") for x in extra):
        args.query = " ".join([args.query, *extra]).strip()  # `postsearch query OUT -word`: an exclusion
    elif extra:
        p.error(f"unrecognized arguments: {' '.join(extra)}")
    return int(args.run(args))


def run() -> NoReturn:
    """The `postsearch` command: `main`, then out of the process without Python's teardown,
    as mypy's command does. Once a build is written nothing is left to do but free its heap
    object by object (the word table, the line cache, the index's rows): 0.7 s after a
    one-job build of efcl-blog. Output is flushed first; a failure to flush it (a closed
    pipe) exits 120, as Python's own shutdown would."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        code = code or 120
    os._exit(code)


if __name__ == "__main__":
    run()
