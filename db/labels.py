"""The Chinese words for the store's coded values (a run's status ok/partial/failed, an event's
kind, a site problem), as db/metadata.yml gives them to Datasette: one table for the reading
room and the command line's summary."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

METADATA = Path(__file__).with_name("metadata.yml")
PLUGIN = "school-news-monitor"


@lru_cache(maxsize=1)
def value_labels() -> dict[str, dict[str, str]]:
    """column -> value -> its Chinese label."""
    data = yaml.safe_load(METADATA.read_text(encoding="utf-8")) or {}
    return ((data.get("plugins") or {}).get(PLUGIN) or {}).get("values") or {}


def label(column: str, value: str | None) -> str:
    """``value``'s Chinese label in ``column`` (the value itself when it has none)."""
    if value is None:
        return "—"
    return value_labels().get(column, {}).get(value, value)
