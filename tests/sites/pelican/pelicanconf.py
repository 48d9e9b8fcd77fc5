# A small Pelican site for tests/test_pelican.py (Pelican's own config format: Python).
AUTHOR = "灯台守"
SITENAME = "灯台守の日誌"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Tokyo"
DEFAULT_LANG = "ja"
PLUGINS = ["postsearch.pelican_plugin"]
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
