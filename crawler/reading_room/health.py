"""A school's health as the store decides it (db/schema.py: HEALTH_VIEWS), in words."""
from __future__ import annotations

from db.schema import HEALTH_VIEWS

# what each problem means to an office, beyond its label (the event's detail follows)
PROBLEM_WORDS = {
    "failing": "网站无法访问或大量页面出错",
    "empty": "栏目页上找不到文章链接，网站可能已改版",
    "metadata": "文章的发布时间或来源读不出来",
    "nothing": "栏目页有回应，却没有存下任何文章",
    "coverage": "栏目列表只识别了一部分文章",
}


async def health_prefix(db) -> str:
    """"" when the store has its health views; else their definitions as a WITH clause, so a
    store written by an earlier version (views come with the next crawl's migration) reads too."""
    have = (await db.execute("select count(*) from sqlite_master where type = 'view' "
                             "and name in ('site_problems', 'site_health')")).first()[0]
    if have == len(HEALTH_VIEWS):
        return ""
    return "with " + ", ".join(f"{name} as ({sql})" for name, sql in HEALTH_VIEWS.items()) + " "


def problem_words(problem: str, detail: str | None, labels: dict) -> str:
    """A problem as a sentence: its label, what it means, and the run's own detail."""
    label = labels.get("problem", {}).get(problem, problem)
    meaning = PROBLEM_WORDS.get(problem)
    words = f"{label}：{meaning}" if meaning else label
    return f"{words}。{detail}" if detail else words + "。"
