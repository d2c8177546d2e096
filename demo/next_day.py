"""The demo schools "the next day": what a nightly refresh must notice, and what it must not.

* 嘉禾职业技术学院 published 2 new articles (on top of its list, shifting every page);
  one of its articles was edited (a sentence corrected, a paragraph added);
* 南湖交通运输职业学校 deleted an article (gone from the list, its page answers 404);
* 红船中学 changed only the 通知公告 box beside its list: no article is new or changed;
* with ``repost``: 南湖交通运输职业学校 also reposted 嘉禾's story of the 述职评议会 (what
  ``scheduler.py --demo`` shows on its second night, so the reposts query has a row).

Every article page's sidebar and 上一篇/下一篇 links change with the new articles too,
which is not an edit.
"""
from __future__ import annotations

import copy

from demo.site import School

NEW_ARTICLES = [
    {"school": "jiahe", "id": "a9", "title": "我校召开2023年度党建工作述职评议会",
     "date": "2023-11-16 09:30", "source": "组织部", "author": "陈晓、刘洋", "author_shown": "陈晓、刘洋",
     "editor": "王涛", "views": 36, "split_at": None,
     "paragraphs": [
         "11月15日下午，学校召开2023年度基层党组织书记抓党建工作述职评议会，校党委书记出席会议并讲话，各二级学院党总支书记逐一述职。",
         "会议指出，各党总支要对照述职评议中查摆出的问题，逐条制定整改措施，把党建工作与人才培养、专业建设同部署、同落实、同考核。",
         "会议要求，要以“红船铸魂”党建品牌建设为抓手，持续深化“双带头人”教师党支部书记工作室建设，推动党建与业务深度融合。",
     ]},
    {"school": "jiahe", "id": "a8", "title": "学校举行2023年校企合作洽谈会",
     "date": "2023-11-15 14:00", "source": "校企合作处", "author": "周洁", "author_shown": "周洁",
     "editor": "王涛", "views": 52, "split_at": None,
     "paragraphs": [
         "11月14日，学校举行2023年校企合作洽谈会，来自长三角地区的60余家企业代表与学校各二级学院负责人面对面交流，现场签订合作协议12项。",
         "洽谈会上，学校介绍了产教融合实训基地建设和现代学徒制试点工作的进展，企业代表就订单班培养、共建实验室等项目进行了深入洽谈。",
     ]},
]
EDITED = ("jiahe", "a6")
EDIT_FIX = ("党委会审议议题达914项", "党委会审议议题达916项")
EDIT_ADDED_PARAGRAPH = "（本文于11月16日更正：五年来党委会审议议题为916项。）"
DELETED = ("nanhu", "b4")
NEW_NOTICE = ("hongchuan", "关于2023年冬季学期放假安排的通知")
REPOST = {"school": "nanhu", "id": "b9", "title": "嘉禾职业技术学院召开2023年度党建工作述职评议会",
          "date": "2023-11-16 16:10", "source": "嘉禾职业技术学院", "author": None, "author_shown": None,
          "editor": "李敏", "views": 12, "split_at": None,
          "paragraphs": ["（转自嘉禾职业技术学院）", *NEW_ARTICLES[0]["paragraphs"]]}


def next_day(schools: dict[str, School], repost: bool = False) -> dict[str, School]:
    """Copies of ``schools`` as they look the next day (the originals are untouched)."""
    schools = copy.deepcopy(schools)
    for article in NEW_ARTICLES + ([REPOST] if repost else []):
        schools[article["school"]].articles.append(copy.deepcopy(article))
    key, article_id = EDITED
    edited = next(a for a in schools[key].articles if a["id"] == article_id)
    edited["paragraphs"] = [p.replace(*EDIT_FIX) for p in edited["paragraphs"]]
    edited["paragraphs"].append(EDIT_ADDED_PARAGRAPH)
    key, article_id = DELETED
    schools[key].articles = [a for a in schools[key].articles if a["id"] != article_id]
    key, notice = NEW_NOTICE
    schools[key].notice = notice
    for school in schools.values():
        school.articles.sort(key=lambda a: a["date"], reverse=True)
    return schools
