"""Helpers several test modules share."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st


def read_all(folder: Path) -> dict[str, bytes]:
    """Every file under the folder, by path relative to it."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def posting_entries() -> st.SearchStrategy[list[tuple[int, list[tuple[int, list[int]]]]]]:
    """A term's postings as encode_postings takes them: (post, [(field, positions)]), sorted."""
    return st.lists(
        st.tuples(
            st.integers(0, 50),
            st.lists(
                st.tuples(st.integers(0, 4), st.lists(st.integers(0, 500), min_size=1, unique=True)),
                min_size=1,
                max_size=5,
                unique_by=lambda f: f[0],
            ),
        ),
        max_size=20,
        unique_by=lambda e: e[0],
    ).map(lambda entries: sorted((post, sorted((f, sorted(ps)) for f, ps in fields)) for post, fields in entries))
