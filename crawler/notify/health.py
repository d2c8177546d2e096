"""Is a school's site broken? Rules over its recent runs, so people hear about it once.

A site can break loudly (it fails run after run) or silently: a template change leaves
the list pages answering 200 with no article links on them, or article pages whose
date or source line is no longer found. Each rule answers True (broken), False
(evidence that it is fine) or None (this run says nothing, e.g. a quiet night).
"""
from __future__ import annotations

from dataclasses import dataclass

NOTHING_STORED = "列表页有回应，却没有存下一篇文章（链接认不出，或属于同一网站上的另一所学校）"
PROBLEMS = {
    "failing": "连续{n}次采集失败",
    "empty": "列表页上找不到文章链接（网站改版？）",
    "metadata": "新文章缺少{fields}（网页模板变了？）",
    "nothing": NOTHING_STORED,
    "coverage": "列表页上的文章没有全部识别：{gap}",
}
RECOVERED = {
    "failing": "采集恢复正常",
    "empty": "列表页重新找到文章链接",
    "metadata": "新文章的日期、来源恢复正常",
    "nothing": "开始存下文章",
    "coverage": "列表页上的文章已全部识别",
}

MIN_NEW_FOR_SHARE = 3  # fewer new articles than this say nothing about a template
MIN_HISTORY_FOR_SHARE = 5
SHARP_DROP = 0.5  # a share falling by this much (e.g. 100% → 40%) is a template change


@dataclass(frozen=True)
class MetadataShare:
    """How many articles had a date and a source, of how many."""

    total: int = 0
    dated: int = 0
    sourced: int = 0

    def share(self, field: str) -> float:
        return getattr(self, field) / self.total if self.total else 0.0


def failing(statuses: list[str], failures: int) -> bool | None:
    """``statuses``: the site's run statuses, oldest first, ending with this run."""
    if not statuses:
        return None
    if statuses[-1] != "failed":
        return False
    return len(statuses) >= failures and all(s == "failed" for s in statuses[-failures:])


def empty(list_pages: int, article_links: int, had_links_before: bool) -> bool | None:
    """List pages were read but showed no article link, where they used to show some."""
    if article_links > 0:
        return False
    if list_pages > 0 and had_links_before:
        return True
    return None


def nothing_stored(list_pages: int, article_links: int, too_old: int, stored: bool) -> bool | None:
    """Its list pages answered, yet the school holds no article at all: its lists are not
    understood (or their links are another school's). Lists that only showed articles older
    than ``since`` say nothing."""
    if stored:
        return False
    if list_pages == 0 or (article_links and article_links == too_old):
        return None
    return True


def metadata_drop(now: MetadataShare, before: MetadataShare) -> list[str] | None:
    """The fields (date, source) whose share among this run's new articles fell sharply."""
    if now.total < MIN_NEW_FOR_SHARE or before.total < MIN_HISTORY_FOR_SHARE:
        return None
    dropped = [name for name, field in (("日期", "dated"), ("来源", "sourced"))
               if before.share(field) - now.share(field) >= SHARP_DROP]
    return dropped or []


def partly_understood(list_pages: int, items_shown: int, lists_partly_understood: int) -> bool | None:
    """Some list page showed dated items in its main list that the crawl did not take (links it
    cannot follow or does not recognise). Lists read with nothing dated to judge say nothing."""
    if lists_partly_understood:
        return True
    if list_pages and items_shown:
        return False
    return None


def describe(problem: str, *, failures: int = 0, fields: list[str] | None = None, gap: str = "") -> str:
    return PROBLEMS[problem].format(n=failures, fields="、".join(fields or []), gap=gap)
