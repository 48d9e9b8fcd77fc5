# A small Sphinx project for tests/test_sphinx.py (Sphinx's own config format: Python).
project = "灯台の手引き"
language = "ja"
extensions = ["postsearch.sphinx"]
html_theme = "alabaster"
