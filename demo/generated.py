"""Generated schools of any size, from the demo's texts: for the recrawl benchmark and tests
that need long archives (many list pages) and articles younger than ``recheck_days``.

Each school gets ``count`` articles, one a day back from yesterday (newest first), with
titles and texts made unique by number; the page templates are the demo's own.

By default an article's text is one demo article's, tagged with its number, so the
schools repost each other's stories. ``varied=True`` draws every text from the demo's
clauses instead (seeded), so each report is its own story, as across a real archive:
what a throughput benchmark needs, where reposts should be as rare as in life.
"""
from __future__ import annotations

import copy
import random
import re
from datetime import datetime, timedelta

from crawler.extract.dates import SHANGHAI
from demo.site import SCHOOLS, School, load_schools

CMS_CYCLE = ["jiahe", "nanhu", "hongchuan"]  # WebPlus, VSB (GBK), PowerEasy looks, in turn


def generated_schools(schools: int = 5, count: int = 1000, per_page: int = 20,
                      newest: datetime | None = None, varied: bool = False, reposts: float = 0.0) -> dict[str, School]:
    """``schools`` schools on 127.0.0.1, .2, … each with ``count`` articles, ``per_page`` per list page.

    ``reposts`` (with ``varied``): this share of each school's articles, drawn at random, are the
    previous school's article of the same number, two hours later under a 【转载】 title (the first
    school's are all its own).
    """
    texts = [a for s in load_schools().values() for a in s.articles]
    clauses = [x for a in texts for p in a["paragraphs"] for x in re.findall(r"[^。！？，；,;]+[。！？，；,;]", p)]
    rng = random.Random(1)
    newest = newest or (datetime.now(SHANGHAI) - timedelta(days=1)).replace(hour=9, minute=30, second=0,
                                                                            microsecond=0)
    out = {}
    for index in range(schools):
        style = SCHOOLS[CMS_CYCLE[index % len(CMS_CYCLE)]]
        key = f"gen{index + 1}"
        school = School(key=key, **{**style, "name": f"第{index + 1}测试职业学校", "host": f"127.0.0.{index + 1}",
                                     "per_page": per_page})
        for number in range(1, count + 1):
            article = _article(key, number, texts[(number + index) % len(texts)], newest - timedelta(days=number - 1))
            if varied:
                article["paragraphs"] = ["".join(rng.sample(clauses, 10))[:-1] + "。" for _ in range(4)]
                article["paragraphs"][0] += f"（{key}-{number}号）"
            school.articles.append(article)
        out[key] = school
    if varied and reposts:
        keys = list(out)
        for index, key in enumerate(keys):
            origin = out[keys[index - 1]]
            for number, article in enumerate(out[key].articles):
                if index and rng.random() < reposts:  # the first school's copies would copy copies
                    copied = origin.articles[number]
                    article["paragraphs"] = list(copied["paragraphs"])
                    article["title"] = "【转载】" + copied["title"]
                    reposted = datetime.strptime(copied["date"], "%Y-%m-%d %H:%M") + timedelta(hours=2)
                    article["date"] = reposted.strftime("%Y-%m-%d %H:%M")  # copied after it was published
    return out


def _article(key: str, number: int, template: dict, when: datetime) -> dict:
    article = copy.deepcopy(template)
    tag = f"（{key}-{number}号）"
    # ids from 1001 up: clear of the demo's trap URLs (/Item/8899.aspx is robots-disallowed)
    article.update(school=key, id=f"g{1000 + number}", title=template["title"][:24] + tag,
                   date=when.strftime("%Y-%m-%d %H:%M"), split_at=None)
    article["paragraphs"] = [article["paragraphs"][0] + tag, *article["paragraphs"][1:]]
    return article


def add_articles(schools: dict[str, School], per_school: int) -> dict[str, School]:
    """Copies with ``per_school`` new articles on top of every school's list (dated today)."""
    schools = copy.deepcopy(schools)
    today = datetime.now(SHANGHAI).replace(second=0, microsecond=0)
    for key, school in schools.items():
        top = max(int(a["id"][1:]) for a in school.articles) - 1000
        template = school.articles[-1]
        for offset in range(per_school):
            number = top + 1 + offset
            school.articles.append(_article(key, number, template, today - timedelta(minutes=offset)))
        school.articles.sort(key=lambda a: a["date"], reverse=True)
    return schools


def edit_articles(schools: dict[str, School], edits: list[tuple[str, int]]) -> dict[str, School]:
    """Copies where article ``index`` (0 = newest) of school ``key`` got a corrected text."""
    schools = copy.deepcopy(schools)
    for key, index in edits:
        article = schools[key].articles[index]
        article["paragraphs"] = [*article["paragraphs"], f"（更正：本文第{index + 1}段数据有误，已修改。）"]
    return schools
