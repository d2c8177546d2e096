"""``scheduler.py --try URL``: crawl one news column without storing anything, and show what
it yields: the article links of its first two list pages and two extracted articles."""
from __future__ import annotations

import json
import sys

from crawler.config import ConfigError, parse_config
from spiders.trial import TRIAL_PAGES, TrialSpider


ARTICLE_FIELDS = (("url", "网址"), ("published_at", "发布时间"), ("source", "来源"), ("author", "作者"),
                  ("editor", "责任编辑"), ("views", "浏览次数"))
TEXT_SHOWN = 200  # characters of each article's text shown


def try_column(url: str, log_level: str, as_json: bool = False) -> int:
    """Crawl one list page and its next page; print the links found and two extracted articles,
    for a person to read (``as_json``: one JSON object, for a pipe)."""
    from crawler.extract.urls import typed_url
    from crawler.runtime.refresh import build_settings, run_crawl

    url = typed_url(url)
    try:
        config = parse_config({"sites": [{"name": "try", "start_urls": [url], "max_pages": TRIAL_PAGES}]}, "try")
    except ConfigError as exc:
        print(f"网址有误：{exc}", file=sys.stderr)
        return 2
    items = []
    # no STORE_DB_PATH: nothing is stored; no extraction processes for two articles
    settings = build_settings(config, LOG_LEVEL=log_level, EXTRACTION_PROCESSES=0)
    crawler = run_crawl(config, settings, spider_class=TrialSpider, on_item=items.append)
    spider = crawler.spider
    stats = crawler.stats.get_stats()
    list_pages = stats.get("site/try/list_pages", 0)
    note = spider.script_notes[0] if spider.script_notes else (
        "栏目里的文章网址形状少见，没有认出：请在 sites.toml 中为这所学校设置 article_pattern"
        if not spider.found_links and list_pages else None)
    articles = []
    for item in items[:2]:
        fields = {key: getattr(item, key) for key, _ in (("title", ""), *ARTICLE_FIELDS)}
        fields["text"] = item.text[:TEXT_SHOWN] + ("…" if len(item.text) > TEXT_SHOWN else "")
        articles.append(fields)
    result = {"url": url, "list_pages": list_pages, "links": spider.found_links, "articles": articles,
              "note": note, "first_error": stats.get("site/try/first_error")}
    print(json.dumps(result, ensure_ascii=False, indent=2) if as_json else readable(result))
    return 0 if spider.found_links else 1


def readable(result: dict) -> str:
    """What ``try`` found, as a person reads it: the links numbered, each article's fields labelled."""
    lines = ["", f"读取列表页 {result['list_pages']} 页，找到文章链接 {len(result['links'])} 个："]
    lines += [f"  {number:>3}. {link}" for number, link in enumerate(result["links"], start=1)]
    if result["note"]:
        lines.append(f"  （{result['note']}）")
    for number, article in enumerate(result["articles"], start=1):
        lines += ["", f"第 {number} 篇：{article['title'] or '（没有读出标题）'}"]
        for key, label in ARTICLE_FIELDS:
            value = article.get(key)
            if value not in (None, ""):
                shown = str(value).replace("T", " ")[:16] if key == "published_at" else value
                lines.append(f"  {label}：{shown}")
        lines.append(f"  正文：{article['text'] or '（没有读出正文）'}")
    if result["first_error"]:
        lines += ["", f"第一个错误：{result['first_error']}"]
    if result["links"]:
        lines += ["", "这个栏目可以采集：把它的网址加到 sites.toml 的 start_urls 里。"]
    return "\n".join(lines)
