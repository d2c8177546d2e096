"""Alerts on new reports, as users' bots receive them: Apprise json:// to webhook receivers
on 127.0.0.1, after real ``scheduler.py --once`` nights over the demo schools.

One receiver always works; the other is down on the first night (its URL's path comes
from an environment variable, as a token would) and must get everything exactly once
from the next night on.
"""
from __future__ import annotations

import sqlite_utils
import pytest

import copy
from datetime import datetime

from crawler.extract.dates import SHANGHAI
from demo.generated import generated_schools
from demo.next_day import NEW_ARTICLES
from demo.server import DemoServer
from tests.helpers import alerts_toml, run_cli
from tests.webhooks import Receiver, text_of


@pytest.fixture(scope="module")
def demo_nights(tmp_path_factory):
    """First night, an unchanged night, the next day, and the next day run again."""
    tmp = tmp_path_factory.mktemp("alerts")
    working, flaky = Receiver(), Receiver(failing=True)
    nights = {}
    with DemoServer() as demo:
        day_one_titles = [a["title"] for s in demo.schools.values() for a in s.articles]
        config = tmp / "sites.toml"
        config.write_text(demo.config_toml() + alerts_toml(working.url(), flaky.url("${FLAKY_HOOK}")),
                          encoding="utf-8")
        db_path = tmp / "reports.db"

        def night(name):
            result = run_cli("--once", "--config", config, "--db", db_path, env={"FLAKY_HOOK": "bot-token-path"})
            assert result.returncode == 0, result.stderr[-3000:]
            nights[name] = {"working": working.take(), "flaky_attempts": flaky.attempts, "flaky": flaky.take(),
                            "summary": result.stdout}

        night("first")
        flaky.recover()
        night("quiet")
        demo.show_next_day()
        night("next_day")
        night("again")
    working.close()
    flaky.close()
    yield {"nights": nights, "db": sqlite_utils.Database(db_path), "old_titles": day_one_titles,
           "feed": (tmp / "reports.atom").read_text(encoding="utf-8")}


def test_the_first_crawl_is_one_baseline_message_not_the_archive(demo_nights):
    first = demo_nights["nights"]["first"]["working"]
    assert len(first) == 1
    text = text_of(first)
    assert "首次采集" in first[0]["title"]
    for school, count in (("嘉禾职业技术学院", 7), ("南湖交通运输职业学校", 5), ("红船中学", 5)):
        assert f"{school}：首次采集 {count} 篇" in text
    assert not [title for title in demo_nights["old_titles"] if title in text]


def test_an_unchanged_night_sends_nothing(demo_nights):
    assert demo_nights["nights"]["quiet"]["working"] == []


def test_the_next_day_names_exactly_the_two_new_reports(demo_nights):
    messages = demo_nights["nights"]["next_day"]["working"]
    assert len(messages) == 1
    text = text_of(messages)
    assert "新报道 2 篇" in messages[0]["title"]
    for article in NEW_ARTICLES:
        assert article["title"] in text
        assert f"嘉禾职业技术学院｜{article['date'][:10]}｜来源：{article['source']}" in text
    assert not [title for title in demo_nights["old_titles"] if title in text]  # not the edited one either
    urls = [line for line in text.splitlines() if line.startswith("http://")]
    assert len(urls) == 2 and all(url.startswith("http://127.0.0.1:") for url in urls)


def test_running_the_same_night_again_sends_nothing(demo_nights):
    again = demo_nights["nights"]["again"]
    assert again["working"] == [] and again["flaky"] == [] and again["flaky_attempts"] == 0


def test_a_channel_that_was_down_gets_everything_once_from_the_next_run(demo_nights):
    nights = demo_nights["nights"]
    assert nights["first"]["flaky_attempts"] >= 1 and nights["first"]["flaky"] == []
    assert "发送失败" in nights["first"]["summary"] and "留待下次采集" in nights["first"]["summary"]
    retried = nights["quiet"]["flaky"]
    assert len(retried) == 1 and "首次采集" in retried[0]["title"]
    received = text_of([m for n in ("first", "quiet", "next_day", "again") for m in nights[n]["flaky"]])
    for article in NEW_ARTICLES:
        assert received.count(article["title"]) == 1
    assert received.count("嘉禾职业技术学院：首次采集") == 1


def test_the_ledger_records_every_event_sent_once_per_channel(demo_nights):
    db = demo_nights["db"]
    rows = list(db.query("SELECT channel, status, count(*) AS n FROM alerts GROUP BY channel, status"))
    assert {(r["status"], r["n"]) for r in rows} == {("sent", 5)}  # 3 baselines + 2 reports, on each channel
    assert len(rows) == 2
    labels = {r["channel_label"] for r in db.query("SELECT channel_label FROM alerts")}
    assert not [label for label in labels if "bot-token-path" in label]  # the secret is not in the store


def test_the_atom_feed_lists_the_new_reports(demo_nights):
    feed = demo_nights["feed"]
    assert feed.startswith("<?xml") and "<feed" in feed
    for article in NEW_ARTICLES:
        assert article["title"] in feed
    assert not [title for title in demo_nights["old_titles"] if f"<title>{title}</title>" in feed]


def with_todays_report(schools):
    """Copies where each school published one report today, with a text of its own."""
    schools = copy.deepcopy(schools)
    today = datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    for (key, school), report in zip(schools.items(), NEW_ARTICLES):
        school.articles.insert(0, {**copy.deepcopy(report), "school": key, "id": "g2001", "date": today,
                                   "title": f"{report['title']}（{school.name}）"})
    return schools


@pytest.fixture(scope="module")
def unseen_nights(tmp_path_factory):
    """Schools the team has never seen (generated, recent dates): first night, quiet night, next day."""
    tmp = tmp_path_factory.mktemp("unseen")
    receiver = Receiver()
    schools = generated_schools(schools=2, count=45, per_page=15)
    received = {}
    with DemoServer(schools) as server:
        config = tmp / "sites.toml"
        config.write_text(server.config_toml() + alerts_toml(receiver.url()), encoding="utf-8")
        for name in ("first", "quiet", "next_day"):
            if name == "next_day":
                schools = with_todays_report(schools)
                server.show(schools)
            result = run_cli("--once", "--config", config, "--db", tmp / "reports.db")
            assert result.returncode == 0, result.stderr[-3000:]
            received[name] = receiver.take()
    receiver.close()
    new_titles = [s.articles[0]["title"] for s in schools.values()]
    old_titles = [a["title"] for s in schools.values() for a in s.articles[1:]]
    return received, new_titles, old_titles


def test_unseen_schools_first_run_one_message_then_nothing_then_the_two_new(unseen_nights):
    received, new_titles, old_titles = unseen_nights
    assert len(received["first"]) <= 1
    assert not [t for t in old_titles if t in text_of(received["first"])]
    assert received["quiet"] == []
    text = text_of(received["next_day"])
    assert [t for t in new_titles if t in text] == new_titles
    assert not [t for t in old_titles if t in text]
