"""``scheduler.py --discover URL`` and ``--discover --from schools.csv``: find the news columns of
schools from their homepages and print ready ``[[sites]]`` tables to paste into sites.toml.

The crawl is the nightly one (robots.txt, delays, one school's failure never stops the
others), reading each homepage and its candidate columns' first pages only: no article is
fetched and nothing is stored.
"""
from __future__ import annotations

import codecs
import csv
import io
import sys
from pathlib import Path
from urllib.parse import urlsplit

import tomli_w

from crawler.config import ConfigError, check_url, parse_config
from crawler.extract.text import strip_controls
from crawler.extract.urls import typed_url
from spiders.discover import DiscoverSpider


MAX_CELL_CHARS = 2048  # a name or a homepage URL is never longer; a longer cell is a broken row
_CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without BOM), then what Excel saves on Chinese Windows


def schools_from_csv(path: str) -> tuple[list[dict], list[str]]:
    """``name,home`` rows (a header row is optional) as people save them: UTF-8 with or without
    BOM, GBK/GB18030, UTF-16. Returns the schools and one line for each row left out (its
    number and why); a bad row never costs the good ones."""
    data = Path(path).read_bytes()
    text = _decode_csv(data)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # long cells are refused below, not crashed on
    schools, skipped = [], []
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = [strip_controls(cell).strip() for cell in row]
        if not any(cells) or (number == 1 and cells[0].lower() == "name"):
            continue
        why = _bad_row(cells)
        if why:
            skipped.append(f"{path}: 第{number}行：{why}，已跳过")
            continue
        schools.append({"name": cells[0] or f"学校{number}", "home": typed_url(cells[1])})
    return schools, skipped


def _decode_csv(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in _CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", "replace")


def _bad_row(cells: list[str]) -> str | None:
    if len(cells) < 2 or not cells[1]:
        return "需要两列：学校名称,首页网址"
    if any(len(cell) > MAX_CELL_CHARS for cell in cells[:2]):
        return f"单元格超过 {MAX_CELL_CHARS} 个字符"
    try:
        check_url(typed_url(cells[1]), "home", "")
    except ConfigError:
        return f"首页网址无效：{cells[1][:100]}"
    return None


def _toml(value) -> str:
    """A value as TOML writes it (tomli-w): a homepage's text is data, never TOML."""
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def _value(key: str, value) -> str:
    return f"{key} = {_toml(value)}"


def _comment(text: str) -> str:
    """A homepage's words in a comment: one line, no control character (a newline would end the
    comment and start TOML of the homepage's making)."""
    return strip_controls(text) or ""


def sites_table(name: str, home: str, columns: list[dict], notes: list[str], path_prefix: str = "/") -> str:
    """One ready ``[[sites]]`` table, each column commented with what its first page shows."""
    lines = ["[[sites]]", _value("name", strip_controls(name)),
             f"# {_value('home', home)}  # instead of start_urls: columns found again weekly"]
    if path_prefix != "/":  # another school of the list shares the host: this one's folder
        lines.append(_value("path_prefix", path_prefix))
    if not columns:
        lines.append(f"# 首页 {_comment(home)} 上没有找到新闻栏目；请手工填写 start_urls")
        lines.append(_value("home", home))
    else:
        lines.append("start_urls = [")
        for column in columns:
            shown = f"{column['count']} 篇"
            if column["oldest"]:
                shown += f", {column['oldest']} 至 {column['newest']}"
            lines.append(f"    {_toml(column['url'])},  # {_comment(column['name'])}: 第一页 {shown}")
        lines.append("]")
    lines += [f"# {_comment(note)}" for note in notes]
    return "\n".join(lines) + "\n"


def discover(target: str, from_csv: bool, log_level: str) -> int:
    """Print ``[[sites]]`` tables for one homepage URL, or for every school of a CSV file."""
    from crawler.items import ColumnFoundItem
    from crawler.runtime.refresh import build_settings, run_crawl

    try:
        if from_csv:
            schools, skipped = schools_from_csv(target)
            for line in skipped:
                print(f"warning: {line}", file=sys.stderr)
            if not schools:
                raise ConfigError(f"{target}：没有可用的行（每行两列：学校名称,首页网址）")
        else:
            target = typed_url(target)
            schools = [{"name": urlsplit(target).hostname or "学校", "home": target}]
        config = parse_config({"sites": schools, "crawl": {"max_pages": 1}}, "discover")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot read {target}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"Looking for the news columns of {len(schools)} school(s) …", file=sys.stderr)
    found: list[ColumnFoundItem] = []

    def on_item(item):
        if isinstance(item, ColumnFoundItem):
            found.append(item)
            print(f"  {item.site}: 栏目「{item.name}」 {item.start_url}", file=sys.stderr, flush=True)

    crawler = run_crawl(config, build_settings(config, LOG_LEVEL=log_level, EXTRACTION_PROCESSES=0),
                        spider_class=DiscoverSpider, on_item=on_item)
    spider = crawler.spider
    for number, site in enumerate(config.sites, start=1):
        name = site.name if from_csv else (spider.titles.get(site.name) or site.name)
        columns = []
        # only what is the school's own: a column found through a redirect elsewhere is never printed
        for item in (item for item in found if item.site == site.name and site in config.scope(item.start_url)):
            count, oldest, newest = spider.first_pages.get(item.start_url, (0, None, None))
            columns.append({"name": item.name, "url": item.start_url, "count": count, "oldest": oldest,
                            "newest": newest})
        print(f"[{number}/{len(config.sites)}] {name}: {len(columns)} 个新闻栏目", file=sys.stderr)
        print(sites_table(name, site.home, columns, spider.script_lists.get(site.name, []), site.path_prefix))
    return 0 if found else 1

