"""Per-site extraction overrides: XPaths for a school whose template defeats the generic rules.

In a site's ``[[sites]]`` entry::

    body_xpath = '//div[@class="wenzhang"]'       # the body container
    title_xpath = '//td[@class="biaoti"]'         # the article's heading
    date_xpath = '//span[@id="fbsj"]'             # the element showing the publish date
    noise_xpaths = ['//div[@class="fenxiang"]']   # removed before anything is read

Each is checked when the config is loaded, so a typo is a config error naming the site
and the key, not a silent miss at 2 a.m.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

OVERRIDE_KEYS = ("body_xpath", "title_xpath", "date_xpath", "noise_xpaths")


@dataclass(frozen=True)
class ExtractOverrides:
    body_xpath: str | None = None
    title_xpath: str | None = None
    date_xpath: str | None = None
    noise_xpaths: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any((self.body_xpath, self.title_xpath, self.date_xpath, self.noise_xpaths))


def check_xpath(expression: object) -> str | None:
    """The problem with ``expression`` as an XPath, in words, or None when it is fine."""
    if not isinstance(expression, str) or not expression.strip():
        return "须是一个非空的 XPath 字符串"
    try:
        etree.XPath(expression)
    except etree.XPathSyntaxError as exc:
        return f"不是有效的 XPath（{exc}）"
    return None


def overrides_from(entry: dict, complain) -> ExtractOverrides:
    """Read the override keys of one site entry; ``complain(key, message)`` raises."""
    values: dict = {}
    for key in ("body_xpath", "title_xpath", "date_xpath"):
        if key in entry:
            problem = check_xpath(entry[key])
            if problem:
                complain(key, problem)
            values[key] = entry[key]
    if "noise_xpaths" in entry:
        noise = entry["noise_xpaths"]
        if isinstance(noise, str):
            noise = [noise]
        if not isinstance(noise, list):
            complain("noise_xpaths", "须是 XPath 字符串的列表")
        for expression in noise:
            problem = check_xpath(expression)
            if problem:
                complain("noise_xpaths", f"{expression!r} {problem}")
        values["noise_xpaths"] = tuple(noise)
    return ExtractOverrides(**values)


def remove_noise(tree, noise_xpaths) -> None:
    """Drop every element the site's ``noise_xpaths`` select (their tails stay)."""
    for expression in noise_xpaths:
        for el in etree.XPath(expression)(tree):
            if isinstance(el, etree._Element) and el.getparent() is not None:
                el.drop_tree()


def first_text(tree, expression: str | None) -> str | None:
    """Text of the first element the XPath selects, or its string result (``substring-after(…)``)."""
    if not expression:
        return None
    result = etree.XPath(expression)(tree)
    if isinstance(result, (str, float, bool)):
        result = [str(result)] if not isinstance(result, bool) else []
    for found in result:
        text = found if isinstance(found, str) else "".join(found.itertext())
        text = " ".join(text.split())
        if text:
            return text
    return None
