"""Keywords are what jieba's own TF-IDF gives; topics are what an article is about.

crawler/search/tagging.py reads jieba's IDF table itself (a third of the memory); these tests
hold its keywords to ``jieba.analyse.extract_tags`` on real article texts, and its topics to
articles labelled by hand.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from crawler.search import tagging
from demo.site import load_schools
from tests.helpers import SEEDS

TEXTS = [(a["title"], "\n".join(a["paragraphs"])) for s in load_schools().values() for a in s.articles]
TEXTS += [(path.read_text(encoding="utf-8").splitlines()[0], path.read_text(encoding="utf-8"))
          for path in sorted(SEEDS.glob("*.txt"))[:20]]


@pytest.fixture(scope="module")
def jieba_analyse():
    jieba = tagging.jieba()  # with the project's dictionary, as the index uses it
    import jieba.analyse

    return jieba


def test_the_texts_are_there():
    assert len(TEXTS) >= 20  # 17 demo articles and 5 seeds


@pytest.mark.parametrize("index", range(len(TEXTS)))
def test_keywords_are_jieba_extract_tags(jieba_analyse, index):
    title, text = TEXTS[index]
    ranked = jieba_analyse.analyse.extract_tags(f"{title}\n{title}\n{text}", topK=None, withWeight=False)
    cut = list(jieba_analyse.cut(f"{title}\n{title}\n{text}"))
    expected = [w for w in ranked if tagging.keyword_worthy(w, cut.count(w))][:tagging.KEYWORD_COUNT]
    assert tagging.keywords(title, text) == expected


def test_domain_terms_are_keywords():
    party = next((t, x) for t, x in TEXTS if "党建" in t)
    assert "党建" in tagging.keywords(*party)


def test_keywords_are_no_boilerplate_number_or_fragment():
    """我校, 开展, 活动 (every report says them), 2023, 102, 二百余名 (numbers), 中获, 以赛 (a cut's
    leftovers) were keywords of the demo's articles; none is now, and the articles keep ten."""
    bad = {"我校", "开展", "活动", "学校", "2023", "102", "10", "二百余名", "中获", "以赛", "十九"}
    for title, text in TEXTS:
        keywords = tagging.keywords(title, text)
        assert not bad & set(keywords), (title, keywords)
        assert len(keywords) == tagging.KEYWORD_COUNT or len(set(text)) < 200


# ------------------------------------------------------------------ topics against a labelled set
LABELS = json.loads((Path(__file__).with_name("topic_labels.json")).read_text(encoding="utf-8"))["labels"]


def labelled_articles() -> list[tuple[str, str, str, set[str]]]:
    """(id, title, text, topics by hand) of the labelled set: saved real pages as extracted, and the demo's."""
    from crawler.extract import decode_html_bytes, extract
    from tests.helpers import MANIFEST, PAGES, page_url

    out = []
    for entry in MANIFEST:
        key = f"page:{entry['file']}"
        if key in LABELS:
            article = extract(decode_html_bytes((PAGES / entry["file"]).read_bytes()), page_url(entry))
            out.append((key, article.title, article.text, set(LABELS[key]["topics"])))
    demo = {a["id"]: a for s in load_schools().values() for a in s.articles}
    for key, label in LABELS.items():
        if key.startswith("demo:"):
            article = demo[key[5:]]
            out.append((key, article["title"], "\n".join(article["paragraphs"]), set(label["topics"])))
    return out


def test_topics_are_what_articles_are_about():
    """On 65 articles labelled by hand, the topics given are right at least 8 times in 10 (one
    mention anywhere gave 0.43) and find most of the labelled ones."""
    articles = labelled_articles()
    assert len(articles) == len(LABELS) >= 60
    right = given = wanted = 0
    for _, title, text, truth in articles:
        found = set(tagging.topics(title, text))
        right, given, wanted = right + len(found & truth), given + len(found), wanted + len(truth)
    assert right / given >= 0.8, (right, given)
    assert right / wanted >= 0.7, (right, wanted)


def test_one_passing_mention_is_no_topic_but_a_title_is():
    text = "学校召开教学工作会议，部署新学期教学任务。" * 10 + "会上还通报了校企合作的进展。"
    assert "校企合作" not in tagging.topics("学校召开教学工作会议", text)
    assert "校企合作" in tagging.topics("学校与南湖公交集团签订校企合作协议", text)


def test_idf_table_mapped_from_its_cache_is_the_one_read_from_idf_txt(tmp_path):
    """Later processes map the table a first one wrote; the keywords stay jieba's either way."""
    source = tmp_path / "idf.txt"
    source.write_text("党建 9.5\n学校 2.25\n立德树人 11.75\n学校 3.5\n", encoding="utf-8")
    built = tagging.IdfTable.of_file(source, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npy"))) == 1 and not list(tmp_path.glob("*.tmp"))
    mapped = tagging.IdfTable.of_file(source, cache_dir=tmp_path)
    assert isinstance(mapped.keys, np.memmap)
    words = ["党建", "学校", "立德树人", "未知词"]
    assert built.of(words) == mapped.of(words) == [9.5, 3.5, 11.75, 9.5]  # a repeated word: its last value
    cached = next(tmp_path.glob("*.npy"))
    cached.write_bytes(b"")  # cut short by a power loss: read from idf.txt again, and cached anew
    assert tagging.IdfTable.of_file(source, cache_dir=tmp_path).of(words) == [9.5, 3.5, 11.75, 9.5]
    assert cached.stat().st_size > 0
    source.write_text("党建 1.0\n", encoding="utf-8")  # another idf.txt: not the old cache
    assert tagging.IdfTable.of_file(source, cache_dir=tmp_path).of(["党建"]) == [1.0]
