"""Reposts share a cluster_id (the earliest-published member's id); distinct reports never do.

Through the store's real path (pipelines.apply.apply_batch with pipelines.index.StoreIndex) into real
SQLite files, with the demo's texts and the transformations reposts go through.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from crawler.search import dedupe, tagging
from crawler.search.dedupe import BANDS, LSH_THRESHOLD, NUM_PERM, ROWS
from crawler.items import ArticleItem
from pipelines.index import StoreIndex
from db.schema import open_db
from pipelines.apply import apply_batch
from demo.site import load_schools

ARTICLES = {a["id"]: a for s in load_schools().values() for a in s.articles}


def item(url: str, article: dict, *, title=None, paragraphs=None, date=None, site="嘉禾职业技术学院"):
    return ArticleItem(url=f"http://127.0.0.1/{url}", site=site, title=title or article["title"],
                       text="\n".join(paragraphs or article["paragraphs"]), published_at=date or article["date"][:10],
                       author=None, source=None, editor=None, views=None, fetched_at="2024-01-01T00:00:00+08:00")


@pytest.fixture
def store(tmp_path):
    db = open_db(tmp_path / "reports.db")
    index = StoreIndex(db)

    def add(*items):
        apply_batch(db, list(items), run_id=1, index=index)

    def cluster(url):
        return db.execute("select cluster_id from articles where url = ?", [f"http://127.0.0.1/{url}"]).fetchone()[0]

    def id_of(url):
        return db.execute("select id from articles where url = ?", [f"http://127.0.0.1/{url}"]).fetchone()[0]

    return db, add, cluster, id_of


def decorate(paragraphs):
    return [p[:7] + "★★" + p[7:20] + "☆" + p[20:] for p in paragraphs]


def test_reposts_of_one_report_share_the_first_publishers_id(store):
    db, add, cluster, id_of = store
    original = ARTICLES["b2"]  # the seeds' "三同三力" report, reposted under other names (seeds/001)
    paragraphs = original["paragraphs"]
    add(item("original", original, date="2023-08-28", site="南湖交通运输职业学校"))
    add(item("retitled", original, title="【转载】" + original["title"], date="2023-08-30", site="华中农业大学"),
        item("decorated", original, paragraphs=decorate(paragraphs), date="2023-09-01", site="内容农场"),
        item("dropped", original, paragraphs=paragraphs[:2] + paragraphs[3:], date="2023-09-02", site="省教育厅"),
        item("reordered", original, paragraphs=[paragraphs[0], paragraphs[2], paragraphs[1], *paragraphs[3:]],
             date="2023-09-03", site="职教网"))
    first = id_of("original")
    assert {cluster(u) for u in ("original", "retitled", "decorated", "dropped", "reordered")} == {first}


def test_an_earlier_original_found_later_becomes_the_clusters_id(store):
    db, add, cluster, id_of = store
    original = ARTICLES["a6"]
    add(item("repost", original, title="【院校动态】" + original["title"], date="2023-05-20", site="转载站"))
    add(item("original", original, date="2023-05-12"))
    assert cluster("repost") == cluster("original") == id_of("original")


def test_distinct_reports_on_one_topic_stay_apart(store):
    db, add, cluster, id_of = store
    add(*[item(article_id, article) for article_id, article in ARTICLES.items()])
    # two sports meets (a7, c5), party-building reports of one school (a1–a6), short 简讯 among them
    assert {cluster(a) for a in ARTICLES} == {id_of(a) for a in ARTICLES}


def test_short_report_reposted_is_grouped_but_a_template_twin_is_not(store):
    db, add, cluster, id_of = store
    meet = ARTICLES["c5"]  # 我校举行秋季运动会, 143 characters
    add(item("meet", meet, site="红船中学"),
        item("meet-repost", meet, title="【转载】" + meet["title"], paragraphs=decorate(meet["paragraphs"]),
             site="南湖区教育局"))
    # another school's meet, told with the same stock phrases
    twin = ["11月9日至10日，南湖实验中学秋季运动会在学校田径场举行，一千二百余名学生参加了田径和趣味项目的比赛。",
            "运动会设男女100米、800米、铅球、跳远等项目，并增设了拔河、袋鼠跳等趣味项目，初二（5）班获得团体总分第一名。",
            "本届运动会展现了我校学生积极向上、团结拼搏的精神风貌。"]
    add(item("twin", meet, title="南湖实验中学举行秋季运动会", paragraphs=twin, site="南湖实验中学"))
    assert cluster("meet") == cluster("meet-repost")
    assert cluster("twin") == id_of("twin")


def test_signatures_persist_so_a_later_night_still_groups(tmp_path):
    original = ARTICLES["b1"]
    db = open_db(tmp_path / "reports.db")
    apply_batch(db, [item("original", original)], run_id=1, index=StoreIndex(db))
    db.close()
    db = open_db(tmp_path / "reports.db")  # the next night: a new process, signatures read back
    index = StoreIndex(db)
    apply_batch(db, [item("repost", original, title="【转载】" + original["title"], date="2023-05-01")],
                run_id=2, index=index)
    assert db.execute("select count(distinct cluster_id) from articles").fetchone()[0] == 1


def test_a_store_signed_by_an_older_scheme_is_signed_again_when_opened(tmp_path):
    """A store whose signatures another scheme made (or that has no buckets: stores from before
    lsh_bands) keeps finding reposts of what it holds once the crawl opens it."""
    original = ARTICLES["b1"]
    db = open_db(tmp_path / "reports.db")
    apply_batch(db, [item("original", original)], run_id=1, index=StoreIndex(db))
    old = bytes(reversed(db.execute("select signature from minhashes").fetchone()[0]))  # another scheme's values
    db.execute("UPDATE minhashes SET signature = ?", [old])
    db.execute("DELETE FROM lsh_bands")
    db.execute("DELETE FROM signature_index")
    db.execute("INSERT INTO signature_index (scheme) VALUES ('affine32')")
    db.conn.commit()
    db.close()
    db = open_db(tmp_path / "reports.db")
    index = StoreIndex(db)
    index.catch_up()  # what the store pipeline does when it opens
    apply_batch(db, [item("repost", original, title="【转载】" + original["title"], date="2023-05-01")],
                run_id=2, index=index)
    assert db.execute("select count(distinct cluster_id) from articles").fetchone()[0] == 1
    assert db.execute("select scheme from signature_index").fetchall() == [(dedupe.SIGNATURE_SCHEME,)]


@pytest.mark.parametrize("text", ["", "★☆", "党建", "学校召开党建工作会议", "\n".join(ARTICLES["b1"]["paragraphs"]),
                                  "\n".join(ARTICLES["a1"]["paragraphs"]) * 40])
def test_signatures_are_datasketchs_minhash_of_the_5_grams(text):
    """Computed with numpy at once, they are what datasketch's MinHash gives gram by gram."""
    reference = MinHash(num_perm=NUM_PERM, seed=dedupe.SEED, scheme="affine32", hashfunc=int)
    hashes = dedupe.gram_hashes(text)
    reference.update_batch(hashes.tolist())
    assert np.frombuffer(dedupe.signature(text), dtype="<u4").tolist() == reference.hashvalues.tolist()
    assert len(set(hashes.tolist())) == len(dedupe.shingles(text))  # one hash per distinct 5-gram


def test_an_edited_article_leaves_its_old_buckets(store):
    db, add, cluster, id_of = store
    add(item("a", ARTICLES["a1"]))
    before = {row[0] for row in db.execute("select bucket from lsh_bands")}
    edited = item("a", ARTICLES["a1"], paragraphs=ARTICLES["b1"]["paragraphs"])  # a wholly new text
    add(edited)
    after = {row[0] for row in db.execute("select bucket from lsh_bands")}
    assert len(after) == BANDS and not before & after


def test_bands_are_the_ones_datasketch_would_pick():
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    assert (lsh.b, lsh.r) == (BANDS, ROWS)


def test_keywords_and_topics_are_stored(store):
    db, add, cluster, id_of = store
    add(item("party", ARTICLES["a1"]))
    keywords, topics = db.execute("select keywords, topics from articles").fetchone()
    assert "党建" in json.loads(topics)
    assert len(json.loads(keywords)) == 10


def test_the_demo_crawl_stores_seventeen_distinct_stories(crawled):
    _, db = crawled
    assert db.execute("select count(*) from articles where cluster_id = id").fetchone()[0] == 17
    assert db.execute("select count(*) from minhashes").fetchone()[0] == 17


def test_topics_an_earlier_rule_chose_are_chosen_again_when_the_store_opens(tmp_path):
    """A store tagged by the first rule (one mention anywhere was a topic) is re-tagged by the
    current one when the crawl opens it: an article mentioning 校企合作 once in passing loses it."""
    original = ARTICLES["b1"]
    text = "\n".join(original["paragraphs"]) + "\n会上还通报了校企合作的进展。"
    db = open_db(tmp_path / "reports.db")
    apply_batch(db, [item("original", original, paragraphs=text.split("\n"))], run_id=1, index=StoreIndex(db))
    article_id, topics = db.execute("select id, topics from articles").fetchone()
    assert "校企合作" not in json.loads(topics)
    db.execute("UPDATE articles SET topics = ?, topics_rule = NULL",  # as the first rule left it
               [json.dumps(json.loads(topics) + ["校企合作"], ensure_ascii=False)])
    db.conn.commit()
    StoreIndex(db).catch_up()
    retagged, rule = db.execute("select topics, topics_rule from articles where id = ?", [article_id]).fetchone()
    assert json.loads(retagged) == json.loads(topics) and rule == tagging.TOPICS_RULE


def test_a_story_copied_many_times_stays_one_group_at_a_bounded_cost(store):
    """Each new copy of a much-reposted story meets a bounded number of its copies in the buckets
    (and reads at most a few texts): the group's later copies are not banded, and still join."""
    db, add, cluster, id_of = store
    original = ARTICLES["b2"]
    add(item("original", original, date="2023-08-28"))
    copies = [item(f"copy{n}", original, title=f"【转载】{original['title']}（{n}）", date="2023-09-01",
                   site=f"第{n}学校") for n in range(1, 46)]
    for start in range(0, len(copies), 15):
        add(*copies[start:start + 15])
    assert {cluster(f"copy{n}") for n in range(1, 46)} == {id_of("original")}
    banded = db.execute("select count(distinct article_id) from lsh_bands").fetchone()[0]
    assert banded <= dedupe.BANDED_PER_GROUP + 1
    add(item("late", original, paragraphs=decorate(original["paragraphs"]), date="2023-10-01", site="内容农场"))
    assert cluster("late") == id_of("original")


def test_topics_are_kept_as_rows_for_the_topic_filter_and_filled_in_an_older_store(tmp_path):
    """article_topics holds each article's topics as rows (the reading room's topic filter reads
    it): written with the article, rewritten with its topics, and filled from the JSON column
    when a store from before it is opened."""
    db = open_db(tmp_path / "reports.db")
    apply_batch(db, [item("party", ARTICLES["a1"]), item("other", ARTICLES["b1"])], run_id=1, index=StoreIndex(db))

    def as_rows():
        return sorted(db.execute("select topic, article_id from article_topics").fetchall())

    from_json = sorted((topic, article_id) for article_id, topics in db.execute("select id, topics from articles")
                       for topic in json.loads(topics))
    assert as_rows() == from_json and ("党建", 1) in from_json
    db.execute("DROP TABLE article_topics")  # a store of an earlier version
    db.conn.commit()
    db.close()
    db = open_db(tmp_path / "reports.db")
    assert as_rows() == from_json
    db.execute("DELETE FROM article_topics")  # a fill cut short when the table was new
    db.conn.commit()
    db.close()
    db = open_db(tmp_path / "reports.db")
    assert as_rows() == from_json
    db.execute("UPDATE articles SET topics_rule = NULL")  # re-tagged by the current rule when opened
    db.conn.commit()
    StoreIndex(db).catch_up()
    assert as_rows() == from_json


def test_a_copy_unlike_the_other_copies_is_still_checked_against_the_original(store):
    """Three copies from one content farm carry their own issue, date and view counts: a fourth
    one's numbers differ from theirs, not from the original's. Reading only the closest copies
    of a group would make it a story of its own; the group's first publisher is always read."""
    db, add, cluster, id_of = store
    original = ARTICLES["b1"]
    paragraphs = [re.sub(r"\d+", "", p) for p in original["paragraphs"]]
    paragraphs[0] = "2023年学校组织12名教师" + paragraphs[0]  # the report's own numbers

    def farm(issue: int, day: int, views: int) -> list[str]:
        return paragraphs + [f"本文转载自南湖教育资讯网第{issue}期，发布日期10月{day}日，浏览次数{views}次，责任编辑王小明，"
                             "欢迎关注南湖教育资讯网公众号获取更多校园新闻资讯与通知公告。"]

    add(item("original", original, paragraphs=paragraphs, date="2023-09-01", site="甲"))
    for n in range(3):
        add(item(f"copy{n}", original, paragraphs=farm(31 + n, n + 2, 100 + 37 * n), date=f"2023-10-0{n + 2}",
                 site="农场"))
    add(item("late", original, paragraphs=farm(88, 9, 971), date="2023-10-09", site="农场"))
    assert {cluster(url) for url in ("copy0", "copy1", "copy2", "late")} == {id_of("original")}
