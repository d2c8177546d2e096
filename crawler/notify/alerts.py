"""Alert messages in Chinese, cut to each channel's size, sent through Apprise.

One Apprise URL is one channel (dingtalk://, wecombot://, feishu://, mailto://, slack://,
json://, …). A URL in the config may hold ``${NAME}`` parts, read from the environment
when the message is sent, so tokens and passwords never sit in a file. The channel's
identity in the ``alerts`` ledger is a hash of the configured text, so rotating a secret
does not resend anything; its label (logs, the summary, the table) shows no part of a secret.

Composing is pure: events in, messages out. A digest that is too long for a channel is
split between entries, never inside one; each message knows which events it carries,
so a failure leaves exactly those pending.
"""
from __future__ import annotations

import hashlib
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import apprise

from crawler.config import ENV_VARIABLE, MissingVariable, from_environment

logger = logging.getLogger(__name__)

APP_TITLE = "学校新闻监测"
# bytes kept free of each channel's limit: the part number "（2/3）" and channel framing
MARGIN_BYTES = 64

# what send() makes of a message, as the alerts ledger records it
SENT, PENDING, UNKNOWN = "sent", "pending", "unknown"
# Apprise logs (at debug level) the exception a send ended with. These two mean the request
# went out and no answer came: a read timeout, or the connection closed instead of an
# answer. The message may have arrived, so it is never sent again.
_NO_ANSWER = re.compile(r"Read timed out|Remote end closed connection without response")
# the parts of Apprise's privacy URL that stand for a secret: "a...9" (its first and last
# character), "...wxyz" (its last four), "****"
_MASKED = re.compile(r"[^/:@?&=]*(?:\.\.\.|\*\*\*\*)[^/:@?&=]*")


class ChannelError(RuntimeError):
    """A channel that cannot be used as configured (missing variable, unknown scheme)."""


@dataclass(frozen=True)
class Channel:
    configured: str  # the URL as written in the config, ${NAME} parts unresolved
    key: str  # stable id in the alerts table
    label: str  # secrets masked, for logs and the table
    body_limit: int  # bytes one message may have (title included where the channel has none)
    title_in_body: bool

    def resolved_url(self) -> str:
        return resolve(self.configured)


def resolve(configured: str) -> str:
    """Fill ``${NAME}`` parts from the environment; a missing one is a ChannelError."""
    try:
        return from_environment(configured, "an [alerts] url")
    except MissingVariable as exc:
        raise ChannelError(str(exc)) from None


def identity(configured: str) -> tuple[str, str]:
    """The channel's key in the ledger and its label for people, without resolving secrets.

    Events are queued under this identity even while the channel cannot be used (a
    variable missing tonight), so they are sent once it can.
    """
    key = hashlib.sha256(configured.encode()).hexdigest()[:16]
    if ENV_VARIABLE.search(configured):
        return key, configured  # shown as written: the secrets are the ${NAME} parts
    plugin = apprise.Apprise.instantiate(configured, suppress_exceptions=True)
    if not plugin:
        return key, configured.split("://", 1)[0] + "://…"
    # Apprise's privacy URL keeps a token's first and last character: none of it is shown,
    # and the key's start tells two channels of one service apart
    masked = plugin.url(privacy=True).split("?", 1)[0]
    label = _MASKED.sub("***", masked)
    return key, label if label == masked else f"{label} #{key[:6]}"


def channel(configured: str) -> Channel:
    """Check one configured URL against Apprise; raise ChannelError saying why it is unusable."""
    plugin = apprise.Apprise.instantiate(resolve(configured), suppress_exceptions=True)
    key, label = identity(configured)
    if not plugin:
        scheme = configured.split("://", 1)[0]
        raise ChannelError(f"Apprise cannot use {label!r} (unknown scheme {scheme}:// or a malformed URL)")
    return Channel(
        configured=configured,
        key=key,
        label=label,
        body_limit=max(256, int(plugin.body_maxlen) - MARGIN_BYTES),
        title_in_body=not plugin.title_maxlen,
    )


def send(ch: Channel, title: str, body: str) -> tuple[str, str | None]:
    """Send one message; returns its status for the ledger and why it was not delivered.

    ``(SENT, None)``; ``(PENDING, reason)`` when it did not reach the channel (sent again
    next time); ``(UNKNOWN, reason)`` when the request went out and no answer came within
    the channel's timeout (Apprise's ``rto``, 4 s by default): it may have arrived, and a
    duplicate is worse than a gap the ledger names.
    """
    notifier = apprise.Apprise()
    try:
        url = ch.resolved_url()
    except ChannelError as exc:
        return PENDING, str(exc)
    if not notifier.add(url):
        return PENDING, "Apprise rejected the URL"
    with _apprise_records() as records:
        delivered = notifier.notify(title=title, body=body)
    if delivered:
        return SENT, None
    warnings = [record.getMessage() for record in records if record.levelno >= logging.WARNING]
    reason = " ".join(warnings[-2:]) or "the channel did not accept the message"
    if any(_NO_ANSWER.search(record.getMessage()) for record in records):
        return UNKNOWN, f"no answer within the timeout, it may have arrived: {reason}"
    return PENDING, reason


@contextmanager
def _apprise_records():
    """Every record Apprise logs meanwhile, debug lines included (only they tell a timeout
    after the request went out from a refused connection). What reaches the project's log
    is what did before: the lines at Apprise's effective level and above."""
    apprise_logger = logging.getLogger("apprise")
    shown_from, saved_level = apprise_logger.getEffectiveLevel(), apprise_logger.level
    records: list[logging.LogRecord] = []

    def keep(record: logging.LogRecord) -> bool:
        records.append(record)
        return record.levelno >= shown_from

    apprise_logger.setLevel(logging.DEBUG)
    apprise_logger.addFilter(keep)
    try:
        yield records
    finally:
        apprise_logger.removeFilter(keep)
        apprise_logger.setLevel(saved_level)


# ------------------------------------------------------------------ composing
@dataclass
class Entry:
    """One event as people read it: a section of the digest and its lines."""

    event_id: int
    section: str  # 新报道 / 站点异常 / 站点恢复 / 首次采集
    text: str


@dataclass
class Message:
    title: str
    body: str
    event_ids: list[int] = field(default_factory=list)


SECTION_ORDER = ("站点异常", "新报道", "站点恢复", "首次采集")


def report_entry(event_id: int, number: int, article: dict, reposts: int = 0) -> Entry:
    facts = [article["site"], (article.get("published_at") or "日期不详")[:10]]
    if article.get("source"):
        facts.append(f"来源：{article['source']}")
    if reposts:
        facts.append(f"另有{reposts}处转载")
    lines = [f"{number}. {article['title'] or '(无标题)'}", "｜".join(facts), article["url"]]
    return Entry(event_id, "新报道", "\n".join(lines))


def baseline_entry(event_id: int, site: str, count: int) -> Entry:
    return Entry(event_id, "首次采集", f"{site}：首次采集 {count} 篇，已作为基线入库；以后只提醒新发布的报道。")


def health_entry(event_id: int, kind: str, site: str, detail: str) -> Entry:
    if kind == "broken":
        return Entry(event_id, "站点异常", f"{site}：{detail}")
    return Entry(event_id, "站点恢复", f"{site}：{detail}")


def digest_title(entries: list[Entry]) -> str:
    counts = {section: sum(e.section == section for e in entries) for section in SECTION_ORDER}
    parts = []
    if counts["新报道"]:
        parts.append(f"新报道 {counts['新报道']} 篇")
    if counts["站点异常"]:
        parts.append(f"站点异常 {counts['站点异常']} 个")
    if counts["站点恢复"]:
        parts.append(f"站点恢复 {counts['站点恢复']} 个")
    if counts["首次采集"]:
        parts.append(f"首次采集 {counts['首次采集']} 所学校")
    return f"{APP_TITLE}：" + "，".join(parts)


def compose(entries: list[Entry], ch: Channel) -> list[Message]:
    """The digest of ``entries`` in as few messages as fit ``ch``'s size limit."""
    if not entries:
        return []
    entries = sorted(entries, key=lambda e: SECTION_ORDER.index(e.section))
    title = digest_title(entries)
    budget = ch.body_limit - (_size(title) + 2 if ch.title_in_body else 0)
    chunks: list[list[Entry]] = [[]]
    for entry in entries:  # truncated copies: the caller's entries are left as they are
        entry = replace(entry, text=_truncate(entry.text, budget - _size(f"【{entry.section}】\n")))
        if chunks[-1] and _size(_render(chunks[-1] + [entry])) > budget:
            chunks.append([])
        chunks[-1].append(entry)
    total = len(chunks)
    return [Message(title=title if total == 1 else f"{title}（{n}/{total}）", body=_render(chunk),
                    event_ids=[e.event_id for e in chunk])
            for n, chunk in enumerate(chunks, start=1)]


def _render(entries: list[Entry]) -> str:
    blocks, section = [], None
    for entry in entries:
        if entry.section != section:
            section = entry.section
            blocks.append(f"【{section}】")
        blocks.append(entry.text)
    return "\n\n".join(blocks)


def _size(text: str) -> int:
    # bytes, not characters: WeCom counts UTF-8 bytes, and a Chinese character is 3 of them
    return len(text.encode("utf-8"))


def _truncate(text: str, limit: int) -> str:
    if _size(text) <= limit:
        return text
    cut = text.encode("utf-8")[: max(0, limit - 3)].decode("utf-8", "ignore")
    return cut + "…"
