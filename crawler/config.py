"""Load and check ``sites.toml``: the one file where users list the schools they follow.

Errors name the file, the site and the key, because the person reading them edits
that file by hand and has hundreds of entries in it.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from crawler.overrides import OVERRIDE_KEYS, ExtractOverrides, overrides_from

DEFAULT_MAX_PAGES = 20
DEFAULT_RECHECK_DAYS = 7
DEFAULT_STOP_GRACE_PAGES = 1


class ConfigError(ValueError):
    """A problem in the config file, worded for the person who edits it."""


@dataclass(frozen=True)
class Site:
    """One school: where its news columns are and how far to walk them."""

    name: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    article_pattern: re.Pattern | None = None
    max_pages: int = DEFAULT_MAX_PAGES
    overrides: ExtractOverrides = field(default_factory=ExtractOverrides)
    since: str | None = None  # YYYY-MM-DD: older articles are neither walked to nor stored
    recheck_days: int = DEFAULT_RECHECK_DAYS  # stored articles younger than this are revalidated
    stop_grace_pages: int = DEFAULT_STOP_GRACE_PAGES  # all-known list pages walked before stopping

    def owns_host(self, host: str) -> bool:
        """True when ``host`` is one of this school's hosts (or a subdomain of one)."""
        host = (host or "").lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)


@dataclass(frozen=True)
class Config:
    path: str
    sites: tuple[Site, ...]
    crawl: dict = field(default_factory=dict)
    topics: dict | None = None  # [topics] name = ["term", …]; None: the shipped defaults

    def site(self, name: str) -> Site:
        for s in self.sites:
            if s.name == name:
                return s
        raise KeyError(name)


# incremental-refresh keys: per site, or in [crawl] as the default for every site
_REFRESH_KEYS = ("since", "recheck_days", "stop_grace_pages")
_SITE_KEYS = ("name", "start_urls", "allowed_domains", "article_pattern", "max_pages", *_REFRESH_KEYS,
              *OVERRIDE_KEYS)
# Top-level tables: [[sites]] and [crawl] are read here; the others belong to
# features that read them themselves, so they are accepted as they are.
_TOP_KEYS = {"sites", "crawl", "schedule", "alerts", "topics", "cluster"}
_CRAWL_KEYS = {
    "download_delay": (int, float),
    "concurrent_requests_per_domain": int,
    "download_timeout": (int, float),
    "retry_times": int,
    "user_agent": str,
    "obey_robots": bool,
    "autothrottle": bool,
    "max_pages": int,
    "since": str,
    "recheck_days": int,
    "stop_grace_pages": int,
}
# [crawl] keys that are per-site defaults, not Scrapy settings
SITE_DEFAULT_KEYS = ("max_pages", *_REFRESH_KEYS)


def load_config(path: str | Path) -> Config:
    """Read and check a config file; raise ConfigError naming file, site and key."""
    path = Path(path)
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{where}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text; save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    return parse_config(data, where)


def parse_config(data: dict, where: str = "<config>") -> Config:
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown top-level key {unknown[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})")
    raw_sites = data.get("sites")
    if not isinstance(raw_sites, list) or not raw_sites:
        raise ConfigError(f"{where}: no [[sites]] entries; add at least one school with name and start_urls")
    crawl = data.get("crawl", {})
    if not isinstance(crawl, dict):
        raise ConfigError(f"{where}: [crawl] must be a table")
    for key, value in crawl.items():
        if key not in _CRAWL_KEYS:
            raise ConfigError(f"{where}: [crawl]: unknown key {key!r} (known: {', '.join(sorted(_CRAWL_KEYS))})")
        expected = _CRAWL_KEYS[key]
        if isinstance(value, bool) and expected is not bool or not isinstance(value, expected):
            raise ConfigError(f"{where}: [crawl]: key {key!r}: wrong type {type(value).__name__}")
    defaults = {key: crawl[key] for key in SITE_DEFAULT_KEYS if key in crawl}
    sites = []
    for index, raw in enumerate(raw_sites, start=1):
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: site #{index}: must be a [[sites]] table")
        sites.append(_parse_site({**defaults, **raw}, f"{where}: site #{index}"))
    seen: dict[str, int] = {}
    for index, site in enumerate(sites, start=1):
        if site.name in seen:
            raise ConfigError(f"{where}: site #{index} {site.name!r}: key 'name': same name as site #{seen[site.name]}")
        seen[site.name] = index
    scrapy_keys = {key: value for key, value in crawl.items() if key not in SITE_DEFAULT_KEYS}
    return Config(path=where, sites=tuple(sites), crawl=scrapy_keys, topics=_parse_topics(data.get("topics"), where))


def _parse_topics(raw, where: str) -> dict | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [topics] must be a table of name = [\"term\", …]")
    for name, terms in raw.items():
        if isinstance(terms, str):
            terms = [terms]
        if not isinstance(terms, list) or not terms or not all(isinstance(t, str) and t.strip() for t in terms):
            raise ConfigError(f"{where}: [topics]: key {name!r}: must be a list of words")
        raw[name] = [t.strip() for t in terms]
    return dict(raw)


def _parse_site(raw: dict, where: str) -> Site:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: key 'name': missing or empty; give the school's name")
    where = f"{where} {name.strip()!r}"
    for key in raw:
        if key not in _SITE_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(_SITE_KEYS)})")

    start_urls = raw.get("start_urls")
    if isinstance(start_urls, str):
        start_urls = [start_urls]
    if not isinstance(start_urls, list) or not start_urls:
        raise ConfigError(f"{where}: key 'start_urls': missing or empty; list the news column URLs")
    for url in start_urls:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{where}: key 'start_urls': {url!r} is not an http(s) URL")

    domains = raw.get("allowed_domains")
    if domains is None:
        domains = sorted({urlsplit(u).hostname.lower() for u in start_urls})
    elif not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains):
        raise ConfigError(f"{where}: key 'allowed_domains': must be a list of host names")
    domains = [d.lower().strip().lstrip(".") for d in domains]
    for url in start_urls:
        host = urlsplit(url).hostname.lower()
        if not any(host == d or host.endswith("." + d) for d in domains):
            raise ConfigError(f"{where}: key 'allowed_domains': does not include {host} from start_urls")

    pattern = raw.get("article_pattern")
    if pattern is not None:
        if not isinstance(pattern, str) or not pattern:
            raise ConfigError(f"{where}: key 'article_pattern': must be a regular expression")
        try:
            pattern = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{where}: key 'article_pattern': not a valid regular expression: {exc}") from None

    max_pages = raw.get("max_pages", DEFAULT_MAX_PAGES)
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise ConfigError(f"{where}: key 'max_pages': must be a whole number >= 1, got {max_pages!r}")

    counts = {}
    for key, default, least in (("recheck_days", DEFAULT_RECHECK_DAYS, 0),
                                ("stop_grace_pages", DEFAULT_STOP_GRACE_PAGES, 0)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(f"{where}: key {key!r}: must be a whole number >= {least}, got {value!r}")
        counts[key] = value
    since = raw.get("since")
    if since is not None:
        if not isinstance(since, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
            raise ConfigError(f"{where}: key 'since': must be a date like \"2024-01-01\", got {since!r}")
        try:
            date.fromisoformat(since)
        except ValueError:
            raise ConfigError(f"{where}: key 'since': {since!r} is not a real date") from None

    def complain(key: str, message: str):
        raise ConfigError(f"{where}: key {key!r}: {message}")

    return Site(
        name=name.strip(),
        start_urls=tuple(start_urls),
        allowed_domains=tuple(domains),
        article_pattern=pattern,
        max_pages=max_pages,
        overrides=overrides_from(raw, complain),
        since=since,
        **counts,
    )
