"""Clean the article text trafilatura leaves behind on Chinese school pages.

trafilatura finds the body; what it keeps around it on these templates is predictable:
★ decorations, breadcrumbs, 上一篇/下一篇, 责任编辑 lines, print/close/share widgets,
copyright footers, image file names, content-farm lead-ins, the metadata line and the
title again as the first line. Each rule here removes one of those, and nothing else.
"""
from __future__ import annotations

import hashlib
import re

# Decorations scrapers and templates sprinkle into text (see shared/seeds/000_*.txt).
DECORATIONS = "★☆●◆◇■□▲△▼▽○◎※✦✧❖♦♥❤✿❀✪✩✫✬✭✮✯✰◉◈▪▫►◄"
_DECORATION_RE = re.compile(f"[{re.escape(DECORATIONS)}\uf000-\uf0ff]+")

_EDITOR_LINE = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|责编|编辑|审核|审稿|校对|初审|复审|终审|编审|签发)\s*[:：]"
)
_NOISE_LINES = [
    re.compile(r"^(?:当前位置|您的位置|你的位置|您现在的位置|所在位置|位置)\s*[:：]"),
    re.compile(r"^首页\s*(?:[>»/|＞›]|&gt;)"),
    re.compile(r"^(?:上一篇|下一篇|上一条|下一条|上篇|下篇|上一页|下一页)\s*[:：]?"),
    re.compile(r"^(?:分享到|分享至|扫一扫|微信扫一扫|手机扫一扫|推荐访问|友情链接|相关链接|相关新闻|相关文章|相关阅读|推荐阅读|热点新闻|热门文章|我要评论|全部评论|网友评论)"),
    re.compile(r"版权所有|Copyright|©|ICP备|ICP证|公网安备|技术支持\s*[:：]"),
    re.compile(r"^已有\s*\d*\s*条评论"),
    re.compile(r"^[^\s/]{1,80}\.(?:png|jpe?g|gif|bmp|webp)$", re.I),
    re.compile(r"^下面是小编为(?:大家|您)"),
    re.compile(r"^(?:【|\[)?(?:打印本页|打印正文|打印文章|关闭窗口|关闭本页|返回顶部|收藏本页|打印|关闭)(?:】|\])?$"),
    re.compile(r"^(?:【|\[)?\s*字[体号]\s*[:：]"),
    re.compile(r"^(?:浏览次数|点击数|阅读次数|访问量|浏览量)\s*[:：]?\s*\d*\s*次?$"),
    # sidebar and "related news" items: a headline ending in its date, "…[08-19]", "… 2023-05-06"
    # (a headline has words: a date alone, a notice's closing 2022.4.13, is no sidebar item)
    re.compile(r"^(?=.*[^\W\d_]).{2,80}?\s*[\[(（【]?(?:(?:19|20)\d{2}[-/.])?[01]?\d[-/.][0-3]?\d[\])）】]?$"),
]
_WIDGETS = re.compile(r"【(?:打印本页|打印正文|打印|关闭窗口|关闭|收藏|返回顶部)】|\[(?:打印|关闭|收藏)\]")
_SPACE_RUN = re.compile(r"[ \t\u00a0]+")
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def strip_decorations(text: str) -> str:
    return _DECORATION_RE.sub("", text)


def normalise_line(line: str) -> str:
    line = _WIDGETS.sub("", strip_decorations(line))
    return _SPACE_RUN.sub(" ", line).strip(" \u3000\u2002\u2003\u200b")


_LIST_MARK = re.compile(r"^[-*•·]\s+")  # trafilatura writes a list item (<li>) as "- item"


def is_noise_line(line: str) -> bool:
    line = _LIST_MARK.sub("", line)  # a pager's "- 上一篇：…" items are noise too
    return any(rule.search(line) for rule in _NOISE_LINES)


def is_editor_line(line: str) -> bool:
    return bool(_EDITOR_LINE.search(line))


def same_text(a: str, b: str) -> bool:
    """Equal once spaces, punctuation and decorations are ignored (for repeated titles)."""
    return bool(a) and compact(a) == compact(b)


def compact(text: str) -> str:
    """Letters and digits only: for comparing titles and hashing text whatever the spacing.

    ``[\\W_]`` is everything but Unicode letters and digits, so decorations go too.
    """
    return _NOT_LETTER_OR_DIGIT.sub("", text)


def clean_body(text: str, *, is_meta_line=None) -> str:
    """Remove template leftovers line by line; keep every real paragraph in order."""
    kept: list[str] = []
    for raw in (text or "").splitlines():
        line = normalise_line(raw)
        if not line or is_noise_line(line) or is_editor_line(line):
            continue
        if is_meta_line is not None and is_meta_line(line):
            continue
        kept.append(line)
    return "\n".join(kept)


# Characters no stored text keeps: C0 and C1 controls and DEL (a terminal escape, a bell, a
# NUL), bidi embeddings, overrides and isolates (text that displays reversed), lone
# surrogates and the non-characters U+FFFE/U+FFFF (XML, and so the Atom feed, refuses them).
_INVISIBLE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_UNSAFE_IN_BODY = re.compile(f"[{_INVISIBLE}]")  # keeps \n and \t
_TERMINAL_ESCAPE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]")  # ESC [ 31 m: gone whole, not just its ESC
_LINE_BREAKING = re.compile("[\t\n\r\x0b\x0c\x85]")  # a space in one-line fields
_UNSAFE_IN_LOG = re.compile(f"[\t\n{_INVISIBLE}]")


def strip_controls(text: str | None, *, multiline: bool = False) -> str | None:
    r"""``text`` without control characters and bidi overrides: what the store keeps of a page's text.

    ``multiline`` (an article body) keeps ``\n`` and ``\t``; in one-line fields (a title, an
    author) a tab or line break becomes a space. Everything else invisible is removed.
    """
    if not text:
        return text
    text = _TERMINAL_ESCAPE.sub("", text)
    if not multiline:
        text = _LINE_BREAKING.sub(" ", text)
    return _UNSAFE_IN_BODY.sub("", text)


def for_log(text: str, limit: int) -> str:
    r"""``text`` as one safe log line part: controls, line breaks and bidi overrides shown
    escaped (``\x1b``, ``\n``, ``\u202e``), cut to ``limit`` characters."""
    if len(text) > limit:
        text = f"{text[:limit]}…(+{len(text) - limit} chars)"
    return _UNSAFE_IN_LOG.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def content_hash(text: str) -> str:
    """Hash of the text that ignores decorations, spacing and punctuation: same report, same hash."""
    return hashlib.sha256(compact(text).encode("utf-8")).hexdigest()
