"""Near-duplicate benchmark: are reposts grouped, and distinct same-topic reports kept apart?

    .venv/bin/python benchmarks/neardup.py [--seed 7]

Builds a set of 300+ articles from the demo's texts: every demo article with reposts made
by each transformation alone and combined (retitled 【转载】, ★ decorations added, a
paragraph dropped, paragraphs reordered, a content-farm lead-in), and short same-topic
reports of different schools written from one template per topic (two sports meets, two
主题教育 rallies, …: these must stay apart). All go through the store's real path
(``pipelines.apply.apply_batch`` with the repost index) into a fresh SQLite file; pairs are then
scored against the known groups. Prints pairwise precision and recall, and ms per article.
"""
from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.items import ArticleItem  # noqa: E402
from pipelines.index import StoreIndex  # noqa: E402
from db.schema import open_db  # noqa: E402
from pipelines.apply import apply_batch  # noqa: E402
from demo.site import load_schools  # noqa: E402

SCHOOLS = ["嘉兴职业技术学院", "南湖交通运输职业学校", "红船中学", "海宁技师学院", "桐乡职业中专", "平湖职业中专",
           "嘉善中等专业学校", "秀洲现代实验学校"]
PLACES = ["学校田径场", "体育馆", "报告厅", "图书馆一楼", "行政楼会议室", "学术交流中心", "大礼堂", "实训中心"]
LEADERS = ["党委书记张建国", "校长李明华", "副校长王芳", "党委副书记陈立", "工会主席赵强", "团委书记周洁",
           "教务处长孙伟", "学工部长刘洋"]
TOPICS = [
    ("第{n}届田径运动会开幕", "{d}，{s}第{n}届田径运动会在{p}开幕。{l}致开幕词，{c}名运动员参加{e}个项目的角逐。"
     "本届运动会设置了{x}等特色项目，经过{k}天比赛，{w}获得团体总分第一名。"),
    ("召开学习贯彻主题教育动员大会", "{d}，{s}召开学习贯彻习近平新时代中国特色社会主义思想主题教育动员大会，{l}作动员讲话。"
     "会议对{x}作出部署，要求全体党员干部{w}。全校{c}名党员和中层干部在{p}参加会议。"),
    ("举行安全教育主题活动", "{d}，{s}在{p}举行安全教育主题活动，{l}出席并讲话。活动邀请{x}为{c}名师生讲解安全知识，"
     "并开展了{e}场应急疏散演练，{w}。"),
    ("与企业签订校企合作协议", "{d}，{s}与{x}签订校企合作协议，{l}出席签约仪式。双方将在{e}个专业共建实训基地，"
     "每年联合培养{c}名学生，{w}。"),
    ("开展七一主题党日活动", "{d}，{s}各党支部在{p}开展“七一”主题党日活动，{l}为{c}名党员讲授专题党课。"
     "活动中，党员们重温入党誓词，参观了{x}，{w}。"),
    ("学子在技能大赛中获奖", "{d}，在{x}中，{s}代表队获一等奖{e}项、二等奖{k}项。{l}对获奖师生表示祝贺，"
     "{c}名学生参加了赛前集训，{w}。"),
]
FILLERS = {
    "x": ["趣味接力和拔河", "理论学习和调查研究", "市消防支队教官", "嘉兴市公交集团", "南湖革命纪念馆", "全省职业院校技能大赛",
          "检视整改和建章立制", "市应急管理局专家", "浙江物产集团", "嘉兴党史馆", "全国职业院校技能大赛"],
    "w": ["计算机学院获精神文明奖", "以学促干推动学校高质量发展", "师生安全意识明显提高", "实现人才培养与就业无缝对接",
          "大家纷纷表示要以实际行动践行初心", "展示了学校技能人才培养的成果", "机电学院代表队表现突出", "做到学思用贯通"],
}


def _repost_variants(title: str, paragraphs: list[str], rng: random.Random) -> list[tuple[str, str, list[str]]]:
    def decorate(ps):
        out = []
        for p in ps:
            chars = list(p)
            for _ in range(max(1, len(chars) // 40)):
                chars.insert(rng.randrange(len(chars) + 1), rng.choice("★☆●◆"))
            out.append("".join(chars))
        return out

    def drop(ps):
        if len(ps) < 3:
            return ps
        i = rng.randrange(1, len(ps))
        return ps[:i] + ps[i + 1:]

    def reorder(ps):
        ps = list(ps)
        if len(ps) >= 3:
            i = rng.randrange(1, len(ps) - 1)
            ps[i], ps[i + 1] = ps[i + 1], ps[i]
        return ps

    lead = "下面是小编为大家整理的" + title + "，供大家参考。"
    variants = [
        ("retitled", "【转载】" + title, paragraphs),
        ("decorated", title, decorate(paragraphs)),
        ("dropped", title, drop(paragraphs)),
        ("reordered", title, reorder(paragraphs)),
        ("retitled+decorated", "【院校动态】" + title, decorate(paragraphs)),
        ("dropped+decorated", title, decorate(drop(paragraphs))),
        ("reordered+dropped", title + "（转）", reorder(drop(paragraphs))),
        ("content-farm", title + "(2023年)", [lead, *paragraphs]),
    ]
    return variants


def build_set(seed: int) -> list[dict]:
    rng = random.Random(seed)
    articles = []
    group = 0
    for school in load_schools().values():
        for article in school.articles:
            group += 1
            date = article["date"][:10]
            articles.append({"group": group, "kind": "original", "site": school.name, "title": article["title"],
                             "paragraphs": article["paragraphs"], "date": date})
            for index, (kind, title, paragraphs) in enumerate(_repost_variants(article["title"], article["paragraphs"],
                                                                               rng)):
                articles.append({"group": group, "kind": kind, "site": SCHOOLS[index % len(SCHOOLS)],
                                 "title": title, "paragraphs": paragraphs, "date": date[:8] + "28"})
    for topic_title, template in TOPICS:
        for number, school in enumerate(SCHOOLS):
            group += 1
            slots = {"d": f"{rng.randint(3, 11)}月{rng.randint(1, 28)}日", "s": school, "n": rng.randint(8, 40),
                     "p": rng.choice(PLACES), "l": rng.choice(LEADERS), "c": rng.randint(60, 1500),
                     "e": rng.randint(3, 30), "k": rng.randint(2, 3), "x": rng.choice(FILLERS["x"]),
                     "w": rng.choice(FILLERS["w"])}
            text = template.format(**slots)
            title = school + topic_title.format(**slots)
            date = f"2023-{rng.randint(3, 11):02d}-{rng.randint(1, 28):02d}"
            articles.append({"group": group, "kind": "same-topic", "site": school, "title": title,
                             "paragraphs": [text], "date": date})
            for kind, vtitle, paragraphs in [v for v in _repost_variants(title, [text], rng) if v[0] in (
                    "retitled", "decorated", "retitled+decorated", "content-farm")]:
                articles.append({"group": group, "kind": kind + " (short)", "site": SCHOOLS[7 - number],
                                 "title": vtitle, "paragraphs": paragraphs, "date": date})
    return articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    articles = build_set(args.seed)
    db = open_db(Path(tempfile.mkdtemp(prefix="neardup-")) / "reports.db")
    index = StoreIndex(db)
    items = [ArticleItem(url=f"http://127.0.0.1/{i}.htm", site=a["site"], title=a["title"],
                         text="\n".join(a["paragraphs"]), published_at=a["date"], author=None, source=None,
                         editor=None, views=None, fetched_at="2024-01-01T00:00:00+08:00")
             for i, a in enumerate(articles)]
    started = time.perf_counter()
    for start in range(0, len(items), 50):
        apply_batch(db, items[start:start + 50], run_id=None, index=index)
    elapsed = time.perf_counter() - started
    clusters = {url: cluster for url, cluster in db.execute("select url, cluster_id from articles")}
    by_url = {item.url: article for item, article in zip(items, articles)}

    tp = fp = fn = 0
    missed: dict[str, int] = {}
    merged: list[tuple[str, str]] = []
    for a, b in itertools.combinations(by_url, 2):
        same_group = by_url[a]["group"] == by_url[b]["group"]
        same_cluster = clusters[a] == clusters[b]
        if same_group and same_cluster:
            tp += 1
        elif same_cluster:
            fp += 1
            merged.append((by_url[a]["title"], by_url[b]["title"]))
        elif same_group:
            fn += 1
            kind = by_url[b]["kind"] if by_url[a]["kind"] == "original" else by_url[a]["kind"]
            missed[kind] = missed.get(kind, 0) + 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    groups = len({a["group"] for a in articles})
    same_topic = sum(a["kind"] == "same-topic" for a in articles)
    print(f"{len(articles)} articles in {groups} stories ({same_topic} short same-topic reports of distinct schools)")
    print(f"pairwise precision {precision:.3f}   recall {recall:.3f}   ({tp} pairs right, {fp} merged wrongly, "
          f"{fn} missed)")
    print(f"{elapsed * 1000 / len(items):.1f} ms per article (store, keywords, search index, MinHash, clustering)")
    for kind, count in sorted(missed.items()):
        print(f"  missed pairs involving {kind}: {count}")
    for pair in merged[:10]:
        print(f"  merged: {pair[0]} ~ {pair[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
