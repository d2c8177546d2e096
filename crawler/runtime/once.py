"""One refresh as a command runs it: the progress line, the run, the summary, the exit status.

``scheduler.py once``, ``demo`` (demo/run.py) and ``scrapy crawl news`` all end here, so the
three give the same rows, the same ``crawl_runs`` accounting and the same summary.
"""
from __future__ import annotations

import sqlite3
import sys
import unicodedata
from pathlib import Path

from db.labels import label

_DB_FOLDER = Path(__file__).resolve().parents[2] / "db"
DEFAULT_DB = str(_DB_FOLDER / "reports.db")  # the store when no --db is given
DEMO_DB = str(_DB_FOLDER / "demo.db")  # the store scheduler.py demo fills
EXIT_BUSY = 3  # another refresh (or scheduler) of the same database is running


def feed_path_for(config, db_path: str) -> str:
    """``[alerts] feed``, else ``<database name>.atom`` beside the database (two databases in one
    folder, two feeds)."""
    path = Path(db_path)
    return config.alerts.feed or str(path.with_name(f"{path.stem}.atom"))


def refresh_and_report(config, db_path: str, log_level: str, **setting_overrides) -> int:
    """Run one refresh into ``db_path`` and print its summary; the process's exit status."""
    from crawler.cluster.run import ClusterUnavailable
    from crawler.runtime.lock import Busy
    from crawler.config import ConfigError
    from crawler.runtime.refresh import build_settings, run_refresh
    from db.schema import NotOurStore, check_ours

    try:
        build_settings(config, **setting_overrides)  # a setting out of range: exit 2 before anything starts
    except ConfigError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    print(f"Refreshing {len(config.sites)} school(s) into {db_path} …", file=sys.stderr)
    try:
        check_ours(db_path)  # before the lock: not even a lock file beside another program's database
        result = run_refresh(config, db_path, log_level=log_level, feed_path=feed_path_for(config, db_path),
                             **setting_overrides)
    except Busy as exc:
        print(f"not started: another refresh of {db_path} is running (process {exc.holder or '?'})", file=sys.stderr)
        return EXIT_BUSY
    except NotOurStore as exc:
        print(f"not started: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:
        print(f"error: cannot write {db_path}: {exc} (nothing stored in this run is half-written)", file=sys.stderr)
        return 1
    except ClusterUnavailable as exc:
        print(f"error: {exc} (the run is recorded as failed; what was stored is kept)", file=sys.stderr)
        return 1
    print(format_summary(result, db_path))
    if result.announcement is not None and result.announcement.feed_error:
        print(f"error: {result.announcement.feed_error}", file=sys.stderr)
        return 1
    return 1 if result.status == "failed" else 0


def format_alerts(announcement) -> list[str]:
    if announcement is None:
        return ["提醒：本次采集被中止，提醒未发出（下次采集时一并发出）"]
    lines = [f"提醒：新事件 {announcement.events} 个"
             + (f"；订阅源 {announcement.feed}" if announcement.feed else "")
             + (f"；{announcement.feed_error}" if announcement.feed_error else "")]
    for channel in {**announcement.sent, **announcement.failed}:
        failure = announcement.failed.get(channel)
        unknown = announcement.unknown.get(channel)
        lines.append(f"  {channel}：已发送 {announcement.sent.get(channel, 0)} 条"
                     + (f"，{unknown} 条未及时得到回应（可能已送达，不再重发）" if unknown else "")
                     + (f"，发送失败：{failure}（留待下次采集）" if failure else ""))
    return lines


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where each Chinese character takes two columns."""
    return text + " " * max(0, width - _display_width(text))


def column_note(row: dict) -> str:
    """What changed in a school's columns this run, in one Chinese line (empty: nothing)."""
    parts = []
    if row.get("columns_found"):
        parts.append(f"新发现栏目 {row['columns_found']} 个")
    if row.get("columns_gone"):
        parts.append(f"{row['columns_gone']} 个栏目已不在首页（不再采集，已记入 columns 表）")
    if row.get("column_moves"):
        parts.append(f"{row['column_moves']} 个栏目的编号有变（新编号下的文章照常采集）")
    if row.get("script_lists"):
        parts.append(f"{row['script_lists']} 个栏目的列表由脚本生成，暂不能采集")
    return "栏目：" + "；".join(parts) if parts else ""


# the summary table: (header, row key, width); a Chinese character takes two columns
SUMMARY_COLUMNS = (("列表页", "list_pages", 6), ("文章页", "article_pages", 6), ("未变", "not_modified", 4),
                   ("新文章", "new_articles", 6), ("修改", "changed_articles", 4), ("失效", "gone_articles", 4),
                   ("坏链", "broken_links", 4), ("重试", "retries", 4), ("出错", "errors", 4))


def format_summary(result, db_path: str) -> str:
    """The end of a night, for the person who ran it: one line for the run, a row per school."""
    width = max([_display_width(row["site"]) for row in result.sites] + [6])
    status_width = max([_display_width(label("status", row["status"])) for row in result.sites] + [4])
    lines = [
        "",
        f"第 {result.run_id} 次采集：{label('status', result.status)}，新文章 {result.new_articles} 篇，"
        f"用时 {result.duration_s:.0f} 秒 → {db_path}",
        f"{_pad('学校', width)}  {_pad('结果', status_width)}"
        + "".join(f"  {' ' * (size - _display_width(head))}{head}" for head, _, size in SUMMARY_COLUMNS),
    ]
    for row in result.sites:
        lines.append(f"{_pad(row['site'], width)}  {_pad(label('status', row['status']), status_width)}"
                     + "".join(f"  {row[key] or 0:>{size}}" for _, key, size in SUMMARY_COLUMNS))
        if row.get("first_error"):
            lines.append(f"{'':<{width}}  第一个错误：{row['first_error']}")
        if row.get("coverage_gap"):
            more = row.get("lists_partly_understood", 1) - 1
            lines.append(f"{'':<{width}}  列表未完全识别：{row['coverage_gap']}" + (f"（另有 {more} 页）" if more > 0 else ""))
        columns = column_note(row)
        if columns:
            lines.append(f"{'':<{width}}  {columns}")
    lines.extend(format_alerts(result.announcement))
    return "\n".join(lines)
