"""The command line: `postsearch index`, `postsearch query`, `postsearch serve`.

Exit status: 0 all went well; 1 the index was written but some files failed (listed in
the summary); 2 nothing was written or found (bad arguments, missing folder, no index).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

EXIT_OK, EXIT_SOME_FAILED, EXIT_ERROR = 0, 1, 2


def site_snapshot(src: Path, out: Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every file under the site (hidden folders, the cache and
    the output left out): what `--watch` compares to see that a post changed."""
    out = out.resolve()
    found: dict[str, tuple[int, int]] = {}
    for path in src.rglob("*"):
        parts = path.relative_to(src).parts
        if any(p.startswith(".") for p in parts) or path.resolve().is_relative_to(out) or not path.is_file():
            continue
        stat = path.stat()
        found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def cmd_index(args: argparse.Namespace) -> int:
    """Build the index and print the summary; with --watch, again whenever the site changes."""
    before = site_snapshot(args.src, args.out) if args.watch and args.src.is_dir() else {}
    status = index_once(args)
    if not args.watch or status == EXIT_ERROR:
        return status
    err = Console(stderr=True)
    err.print(f"watching {args.src} (Ctrl-C to stop)")
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(args.interval)
            now = site_snapshot(args.src, args.out)  # taken before the build: edits made during it count
            if now != before:
                before = now
                status = index_once(args)
    return status


def index_once(args: argparse.Namespace) -> int:
    """Build the index and print the summary."""
    from .pipeline import build
    from .posts import DEFAULT_INCLUDE, SiteOptions

    err = Console(stderr=True)
    options = SiteOptions(
        include=tuple(args.include) if args.include else DEFAULT_INCLUDE,
        exclude=tuple(args.exclude or ()),
        url_template=args.url_template,
    )
    show = sys.stderr.isatty() and not args.quiet
    with Progress(
        TextColumn("[bold]indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        disable=not show,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=None)

        def on_post(done: int, total: int, path: str) -> None:
            progress.update(task, completed=done, total=total, description=path[-50:])

        try:
            cache = False if args.no_cache else (args.cache or True)
            report = build(
                args.src, args.out, options=options, anchors=args.anchors, jobs=args.jobs, cache=cache, progress=on_post
            )
        except (FileNotFoundError, NotADirectoryError, PermissionError) as e:
            err.print(f"[red]error:[/red] {e}")
            return EXIT_ERROR
    out = Console(highlight=False)
    written = report.written
    assert written is not None
    out.print(
        f"indexed {report.posts} posts ({report.cached} from cache{', last build patched' if report.patched else ''}), skipped {len(report.drafts)} drafts, "
        f"{len(report.failures)} failed; {written.terms} terms, {written.files} files, "
        f"{written.bytes:,} bytes in {args.out}; {report.seconds:.2f} s",
        soft_wrap=True,  # one line, whatever the terminal's width: scripts read it
    )
    for path, warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {path}: {warning}", highlight=False)
    for failure in report.failures:
        err.print(f"[red]failed:[/red] {failure.path}: {failure.reason}", highlight=False)
    return EXIT_SOME_FAILED if report.failures else EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    """Search an index and print ranked hits."""
    from .search import open_index

    try:
        index = open_index(args.index)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_ERROR
    if args.list_tags:
        for tag, count in index.tags():
            print(f"{count}\t{tag}")
        return EXIT_OK
    result = index.search(
        args.query, limit=args.limit, tags=args.tag, since=args.since, until=args.until, sort=args.sort
    )
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    console = Console(highlight=False)
    console.print(f"{result.total} posts match {args.query!r}")
    for rank, hit in enumerate(result.hits, 1):
        console.print(f"\n[bold]{rank}. {escape_markup(hit.title)}[/bold]  [dim]{hit.score:.3f}[/dim]")
        url = hit.url + (f"#{hit.anchor}" if hit.anchor else "")
        console.print(f"   {escape_markup(url)}  [dim]{hit.date or ''} {escape_markup(' '.join(hit.tags))}[/dim]")
        console.print("   " + excerpt_markup(hit.excerpt))
    return EXIT_OK


def escape_markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def excerpt_markup(excerpt: str) -> str:
    """The excerpt's <mark> spans in reverse video; its HTML escapes undone for the terminal."""
    import html

    parts = excerpt.split("<mark>")
    out = [escape_markup(html.unescape(parts[0]))]
    for part in parts[1:]:
        marked, _, rest = part.partition("</mark>")
        out.append("[reverse]" + escape_markup(html.unescape(marked)) + "[/reverse]")
        out.append(escape_markup(html.unescape(rest)))
    return "".join(out)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve an index folder (with its demo page) on 127.0.0.1."""
    import functools
    import http.server

    root = Path(args.index)
    if not (root / "manifest.json").is_file():
        print(f"error: {root}: no manifest.json (not a postsearch index)", file=sys.stderr)
        return EXIT_ERROR
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    with http.server.ThreadingHTTPServer((args.host, args.port), handler) as server:
        host, port = server.server_address[:2]
        print(f"serving {root} at http://{host}:{port}/demo.html (Ctrl+C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="postsearch", description="Japanese full-text search for static sites.")
    sub = p.add_subparsers(dest="command", required=True)

    i = sub.add_parser("index", help="index a site's posts", description="Index a site's posts into OUT.")
    i.add_argument("src", type=Path, help="the site's source folder")
    i.add_argument("-o", "--out", type=Path, required=True, help="output folder (replaced when the build is complete)")
    i.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: all cores)")
    i.add_argument(
        "--include", action="append", help="glob of post files (repeatable; default *.md *.markdown *.mdx *.html)"
    )
    i.add_argument("--exclude", action="append", help="glob of files to leave out (repeatable)")
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
    i.add_argument("--watch", action="store_true", help="rebuild (from the cache) whenever a file of the site changes")
    i.add_argument("--interval", type=float, default=1.0, help="seconds between checks with --watch (default 1)")
    i.set_defaults(run=cmd_index)

    q = sub.add_parser("query", help="search an index", description="Search an index written by `postsearch index`.")
    q.add_argument("index", type=Path, help="the index folder")
    q.add_argument("query", nargs="?", default="", help='the query: words, "a phrase", -excluded, tag:name')
    q.add_argument("-n", "--limit", type=int, default=10, help="hits to show (default 10)")
    q.add_argument(
        "--json",
        action="store_true",
        help="print JSON: {query, total, hits: [{url, title, date, tags, score, excerpt, path, anchor, section}]}",
    )
    q.add_argument("--tag", action="append", help="only posts with this tag or category (repeatable)")
    q.add_argument("--since", help="only posts dated on or after YYYY-MM-DD")
    q.add_argument("--until", help="only posts dated on or before YYYY-MM-DD")
    q.add_argument("--sort", choices=["score", "date"], default="score", help="order: best match or newest first")
    q.add_argument("--tags", dest="list_tags", action="store_true", help="list the tags and their post counts")
    q.set_defaults(run=cmd_query)

    s = sub.add_parser("serve", help="serve an index and its demo page on 127.0.0.1")
    s.add_argument("index", type=Path, help="the index folder")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--host", default="127.0.0.1")
    s.set_defaults(run=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
