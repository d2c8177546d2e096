"""The incremental refresh's decisions, one rule at a time (crawler/incremental.py)."""
from __future__ import annotations

from datetime import datetime

import pytest

from crawler.extract.dates import SHANGHAI
from crawler.incremental import (KnownArticle, failing_recheck_at, headline_changed, is_young,
                                 older_than, plan_known_article, recheck_due)

NOW = datetime(2024, 6, 10, 2, 0, tzinfo=SHANGHAI)


def known(published_at="2024-06-01", title="我校召开党史学习教育动员大会", first_seen_at="2024-06-02T02:00:00+08:00"):
    return KnownArticle("http://a.edu.cn/info/1/2.htm", "甲校", title, published_at, first_seen_at, '"e1"', None, False)


@pytest.mark.parametrize("published_at, young", [
    ("2024-06-05", True), ("2024-06-03T09:00:00+08:00", True), ("2024-06-01", False), (None, False),
])
def test_young_means_published_less_than_recheck_days_ago(published_at, young):
    article = known(published_at=published_at, first_seen_at="2024-05-01T00:00:00+08:00")
    assert is_young(article, NOW, 7) is young


def test_an_undated_article_is_aged_by_when_it_was_first_stored():
    assert is_young(known(published_at=None, first_seen_at="2024-06-09T02:00:00+08:00"), NOW, 7)


@pytest.mark.parametrize("shown, changed", [
    ("我校召开党史学习教育动员大会", False),
    ("我校召开党史学习教育动员…", False),  # cut off by the list template
    ("【转载】我校召开党史学习教育动员大会", False),
    ("我校召开党纪学习教育动员大会", True),
    ("", False),
])
def test_headline_changed(shown, changed):
    assert headline_changed("我校召开党史学习教育动员大会", shown) is changed


def test_plan_for_a_stored_article():
    old = known(published_at="2023-01-01")
    assert plan_known_article(old, list_title=old.title, now=NOW, recheck_days=7) == "skip"
    # a young article is revalidated whether or not its list changed (an edit leaves the list as it
    # was); unchanged, it answers 304: a quiet night downloads no article
    assert plan_known_article(known("2024-06-08"), list_title=None, now=NOW, recheck_days=7) == "recheck"
    # the list shows another headline or another date: ask again, whatever the age
    assert plan_known_article(old, list_title="我校召开党纪学习教育动员大会", now=NOW, recheck_days=7) == "recheck"
    assert plan_known_article(old, list_title=old.title, list_date="2023-01-05", now=NOW, recheck_days=7) == "recheck"
    assert plan_known_article(old, list_title=old.title, list_date="01-01", now=NOW, recheck_days=7) == "skip"


def test_a_failing_link_waits_a_week_unless_its_failure_may_pass():
    seen = "2024-06-10T02:00:00+08:00"
    assert failing_recheck_at(1, lasting=False, seen_at=seen) == seen  # a 5xx, a timeout: the next night
    assert failing_recheck_at(2, lasting=False, seen_at=seen) == "2024-06-17T02:00:00+08:00"
    assert failing_recheck_at(1, lasting=True, seen_at=seen) == "2024-06-17T02:00:00+08:00"  # a 403
    assert not recheck_due("2024-06-17T02:00:00+08:00", NOW) and recheck_due(seen, NOW)
    assert recheck_due("garbage", NOW)


def test_older_than_since():
    assert older_than("2023-12-31", "2024-01-01")
    assert not older_than("2024-01-01", "2024-01-01")
    assert not older_than("12-31", "2024-01-01")  # no year: unknown, so walked
    assert not older_than("2023-12-31", None)
