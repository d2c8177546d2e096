"""One URL per article, whatever link led to it.

Links to the same page differ in scheme/host case, default ports, fragments, query
order, tracking and session parameters (utm_*, spm, from=timeline, jsessionid), and
``index.htm`` vs ``/``. :func:`canonical_url` maps them to one form, which is what the
store keys articles by (redirects are followed, and remembered as aliases, by the spider).
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that never choose content: tracking, sharing, app markers.
_TRACKING = re.compile(
    r"^(?:utm_\w+|spm|isappinstalled|scene|share(?:_\w+)?|clicktime|enterid|wxfrom|nsukey"
    r"|jsessionid|phpsessid|aspsessionid\w*|sessionid)$",
    re.I,
)
# Parameters older school sites key their articles by (news_show.asp?sid=101, view.php?t=5,
# ?ref=12, ?from=3): dropped only when the value has a form no article id has.
_BY_VALUE = {
    "sid": re.compile(r"[0-9a-z]{16,}", re.I),  # a session token, not a row number
    "t": re.compile(r"1\d{9}(?:\d{3})?"),  # an epoch timestamp (cache buster), seconds or milliseconds
    "_t": re.compile(r"1\d{9}(?:\d{3})?"),
    "ts": re.compile(r"1\d{9}(?:\d{3})?"),
    "timestamp": re.compile(r"1\d{9}(?:\d{3})?"),
    "from": re.compile(r"timeline|singlemessage|groupmessage|message|share\w*|app\w*", re.I),  # WeChat shares
}
_SESSION_PATH = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/?#]*", re.I)
_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:s?html?|aspx?|jsp|php)$", re.I)


def selects_content(name: str, value: str) -> bool:
    """Whether a query parameter may choose what the page shows: kept unless known not to.
    Dropping one that does would merge every article of a column into one URL."""
    if _TRACKING.match(name):
        return False
    by_value = _BY_VALUE.get(name.lower())
    return not (by_value and by_value.fullmatch(value))


def canonical_url(url: str) -> str:
    """The canonical form: lower-case scheme and host, no default port, fragment, session or
    tracking parameters, sorted query, and a directory's index page written as ``/``."""
    url = _SESSION_PATH.sub("", url.strip())
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if selects_content(k, v)])
    path = _INDEX_PAGE.sub("/", parts.path or "/")
    return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")), keep_fragments=False)


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_HOST_FIRST = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:[/?#]|$)", re.I)


def typed_url(text: str) -> str:
    """An address as a person types it on the command line: ``www.x.edu.cn/xwzx/`` means
    ``http://www.x.edu.cn/xwzx/`` (a site that wants https redirects there). Text that does
    not start with a host name is left as it is (a CSV header, a typo), for the caller to refuse."""
    text = text.strip()
    return "http://" + text if not _SCHEME.match(text) and _HOST_FIRST.match(text) else text
