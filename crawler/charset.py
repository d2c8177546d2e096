"""A page's text when its declared charset is wrong, and binary served as HTML.

Chinese school sites often declare one charset and send another: a UTF-8 template
around GBK articles pasted from an old CMS, or GB2312 declared over UTF-8 after a
migration. Scrapy decodes by the declaration, which turns such pages into mojibake
(U+FFFD everywhere, or GB18030 nonsense that decodes without error). Strict UTF-8
validity is a strong signal, so it decides; GB18030 covers GB2312 and GBK.
"""
from __future__ import annotations

import codecs


class NotText(ValueError):
    """Bytes that are no web page in any charset (an image or archive served as text/html)."""


def _name(encoding: str | None) -> str:
    try:
        return codecs.lookup(encoding or "").name
    except LookupError:
        return ""


_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])  # what text never holds (tab, newlines, FF, CR aside)


def page_text(body: bytes, declared: str | None, decoded: str) -> tuple[str, str | None]:
    """The page's text, and a note when the declaration was wrong.

    ``declared`` is the encoding the response was decoded with, ``decoded`` that text.
    Raises NotText for binary content.
    """
    head = body[:8192]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if b"\x00" in head or controls > len(head) // 100 + 2:
        raise NotText("binary content, not a web page")
    name = _name(declared)
    try:
        as_utf8 = body.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    if name == "utf-8":
        if as_utf8 is not None:
            return decoded, None
        try:
            return body.decode("gb18030"), "declared UTF-8 but is GBK/GB18030"
        except UnicodeDecodeError:
            raise NotText("neither UTF-8 nor GB18030 text") from None
    if name in ("gb2312", "gbk", "gb18030") and as_utf8 is not None and not as_utf8.isascii():
        return as_utf8, f"declared {declared} but is UTF-8"
    return decoded, None
