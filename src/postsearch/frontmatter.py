"""Stage 1, posts: front matter, read safely.

YAML (`---`), TOML (`+++`) or JSON (`{ ... }`) front matter, split off with python-frontmatter's
handlers (TOML parsed with the standard library's tomllib, which python-frontmatter ignores
unless given a handler). A site's repository is untrusted input, so the YAML loader is a safe
one whose alias expansion is bounded before anything is built (a 500-byte "billion laughs"
fails its post in a millisecond), the front matter has a size limit, impossible dates stay text,
and lone surrogates (JSON's `"\ud800"`) become U+FFFD: nothing later meets a string that is
not UTF-8.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler
from yaml.constructor import SafeConstructor

MAX_FRONT_MATTER_BYTES = 256 * 1024
"""The front matter's size, before parsing."""
MAX_FRONT_MATTER_VALUES = 10_000
"""Values (scalars, lists, mappings) in the front matter with every YAML alias expanded: a
500-byte "billion laughs" would otherwise expand to billions the first time anything walks
the metadata (str(), json.dumps). Counted on the parsed nodes, never expanded."""
MAX_FRONT_MATTER_CHARS = 1024 * 1024
"""Characters of the front matter's scalars with every alias expanded (one long string
aliased a thousand times is a bomb too)."""
PLAIN_FRONT_MATTER_CHARS = 2_000
"""Front matter this short and without a `*` (no alias, so no node is shared) is within the
limits above without counting: YAML makes at most three nodes of a character (`?` alone is a
mapping, its key and its value) and a scalar is never longer than its source text."""
_MAX_INT_BITS = 13_000  # str() refuses ints over 4,300 digits; YAML's `0x...` builds them


class TomlHandler(BaseHandler):
    """Hugo's `+++` front matter, parsed with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


class JsonHandler(JSONHandler):
    """JSON front matter: an object whose braces stand on their own lines."""

    FM_BOUNDARY = re.compile(r"^(?:\{|\})\s*$", re.MULTILINE)


class FrontMatterTooLarge(ValueError):
    """Front matter past one of the limits above; its message is the Failure's reason."""


class FrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader (libyaml's when present, as python-frontmatter uses), with alias
    expansion bounded before anything is constructed, and impossible dates kept as text."""

    counted = True  # whether get_single_data checks the expanded size (see load)

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        if self.counted:
            check_expanded_size(node)
        return self.construct_document(node)


def timestamp_or_text(loader: SafeConstructor, node: yaml.ScalarNode) -> Any:
    """An unquoted `2014-13-45` is a timestamp to YAML's resolver but no date: keep its text,
    so `post_date` warns about it instead of the whole post failing."""
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", timestamp_or_text)


def yaml_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_expanded_size(root: yaml.Node) -> None:
    """Raise FrontMatterTooLarge if the document, with every alias expanded, has more values
    or characters than the limits, or refers to itself. An alias is a shared node: each
    node's expanded size is computed once, from its children's, so a bomb costs only its
    own few nodes here. Iterative, so deep nesting cannot overflow the stack."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, characters) expanded
    open_nodes: set[int] = set()  # the path from the root: meeting one again is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            values = 1 + sum(sizes[id(c)][0] for c in yaml_children(node))
            chars = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            chars += sum(sizes[id(c)][1] for c in yaml_children(node))
            if values > MAX_FRONT_MATTER_VALUES:
                raise FrontMatterTooLarge(
                    f"front matter too large once its aliases are expanded (over {MAX_FRONT_MATTER_VALUES:,} values)"
                )
            if chars > MAX_FRONT_MATTER_CHARS:
                raise FrontMatterTooLarge(
                    f"front matter too large once its aliases are expanded (over {MAX_FRONT_MATTER_CHARS:,} characters)"
                )
            sizes[key] = (values, chars)
        elif key not in sizes:
            if key in open_nodes:
                raise FrontMatterTooLarge("front matter refers to itself (a recursive alias)")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in yaml_children(node))


class YamlHandler(YAMLHandler):
    """`---` front matter, loaded with FrontMatterLoader, closed by `---` or by YAML's
    document end marker `...` (which Jekyll accepts)."""

    CLOSING = re.compile(r"^(?:-{3,}|\.{3})\s*$", re.MULTILINE)

    def split(self, text: str) -> tuple[str, str]:
        opening = self.FM_BOUNDARY.match(text)
        if opening is None:
            raise ValueError("no front matter")
        rest = text[opening.end() :]
        closing = self.CLOSING.search(rest)
        if closing is None:
            raise ValueError("front matter is never closed (no --- or ... line)")
        return rest[: closing.start()], rest[closing.end() :]

    def load(self, fm: str, **kwargs: object) -> Any:
        loader = FrontMatterLoader(fm)  # a safe loader: no tag constructs objects or runs code
        loader.counted = "*" in fm or len(fm) > PLAIN_FRONT_MATTER_CHARS
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()


HANDLERS: tuple[BaseHandler, ...] = (YamlHandler(), TomlHandler(), JsonHandler())

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_value(value: Any, seen: dict[int, Any] | None = None) -> Any:
    """Parsed front matter with every lone surrogate (JSON's `"\\ud800"`) replaced by U+FFFD,
    in keys and values alike, so no later step meets a string that is not UTF-8. Shared
    values (YAML aliases) stay shared: each is cleaned once."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _MAX_INT_BITS:
        raise ValueError("a number in it is too long")
    if not isinstance(value, dict | list | tuple | set | frozenset):
        return value
    seen = {} if seen is None else seen
    if id(value) not in seen:
        if isinstance(value, dict):
            seen[id(value)] = {clean_value(k, seen): clean_value(v, seen) for k, v in value.items()}
        else:
            seen[id(value)] = type(value)(clean_value(v, seen) for v in value)
    return seen[id(value)]


def may_need_cleaning(fm: str) -> bool:
    """False when the parsed front matter surely holds no lone surrogate and no number too
    long (clean_value), so walking it can be skipped: no surrogate in the text, no `\\u`
    or `\\U` escape (the only ones YAML, TOML and JSON have that make one), and too short
    to spell a number of _MAX_INT_BITS (2,000 characters: 8,000 bits in hexadecimal)."""
    return len(fm) > PLAIN_FRONT_MATTER_CHARS or "\\u" in fm or "\\U" in fm or _SURROGATE.search(fm) is not None


def split_front_matter(text: str) -> tuple[Any, str]:
    """Front matter (its strings made valid UTF-8) and body; a file without front matter has
    empty metadata. Raises FrontMatterTooLarge past MAX_FRONT_MATTER_BYTES."""
    for handler in HANDLERS:
        if handler.detect(text):
            fm, content = handler.split(text)
            size = len(fm.encode("utf-8", "surrogatepass"))
            if size > MAX_FRONT_MATTER_BYTES:
                raise FrontMatterTooLarge(f"front matter too large ({size} bytes, limit {MAX_FRONT_MATTER_BYTES})")
            meta = handler.load(fm)
            if may_need_cleaning(fm):
                meta = clean_value(meta)
            return ({} if meta is None else meta), content
    return {}, text
