"""Real list pages of schools collected for issue 22 (tests/pages, kind "list" with their
column's items by hand): the crawl asks for every item of the column it can follow, for
nothing else, finds the next page, and says when a list shows items it cannot follow."""
from __future__ import annotations

from urllib.parse import urljoin

import pytest
from scrapy.http import HtmlResponse

from crawler.config import parse_config
from crawler.extract.urls import canonical_url
from spiders.news import NewsSpider
from tests.helpers import MANIFEST, PAGES

WITH_ITEMS = [entry for entry in MANIFEST if entry["kind"] == "list" and "column_items" in entry]


def read(entry):
    url = entry["url"] or f"http://school.invalid/{entry['origin_path']}"
    config = parse_config({"sites": [{"name": "某校", "start_urls": [url]}]})
    response = HtmlResponse(url=url, body=(PAGES / entry["file"]).read_bytes(), encoding=entry["encoding"])
    return url, NewsSpider(config=config).read_list(response, config.sites[0], 1)


def followable(entry, url) -> list[str]:
    return [canonical_url(urljoin(url, item["href"])) for item in entry["column_items"]
            if not item["href"].startswith("javascript:")]


def test_the_collected_pages_are_there():
    assert len(WITH_ITEMS) >= 6 and len({entry["site"].split(" ")[0] for entry in WITH_ITEMS}) >= 4


@pytest.mark.parametrize("entry", WITH_ITEMS, ids=lambda e: e["file"])
def test_every_item_of_the_column_and_nothing_else(entry):
    url, (links, _, _, _) = read(entry)
    taken = [link for link, _, _ in links]
    assert set(followable(entry, url)) == set(taken)


@pytest.mark.parametrize("entry", WITH_ITEMS, ids=lambda e: e["file"])
def test_the_next_page(entry):
    url, (_, next_url, _, _) = read(entry)
    want = entry["pagination"]["next"]
    assert next_url == (canonical_url(urljoin(url, want)) if want else None)


@pytest.mark.parametrize("entry", WITH_ITEMS, ids=lambda e: e["file"])
def test_a_list_with_items_the_crawl_cannot_follow_is_partly_understood(entry):
    url, (_, _, _, coverage) = read(entry)
    unfollowable = len(entry["column_items"]) - len(followable(entry, url))
    assert coverage.partial == (unfollowable >= 2), coverage
