"""Scrapy project settings for Kikimimi's spiders (``scrapy.cfg`` points here).

The runner (:mod:`crawlers.runner`) overrides identity, politeness and state paths from the
Kikimimi configuration; these are the defaults for ``scrapy check`` and ``scrapy list``.
"""

BOT_NAME = "kikimimi"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = "Kikimimi/0.1 (+https://github.com/kikimimi/kikimimi; social listening)"
# The sources are documented APIs and feeds meant for programs; their terms, not robots.txt,
# set the limits, which the per-source request rate and Retry-After handling respect.
ROBOTSTXT_OBEY = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

CONCURRENT_REQUESTS = 8
# Items are small dicts: a few item workers suffice (Scrapy starts this many per response).
CONCURRENT_ITEMS = 16
# Scrapy re-parses each callback's source per response for this check; ours are generators
# reviewed by ruff and mypy.
WARN_ON_GENERATOR_RETURN_VALUE = False
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 30
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.RetryAfterMiddleware": 550,
    "crawlers.middlewares.PauseMiddleware": 560,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.MentionValidationPipeline": 100,
    "crawlers.pipelines.QueueingPipeline": 200,
}
EXTENSIONS = {
    "crawlers.extensions.CrawlRecorder": 500,
}
SPIDER_CONTRACTS = {
    "crawlers.contracts.FixtureContract": 10,
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
