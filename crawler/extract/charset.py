"""A page's text from its bytes, when its charset is declared right, wrong or not at all.

Chinese school sites often declare one charset and send another: a UTF-8 template
around GBK articles pasted from an old CMS, GB2312 declared over UTF-8 after a
migration, or no declaration at all on a GBK page. Decoding by the declaration alone
turns such pages into mojibake (U+FFFD everywhere, or GB18030 nonsense that decodes
without error). :func:`decode_html` is the one decoder: the spider (through
:func:`page_text`, on the text Scrapy decoded) and ``python -m crawler.extract`` (on a
saved file) both use it. Its order:

1. a byte order mark wins, as in browsers;
2. the declaration (the caller's, e.g. the HTTP header; else ``<meta charset>``,
   ``<meta http-equiv="Content-Type">`` or the XML declaration), when the bytes fit it:
   GB2312 and GBK are read as GB18030, their superset, as browsers do; a declaration
   does not fit bytes that are valid UTF-8 with non-ASCII text, a stray bad byte aside
   (UTF-8 validity is a strong signal), nor bytes that fail it beyond a stray bad byte, nor — for a
   label other than UTF-8 or GB — bytes that read as clean GB2312 Chinese;
3. detection: valid UTF-8 (a stray bad byte aside) is UTF-8; a UTF-8 page with GBK passages
   (an article pasted from an old CMS, a mirroring tool's GBK messages in every link) is
   read passage by passage, each run of non-ASCII bytes in the one of the two it is valid
   in; else charset_normalizer's
   best guess, guarded for Chinese: it guesses Big5, CP949, UTF-16 or a Windows code
   page for short GBK text, so bytes that decode cleanly as GB18030 into mostly GB2312
   Chinese are GB18030 whatever it says;
4. nothing fits: the reading with the fewest bad bytes, GB18030 on a tie (for the
   spider, :func:`page_text` refuses such bytes as not text).

A few bad bytes in an otherwise clean page (a CMS cutting a character in half) are
shown as U+FFFD instead of sending the page to another encoding. On a crawler of
Chinese school news, bytes that read as clean GB2312 Chinese are GBK whatever their
label says (an EUC-KR Korean page would read so too; none of our schools has one).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding


class NotText(ValueError):
    """Bytes that are no web page in any charset (an image or archive served as text/html)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the Python codec the text was read with ("utf-8", "gb18030", "big5hkscs", ...)
    how: str  # "bom", "declared", "utf-8" (valid), "gb18030" (the Chinese guard), "detected", "fallback"
    note: str | None = None  # set when a declaration was overruled
    replaced: int = 0  # bad bytes shown as U+FFFD


_GB = "gb18030"
_UTF8 = "utf-8"
_ESCAPED = re.compile("[\udc80-\udcff]+")  # bytes the codec refused, kept by surrogateescape
_MIXED = "utf-8/gb18030"  # not a codec: UTF-8 and GB18030 passages, each read in its own
_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")
MIN_UTF8_SHARE = 0.1  # of the non-ASCII bytes, in valid UTF-8 runs, before a GBK-looking page is called mixed
_UNITS = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


def _codec(label: str | None) -> str | None:
    """The codec a label means, browser-style (GB2312/GBK → GB18030, latin-1/ascii → cp1252);
    None for an unknown label and for UTF-16/32, which HTML without a BOM cannot be."""
    if not label:
        return None
    codec = resolve_encoding(label)
    return None if codec in _UNITS else codec


def _read(data: bytes, codec: str) -> tuple[str, int]:
    """``data`` decoded with each run of bad bytes as one U+FFFD, and how many bad bytes there were."""
    text = data.decode(codec, "surrogateescape")
    if codec == _GB:  # Windows and WHATWG read a lone 0x80 in GBK as the euro sign
        text = text.replace("\udc80", "\u20ac")
    if text.isascii() or not _ESCAPED.search(text):
        return text, 0
    replaced = _ESCAPED.sub("\ufffd", text)  # C-level substitutions: a GBK page read as UTF-8 has thousands
    return replaced, len(text) - len(_ESCAPED.sub("", text))


_HIGH_BYTES = bytes(range(0x80, 0x100))


def _nearly_clean(body: bytes, bad: int) -> bool:
    """No bad bytes, or a stray few: at most one in fifty of the non-ASCII bytes. A bad spot
    costs up to four (a character cut in half and its neighbour's bytes); a page in another
    encoding fails at most of its non-ASCII bytes, or (UTF-8 read as GBK) at one of every
    few runs of Chinese."""
    if not bad:
        return True
    high = len(body) - len(body.translate(None, _HIGH_BYTES))
    return bad * 50 <= high


def _gb2312_common(char: str) -> bool:
    """A GB2312 hanzi (rows B0-F7) or punctuation/fullwidth form (rows A1-A3): what Chinese
    text is made of. Big5 read as GBK lands largely elsewhere (rare GBK hanzi, the private
    use area, the kana/Greek/Cyrillic rows), as does UTF-8 read as GBK."""
    try:
        lead = char.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xA1 <= lead <= 0xA3 or 0xB0 <= lead <= 0xF7


def _reads_as_chinese(text: str) -> bool:
    """Nine in ten non-ASCII characters are common GB2312 Chinese (and there are some)."""
    counts = {char: n for char, n in Counter(text).items() if char > "\x7f" and char != "\ufffd"}
    total = sum(counts.values())
    common = sum(n for char, n in counts.items() if _gb2312_common(char))
    return total >= 2 and common >= 0.9 * total


def _label(codec: str) -> str:
    return {_UTF8: "UTF-8", _GB: "GBK/GB18030", "cp1252": "ISO-8859-1/windows-1252",
            _MIXED: "UTF-8 with GBK passages"}.get(codec, codec)


def decode_html(body: bytes, declared: str | None = None) -> Decoded:
    """The text of an HTML page's bytes, read as the crawl and a browser would.

    ``declared``: a charset from outside the page (the HTTP header, or the encoding Scrapy
    decoded with); None reads the page's own declaration.
    """
    bom_codec, bom = read_bom(body)
    if declared is None:
        declared = html_body_declared_encoding(body)
    if bom_codec:
        text, bad = _read(body[len(bom):], bom_codec)
        wrong = declared is not None and _codec(declared) not in (bom_codec, None)
        note = f"declared {_said(declared)} but has a {_label(bom_codec)} byte order mark" if wrong else None
        return Decoded(text, bom_codec, "bom", note, bad)
    codec = _codec(declared)
    if codec is not None:
        fits = _as_declared(body, codec)
        if fits is not None:
            return Decoded(fits[0], codec, "declared", None, fits[1])
    text, encoding, how, bad = _detect(body)
    note = f"declared {_said(declared)} but is {_label(encoding)}" if declared and encoding != codec else None
    return Decoded(text, encoding, how, note, bad)


def _said(declared: str) -> str:
    """The label as the caller gave it (a page's own is read as its codec's name); UTF-8 in one spelling."""
    codec = _codec(declared)
    return _label(codec) if codec in (_UTF8, declared) else declared


def _as_declared(body: bytes, codec: str) -> tuple[str, int] | None:
    """(text, bad bytes) when the bytes fit the declared codec, else None."""
    as_utf8, bad_utf8 = _read(body, _UTF8)
    if codec == _UTF8 or body.isascii():
        return (as_utf8, bad_utf8) if _nearly_clean(body, bad_utf8) else None
    if _nearly_clean(body, bad_utf8):
        return None  # legacy text is as good as never (nearly) valid UTF-8: the label is stale
    text, bad = _read(body, codec)
    if not _nearly_clean(body, bad):
        return None
    if codec == _GB:  # GB18030 reads nearly anything: with bad bytes, ask for Chinese too
        return (text, bad) if not bad or _reads_as_chinese(text) else None
    if _clean_chinese(body) is not None:
        return None  # GBK served as ISO-8859-1, Big5, ...: a server default, not the page's charset
    return text, bad


def _clean_chinese(body: bytes) -> tuple[str, int] | None:
    """The GB18030 reading when it is (nearly) clean and mostly common Chinese."""
    text, bad = _read(body, _GB)
    return (text, bad) if _nearly_clean(body, bad) and _reads_as_chinese(text) else None


def _detect(body: bytes) -> tuple[str, str, str, int]:
    """(text, codec, how, bad bytes) of bytes whose declaration is missing or wrong."""
    as_utf8, bad_utf8 = _read(body, _UTF8)
    if _nearly_clean(body, bad_utf8):
        return as_utf8, _UTF8, "utf-8", bad_utf8
    mixed = _mixed(body)
    if mixed is not None:
        return mixed[0], _MIXED, "mixed", mixed[1]
    chinese = _clean_chinese(body)
    if chinese is not None:  # clean Chinese in GB18030: the detector is not asked (it may say big5, cp949)
        return chinese[0], _GB, "gb18030", chinese[1]
    best = from_bytes(body).best()
    guess = _codec(best.encoding) if best is not None else None
    if guess is not None:
        text, bad = _read(body, guess)
        return text, guess, "detected", bad
    as_gb, bad_gb = _read(body, _GB)
    if bad_utf8 < bad_gb:
        return as_utf8, _UTF8, "fallback", bad_utf8
    return as_gb, _GB, "fallback", bad_gb


def _mixed(body: bytes) -> tuple[str, int] | None:
    """(text, bad bytes) of a UTF-8 page with GBK passages, each run of non-ASCII bytes read as
    UTF-8 when it is valid UTF-8, else as GB18030; None when the page is not such a mix: too
    little of it valid UTF-8 (a GBK page, whose short runs are sometimes valid UTF-8 by
    chance), too many bad bytes, or not Chinese when read so."""
    parts, start, utf8_bytes, bad = [], 0, 0, 0
    for run in _NON_ASCII_RUN.finditer(body):
        parts.append(body[start:run.start()].decode("ascii"))
        try:
            parts.append(run[0].decode(_UTF8))
            utf8_bytes += len(run[0])
        except UnicodeDecodeError:  # a GBK character's ASCII second byte splits a run: rare hanzi only
            text, run_bad = _read(run[0], _GB)
            parts.append(text)
            bad += run_bad
        start = run.end()
    parts.append(body[start:].decode("ascii"))
    high = len(body) - len(body.translate(None, _HIGH_BYTES))
    if utf8_bytes < MIN_UTF8_SHARE * high or utf8_bytes == high or not _nearly_clean(body, bad):
        return None
    text = "".join(parts)
    return (text, bad) if _reads_as_chinese(text) else None


_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])  # what text never holds (tab, newlines, FF, CR aside)


def page_text(body: bytes, declared: str | None, decoded: str) -> tuple[str, str | None]:
    """The page's text, and a note when the declaration was wrong.

    ``declared`` is the encoding the response was decoded with, ``decoded`` that text
    (returned as it is when :func:`decode_html` agrees with the declaration).
    Raises NotText for binary content, and for bytes no charset reads cleanly.
    """
    head = body[:8192]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > len(head) // 100 + 2:  # an image, a PDF, an archive: control bytes everywhere
        raise NotText("binary content, not a web page")
    if b"\x00" in body:  # a few stray NULs in a page that reads as text: dropped, not the page
        body, decoded = body.replace(b"\x00", b""), decoded.replace("\x00", "")
    found = decode_html(body, declared)
    if found.encoding == _codec(declared):
        return decoded, None
    if found.how == "fallback":
        raise NotText("neither UTF-8 nor GB18030 text, nor any charset detected")
    return found.text, found.note


def decode_html_bytes(data: bytes) -> str:
    """Decode saved page bytes as the crawl and a browser would (see :func:`crawler.extract.charset.decode_html`):
    BOM, then the page's declaration when the bytes fit it (GB2312/GBK as GB18030), then detection."""
    return decode_html(data).text
