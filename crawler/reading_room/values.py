"""How stored values read to a person: dates in Beijing time, JSON lists as lists, snippets
with their hits marked. Shared by the pages and the exports, so both say the same."""
from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

SHANGHAI = ZoneInfo("Asia/Shanghai")
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?")


def as_moment(value) -> datetime | None:
    """A stored ISO date or time as a naive Beijing-time datetime (what a spreadsheet cell holds)."""
    if not isinstance(value, str) or not _ISO.fullmatch(value.strip()):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(SHANGHAI).replace(tzinfo=None) if moment.tzinfo else moment


def display_date(value):
    """``2023-11-02T15:45:00+08:00`` → ``2023-11-02 15:45`` (Beijing time); a date stays a date."""
    if not isinstance(value, str):
        return value
    match = _ISO.fullmatch(value.strip())
    if not match:
        return value
    day, minute, zone = match.groups()
    if minute and zone and zone not in ("+08:00", "+0800"):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00")).astimezone(SHANGHAI)
            return moment.strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return f"{day} {minute}" if minute else day


def marked(snippet) -> Markup:
    """A snippet with its ``<mark>`` tags as HTML and everything else escaped."""
    html = str(escape(snippet or ""))
    return Markup(html.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


def json_list(value) -> list[str]:
    if not isinstance(value, str) or not value.startswith("["):
        return []
    try:
        items = json.loads(value)
    except ValueError:
        return []
    return [str(item) for item in items] if isinstance(items, list) else []


def unmarked(snippet) -> str:
    """A snippet without its ``<mark>`` tags: plain text for a file."""
    return (snippet or "").replace("<mark>", "").replace("</mark>", "")


def safe_url(url) -> bool:
    """A link the reading room may show: a page's (http, https) or a saved file's; never a
    javascript: or data: address a hostile page slipped into a stored field."""
    return isinstance(url, str) and url.split(":", 1)[0].strip().lower() in ("http", "https", "file")
