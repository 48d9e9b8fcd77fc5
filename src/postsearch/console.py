"""What the command line shows beyond plain lines: a progress bar, warnings and errors in
colour, and search hits. rich is imported only when one of them is shown, so a quiet build
that goes well never loads it (cli.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from .pipeline import BuildReport
    from .query import Hit, SearchResult


def print_problems(report: BuildReport) -> None:
    """The build's warnings and failed files on stderr, each naming its file."""
    err = stderr_console()
    for path, warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape_markup(f'{path}: {warning}')}", highlight=False, soft_wrap=True)
    for failure in report.failures:
        err.print(
            f"[red]failed:[/red] {escape_markup(f'{failure.path}: {failure.reason}')}", highlight=False, soft_wrap=True
        )


@contextlib.contextmanager
def progress_bar(show: bool) -> Iterator[Callable[[int, int, str], None] | None]:
    """A progress bar on stderr while the build runs, and the callback that moves it (None,
    and no bar, when not shown)."""
    if not show:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("[bold]indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, TextColumn("{task.description}"), console=stderr_console(), transient=True) as progress:
        task = progress.add_task("", total=None)

        def on_post(done: int, total: int, path: str) -> None:
            progress.update(task, completed=done, total=total, description=path[-50:])

        yield on_post


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def print_result(query: str, result: SearchResult) -> None:
    """A search's summary line, then its hits."""
    from rich.console import Console

    console = Console(highlight=False)
    console.print(summary_line(query, result.total, result.complete))
    for rank, hit in enumerate(result.hits, 1):
        print_hit(console, rank, hit)


def print_hit(console: Console, rank: int, hit: Hit) -> None:
    """One hit as the box shows it: title, link, excerpt, what it lacks, its best sections."""
    console.print(f"\n[bold]{rank}. {escape_markup(hit.title)}[/bold]  [dim]{hit.score:.3f}[/dim]")
    url = hit.url + (f"#{hit.anchor}" if hit.anchor else "")
    console.print(f"   {escape_markup(url)}  [dim]{hit.date or ''} {escape_markup(' '.join(hit.tags))}[/dim]")
    console.print("   " + excerpt_markup(hit.excerpt))
    if hit.missing:  # a partial match: as web search engines say it
        console.print(f"   [dim]missing: {escape_markup(', '.join(hit.missing))}[/dim]")
    if len(hit.sections) > 1:  # several sections match: each, as the box lists them
        for part in hit.sections:
            console.print(f"     § {escape_markup(part['title'])}  [dim]#{escape_markup(part['anchor'])}[/dim]")
            console.print("       " + excerpt_markup(part["excerpt"]))


def summary_line(query: str, total: int, complete: int) -> str:
    """How many posts match; when some (or all) have only some of the words, that too."""
    shown = escape_markup(repr(query))
    if complete == total:
        return f"{total} posts match {shown}"
    if not complete:
        return f"no post has every word of {shown}; {total} posts have some of them"
    return f"{complete} posts match {shown}; {total - complete} more have some of its words"


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
