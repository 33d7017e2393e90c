# Pelican settings for the benchmark: the same kinds of pages as digestsite
# builds. Category = the article's topic, Tags = its spokespersons (Pelican
# has no custom taxonomies); the built-in "simple" theme; author and archive
# pages off (digestsite has none); Atom feeds for the site, each category and
# each tag; no content cache (every build is clean).
AUTHOR = "Benchmark"
SITENAME = "Benchmark Digest"
SITEURL = "https://example.org"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "simple"
DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "author": None}
ARTICLE_URL = "articles/{slug}/"
ARTICLE_SAVE_AS = "articles/{slug}/index.html"
CATEGORY_URL = "topics/{slug}/"
CATEGORY_SAVE_AS = "topics/{slug}/index.html"
CATEGORIES_SAVE_AS = "topics/index.html"
TAG_URL = "spokespersons/{slug}/"
TAG_SAVE_AS = "spokespersons/{slug}/index.html"
TAGS_SAVE_AS = "spokespersons/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
PAGE_SAVE_AS = ""
FEED_ALL_ATOM = "feed.xml"
CATEGORY_FEED_ATOM = "topics/{slug}/feed.xml"
TAG_FEED_ATOM = "spokespersons/{slug}/feed.xml"
FEED_ATOM = None
FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = False
STATIC_PATHS = []
