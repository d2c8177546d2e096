"""Deliver pending alerts, each event to each channel exactly once, and write the feed.

The ``alerts`` table is the ledger. Before a message goes out its rows are marked
``sending`` (committed); after, ``sent`` or back to ``pending`` with the error. So:

* a channel that is down keeps its rows pending, and the next run's digest carries them;
* a message that was delivered is never sent again, whatever happens later;
* a process killed between sending and recording leaves ``sending`` rows: they become
  ``unknown`` and are not resent (a duplicate is worse than a gap the log names);
* so does a message whose request went out but got no answer in time (a slow webhook):
  ``unknown``, never ``pending``.

Logs and the summary name a channel by its label only (crawler.notify.alerts.identity),
never by its URL.

Runs hold the refresh lock, so one deliverer works on a database at a time.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import sqlite_utils

from crawler.notify import alerts
from crawler.notify.alerts import Channel, ChannelError
from crawler.config import Config
from crawler.extract.dates import now_iso, now_shanghai
from crawler.notify.feed import write_feed
from crawler.notify.events import announce_pending_runs
from db import alerts as sent_log

logger = logging.getLogger(__name__)


@dataclass
class Announcement:
    events: int = 0  # events planned now
    sent: dict[str, int] = field(default_factory=dict)  # channel label -> events delivered now
    failed: dict[str, str] = field(default_factory=dict)  # channel label -> why it failed
    unknown: dict[str, int] = field(default_factory=dict)  # channel label -> events sent without an answer
    feed: str | None = None
    feed_error: str | None = None  # why the feed could not be written


class Delivery(NamedTuple):
    sent: int  # events delivered
    error: str | None  # why the rest waits for the next run
    unknown: int = 0  # events whose message went out without an answer in time: not sent again


def usable_channels(config: Config) -> tuple[list[Channel], dict[str, str]]:
    """The configured channels Apprise can use, and why the others cannot (by label: no secret in logs)."""
    good, bad = [], {}
    for url in config.alerts.urls:
        try:
            good.append(alerts.channel(url))
        except ChannelError as exc:
            bad[alerts.identity(url)[1]] = str(exc)
    return good, bad


def announce(db: sqlite_utils.Database, config: Config, feed_path: str | Path | None) -> Announcement:
    """After a run: plan its events, deliver what is pending on every channel, write the feed."""
    result = Announcement()
    channels, unusable = usable_channels(config)
    for label, reason in unusable.items():
        logger.error("提醒渠道不可用 %s: %s；提醒留待下次", label, reason)
    result.failed.update(unusable)
    result.events = announce_pending_runs(db, config)
    _forget_interrupted_sends(db)
    for ch in channels:
        sent, error, unknown = deliver(db, ch)
        result.sent[ch.label] = sent
        if unknown:
            result.unknown[ch.label] = unknown
        if error:
            result.failed[ch.label] = error
    if feed_path:
        try:
            write_feed(feed_path, sent_log.recent_reports(db, config.alerts.feed_entries), now_shanghai())
        except OSError as exc:  # the store is fine: say which file could not be written
            result.feed_error = f"cannot write the feed {feed_path}: {exc}"
            logger.error("%s", result.feed_error)
        else:
            result.feed = str(feed_path)
    return result


def _forget_interrupted_sends(db: sqlite_utils.Database) -> None:
    forgotten = sent_log.forget_interrupted_sends(db)
    if forgotten:
        logger.warning("%d 条提醒在发送中途进程被终止，无法确认是否送达，不再重发（见 alerts 表）", forgotten)


def deliver(db: sqlite_utils.Database, ch: Channel) -> Delivery:
    """Send ``ch``'s pending events as one digest (split to fit): events sent, the first error
    (the rest stays pending), events sent without an answer (``unknown``)."""
    entries = pending_entries(db, ch)
    if not entries:
        return Delivery(0, None)
    sent = unknown = 0
    messages = alerts.compose(entries, ch)
    for number, message in enumerate(messages, start=1):
        ids = message.event_ids
        sent_log.mark(db, ch.key, ids, "sending")
        status, error = alerts.send(ch, message.title, message.body)
        if status == alerts.SENT:
            sent_log.mark(db, ch.key, ids, "sent", message=f"{number}/{len(messages)}", sent_at=now_iso())
        elif status == alerts.UNKNOWN:  # never sent again
            sent_log.mark(db, ch.key, ids, "unknown", message=f"{number}/{len(messages)}", error=error)
        else:
            sent_log.mark(db, ch.key, ids, "pending", error=error)
        if status == alerts.PENDING:
            logger.warning("提醒发送失败 %s: %s；%d 条留待下次重试", ch.label, error,
                           sum(len(m.event_ids) for m in messages[number - 1:]))
            return Delivery(sent, error, unknown)
        if status == alerts.UNKNOWN:
            unknown += len(ids)
            logger.warning("提醒未确认送达 %s: %s；%d 条可能已送达，不再重发（alerts 表 status = unknown）",
                           ch.label, error, len(ids))
            continue
        sent += len(ids)
        logger.info("已发送提醒 %s: %s", ch.label, message.title)
    return Delivery(sent, None, unknown)


def pending_entries(db: sqlite_utils.Database, ch: Channel) -> list[alerts.Entry]:
    entries, number = [], 0
    for event_id, kind, site, count, detail, title, url, published_at, source in sent_log.pending(db, ch.key):
        if kind == "report":
            number += 1
            article = {"site": site, "title": title, "url": url, "published_at": published_at, "source": source}
            entries.append(alerts.report_entry(event_id, number, article, count or 0))
        elif kind == "baseline":
            entries.append(alerts.baseline_entry(event_id, site, count or 0))
        else:
            entries.append(alerts.health_entry(event_id, kind, site, detail or ""))
    return entries


