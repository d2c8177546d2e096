"""Scrapy settings: polite by default, nothing listening, every failure counted.

Per-run values (database path, run id) are set by crawler.runtime.refresh; users tune
politeness in the [crawl] table of sites.toml. Every setting the project's own code reads
is declared here with its default, in the last section.
"""
BOT_NAME = "school-news-monitor"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "Mozilla/5.0 (compatible; SchoolNewsMonitor/0.1; nightly news digest for education offices)"

# Politeness: robots.txt, one or two connections per school, AutoThrottle on top.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50%, so requests do not tick like a metronome
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Faults: time out, retry transient errors, refuse absurd pages.
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry, doubled for each next one
RETRY_BACKOFF_MAX = 30.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,  # the place of Scrapy's own
    # redirect hops (HTTP and meta refresh: Scrapy's own middlewares make them) that would leave the
    # school are refused before robots.txt (100) and any download
    "crawler.middlewares.OnSiteRedirects": 60,
    # cluster workers only: after Scrapy's robots.txt check (100), a robots.txt another worker
    # fetched costs no delay (140); one delay per school across the cluster (150)
    "crawler.cluster.robots.SharedRobotsTxtMiddleware": 140,
    "crawler.cluster.politeness.SharedPolitenessMiddleware": 150,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False

# Nothing listening: no telnet console, no RemoteControl (on by default since 2.19).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Each component stays registered and switches itself off (NotConfigured) when the setting it
# needs is empty: the store without STORE_DB_PATH (--try), the cluster's without CLUSTER_KEY_PREFIX.
ITEM_PIPELINES = {
    "pipelines.redis_items.RedisItemsPipeline": 300,
    "pipelines.store.SQLiteStorePipeline": 800,
}

# Pages downloaded but not yet through the extraction workers wait in memory (body, text and
# the copy sent to a worker: ~10× the body). Past this many body bytes Scrapy stops taking new
# requests; 5 MB, its default, held 70 MB of waiting pages when downloads outpaced extraction.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000

# What a callback yields goes through the pipelines this many at a time. Scrapy starts that many
# asyncio tasks per response whatever it yields (100 by default: 100 tasks for an article's one
# item, a third of the crawl process's CPU); our pipelines write synchronously, one by one.
CONCURRENT_ITEMS = 4

# Scrapy parses a callback's source (ast) to warn of a generator's return value, and its
# weak-keyed cache misses for each request's new bound method: 3% of a crawl's CPU, for a lint
WARN_ON_GENERATOR_RETURN_VALUE = False

LOG_LEVEL = "INFO"
EXTENSIONS = {"crawler.extensions.LibraryLogLevel": 0, "crawler.extensions.SafeLogLines": 0,
              # off above, and not even imported: its module loads aiohttp (7 MB) before it can say so
              "scrapy.extensions.remote_control.RemoteControl": None}
LIBRARY_LOG_LEVEL = "WARNING"  # Scrapy's own loggers: only warnings and errors among the progress lines
# a page's title or URL in the project's log lines: controls escaped, cut to this many characters
# (crawler/extensions.py SafeLogLines; the scheduler's log too); 0 = as they are
LOG_VALUE_MAX_CHARS = 500
# the one log format: Scrapy's lines, the coordinator's, a worker's and the scheduler's log
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
LOGSTATS_INTERVAL = 30.0

# one "Scrapy started" line per run, not a dozen lines of library versions in every log
LOG_VERSIONS = []

# ``scrapy crawl news -a config=sites.toml -a db=db/reports.db`` runs the same refresh as
# ``scheduler.py --once`` (crawler/commands/crawl.py)
COMMANDS_MODULE = "crawler.commands"

# ---------------------------------------------------------------- the project's own settings
STORE_DB_PATH = ""  # SQLite file the store pipeline writes; empty = no store (--try, cluster workers)
CRAWL_RUN_ID = 0  # the crawl_runs row this crawl's items are accounted to (set per run)
WATCHED_TOPICS = {}  # topic name -> words, from [topics] in sites.toml; empty = the built-in topics
EXTRACTION_PROCESSES = 1  # processes for extraction, jieba and MinHash ([crawl] extraction_processes); 0 = in Scrapy's own

# cluster workers (crawler/runtime/worker.py sets these per run); empty prefix = not a worker
CLUSTER_KEY_PREFIX = ""  # Redis key prefix of the cluster ([cluster] key_prefix)
CLUSTER_RUN_ID = 0  # the coordinator's run this worker crawls
CLUSTER_WORKER_ID = ""  # this worker's name in the run's in-flight hashes (host:pid)
CLUSTER_DOWNLOAD_DELAY = 0.0  # seconds between two requests to one school, kept across all workers
