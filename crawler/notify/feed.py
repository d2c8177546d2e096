"""The Atom feed of new reports (``<database name>.atom`` beside the database), for feed readers.

Written after each run from the ``report`` events, newest first, replaced atomically so a
reader never sees half a file. Built with feedgen. Texts pass through
:func:`crawler.extract.text.strip_controls` again: a row stored before the store cleaned
them must not make every later feed unwritable (XML has no control characters).
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from feedgen.feed import FeedGenerator

from crawler.notify.alerts import APP_TITLE
from crawler.extract.dates import SHANGHAI
from crawler.extract.text import strip_controls

FEED_ID = "urn:school-news-monitor:new-reports"


def write_feed(path: str | Path, reports: list[dict], updated: datetime) -> None:
    """``reports``: dicts with url, title, site, published_at, source, text, announced_at."""
    feed = FeedGenerator()
    feed.id(FEED_ID)
    feed.title(f"{APP_TITLE}：新报道")
    feed.subtitle("各学校网站新发布的报道（首次采集的存量文章和转载不计）")
    feed.language("zh-CN")
    feed.link(href=Path(path).name, rel="self")
    feed.updated(updated)
    for report in reversed(reports):  # feedgen lists the last added entry first
        entry = feed.add_entry()
        entry.id(report["url"])
        entry.link(href=report["url"])
        entry.title(strip_controls(report["title"]) or "(无标题)")
        entry.author(name=strip_controls(report["site"]))
        entry.updated(_when(report["announced_at"]))
        if report.get("published_at"):
            entry.published(_when(report["published_at"]))
        facts = "｜".join(x for x in (report["site"], report.get("source") and f"来源：{report['source']}") if x)
        entry.summary(strip_controls(f"{facts}\n{(report.get('text') or '')[:200]}", multiline=True))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    feed.atom_file(str(partial), pretty=True)
    os.replace(partial, path)


def _when(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace(" ", "T") if len(text) > 10 else text + "T00:00:00")
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
