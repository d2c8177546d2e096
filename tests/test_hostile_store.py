"""What reaches the store, its files and its alerts from outside, on real loopback servers
and real SQLite files: control characters in a school's titles, a webhook that answers
late, a database reached through a symlink, another program's database given as --db,
an unwritable feed path, a first crawl that was killed, two databases in one folder, and
secrets in channel URLs.
"""
from __future__ import annotations

import logging
import os
import re
import sqlite3

import pytest

from crawler.config import parse_config
from crawler.extract.dates import now_iso
from crawler.items import ArticleItem, ColumnWalkedItem
from crawler.notify import alerts
from crawler.notify.events import announce_pending_runs
from crawler.notify.outbox import announce
from crawler.runtime.lock import exclusive, lock_path
from db.schema import APPLICATION_ID, open_db
from db.store import finish_run, start_run
from pipelines.apply import apply_batch
from demo.next_day import NEW_ARTICLES, next_day
from demo.server import DemoServer
from tests.helpers import DEMO_ARTICLES, ROOT, alerts_toml, count_articles, query, run_cli
from tests.webhooks import Receiver, text_of

BELL_AND_RED = "\x07\x1b[31m"
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# ------------------------------------------------------------------ 1. controls in titles
@pytest.fixture(scope="module")
def hostile_titles(tmp_path_factory):
    """The demo, then the next day with a title carrying a bell, a terminal escape and a bidi
    override, and another of 100 KB; the next day is run twice."""
    tmp = tmp_path_factory.mktemp("titles")
    clean, long_title = NEW_ARTICLES[0]["title"], "学校举行校企合作洽谈会" * 10_000
    db_path, nights = tmp / "reports.db", []
    with DemoServer() as demo:
        (tmp / "sites.toml").write_text(demo.config_toml(), encoding="utf-8")
        nights.append(run_cli("--once", "--config", tmp / "sites.toml", "--db", db_path))
        schools = next_day(demo.schools)
        for article in schools["jiahe"].articles:
            if article["id"] == NEW_ARTICLES[0]["id"]:
                article["title"] = clean[:4] + BELL_AND_RED + clean[4:] + "\u202e\x1b[0m"
                article["author_shown"] = "陈晓\x1b[2J、刘洋"
            elif article["id"] == NEW_ARTICLES[1]["id"]:
                article["title"] = long_title
        demo.show(schools)
        nights += [run_cli("--once", "--config", tmp / "sites.toml", "--db", db_path) for _ in range(2)]
    return {"nights": nights, "db": db_path, "feed": tmp / "reports.atom", "clean": clean, "long": long_title}


def test_a_title_with_control_characters_is_stored_clean_and_every_night_writes_the_feed(hostile_titles):
    for night in hostile_titles["nights"]:
        assert night.returncode == 0, night.stderr[-3000:]
        assert "次采集：" in night.stdout  # the summary
    clean = hostile_titles["clean"]
    rows = query(hostile_titles["db"], "SELECT title, text, author, source, editor FROM articles")
    assert clean in [title for title, *_ in rows]
    assert not [row for row in rows if any(RAW_CONTROLS.search(value or "") for value in row)]
    assert ("陈晓、刘洋",) in query(hostile_titles["db"], f"SELECT author FROM articles WHERE title = '{clean}'")
    feed = hostile_titles["feed"].read_text(encoding="utf-8")
    assert f"<title>{clean}</title>" in feed and not RAW_CONTROLS.search(feed)


def test_log_lines_carry_no_terminal_escape_and_no_100_kb_title(hostile_titles):
    log = "".join(night.stderr for night in hostile_titles["nights"])
    assert not RAW_CONTROLS.search(log)
    assert "新文章" in log and max(len(line) for line in log.splitlines()) < 2000
    assert hostile_titles["long"] not in log and "chars)" in log  # cut, and saying so


# ------------------------------------------------------------------ 2. a webhook that answers late
def test_a_webhook_that_gets_the_digest_but_answers_late_gets_it_once(demo, tmp_path):
    receiver = Receiver(answer_after=3.0)  # Apprise waits 1 s (rto=1) for the answer
    try:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml() + alerts_toml(receiver.url() + "?rto=1"), encoding="utf-8")
        first = run_cli("--once", "--config", config, "--db", tmp_path / "reports.db")
        second = run_cli("--once", "--config", config, "--db", tmp_path / "reports.db")
        received = receiver.take()
    finally:
        receiver.close()
    assert first.returncode == 0 and second.returncode == 0, first.stderr[-3000:] + second.stderr[-3000:]
    assert len(received) == 1 and "首次采集" in text_of(received)
    statuses = query(tmp_path / "reports.db", "SELECT DISTINCT status FROM alerts")
    assert statuses == [("unknown",)]
    assert "未及时得到回应" in first.stdout


# ------------------------------------------------------------------ 3. one lock per file
def test_a_refresh_through_a_symlink_waits_for_the_lock_of_the_same_file(demo_config, tmp_path):
    db_path, link = tmp_path / "db.db", tmp_path / "link.db"
    open_db(db_path).close()
    link.symlink_to(db_path)
    with exclusive(lock_path(db_path), on=db_path):  # as a refresh holds it
        through_link = run_cli("--once", "--config", demo_config, "--db", link, timeout=120)
    with exclusive(lock_path(link), on=link):
        through_file = run_cli("--once", "--config", demo_config, "--db", db_path, timeout=120)
    assert through_link.returncode == 3 and "another refresh" in through_link.stderr
    assert through_file.returncode == 3 and "another refresh" in through_file.stderr
    assert count_articles(db_path) == (0, 0)


def test_a_refresh_through_a_hard_link_in_another_folder_waits_for_the_same_lock(demo_config, tmp_path):
    """The lock is the database file's identity (its inode), not a name beside it."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    db_path, hard = tmp_path / "a" / "reports.db", tmp_path / "b" / "other-name.db"
    open_db(db_path).close()
    os.link(db_path, hard)
    with exclusive(lock_path(db_path), on=db_path):
        through_hard_link = run_cli("--once", "--config", demo_config, "--db", hard, timeout=120)
        relative = run_cli("--once", "--config", demo_config, "--db", os.path.relpath(db_path, ROOT), timeout=120)
    assert through_hard_link.returncode == 3 and "another refresh" in through_hard_link.stderr
    assert relative.returncode == 3
    assert count_articles(db_path) == (0, 0)
    assert run_cli("--once", "--config", demo_config, "--db", hard, timeout=120).returncode == 0  # free again


# ------------------------------------------------------------------ 4. another program's database
def foreign_database(path) -> bytes:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, url TEXT, body TEXT, author TEXT)")
        conn.execute("CREATE TABLE authors (name TEXT PRIMARY KEY)")
        conn.execute("INSERT INTO articles (url, body, author) VALUES ('https://blog.example/1', 'my post', 'me')")
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["articles table", "application_id", "not sqlite"])
def test_another_programs_database_is_refused_and_left_byte_identical(demo_config, tmp_path, kind):
    db_path = tmp_path / "theirs.db"
    if kind == "articles table":
        before = foreign_database(db_path)
    elif kind == "application_id":
        conn = sqlite3.connect(db_path)
        conn.execute("PRAGMA application_id = 1196444487")  # a GeoPackage's
        conn.execute("CREATE TABLE gpkg_contents (table_name TEXT)")
        conn.close()
        before = db_path.read_bytes()
    else:
        before = "id,title\n1,not a database\n".encode()
        db_path.write_bytes(before)
    files = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("--once", "--config", demo_config, "--db", db_path, timeout=120)
    assert result.returncode in (1, 2)
    refusal = result.stderr.strip().splitlines()[-1]
    assert str(db_path) in refusal and "school news store" in refusal
    assert "Traceback" not in result.stderr
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files  # no lock, journal or WAL file beside it


def test_a_store_made_before_the_mark_is_recognised_and_marked(demo_config, tmp_path):
    db_path = tmp_path / "reports.db"
    open_db(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA application_id = 0")  # as every store was before the mark
    conn.close()
    result = run_cli("--once", "--config", demo_config, "--db", db_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert count_articles(db_path) == (DEMO_ARTICLES, DEMO_ARTICLES)
    assert query(db_path, "PRAGMA application_id") == [(APPLICATION_ID,)]


# ------------------------------------------------------------------ 5. smaller things
def test_an_unwritable_feed_path_is_named_and_the_summary_is_printed(demo, tmp_path):
    (tmp_path / "not-a-folder").write_text("a file where the feed's folder should be", encoding="utf-8")
    feed = tmp_path / "not-a-folder" / "news.atom"
    config = tmp_path / "sites.toml"
    config.write_text(demo.config_toml() + f'\n[alerts]\nfeed = "{feed}"\n', encoding="utf-8")
    db_path = tmp_path / "reports.db"
    result = run_cli("--once", "--config", config, "--db", db_path)
    assert result.returncode == 1
    assert f"cannot write the feed {feed}" in result.stderr
    assert f"cannot write {db_path}" not in result.stderr
    assert "第 1 次采集：成功" in result.stdout
    assert count_articles(db_path) == (DEMO_ARTICLES, DEMO_ARTICLES)


def item(url: str, site: str, n: int) -> ArticleItem:
    return ArticleItem(url=url, site=site, title=f"第{n}篇报道", text=f"第{n}篇报道的正文，内容各不相同：{n * 7919}。",
                       published_at="2023-05-01", author=None, source=None, editor=None, views=None,
                       fetched_at=now_iso())


def test_a_first_crawl_killed_and_completed_next_run_counts_every_stored_article(tmp_path):
    config = parse_config({"sites": [{"name": "甲校", "start_urls": ["http://127.0.0.1/list.htm"]}]})
    db = open_db(tmp_path / "reports.db")
    killed = start_run(db, "test", 1, now_iso())
    apply_batch(db, [item(f"http://127.0.0.1/a{n}.htm", "甲校", n) for n in range(3)], killed)
    # killed here: no finish_run, no announcement; the next run finds the row and completes the set
    completing = start_run(db, "test", 1, now_iso())
    apply_batch(db, [item(f"http://127.0.0.1/a{n}.htm", "甲校", n) for n in range(3, 5)]
                + [ColumnWalkedItem(start_url="http://127.0.0.1/list.htm", site="甲校", walked_at=now_iso())],
                completing)
    finish_run(db, completing, [], "ok", now_iso())
    announce_pending_runs(db, config)
    assert [(e["kind"], e["count"]) for e in db.query("SELECT kind, count FROM events")] == [("baseline", 5)]
    db.close()


def test_two_databases_in_one_folder_have_their_own_feed_and_scheduler_log(demo, tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text(demo.config_toml(), encoding="utf-8")
    for name in ("a", "b"):
        result = run_cli("--once", "--config", config, "--db", tmp_path / f"{name}.db")
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"订阅源 {tmp_path / f'{name}.atom'}" in result.stdout
    assert (tmp_path / "a.atom").exists() and (tmp_path / "b.atom").exists()
    # a scheduler whose channel lacks its secret logs why and exits: enough to see its log file
    broken = tmp_path / "broken.toml"
    broken.write_text(demo.config_toml() + alerts_toml("json://127.0.0.1:9/${NO_SUCH_HOOK_VARIABLE}"),
                      encoding="utf-8")
    for name in ("a", "b"):
        assert run_cli("--config", broken, "--db", tmp_path / f"{name}.db", timeout=60).returncode == 2
        assert "NO_SUCH_HOOK_VARIABLE" in (tmp_path / f"{name}.scheduler.log").read_text(encoding="utf-8")
    assert not (tmp_path / "feed.atom").exists() and not (tmp_path / "scheduler.log").exists()
    # an explicit [schedule] log_file and [alerts] feed still win
    own = tmp_path / "own.toml"
    own.write_text(demo.config_toml() + f'\n[alerts]\nfeed = "{tmp_path / "news.xml"}"\n'
                   f'urls = ["json://127.0.0.1:9/${{NO_SUCH_HOOK_VARIABLE}}"]\n'
                   f'\n[schedule]\nlog_file = "{tmp_path / "nightly.log"}"\n', encoding="utf-8")
    assert run_cli("--config", own, "--db", tmp_path / "a.db", timeout=60).returncode == 2
    assert "NO_SUCH_HOOK_VARIABLE" in (tmp_path / "nightly.log").read_text(encoding="utf-8")
    assert run_cli("--once", "--config", own, "--db", tmp_path / "a.db").returncode == 0
    assert (tmp_path / "news.xml").read_text(encoding="utf-8").startswith("<?xml")


def test_a_channel_label_shows_no_part_of_a_secret(tmp_path, caplog):
    token = "Zq8vT3kLmN0pR5sW"
    receiver = Receiver(failing=True)
    url = f"gotify://127.0.0.1:{receiver.port}/{token}"  # Apprise masks it as Z...W
    try:
        config = parse_config({"sites": [{"name": "甲校", "start_urls": ["http://127.0.0.1/list.htm"]}],
                               "alerts": {"urls": [url]}})
        db = open_db(tmp_path / "reports.db")
        article_id = db["articles"].insert({"url": "http://127.0.0.1/a.htm", "site": "甲校", "title": "报道",
                                            "published_at": "2024-05-01"}).last_pk
        event_id = db["events"].insert({"key": f"report:{article_id}", "kind": "report", "site": "甲校",
                                        "article_id": article_id}).last_pk
        key, label = alerts.identity(url)
        db["alerts"].insert({"event_id": event_id, "channel": key, "channel_label": label, "status": "pending",
                             "attempts": 0})
        with caplog.at_level(logging.INFO):
            failed = announce(db, config, None)
            receiver.recover()
            sent = announce(db, config, None)
        db.close()
    finally:
        receiver.close()
    assert failed.failed and sent.sent == {label: 1}
    shown = caplog.text + label + "".join(failed.failed) + "".join(failed.failed.values())
    assert f"{token[0]}...{token[-1]}" not in shown and token not in shown
    assert "gotify://127.0.0.1" in label and "***" in label
    assert "提醒发送失败 " + label in caplog.text and "已发送提醒 " + label in caplog.text
