"""The build as a library call: what it leaves behind in the calling process."""

from __future__ import annotations

import gc

import postsearch

from .conftest import EXAMPLE_SITE


def test_a_build_leaves_the_young_generation_empty_and_the_collector_as_it_was(tmp_path):
    """The build runs with the cyclic collector off; what it made must not all land in the
    first young collection after it (pipeline.build), and the collector is on again."""
    assert gc.isenabled()
    postsearch.build(EXAMPLE_SITE, tmp_path / "out", jobs=1, cache=False)
    assert gc.isenabled()
    assert len(gc.get_objects(generation=0)) < 1_000  # a build leaves tens of thousands
    gc.disable()
    try:
        postsearch.build(EXAMPLE_SITE, tmp_path / "out", jobs=1, cache=False)
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
