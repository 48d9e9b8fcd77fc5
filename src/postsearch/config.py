"""`postsearch index` options from a file: `SITE/postsearch.toml`, or `[tool.postsearch]` in
`SITE/pyproject.toml`, or `--config FILE`. Flags given on the command line win.

The file comes with the site's repository, which is untrusted (a pull request can change
it), so it may only set what changes how posts are read and named. What could reach outside
the site stays a command-line flag: `-o`, `--cache` and `--follow-symlinks`. The file is TOML
data, read with the standard library's tomllib, never executed.
"""

from __future__ import annotations

import argparse
import logging
import tomllib
from pathlib import Path
from typing import Any

# key in the file -> (argparse destination, the type its value must have)
KEYS: dict[str, tuple[str, type]] = {
    "jobs": ("jobs", int),
    "include": ("include", list),
    "exclude": ("exclude", list),
    "url-template": ("url_template", str),
    "anchors": ("anchors", str),
    "no-cache": ("no_cache", bool),
    "html": ("html", bool),
    "base-url": ("base_url", str),
    "title-from": ("title_from", str),
    "lang": ("lang", str),
}
KINDS = {int: "an integer", list: "a list of strings", str: "a string", bool: "true or false"}
CHOICES = {"anchors": ("github", "hugo", "kramdown", "markdown-it-anchor"), "title-from": ("h1", "title")}


MAX_CONFIG_BYTES = 256 * 1024


class ConfigError(ValueError):
    """A config file postsearch cannot use; the message names the file and the key."""


def find_config(site: Path, explicit: Path | None) -> tuple[Path, dict[str, Any]] | None:
    """The config file and its postsearch table: `explicit`, else SITE/postsearch.toml, else
    SITE/pyproject.toml's `[tool.postsearch]`; None when there is none."""
    candidates = [explicit] if explicit else [site / "postsearch.toml", site / "pyproject.toml"]
    for path in candidates:
        if path is None or not path.is_file():
            if explicit:
                raise ConfigError(f"{path}: no such file")
            continue
        if not explicit and (path.is_symlink() or path.stat().st_size > MAX_CONFIG_BYTES):
            raise ConfigError(
                f"{path}: not read (a link, or over {MAX_CONFIG_BYTES} bytes; the site's files stay inside it)"
            )
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{path}: not a TOML file ({e})") from e
        if path.name == "pyproject.toml" and not explicit:
            table = data.get("tool", {}).get("postsearch")
            if table is None:
                continue
            return path, table if isinstance(table, dict) else {"": table}
        return path, data
    return None


def checked(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    """The table's values by argparse destination; an unknown key, a wrong type or a value
    not among the choices is a ConfigError naming the file and the key."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            allowed = ", ".join(KEYS)
            raise ConfigError(
                f"{path}: unknown key {key!r} (known: {allowed}; -o, --cache, --follow-symlinks are flags only)"
            )
        dest, kind = KEYS[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(f"{path}: {key} must be {KINDS[kind]}, not {value!r}")
        if kind is list and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of strings")
        if key in CHOICES and value not in CHOICES[key]:
            raise ConfigError(f"{path}: {key} must be one of {', '.join(CHOICES[key])}, not {value!r}")
        values[dest] = value
    return values


def apply_config(args: argparse.Namespace, defaults: argparse.Namespace) -> Path | None:
    """Fill the index options the command line left at their defaults from the site's
    config file; the file used, if any. The one public entry of this module."""
    found = find_config(args.src, args.config)
    if found is None:
        return None
    path, table = found
    logging.getLogger("postsearch.config").info("options from %s", path)
    for dest, value in checked(path, table).items():
        if getattr(args, dest) == getattr(defaults, dest):
            setattr(args, dest, value)
    return path
