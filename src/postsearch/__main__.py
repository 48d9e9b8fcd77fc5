"""`python -m postsearch` is the CLI."""

from .cli import run

run()
