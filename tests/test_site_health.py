"""Site health: a school whose site broke is reported once, and again when it recovers.

Real nights over the demo schools with a webhook receiver: one school answers 503 for
several nights (loud failure), another's list page suddenly shows no article links (a
silent template change). The metadata-share rule is checked on its own below.
"""
from __future__ import annotations

import pytest

from crawler.notify import health
from demo.server import DemoServer
from tests.helpers import alerts_toml, run_cli
from tests.webhooks import Receiver, text_of

# the new CMS fills the list with JavaScript: the page answers 200 and has no article link
REDESIGNED_LIST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻动态</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/xxgk/">信息公开</a></div>
<div id="app" data-api="/api/news?page=1"></div><script src="/static/list.js"></script></body></html>"""


@pytest.fixture(scope="module")
def health_nights(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("health")
    receiver = Receiver()
    received = []
    with DemoServer() as demo:
        config = tmp / "sites.toml"
        config.write_text(demo.config_toml() + alerts_toml(receiver.url(), failures=2), encoding="utf-8")
        nanhu, jiahe = demo.schools["nanhu"], demo.schools["jiahe"]

        def night():
            result = run_cli("--once", "--config", config, "--db", tmp / "reports.db")
            assert result.returncode == 0, result.stderr[-3000:]
            received.append(receiver.take())

        night()  # 1: all well (the baseline message)
        demo.fail("nanhu", nanhu.list_path)
        night()  # 2: 南湖 fails once
        night()  # 3: 南湖 fails twice: broken
        demo.replace("jiahe", jiahe.list_path, REDESIGNED_LIST)
        night()  # 4: 南湖 still failing; 嘉禾's redesigned list shows no article links
        demo.heal()
        demo.show(demo.schools)
        night()  # 5: both recovered
    receiver.close()
    return received


def test_one_failed_night_is_not_an_alert(health_nights):
    assert health_nights[1] == []


def test_a_site_failing_n_runs_in_a_row_is_reported_once(health_nights):
    third = text_of(health_nights[2])
    assert len(health_nights[2]) == 1
    assert "站点异常" in third and "南湖交通运输职业学校：连续2次采集失败" in third
    assert "南湖交通运输职业学校" not in text_of(health_nights[3])


def test_a_list_page_without_article_links_is_reported(health_nights):
    fourth = text_of(health_nights[3])
    assert len(health_nights[3]) == 1
    assert "嘉禾职业技术学院：列表页上找不到文章链接" in fourth


def test_recovery_is_reported(health_nights):
    fifth = text_of(health_nights[4])
    assert len(health_nights[4]) == 1
    assert "站点恢复" in fifth
    assert "南湖交通运输职业学校：采集恢复正常" in fifth
    assert "嘉禾职业技术学院：列表页重新找到文章链接" in fifth


def test_a_sharp_drop_in_dated_or_sourced_articles_is_a_template_change():
    before = health.MetadataShare(total=40, dated=40, sourced=38)
    assert health.metadata_drop(health.MetadataShare(total=5, dated=5, sourced=1), before) == ["来源"]
    assert health.metadata_drop(health.MetadataShare(total=4, dated=0, sourced=0), before) == ["日期", "来源"]
    assert health.metadata_drop(health.MetadataShare(total=5, dated=5, sourced=4), before) == []  # one missing
    assert health.metadata_drop(health.MetadataShare(total=2, dated=0, sourced=0), before) is None  # too few
    never_had_sources = health.MetadataShare(total=40, dated=40, sourced=0)
    assert health.metadata_drop(health.MetadataShare(total=5, dated=5, sourced=0), never_had_sources) == []
