"""postsearch as a Pelican namespace plugin: installed with postsearch, Pelican finds it by
itself when `PLUGINS` is not set (or lists "postsearch"). The plugin is postsearch.pelican_plugin."""

from postsearch.pelican_plugin import register

__all__ = ["register"]
