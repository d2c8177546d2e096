"""Incremental nightly refresh, against the demo schools and their "next day"
(demo/next_day.py: 2 new articles on top of a list, 1 edited, 1 deleted, 1 list whose
sidebar changed), and against a generated school with a long archive.

Every night is a real ``scheduler.py --once`` in a subprocess; what the crawler asked
for is read from the demo server's request log.
"""
from __future__ import annotations

import pytest
import sqlite_utils

from demo.generated import add_articles, generated_schools
from demo.next_day import DELETED, EDIT_ADDED_PARAGRAPH, EDITED, NEW_ARTICLES
from demo.server import DemoServer
from tests.helpers import YOUNG, run_cli



def night(demo, config, db_path):
    """One refresh; returns the server's log of it (every request with status and bytes)."""
    demo.clear_log()
    result = run_cli("--once", "--config", str(config), "--db", str(db_path))
    assert result.returncode == 0, result.stderr[-3000:]
    return demo.hits()


def article_paths(demo):
    return {demo.schools[k].article_path(a, n)
            for k in demo.schools for a in demo.schools[k].articles for n in (1, 2)}


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """First night, an unchanged night, the next day, and an unchanged night after it."""
    tmp = tmp_path_factory.mktemp("incremental")
    with DemoServer() as demo:
        config = tmp / "sites.toml"
        config.write_text(demo.config_toml(recheck_days=YOUNG), encoding="utf-8")
        db_path = tmp / "reports.db"
        first = night(demo, config, db_path)
        day1_articles = article_paths(demo)
        quiet = night(demo, config, db_path)
        demo.show_next_day()
        next_day = night(demo, config, db_path)
        quiet_again = night(demo, config, db_path)
        yield {"demo": demo, "db": sqlite_utils.Database(db_path), "first": first, "quiet": quiet,
               "next_day": next_day, "quiet_again": quiet_again, "day1_articles": day1_articles}


def test_an_unchanged_night_costs_a_few_list_pages(nights):
    """recheck_days is wide here (every demo article is young), so a quiet night also asks each
    stored article with its validators, edits behind an unchanged list being seen so: 304s, no
    body. (With the default recheck_days a quiet night is the columns' first list pages only:
    tests/test_hostile_sites.py.)"""
    quiet = nights["quiet"]
    full_articles = [h for h in quiet if h.path in nights["day1_articles"] and h.status == 200]
    assert full_articles == []
    for night, stored in ((quiet, 17), (nights["quiet_again"], 17 + 2 - 1)):  # the deleted one is not asked
        asked = [h for h in night if h.path != "/robots.txt"]
        assert all(h.status == 304 and h.bytes == 0 and h.conditional for h in asked)
        assert len(asked) == 3 + stored  # each column's first list page, each young stored article


def test_list_pages_are_asked_with_their_validators(nights):
    lists = [h for h in nights["quiet"] if h.path != "/robots.txt"]
    assert lists and all(h.conditional and h.status == 304 and h.bytes == 0 for h in lists)


def test_next_day_stores_exactly_the_new_articles(nights):
    db = nights["db"]
    run = db.execute("select max(id) from crawl_runs").fetchone()[0] - 1  # the next-day run
    new = db.execute("select title from articles where first_seen_run = ?", [run]).fetchall()
    assert sorted(t for (t,) in new) == sorted(a["title"] for a in NEW_ARTICLES)
    assert db.execute("select count(*) from articles").fetchone()[0] == 17 + 2


def test_an_edit_updates_the_text_and_keeps_the_old_one(nights):
    db, demo = nights["db"], nights["demo"]
    key, article_id = EDITED
    school = demo.schools[key]
    article = next(a for a in school.articles if a["id"] == article_id)
    row = db.execute("select id, text, last_changed_at from articles where title = ?", [article["title"]]).fetchone()
    assert row[1].endswith(EDIT_ADDED_PARAGRAPH) and "916项" in row[1]
    assert row[2] is not None
    versions = db.execute("select text from article_versions where article_id = ?", [row[0]]).fetchall()
    assert len(versions) == 1 and "914项" in versions[0][0] and EDIT_ADDED_PARAGRAPH not in versions[0][0]
    # changed sidebars and 上一篇/下一篇 links on the other pages are not edits
    assert db.execute("select count(*) from article_versions").fetchone()[0] == 1
    assert db.execute("select count(*) from articles where last_changed_at is not null").fetchone()[0] == 1


def test_a_deleted_article_gets_gone_at_and_is_kept(nights):
    db = nights["db"]
    key, article_id = DELETED
    gone = db.execute("select url, gone_at from articles where gone_at is not null").fetchall()
    assert len(gone) == 1 and gone[0][0].endswith(f"/info/1045/{2300 + int(article_id[1:])}.htm")


def test_a_list_whose_sidebar_changed_downloads_no_article(nights):
    demo = nights["demo"]
    hongchuan = [h for h in nights["next_day"] if h.path.startswith("/Item/") and h.status == 200]
    assert demo.base_url("hongchuan")  # the school is served
    assert hongchuan == []


def test_run_accounting(nights):
    db = nights["db"]
    runs = db.execute("select id, new_articles, changed_articles, gone_articles, not_modified "
                      "from crawl_runs order by id").fetchall()
    assert [r[1:4] for r in runs] == [(17, 0, 0), (0, 0, 0), (2, 1, 1), (0, 0, 0)]
    assert runs[1][4] >= 3  # every school's first list page answered 304
    site_rows = {row["site"]: row for row in db["crawl_run_sites"].rows_where("run_id = ?", [runs[2][0]])}
    jiahe = site_rows["嘉禾职业技术学院"]
    assert (jiahe["new_articles"], jiahe["changed_articles"]) == (2, 1)
    assert jiahe["unchanged_articles"] >= 1  # revalidated, downloaded (its sidebar changed), same text
    assert site_rows["南湖交通运输职业学校"]["gone_articles"] == 1
    # its list's sidebar changed, not its links: its young articles are asked anyway, and answer 304
    hongchuan = site_rows["红船中学"]
    assert (hongchuan["skipped_known"], hongchuan["not_modified"], hongchuan["article_pages"]) == (0, 5, 0)
    assert all(row["duration_s"] is not None and row["requests"] >= 1 for row in site_rows.values())


def test_old_articles_are_not_revalidated_by_default(tmp_path):
    """With the default recheck_days (7), the demo's 2022-2023 articles are never asked again."""
    with DemoServer() as demo:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")
        night(demo, config, tmp_path / "r.db")
        demo.show_next_day()
        hits = night(demo, config, tmp_path / "r.db")
        jiahe_articles = [h for h in hits if h.path.endswith("/page.htm") and h.status == 200
                          and "/c1234a" in h.path]
        assert len(jiahe_articles) == 2  # the two new ones only


def test_stop_at_known_walks_one_grace_page(tmp_path):
    """A 30-page archive: the next night with 3 new articles reads pages 1 and 2, then stops."""
    schools = generated_schools(schools=1, count=120, per_page=4)
    with DemoServer(schools) as demo:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(max_pages=100), encoding="utf-8")
        first = night(demo, config, tmp_path / "r.db")
        assert len([h for h in first if "list" in h.path]) == 30
        demo.show(add_articles(demo.schools, 3))
        hits = night(demo, config, tmp_path / "r.db")
        lists = [h.path for h in hits if "list" in h.path]
        # page 1: 3 new + 1 known; page 2: all known (streak 1 = grace); page 3: all known again → stop
        assert lists == ["/xwdt/list.htm", "/xwdt/list2.htm", "/xwdt/list3.htm"]
        db = sqlite_utils.Database(tmp_path / "r.db")
        assert db.execute("select new_articles from crawl_runs order by id desc limit 1").fetchone()[0] == 3


def test_an_unfinished_first_walk_is_finished_next_night(tmp_path):
    """Page 3 fails on the first night: the column is not marked walked, so the next night walks on."""
    schools = generated_schools(schools=1, count=24, per_page=4)
    with DemoServer(schools) as demo:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")
        demo.fail("gen1", "/xwdt/list3.htm", 503)
        night(demo, config, tmp_path / "r.db")
        db = sqlite_utils.Database(tmp_path / "r.db")
        assert db.execute("select count(*) from articles").fetchone()[0] == 8
        demo.heal()
        night(demo, config, tmp_path / "r.db")
        assert db.execute("select count(*) from articles").fetchone()[0] == 24
        assert db.execute("select count(*) from columns where walked_to_end_at is not null").fetchone()[0] == 1


def test_since_bounds_the_first_walk(tmp_path):
    """since = 20 days ago: 20 articles stored, and pagination stops at the first page all older."""
    schools = generated_schools(schools=1, count=200, per_page=10)
    cutoff = schools["gen1"].articles[19]["date"][:10]
    with DemoServer(schools) as demo:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(since=cutoff, max_pages=100), encoding="utf-8")
        hits = night(demo, config, tmp_path / "r.db")
        db = sqlite_utils.Database(tmp_path / "r.db")
        dates = [d for (d,) in db.execute("select published_at from articles")]
        assert len(dates) == 20 and min(dates)[:10] == cutoff
        assert len([h for h in hits if "list" in h.path]) <= 3
