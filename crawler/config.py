"""Load and check ``sites.toml``: the one file where users list the schools they follow.

Errors name the file, the site and the key, because the person reading them edits
that file by hand and has hundreds of entries in it.
"""
from __future__ import annotations

import functools
import logging
import math
import os
import re
import tomllib
import types
import typing
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from crawler.extract.overrides import OVERRIDE_KEYS, ExtractOverrides, overrides_from

DEFAULT_MAX_PAGES = 20
DEFAULT_RECHECK_DAYS = 7
DEFAULT_STOP_GRACE_PAGES = 1
DEFAULT_MAX_ARTICLE_PAGES = 20
DEFAULT_MAX_LINKS_PER_LIST = 500
DEFAULT_REDISCOVER_DAYS = 7  # a school's new column is picked up within a week


class ConfigError(ValueError):
    """A problem in the config file, worded for the person who edits it."""


# "${NAME}" in an alert URL or the Redis URL: a secret read from the environment when used
ENV_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class MissingVariable(LookupError):
    """A ``${NAME}`` whose environment variable is not set."""


def from_environment(configured: str, used_in: str) -> str:
    """Fill the ``${NAME}`` parts of ``configured`` from the environment."""
    missing = [name for name in ENV_VARIABLE.findall(configured) if not os.environ.get(name)]
    if missing:
        raise MissingVariable(f"environment variable {missing[0]} is not set (used in {used_in})")
    return ENV_VARIABLE.sub(lambda m: os.environ[m.group(1)], configured)


def _check_variable_names(value: str, where: str) -> None:
    for name in re.findall(r"\$\{([^}]*)\}", value):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ConfigError(f"{where}：${{{name}}} 不是合法的环境变量名")


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
    max_article_pages: int = DEFAULT_MAX_ARTICLE_PAGES  # pages of one article read; the rest is cut
    max_links_per_list: int = DEFAULT_MAX_LINKS_PER_LIST  # article links taken from one list page
    home: str | None = None  # the homepage its news columns are found from (start_urls then optional)
    columns: tuple[str, ...] = ()  # only found columns whose name contains one of these (党建, 新闻)
    exclude_columns: tuple[str, ...] = ()  # found columns whose name contains one of these are left
    rediscover_days: int = DEFAULT_REDISCOVER_DAYS  # the homepage is read again for new columns this often
    follow_hosts: tuple[str, ...] = ()  # other hosts whose article links on its lists are its articles too
    # where two configured schools share a host (a university's colleges under /jsjxy/ and /jxxy/):
    # the folder this school's pages are under ("/" when it has its host to itself)
    path_prefix: str = "/"

    def follows(self, host: str | None) -> bool:
        """``host`` is one the school publishes on besides its own (opted in: follow_hosts)."""
        return _longest_match(host, self.follow_hosts) > 0


def _segments(path: str) -> list[str]:
    """A path's folders (its last part, a file name, aside)."""
    return path.split("/")[1:-1]


def _shared_segments(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def common_folder(urls) -> str:
    """The deepest folder every one of ``urls`` is under ("/jsjxy/" for /jsjxy/xwdt/list.htm and
    /jsjxy/tzgg/list.htm)."""
    paths = [_segments(urlsplit(u).path or "/") for u in urls]
    if not paths:
        return "/"
    n = min(len(p) for p in paths)
    for i in range(n):
        if len({p[i] for p in paths}) > 1:
            n = i
            break
    return "/" + "".join(f"{segment}/" for segment in paths[0][:n])


def _longest_match(host: str | None, domains: tuple[str, ...]) -> int:
    """Length of the longest of ``domains`` that is ``host`` or a parent of it; 0 for none."""
    host = (host or "").lower().rstrip(".")
    return max((len(d) for d in domains if host == d or host.endswith("." + d)), default=0)


@dataclass(frozen=True)
class ScheduleConfig:
    """``[schedule]``: when the nightly refresh runs and how long it may take."""

    cron: str = "0 2 * * *"
    timezone: str = "Asia/Shanghai"
    timeout_minutes: float = 240  # a crawl still running then is stopped (and killed if it must be)
    stop_grace_seconds: float = 120  # time a stopped crawl gets to finish its writes
    misfire_grace_minutes: float = 720  # a run late by less than this (machine asleep) still runs
    log_file: str | None = None  # default: <database name>.scheduler.log beside the database


@dataclass(frozen=True)
class AlertsConfig:
    """``[alerts]``: where new reports and broken sites are announced."""

    urls: tuple[str, ...] = ()  # Apprise URLs; "${NAME}" parts are read from the environment
    keywords: tuple[str, ...] = ()  # only reports whose title or text has one of these
    topics: tuple[str, ...] = ()  # only reports tagged with one of these watched topics
    sites: tuple[str, ...] = ()  # only these schools (also for site-health alerts)
    failures: int = 3  # consecutive failed runs before a site is reported broken
    max_age_days: int = 30  # older "new" articles are archive surfacing, counted not listed
    feed: str | None = None  # Atom file of new reports; default <database name>.atom beside the database
    feed_entries: int = 50


@dataclass(frozen=True)
class ClusterConfig:
    """``[cluster]``: crawl on several machines through one Redis (scrapy-redis); off when absent."""

    redis_url: str  # redis://host:6379/0; "${NAME}" parts are read from the environment
    key_prefix: str = "snm"  # every key of this store's runs starts with it: one Redis serves several stores
    worker_wait_minutes: float = 10  # a run with no worker connected for this long fails


@dataclass(frozen=True)
class Config:
    path: str
    sites: tuple[Site, ...]
    crawl: dict = field(default_factory=dict)
    topics: dict | None = None  # [topics] name = ["term", …]; None: the shipped defaults
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    cluster: ClusterConfig | None = None  # None: one process, no Redis
    _owners: dict = field(default_factory=dict, compare=False, repr=False)  # host -> its schools, asked per link

    def allows(self, site: Site, url: str) -> bool:
        """A request of ``site``'s may go to ``url``: one of its own, or on a host it follows."""
        return site in self.scope(url) or site.follows(urlsplit(url).hostname)

    def owner(self, url: str) -> Site | None:
        """The one school a URL belongs to; None for none, or when several may (see :meth:`scope`)."""
        found = self.scope(url)
        return found[0] if len(found) == 1 else None

    def scope(self, url: str) -> tuple[Site, ...]:
        """The schools a URL may belong to. By host first, the most specific (www.xx.edu.cn and
        its 党委 site dw.xx.edu.cn may be two schools); on a host several schools share, by path:
        the longest ``path_prefix`` the URL is under, else the one sharing most leading folders
        with it. A link that shares none with any (the host's own /info/…) is each one's, for
        the school whose page links to it."""
        parts = urlsplit(url)
        on_host = self._host_schools((parts.hostname or "").lower().rstrip("."))
        if len(on_host) < 2:
            return on_host
        path = parts.path or "/"
        under = [s for s in on_host if path.startswith(s.path_prefix)]
        if under:
            longest = max(len(s.path_prefix) for s in under)
            return tuple(s for s in under if len(s.path_prefix) == longest)
        segments = _segments(path)
        shared = [_shared_segments(segments, _segments(s.path_prefix)) for s in on_host]
        most = max(shared)
        return tuple(s for s, n in zip(on_host, shared) if n == most) if most else on_host

    def _host_schools(self, host: str) -> tuple[Site, ...]:
        """The schools whose hosts match ``host`` most specifically (cached: asked for every link)."""
        if host not in self._owners:
            ranked = [(_longest_match(host, s.allowed_domains), s) for s in self.sites]
            length = max((n for n, _ in ranked), default=0)
            self._owners[host] = tuple(s for n, s in ranked if length and n == length)
        return self._owners[host]

    def site(self, name: str) -> Site:
        for s in self.sites:
            if s.name == name:
                return s
        raise KeyError(name)


@dataclass(frozen=True)
class CrawlKey:
    """One key of ``[crawl]``: its type, the Scrapy setting it sets (None: a per-site default),
    and for a number the range it must be in (``least``/``most``; None: unbounded)."""

    name: str
    type: type | tuple[type, ...]
    scrapy_setting: str | None
    comment: str = ""
    least: float | None = None
    most: float | None = None

    def check(self, value, where: str) -> None:
        """Raise ConfigError unless a number ``value`` is in this key's range."""
        if self.least is None and self.most is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        ok = math.isfinite(value) and (self.least is None or value >= self.least) and (
            self.most is None or value <= self.most)
        if not ok:
            kind = "整数" if self.type is int else "数字"
            if self.most is None:
                bounds = f"不小于 {self.least:g} 的"
            elif self.least is None:
                bounds = f"不大于 {self.most:g} 的"
            else:
                bounds = f" {self.least:g} 到 {self.most:g} 之间的"
            raise ConfigError(f"{where}：键 {self.name!r} 须是{bounds}{kind}，现在是 {value!r}")


MAX_DAYS = 36_500  # a hundred years: any longer span is no setting, and overflows the date arithmetic
# the most each number of the other tables may be (with [crawl]'s own ranges: nothing the code cannot compute with)
_MOST = {
    "timeout_minutes": 7 * 24 * 60, "stop_grace_seconds": 24 * 3600, "misfire_grace_minutes": 7 * 24 * 60,
    "failures": 1000, "max_age_days": MAX_DAYS, "feed_entries": 100_000, "worker_wait_minutes": 7 * 24 * 60,
}

# The one list of [crawl] keys: config checks against it, the refresh maps it to Scrapy settings
CRAWL_KEYS: tuple[CrawlKey, ...] = (
    CrawlKey("download_delay", (int, float), "DOWNLOAD_DELAY", "seconds between requests to one site", 0, 60),
    CrawlKey("concurrent_requests", int, "CONCURRENT_REQUESTS", "requests in flight in all", 1, 1024),
    CrawlKey("concurrent_requests_per_domain", int, "CONCURRENT_REQUESTS_PER_DOMAIN", "requests in flight per host",
             1, 64),
    CrawlKey("download_timeout", (int, float), "DOWNLOAD_TIMEOUT", "seconds before a request is given up", 1, 600),
    CrawlKey("retry_times", int, "RETRY_TIMES", "retries of a failed request", 0, 10),
    CrawlKey("user_agent", str, "USER_AGENT", "User-Agent header"),
    CrawlKey("obey_robots", bool, "ROBOTSTXT_OBEY", "honour robots.txt"),
    CrawlKey("autothrottle", bool, "AUTOTHROTTLE_ENABLED", "adapt the delay to the sites' response times"),
    CrawlKey("extraction_processes", int, "EXTRACTION_PROCESSES",
             "processes extracting articles beside the crawl (0: in the crawl process)", 0, 64),
    CrawlKey("max_pages", int, None, "default list pages walked per column", 1, 100_000),
    # incremental-refresh keys: per site, or in [crawl] as the default for every site
    CrawlKey("since", str, None, "default oldest date stored"),
    CrawlKey("recheck_days", int, None, "default age under which stored articles are revalidated", 0, MAX_DAYS),
    CrawlKey("stop_grace_pages", int, None, "default all-known list pages walked before stopping", 0, 100_000),
    # limits against endless or huge pages: per site, or in [crawl] as the default for every site
    CrawlKey("max_article_pages", int, None, "default pages of one article read (the rest is cut)", 1, 10_000),
    CrawlKey("max_links_per_list", int, None, "default article links taken from one list page", 1, 1_000_000),
    # schools given by homepage: how often their columns are looked for again
    CrawlKey("rediscover_days", int, None, "default days before a homepage is read again for new columns", 1,
             MAX_DAYS),
    # hosts the schools publish on besides their own (their WeChat account): opt in
    CrawlKey("follow_hosts", list, None, "default hosts whose article links on a school's lists are fetched too"),
)
_CRAWL_TYPES = {key.name: key.type for key in CRAWL_KEYS}
_CRAWL_KEY = {key.name: key for key in CRAWL_KEYS}
# [crawl] name -> Scrapy setting name
CRAWL_SETTINGS = {key.name: key.scrapy_setting for key in CRAWL_KEYS if key.scrapy_setting}
# [crawl] keys that are per-site defaults, not Scrapy settings
SITE_DEFAULT_KEYS = tuple(key.name for key in CRAWL_KEYS if key.scrapy_setting is None)

_SITE_KEYS = ("name", "home", "start_urls", "columns", "exclude_columns", "allowed_domains", "article_pattern",
              "path_prefix",
              *SITE_DEFAULT_KEYS, *OVERRIDE_KEYS)
# Top-level tables
_TOP_KEYS = {"sites", "crawl", "schedule", "alerts", "topics", "cluster"}


# [crawl] keys renamed, still read under their old name for a release (with a warning)
RENAMED_CRAWL_KEYS = {"workers": "extraction_processes"}


def _renamed(crawl, where: str):
    if not isinstance(crawl, dict):
        return crawl
    crawl = dict(crawl)
    for old, new in RENAMED_CRAWL_KEYS.items():
        if old in crawl:
            if new in crawl:
                raise ConfigError(f"{where}：[crawl]：键 {old!r} 是键 {new!r} 的旧名，两个不能同时写：请只写 {new!r}")
            logging.getLogger(__name__).warning("%s：[crawl] %s 已改名为 %s，请改用新名", where, old, new)
            crawl[new] = crawl.pop(old)
    return crawl


# Scrapy settings renamed with their [crawl] keys, still read under the old name for a release
RENAMED_SETTINGS = {"CPU_WORKERS": "EXTRACTION_PROCESSES"}


def check_settings(settings) -> None:
    """The Scrapy settings of the [crawl] keys, however they were given (sites.toml, ``-s`` on
    ``scrapy crawl``, a settings module): each of its type and in its range, or ConfigError.
    A setting given under its old name is moved to its new one, with a warning."""
    for old, new in RENAMED_SETTINGS.items():
        if settings.get(old) is not None and hasattr(settings, "set"):
            logging.getLogger(__name__).warning("设置 %s 已改名为 %s，请改用新名", old, new)
            settings.set(new, settings.get(old), priority=settings.getpriority(old) or 0)
    for key in CRAWL_KEYS:
        if key.scrapy_setting is None or key.scrapy_setting not in settings:
            continue
        raw = settings[key.scrapy_setting]
        value = raw
        if isinstance(raw, str) and key.type is not str:
            value = _from_text(raw, key.type)
            if value is None:
                raise ConfigError(f"设置 {key.scrapy_setting}（[crawl] {key.name}）不是{_kind(key.type)}：{raw!r}")
        if key.type is not str and (isinstance(value, bool) != (key.type is bool)
                                    or not isinstance(value, key.type)):
            raise ConfigError(f"设置 {key.scrapy_setting}（[crawl] {key.name}）不是{_kind(key.type)}：{raw!r}")
        key.check(value, f"设置 {key.scrapy_setting}")


def _from_text(text: str, kind):
    text = text.strip()
    if kind is bool:
        return {"true": True, "1": True, "false": False, "0": False}.get(text.lower())
    for convert in ((int,) if kind is int else (int, float)):
        try:
            return convert(text)
        except ValueError:
            continue
    return None


def _kind(kind) -> str:
    return {int: "整数", bool: "布尔值（true 或 false）"}.get(kind, "数字")


def load_config(path: str | Path) -> Config:
    """Read and check a config file; raise ConfigError naming file, site and key."""
    return parse_config(_read_toml(path), str(path))


def _read_toml(path: str | Path) -> dict:
    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{where}：找不到这个文件") from None
    except OSError as exc:
        raise ConfigError(f"{where}：无法读取（{exc.strerror}）") from None
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{where}：不是 UTF-8 编码的文本：请把文件另存为 UTF-8 编码") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}：不是有效的 TOML：{exc}") from None


def parse_config(data: dict, where: str = "<config>") -> Config:
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{where}：不认识的顶层键 {unknown[0]!r}（可用的键：{', '.join(sorted(_TOP_KEYS))}）")
    raw_sites = data.get("sites")
    if not isinstance(raw_sites, list) or not raw_sites:
        raise ConfigError(f"{where}：没有 [[sites]] 条目：请至少添加一所学校，写明 name 和 start_urls")
    crawl = _table(_renamed(data.get("crawl", {}), where), "crawl", where, _CRAWL_TYPES, positive=False)
    for key, value in crawl.items():
        _CRAWL_KEY[key].check(value, f"{where}：[crawl]")
    defaults = {key: crawl[key] for key in SITE_DEFAULT_KEYS if key in crawl}
    sites = []
    for index, raw in enumerate(raw_sites, start=1):
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}：第 {index} 个学校：须写成 [[sites]] 表")
        sites.append(_parse_site({**defaults, **raw}, f"{where}：第 {index} 个学校"))
    seen: dict[str, int] = {}
    for index, site in enumerate(sites, start=1):
        if site.name in seen:
            raise ConfigError(f"{where}：第 {index} 个学校 {site.name!r}：键 'name' 与第 {seen[site.name]} 个学校重名")
        seen[site.name] = index
    sites = _scoped_by_path(sites, [isinstance(raw, dict) and "path_prefix" in raw for raw in raw_sites])
    scrapy_keys = {key: value for key, value in crawl.items() if key not in SITE_DEFAULT_KEYS}
    return Config(path=where, sites=tuple(sites), crawl=scrapy_keys, topics=_parse_topics(data.get("topics"), where),
                  schedule=_parse_schedule(data.get("schedule", {}), where),
                  alerts=_parse_alerts(data.get("alerts", {}), where, {s.name for s in sites}),
                  cluster=_parse_cluster(data.get("cluster"), where))


def _scoped_by_path(sites: list[Site], prefix_given: list[bool]) -> list[Site]:
    """Schools that share a host, and gave no ``path_prefix``, are told apart by the folder their
    home and start URLs are under; a school alone on its hosts keeps them whole."""
    schools_of = Counter(domain for site in sites for domain in set(site.allowed_domains))
    return [replace(site, path_prefix=common_folder([*site.start_urls, *([site.home] if site.home else [])]))
            if not given and any(schools_of[domain] > 1 for domain in site.allowed_domains) else site
            for site, given in zip(sites, prefix_given)]


def _table(raw, name: str, where: str, fields: dict, positive: bool = True) -> dict:
    """Check a flat table against ``fields`` (key -> type, tuple of types, or list for strings).

    ``positive``: numbers must be more than 0 (durations and counts; [crawl] allows a 0 delay).
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}：[{name}] 须是一个表")
    values = {}
    for key, value in raw.items():
        if key not in fields:
            raise ConfigError(f"{where}：[{name}]：不认识的键 {key!r}（可用的键：{', '.join(sorted(fields))}）")
        expected = fields[key]
        if expected is list:
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise ConfigError(f"{where}：[{name}]：键 {key!r} 须是字符串列表")
            value = tuple(v.strip() for v in value)
        elif isinstance(value, bool) and expected is not bool or not isinstance(value, expected):
            raise ConfigError(f"{where}：[{name}]：键 {key!r} 的类型不对（现在是 {type(value).__name__}）")
        elif positive and isinstance(value, (int, float)) and not isinstance(value, bool) and not (
                math.isfinite(value) and 0 < value <= _MOST.get(key, math.inf)):
            most = f"，且不大于 {_MOST[key]:g}" if key in _MOST else ""
            raise ConfigError(f"{where}：[{name}]：键 {key!r} 须大于 0{most}，现在是 {value!r}")
        values[key] = value
    return values


def _keys_of(table) -> dict:
    """A config table's keys and the types ``_table`` checks them against, read from its
    dataclass: a new key is one field (``tuple[str, ...]`` is a list of strings in TOML, a
    ``float`` takes a whole number too, ``X | None`` is X)."""
    keys = {}
    for name, hint in typing.get_type_hints(table).items():
        if name.startswith("_"):
            continue
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        keys[name] = list if typing.get_origin(hint) is tuple else (int, float) if hint is float else hint
    return keys


def _parse_schedule(raw, where: str) -> ScheduleConfig:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from crawler.schedule import parse_cron

    values = _table(raw, "schedule", where, _keys_of(ScheduleConfig))
    schedule = ScheduleConfig(**values)
    try:
        zone = ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}：[schedule]：键 'timezone'：不认识的时区 {schedule.timezone!r}") from None
    try:
        parse_cron(schedule.cron, zone)
    except ValueError as exc:
        raise ConfigError(f"{where}：[schedule]：键 'cron'：{exc}") from None
    return schedule


def _parse_alerts(raw, where: str, site_names: set[str]) -> AlertsConfig:
    values = _table(raw, "alerts", where, _keys_of(AlertsConfig))
    for url in values.get("urls", ()):
        if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I):
            raise ConfigError(f"{where}：[alerts]：键 'urls'：{url!r} 不是 Apprise 网址（形如 json://host/path）")
        _check_variable_names(url, f"{where}：[alerts]：键 'urls'")
    for name in values.get("sites", ()):
        if name not in site_names:
            raise ConfigError(f"{where}：[alerts]：键 'sites'：{name!r} 不是任何一个 [[sites]] 条目的名称")
    return AlertsConfig(**values)


def load_cluster_config(path: str | Path) -> ClusterConfig:
    """Only the ``[cluster]`` table: a worker machine's config needs no [[sites]] (the
    coordinator sends its own with each run)."""
    where = str(path)
    cluster = _parse_cluster(_read_toml(path).get("cluster"), where)
    if cluster is None:
        raise ConfigError(f"{where}：没有 [cluster] 表：worker 需要 redis_url = \"redis://host:6379/0\"")
    return cluster


def _parse_cluster(raw, where: str) -> ClusterConfig | None:
    if raw is None:
        return None
    values = _table(raw, "cluster", where, _keys_of(ClusterConfig))
    url = values.get("redis_url", "")
    if not re.match(r"^(redis|rediss|unix)://", url):
        raise ConfigError(f"{where}：[cluster]：键 'redis_url'：{url!r} 不是 Redis 网址（形如 "
                          "redis://127.0.0.1:6379/0）" if url else
                          f"{where}：[cluster]：缺少键 'redis_url'（若只用一个进程采集，请删掉 [cluster]）")
    _check_variable_names(url, f"{where}：[cluster]：键 'redis_url'")
    if "key_prefix" in values and not re.fullmatch(r"[A-Za-z0-9_.-]+", values["key_prefix"]):
        raise ConfigError(f"{where}：[cluster]：键 'key_prefix' 只能包含字母、数字、'.'、'_' 和 '-'")
    return ClusterConfig(**values)


def _parse_topics(raw, where: str) -> dict | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}：[topics] 须是一个表，每行写 名称 = [\"词语\", …]")
    topics = {}
    for name, terms in raw.items():
        if isinstance(terms, str):
            terms = [terms]
        if not isinstance(terms, list) or not terms or not all(isinstance(t, str) and t.strip() for t in terms):
            raise ConfigError(f"{where}：[topics]：键 {name!r} 须是词语列表")
        topics[name] = [t.strip() for t in terms]
    return topics


def check_url(url, key: str, where: str) -> None:
    """An http(s) URL that parses, port and all: a config error now, not a traceback mid-crawl."""
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is not None:
            parts.port  # noqa: B018 (raises on a port out of range)
    except ValueError as exc:  # "http://[::1/x", "http://h:99999/"
        raise ConfigError(f"{where}：键 {key!r}：{url!r} 不是有效的网址（{exc}）") from None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}：键 {key!r}：{url!r} 不是 http(s) 网址")


_HOST_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _not_a_followable_host(entry: str) -> str | None:
    """Why a follow_hosts entry can never match, or matches far too much (None: it is fine).

    A host name of two labels or more, or a suffix written ``.example.cn``, that is not a public
    suffix (``cn``, ``edu.cn``, ``com.cn``: every school would follow every site under it), by the
    Public Suffix List the publicsuffixlist package carries; an IPv4 address is taken as it is."""
    host = entry.strip().lower().removeprefix(".").rstrip(".")
    if _IPV4.fullmatch(host):
        return None
    if not _HOST_NAME.fullmatch(host):
        return "不是主机名（不能带端口、路径、'*' 或空格）"
    if _public_suffixes().is_public(host):
        return "是公共后缀，其下所有网站都共用它"
    return None


@functools.cache
def _public_suffixes():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def _parse_site(raw: dict, where: str) -> Site:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}：缺少 'name'（或为空）：请写上学校名称")
    where = f"{where} {name.strip()!r}"
    for key in raw:
        if key not in _SITE_KEYS:
            raise ConfigError(f"{where}：不认识的键 {key!r}（可用的键：{', '.join(_SITE_KEYS)}）")

    home = raw.get("home")
    if home is not None:
        check_url(home, "home", where)
    start_urls = raw.get("start_urls", [] if home else None)
    if isinstance(start_urls, str):
        start_urls = [start_urls]
    if not isinstance(start_urls, list) or not (start_urls or home):
        raise ConfigError(f"{where}：缺少 'start_urls'（或为空）：请列出新闻栏目的网址"
                          f"（或用 home = \"https://…/\" 写出学校首页）")
    names = {}
    for key in ("columns", "exclude_columns"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"{where}：键 {key!r} 须是栏目名称（或名称的一部分）的列表，"
                              f"如 [\"党建\", \"新闻\"]")
        if value and not home:
            raise ConfigError(f"{where}：键 {key!r} 只适用于用首页（home）给出的学校")
        names[key] = tuple(v.strip() for v in value)
    for url in start_urls:
        check_url(url, "start_urls", where)

    domains = raw.get("allowed_domains")
    if domains is None:
        domains = sorted({urlsplit(u).hostname.lower() for u in [*start_urls, *([home] if home else [])]})
    elif not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains):
        raise ConfigError(f"{where}：键 'allowed_domains' 须是主机名列表")
    domains = [d.lower().strip().lstrip(".") for d in domains]
    for key, urls in (("start_urls", start_urls), ("home", [home] if home else [])):
        for url in urls:
            host = urlsplit(url).hostname.lower()
            if not any(host == d or host.endswith("." + d) for d in domains):
                raise ConfigError(f"{where}：键 'allowed_domains' 没有包含 {key} 中的主机 {host}")

    pattern = raw.get("article_pattern")
    if pattern is not None:
        if not isinstance(pattern, str) or not pattern:
            raise ConfigError(f"{where}：键 'article_pattern' 须是正则表达式")
        try:
            pattern = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{where}：键 'article_pattern' 不是有效的正则表达式：{exc}") from None

    counts = {}  # the per-site whole-number keys (max_pages, recheck_days, …), each in its range
    for key in (k for k in CRAWL_KEYS if k.scrapy_setting is None and k.type is int):
        value = raw.get(key.name, Site.__dataclass_fields__[key.name].default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}：键 {key.name!r} 须是不小于 {key.least:g} 的整数，现在是 {value!r}")
        key.check(value, where)
        counts[key.name] = value
    follow = raw.get("follow_hosts", ())
    if isinstance(follow, str):
        follow = [follow]
    if not isinstance(follow, (list, tuple)) or not all(isinstance(h, str) for h in follow):
        raise ConfigError(f"{where}：键 'follow_hosts' 须是主机名列表，如 [\"mp.weixin.qq.com\"]")
    for host in follow:
        why = _not_a_followable_host(host)
        if why:
            raise ConfigError(f"{where}：键 'follow_hosts'：{host!r} {why}：请写主机名，如 \"mp.weixin.qq.com\"，"
                              f"或学校自己的后缀，如 \".example.edu.cn\"")
    since = raw.get("since")
    if since is not None:
        if not isinstance(since, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
            raise ConfigError(f"{where}：键 'since' 须是日期，如 \"2024-01-01\"，现在是 {since!r}")
        try:
            date.fromisoformat(since)
        except ValueError:
            raise ConfigError(f"{where}：键 'since'：{since!r} 不是真实存在的日期") from None

    prefix = raw.get("path_prefix")
    if prefix is not None and (not isinstance(prefix, str) or not prefix.startswith("/")
                               or any(c in prefix for c in "?#") or not prefix.isprintable()):
        raise ConfigError(f"{where}：键 'path_prefix' 须是学校主机上的一个文件夹，如 \"/jsjxy/\"，"
                          f"现在是 {prefix!r}")

    def complain(key: str, message: str):
        raise ConfigError(f"{where}：键 {key!r}：{message}")

    return Site(
        name=name.strip(),
        start_urls=tuple(start_urls),
        home=home,
        **names,
        follow_hosts=tuple(h.strip().lower().strip(".") for h in follow),
        allowed_domains=tuple(domains),
        **({"path_prefix": prefix.rstrip("/") + "/"} if prefix else {}),
        article_pattern=pattern,
        overrides=overrides_from(raw, complain),
        since=since,
        **counts,
    )
