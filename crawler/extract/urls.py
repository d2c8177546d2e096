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

_TRACKING = re.compile(
    r"^(?:utm_\w+|spm|from|isappinstalled|scene|share(?:_\w+)?|timestamp|_t|t|ts|sessionid|jsessionid|phpsessid"
    r"|sid|aspsessionid\w*|clicktime|enterid|wxfrom|nsukey|ref)$",
    re.I,
)
_SESSION_PATH = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/?#]*", re.I)
_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:s?html?|aspx?|jsp|php)$", re.I)


def canonical_url(url: str) -> str:
    """The canonical form: lower-case scheme and host, no default port, fragment, session or
    tracking parameters, sorted query, and a directory's index page written as ``/``."""
    url = _SESSION_PATH.sub("", url.strip())
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    path = _INDEX_PAGE.sub("/", parts.path or "/")
    return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")), keep_fragments=False)
