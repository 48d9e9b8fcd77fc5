"""The JSON Schema of the index (src/postsearch/schema/index.schema.json) against real builds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

SCHEMA = json.loads((Path(__file__).parent.parent / "src/postsearch/schema/index.schema.json").read_text("utf-8"))


def validate(data: object, name: str) -> None:
    jsonschema.validate(data, {**SCHEMA, "$ref": f"#/$defs/{name}"}, cls=jsonschema.Draft202012Validator)


def kind(file: Path) -> str:
    """lexicon-3.json -> lexicon, lengths.json -> lengths."""
    return re.sub(r"-\d+$", "", file.stem)


def test_every_file_of_a_real_build_follows_the_schema(example_index: Path):
    manifest = json.loads((example_index / "manifest.json").read_text("utf-8"))
    validate(manifest, "manifest")
    files = sorted((example_index / manifest["build"]).glob("*.json"))
    assert {kind(f) for f in files} == {"lengths", "lexicon", "terms", "positions", "grams", "text", "dates", "tags"}
    for file in files:
        validate(json.loads(file.read_text("utf-8")), kind(file))


def test_the_schema_rejects_what_a_reader_refuses(example_index: Path):
    manifest = json.loads((example_index / "manifest.json").read_text("utf-8"))
    for broken in (
        {**manifest, "version": 4},
        {**manifest, "extra": 1},
        {k: v for k, v in manifest.items() if k != "build"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate(broken, "manifest")
    with pytest.raises(jsonschema.ValidationError):
        validate([["京都", [0, 8]]], "terms")  # postings too short to hold a post
