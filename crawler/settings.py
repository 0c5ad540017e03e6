"""Scrapy settings for jobatlas: polite by default, and the pipelines in the data's journey order."""

BOT_NAME = "jobatlas"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# `jobatlas crawl` imports only the spiders its sources need: one family's broken import must
# not stop the others (Scrapy's spider loader would otherwise import every module first).
SPIDER_LOADER_WARN_ONLY = True

# Identify ourselves, and say where to read about the crawler.
JOBATLAS_CONTACT_URL = "https://github.com/jobatlas/jobatlas"


def user_agent(contact_url: str) -> str:
    return f"{BOT_NAME}/0.1 (+{contact_url})"


USER_AGENT = user_agent(JOBATLAS_CONTACT_URL)

# Set by `jobatlas crawl` on each part of a large careers site split between processes: "K/N",
# the part (0-based) and how many parts; unset, a crawler crawls its whole source.
JOBATLAS_SHARD = None


def shard_of(value: str | None) -> tuple[int, int]:
    """(part, parts) from a JOBATLAS_SHARD value: (0, 1) for a whole source."""
    if not value:
        return 0, 1
    part, parts = value.split("/")
    return int(part), int(parts)


def state_name(source: str, shard: str | None) -> str:
    """What a crawler's own files (HTTP cache, resumable state) are named after: the source, and
    the part when the source is split, since the parts crawl side by side."""
    part, parts = shard_of(shard)
    return source if parts == 1 else f"{source}.part-{part + 1}-of-{parts}"


def source_and_parts(name: str) -> tuple[str, int]:
    """(source, parts) from a `state_name`: the inverse, without the part's number."""
    source, _, part = name.partition(".part-")
    return source, int(part.rsplit("-of-", 1)[1]) if part else 1

# Politeness: robots.txt, a few requests per host at once, AutoThrottle on response times.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Limits: the web is untrusted.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
# Careers sites: how many links (not counting next pages and language versions) from the
# careers URL a page may be.
JOBATLAS_MAX_LINK_HOPS = 5
# Wait as long as a 429/503's Retry-After asks, up to this many seconds.
RETRY_AFTER_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    # First: what is not a source's host is never fetched, not even its robots.txt.
    "crawler.middlewares.HostGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    # Last before the download: the per-host allowance, counted across every source and worker.
    "crawler.middlewares.HostAllowanceMiddleware": 950,
}

# Conditional requests: pages are kept with their ETag / Last-Modified, and asked for again with
# If-None-Match / If-Modified-Since; a 304 reuses the kept copy. The cache lives beside the
# database (`<db>.httpcache/<source>.sqlite`) unless HTTPCACHE_DIR says otherwise.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "crawler.middlewares.RevalidatingCachePolicy"
HTTPCACHE_STORAGE = "crawler.middlewares.SourceCacheStorage"
HTTPCACHE_EXPIRATION_SECS = 30 * 24 * 3600

# Pending requests wait in memory; JOBDIR gets them only when a crawl is stopped early.
SCHEDULER = "crawler.scheduler.ResumableScheduler"

# The item pipelines are synchronous, so items cannot overlap: Scrapy's CONCURRENT_ITEMS would
# only start that many idle asyncio workers for every response (measured: 20 % of a crawl's CPU
# at the default of 100).
CONCURRENT_ITEMS = 1

# Each crawler's stats go to the summary and the store; their dump into Scrapy's log (formatted
# for every source even when the log level hides it) cost a few ms a source; --verbose shows it.
STATS_DUMP = False
COOKIES_ENABLED = False
# Scrapy reads the source of every callback of every new crawler to warn about a generator that
# returns a value (4 ms a source: a crawl makes a crawler per source); tests/test_board.py checks them all instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
LOGSTATS_INTERVAL = 0

ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 100,
    "pipelines.language.LanguagePipeline": 200,
    "pipelines.location.LocationPipeline": 300,
    "pipelines.normalize.NormalizePipeline": 400,
    "pipelines.store.StorePipeline": 900,
}

EXTENSIONS = {
    "crawler.progress.Progress": 500,
    # Spiders keep no `spider.state`; the extension would write it into a JOBDIR that a finished
    # run has already removed (crawler/crawl.py), and log an error doing so.
    "scrapy.extensions.spiderstate.SpiderState": None,
}

# The sources file `scrapy crawl KIND -a source=NAME` (and Scrapyd) reads.
JOBATLAS_SOURCES = "data/sources.yml"

# Where the store lives, and how many postings go into one transaction.
JOBATLAS_DB = "data/jobs.db"
JOBATLAS_BATCH_SIZE = 500
# Sources one process crawls at once (each keeps a store connection, an HTTP cache file, its
# downloader and answers open); the others wait their turn.
JOBATLAS_CONCURRENT_SOURCES = 32
# Board URL → endpoint, for ATS boards found on careers pages (mirrors, tests): like `endpoint:`
# in the sources file, for boards the file does not name.
JOBATLAS_ENDPOINTS: dict[str, str] = {}
# A source that suddenly lists nothing where it had at least this many open postings is flagged
# `empty_listing`, and nothing is closed.
JOBATLAS_EMPTY_LISTING_GUARD = 3
# Rendering in Chromium (crawler/render.py), for careers pages whose jobs only their scripts show:
# the browser (a name on PATH or a path: Debian's `chromium`; a browser download is never used),
# pages rendered at once by one process (one browser per process, shared by its sources),
# seconds a page may take in all, and how many times one page is asked for more (a "load more" or
# next control clicked, or the page scrolled to its end).
JOBATLAS_CHROMIUM = "chromium"
JOBATLAS_RENDER_PAGES = 4
JOBATLAS_RENDER_TIMEOUT = 30.0
JOBATLAS_RENDER_CLICKS = 10
# Crawls through Redis (crawler/distributed.py): seconds between a worker's heartbeats (one silent
# for three is taken for dead, and its sources go to another worker), and how many workers a
# source may lose before its run ends without them.
JOBATLAS_REDIS_HEARTBEAT = 5.0
JOBATLAS_REDIS_ATTEMPTS = 3
# Seconds between progress lines on stderr (0: none).
JOBATLAS_PROGRESS_INTERVAL = 2.0
