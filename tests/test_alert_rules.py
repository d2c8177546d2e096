"""The rules under the alerts, each on its own: digest splitting to a channel's limit,
secrets from the environment, filters, what counts as new (reposts, baseline), the
exactly-once ledger when a channel breaks mid-digest or the process dies while sending,
and the cron and catch-up arithmetic. Real SQLite files and real webhook receivers.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crawler.notify import alerts
from crawler.config import AlertsConfig, parse_config
from crawler.extract.dates import SHANGHAI, now_iso
from crawler.items import ArticleItem, ColumnWalkedItem
from crawler.schedule import catch_up_due, parse_cron
from crawler.notify.events import plan_run
from crawler.notify.rules import wanted
from pipelines.index import StoreIndex
from crawler.notify.outbox import announce, deliver
from db.schema import open_db
from db.store import finish_run, start_run
from pipelines.apply import apply_batch
from demo.site import load_schools
from tests.webhooks import Receiver, text_of

WECOM = "wecombot://" + "k" * 36  # WeCom group bots take 2048 bytes a message


def report(number: int, title: str) -> alerts.Entry:
    article = {"site": "嘉兴职业技术学院", "title": title, "published_at": "2024-05-0%d" % (number % 9 + 1),
               "source": "党委宣传部", "url": f"https://www.jxvtc.edu.cn/info/1042/{number}.htm"}
    return alerts.report_entry(number, number, article)


def test_a_long_digest_is_split_between_entries_to_fit_the_channel():
    channel = alerts.channel(WECOM)
    entries = [report(n, f"学校召开党史学习教育专题组织生活会暨第{n}次理论学习中心组学习") for n in range(1, 41)]
    messages = alerts.compose(entries, channel)
    assert len(messages) > 1
    for number, message in enumerate(messages, start=1):
        size = len((message.title + "\n\n" + message.body).encode("utf-8"))
        assert size <= 2048
        assert message.title.endswith(f"（{number}/{len(messages)}）")
    carried = [i for m in messages for i in m.event_ids]
    assert carried == list(range(1, 41))
    for message in messages:  # no entry is cut: each carried one is whole in its message
        for event_id in message.event_ids:
            assert f"/info/1042/{event_id}.htm" in message.body


def test_compose_leaves_the_entries_it_is_given_unchanged():
    channel = alerts.channel(WECOM)
    entries = [report(1, "学校召开党史学习教育专题会" * 200),  # longer than a message: truncated in it
               alerts.health_entry(2, "broken", "嘉兴学院", "连续 3 次采集失败"),
               report(3, "学校召开理论学习中心组学习会")]
    before = [alerts.Entry(e.event_id, e.section, e.text) for e in entries]
    messages = alerts.compose(entries, channel)
    assert any(m.body.endswith("…") for m in messages)  # the long entry was cut in its message
    assert entries == before  # same order, same texts: compose worked on copies


def test_secrets_come_from_the_environment(monkeypatch):
    with pytest.raises(alerts.ChannelError, match="DINGTALK_TOKEN is not set"):
        alerts.channel("dingtalk://${DINGTALK_TOKEN}/")
    monkeypatch.setenv("DINGTALK_TOKEN", "abcdefghijklmnopqrstuvwxyz0123456789")
    channel = alerts.channel("dingtalk://${DINGTALK_TOKEN}/")
    assert "abcdefghijklmnopqrstuvwxyz0123456789" not in channel.label + channel.key
    assert channel.resolved_url().startswith("dingtalk://abcdefghijklmnopqrstuvwxyz")
    with pytest.raises(alerts.ChannelError, match="unknown scheme"):
        alerts.channel("nosuchapp://x")


def test_filters_by_school_keyword_and_topic():
    event = {"kind": "report", "site": "甲校"}
    article = {"title": "我校召开主题教育总结大会", "text": "……", "topics": '["主题教育"]'}
    assert wanted(event, article, AlertsConfig())
    assert wanted(event, article, AlertsConfig(keywords=("主题教育",)))
    assert not wanted(event, article, AlertsConfig(keywords=("招生",)))
    assert wanted(event, article, AlertsConfig(topics=("主题教育", "党建")))
    assert not wanted(event, article, AlertsConfig(topics=("党建",)))
    assert not wanted(event, article, AlertsConfig(sites=("乙校",)))
    assert not wanted({"kind": "broken", "site": "甲校"}, None, AlertsConfig(sites=("乙校",)))
    assert wanted({"kind": "broken", "site": "甲校"}, None, AlertsConfig(keywords=("招生",)))


TEXTS = [a for s in load_schools().values() for a in s.articles]


def article(url: str, site: str, text: dict, *, date: str, title: str | None = None) -> ArticleItem:
    return ArticleItem(url=url, site=site, title=title or text["title"], text="\n".join(text["paragraphs"]),
                       published_at=date, author=None, source="宣传部", editor=None, views=None,
                       fetched_at="2024-01-01T00:00:00+08:00")


def test_a_repost_of_a_known_report_is_not_new_and_the_first_crawl_is_a_baseline(tmp_path):
    config = parse_config({"sites": [{"name": "甲校", "start_urls": ["http://127.0.0.1/list.htm"]},
                                     {"name": "乙校", "start_urls": ["http://127.0.0.2/list.htm"]}]})
    db = open_db(tmp_path / "reports.db")
    index = StoreIndex(db)
    today = datetime.now(SHANGHAI).strftime("%Y-%m-%d")
    first = start_run(db, "test", 2, now_iso())
    apply_batch(db, [article("http://127.0.0.1/a1.htm", "甲校", TEXTS[0], date=today),
                     article("http://127.0.0.2/b1.htm", "乙校", TEXTS[1], date=today),
                     ColumnWalkedItem(start_url="http://127.0.0.1/list.htm", site="甲校", walked_at=today),
                     ColumnWalkedItem(start_url="http://127.0.0.2/list.htm", site="乙校", walked_at=today)],
                first, index)
    plan_run(db, config, first)
    second = start_run(db, "test", 2, now_iso())
    apply_batch(db, [article("http://127.0.0.2/b2.htm", "乙校", TEXTS[0], date=today, title="【转载】" + TEXTS[0]["title"]),
                     article("http://127.0.0.2/b3.htm", "乙校", TEXTS[2], date=today),
                     article("http://127.0.0.1/a0.htm", "甲校", TEXTS[3], date="2019-03-01")], second, index)
    plan_run(db, config, second)
    events = [(e["run_id"], e["kind"], e["site"], e["count"]) for e in db.query("SELECT * FROM events ORDER BY id")]
    assert (first, "baseline", "甲校", 1) in events and (first, "baseline", "乙校", 1) in events
    reports = [e["article_id"] for e in db.query("SELECT article_id FROM events WHERE kind = 'report'")]
    b3 = db.execute("SELECT id FROM articles WHERE url = 'http://127.0.0.2/b3.htm'").fetchone()[0]
    assert reports == [b3]  # not the repost b2, not the 2019 article surfacing from 甲校's archive
    plan_run(db, config, second)  # planning the same run again adds nothing
    assert db["events"].count == 3


def fill_reports(db, count: int) -> list[int]:
    """``count`` report events in a real store, as a night with many new reports leaves them."""
    ids = []
    for n in range(count):
        article_id = db["articles"].insert({"url": f"http://127.0.0.1/info/{n}.htm", "site": "甲校",
                                            "title": f"第{n}篇：" + "学校召开党建工作推进会" * 8,
                                            "published_at": "2024-05-01"}).last_pk
        ids.append(db["events"].insert({"key": f"report:{article_id}", "kind": "report", "site": "甲校",
                                        "article_id": article_id}).last_pk)
    return ids


def test_a_channel_that_breaks_mid_digest_gets_the_rest_next_time_and_nothing_twice(tmp_path):
    receiver = Receiver(accept_only=1)
    channel = alerts.channel(receiver.url())
    db = open_db(tmp_path / "reports.db")
    ids = fill_reports(db, 400)  # about 80 KB of digest: several json:// messages
    db["alerts"].insert_all([{"event_id": i, "channel": channel.key, "status": "pending", "attempts": 0}
                             for i in ids])
    sent, error, _ = deliver(db, channel)
    assert error and 0 < sent < 400
    first = receiver.take()
    assert len(first) == 1
    receiver.recover()
    sent_later, error, _ = deliver(db, channel)
    assert error is None and sent + sent_later == 400
    everything = text_of(first + receiver.take())
    for n in range(400):
        assert everything.count(f"/info/{n}.htm\n") + everything.endswith(f"/info/{n}.htm") == 1
    assert deliver(db, channel) == (0, None, 0)
    receiver.close()


def test_alerts_caught_in_a_dead_process_while_sending_are_not_resent(tmp_path):
    receiver = Receiver()
    config = parse_config({"sites": [{"name": "甲校", "start_urls": ["http://127.0.0.1/list.htm"]}],
                           "alerts": {"urls": [receiver.url()]}})
    channel = alerts.channel(receiver.url())
    db = open_db(tmp_path / "reports.db")
    ids = fill_reports(db, 2)
    db["alerts"].insert_all([{"event_id": ids[0], "channel": channel.key, "status": "sending", "attempts": 1},
                             {"event_id": ids[1], "channel": channel.key, "status": "pending", "attempts": 0}])
    announce(db, config, None)
    statuses = [r["status"] for r in db.query("SELECT status FROM alerts ORDER BY event_id")]
    assert statuses == ["unknown", "sent"]
    text = text_of(receiver.take())
    assert "/info/1.htm" in text and "/info/0.htm" not in text
    receiver.close()


def test_a_channel_missing_its_secret_keeps_its_alerts_until_the_secret_is_set(tmp_path, monkeypatch):
    receiver = Receiver()
    url = f"json://127.0.0.1:{receiver.port}/${{HOOK_PATH}}"
    config = parse_config({"sites": [{"name": "甲校", "start_urls": ["http://127.0.0.1/list.htm"]}],
                           "alerts": {"urls": [url]}})
    db = open_db(tmp_path / "reports.db")
    key, label = alerts.identity(url)
    db["alerts"].insert({"event_id": fill_reports(db, 1)[0], "channel": key, "channel_label": label,
                         "status": "pending", "attempts": 0})
    monkeypatch.delenv("HOOK_PATH", raising=False)
    assert "HOOK_PATH is not set" in announce(db, config, None).failed[label]
    assert [r["status"] for r in db.query("SELECT status FROM alerts")] == ["pending"]
    monkeypatch.setenv("HOOK_PATH", "hook")
    assert announce(db, config, None).sent == {label: 1}
    assert len(receiver.take()) == 1
    receiver.close()


def test_cron_lines_and_catch_up():
    monday_2am = parse_cron("0 2 * * 1", "Asia/Shanghai")  # crontab: 1 = Monday
    sunday = datetime(2024, 6, 2, 12, 0, tzinfo=SHANGHAI)
    assert monday_2am.get_next_fire_time(None, sunday) == datetime(2024, 6, 3, 2, 0, tzinfo=SHANGHAI)
    every_night = parse_cron("0 2 * * *", "Asia/Shanghai")
    ran_at_two = datetime(2024, 6, 3, 2, 0, 0, tzinfo=SHANGHAI)
    assert not catch_up_due(every_night, ran_at_two, ran_at_two + timedelta(hours=20))
    assert catch_up_due(every_night, ran_at_two, ran_at_two + timedelta(hours=24, minutes=5))
    assert catch_up_due(every_night, None, ran_at_two)
    seconds = parse_cron("*/5 * * * * *", "Asia/Shanghai")
    assert seconds.get_next_fire_time(None, ran_at_two + timedelta(seconds=1)) == ran_at_two + timedelta(seconds=5)
    with pytest.raises(ValueError, match="有 4 段"):
        parse_cron("0 2 * *", "Asia/Shanghai")


def test_a_list_whose_items_all_became_script_links_is_one_alarm_not_two(tmp_path):
    """A redesign: yesterday the list gave article links, tonight it shows its dated items as
    javascript: links only. "No article links" says it; the coverage alarm does not repeat it."""
    config = parse_config({"sites": [{"name": "甲校", "start_urls": ["http://127.0.0.1/list.htm"]}]})
    db = open_db(tmp_path / "reports.db")
    nights = [dict(list_pages=1, article_links=10, list_items_shown=10, list_items_taken=10, lists_partly_understood=0),
              dict(list_pages=1, article_links=0, list_items_shown=10, list_items_taken=0, lists_partly_understood=1,
                   coverage_gap="栏目「学校新闻」：列表显示 10 条，识别 0 条")]
    for number, night in enumerate(nights):
        run = start_run(db, "test", 1, now_iso())
        if number == 0:  # the school's articles of the first night
            apply_batch(db, [article("http://127.0.0.1/a1.htm", "甲校", TEXTS[0], date="2024-05-01")], run, StoreIndex(db))
        finish_run(db, run, [{"site": "甲校", "status": "ok" if night["article_links"] else "partial", **night}],
                   "ok", now_iso())
        plan_run(db, config, run)
    problems = [row[0] for row in db.execute("SELECT problem FROM events WHERE kind = 'broken'")]
    assert problems == ["empty"]
