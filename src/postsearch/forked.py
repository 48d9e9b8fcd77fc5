"""Work handed to a forked child while this process does the rest.

At the end of a build (format.encode_rows) the workers are done and a core is free: the term
rows and the lexicon are encoded in children while this process encodes the n-grams. A
forked child inherits the builder, so nothing is sent to it; it sends back its result. The
child that makes the index's files ahead (ahead.FilesAhead) is one too, told when to stop.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def can_fork() -> bool:
    """Whether this process may fork a child: a system that forks (a spawned process would
    have to be sent what the child needs), and not a daemon (a pool's worker may not have one)."""
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


@dataclass
class Forked:
    """`task(*args)` running in a forked child; `wait` gives its result or raises its error.
    As a context manager, the child is stopped on the way out if it still runs (this process
    failed before it waited: nobody would read what the child sends)."""

    what: str  # for the error if the child dies: "encoding the terms"
    process: Any
    receive: Any

    @classmethod
    def start(cls, what: str, task: Callable[..., Any], *args: Any) -> Forked:
        receive, send = multiprocessing.Pipe(duplex=False)
        process = multiprocessing.get_context("fork").Process(target=_child, args=(task, args, send), daemon=True)
        process.start()
        send.close()
        return cls(what, process, receive)

    def wait(self) -> Any:
        try:
            outcome = self.receive.recv()
        except EOFError:  # the child died before it could send anything
            outcome = _Failed(None)
        finally:
            self.process.join()
            self.receive.close()
        if isinstance(outcome, _Failed):
            raise outcome.error or RuntimeError(f"{self.what} stopped (exit code {self.process.exitcode})")
        return outcome

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.receive.close()


@dataclass
class _Failed:
    error: BaseException | None  # None: the child died without a word


def _child(task: Callable[..., Any], args: tuple[Any, ...], send: Any) -> None:
    try:
        send.send(task(*args))
    except BaseException as e:
        send.send(_Failed(e))
    finally:
        send.close()
