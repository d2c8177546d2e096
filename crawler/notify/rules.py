"""The ``[alerts]`` filters: which events reach people. One function per field of
:class:`crawler.config.AlertsConfig` that filters, registered in ``RULES`` with what it applies
to: a new rule is one field there and one function here (its key in sites.toml follows from
the field)."""
from __future__ import annotations

import json


def only_sites(event: dict, article: dict | None, names: tuple[str, ...]) -> bool:
    """Only these schools, for every kind of event (site-health alerts too)."""
    return event["site"] in names


def only_keywords(event: dict, article: dict, words: tuple[str, ...]) -> bool:
    """Reports whose title or text has one of these words."""
    haystack = f"{article['title'] or ''}\n{article['text'] or ''}"
    return any(word in haystack for word in words)


def only_topics(event: dict, article: dict, topics: tuple[str, ...]) -> bool:
    """Reports tagged with one of these watched topics."""
    return bool(set(json.loads(article["topics"] or "[]")) & set(topics))


# field of AlertsConfig -> (its rule, whether it filters reports only)
RULES = {
    "sites": (only_sites, False),
    "keywords": (only_keywords, True),
    "topics": (only_topics, True),
}


def wanted(event: dict, article: dict | None, config) -> bool:
    """Whether ``event`` passes every rule the config sets (a rule left empty passes all)."""
    is_report = event["kind"] == "report" and article is not None
    for field, (rule, reports_only) in RULES.items():
        value = getattr(config, field)
        if value and (is_report or not reports_only) and not rule(event, article, value):
            return False
    return True
