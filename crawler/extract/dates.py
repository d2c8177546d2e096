"""Parse the dates Chinese school pages show into ISO 8601 in Asia/Shanghai.

Pages show ``2023-04-19``, ``2023/4/19``, ``2023.04.19``, ``2023年4月19日 09:17`` with or
without seconds. We keep what the page shows: a date-only value stays date-only
(``2023-04-19``); a time becomes ``2023-04-19T09:17:00+08:00``.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>[01]?\d)\s*(?:[-/.]|月)\s*(?P<d>[0-3]?\d)(?!\d)\s*日?"
    r"(?:[\sT]*(?P<H>[0-2]?\d)\s*[:：时]\s*(?P<M>[0-5]\d)(?:\s*[:：分]\s*(?P<S>[0-5]\d))?(?!\d))?"
)
# Dates inside URLs: /2023/0419/, /202309/t20230918_, /2023-12/01/, /art/2016/11/22/
URL_DATE_RES = [
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_]?([01]\d)[-/_]?([0-3]\d)(?!\d)"),
    re.compile(r"/((?:19|20)\d{2})/([01]?\d)/([0-3]?\d)/"),
]


def now_shanghai() -> datetime:
    return datetime.now(SHANGHAI)


def now_iso() -> str:
    """Now in Asia/Shanghai, to the second: how the store writes its own timestamps."""
    return now_shanghai().isoformat(timespec="seconds")


def parse_date(text: str, *, not_after: datetime | None = None) -> str | None:
    """First valid date in ``text`` as ISO 8601, or None.

    ``not_after`` rejects dates in the future of the fetch (a page cannot be published
    after we fetched it; such values are event dates or typos).
    """
    for match in DATE_RE.finditer(text or ""):
        value = _from_match(match)
        if value is not None and _plausible(value, not_after):
            return value
    return None


def _from_match(match: re.Match) -> str | None:
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    if match["H"] is None:
        return day.isoformat()
    hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"] or 0)
    if hour > 23:
        return day.isoformat()
    moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)
    return moment.isoformat()


def _plausible(value: str, not_after: datetime | None) -> bool:
    if value[:4] < "1995":  # Chinese school websites do not predate the mid-1990s
        return False
    if not_after is None:
        return True
    limit = not_after.astimezone(SHANGHAI)
    if len(value) == 10:
        return value <= limit.date().isoformat()
    return datetime.fromisoformat(value) <= limit + timedelta(minutes=5)


def date_from_url(url: str, *, not_after: datetime | None = None) -> str | None:
    """Date-only value from a date-bearing URL path (/2023/0419/, t20230918_…), or None."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path
    for pattern in URL_DATE_RES:
        for m in pattern.finditer(path):
            try:
                value = date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                continue
            if _plausible(value, not_after):
                return value
    return None

