"""Every CMS family of crawler/extract/cms.py is one entry plus a saved real page: the page's
manifest entry names the family, the table recognises the page as that family, and (in
test_extract_corpus.py) every field of the page is checked exactly."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from crawler.extract import decode_html_bytes
from crawler.extract.cms import FAMILIES, family_of
from crawler.extract.links import looks_like_article, looks_like_list_page
from tests.helpers import MANIFEST, PAGES, page_url

NAMES = {family.name for family in FAMILIES}
WITH_FAMILY = [entry for entry in MANIFEST if entry.get("family")]


def tree_of(entry):
    return lxml.html.fromstring(decode_html_bytes((PAGES / entry["file"]).read_bytes()))


@pytest.mark.parametrize("family", sorted(NAMES))
def test_every_family_has_a_saved_article_page(family):
    pages = [e["file"] for e in WITH_FAMILY if e["family"] == family and e["kind"] == "article"]
    assert pages, f"CMS family {family!r} has no saved page in tests/pages: add one, with its expected fields"


def test_the_manifest_names_families_of_the_table():
    assert {e["family"] for e in WITH_FAMILY} <= NAMES


@pytest.mark.parametrize("entry", [e for e in WITH_FAMILY if e["kind"] == "article"], ids=lambda e: e["file"])
def test_each_saved_article_is_recognised_as_its_family(entry):
    found = family_of(page_url(entry), tree_of(entry))
    assert found is not None and found.name == entry["family"]


@pytest.mark.parametrize("entry", [e for e in WITH_FAMILY if e["kind"] == "list"], ids=lambda e: e["file"])
def test_each_saved_list_page_has_its_family_shapes(entry):
    """The list page's next page and its items have the URL shapes its family's entry says
    (a column's first page has its own name in VSB: tzgg.htm; its numbered pages have the shape)."""
    family = next(f for f in FAMILIES if f.name == entry["family"])
    base = page_url(entry)
    if entry["pagination"]["next"] and not entry["pagination"].get("shape_note"):
        next_page = urljoin(base, entry["pagination"]["next"])
        assert looks_like_list_page(next_page) and family.list_url.search(urlsplit(next_page).path)
    for item in (entry["first_item"], entry["last_item"]):
        url = urljoin(base, item["href"])
        if not item["href"].startswith("javascript:"):
            assert family.article_url.search(urlsplit(url).path) and looks_like_article(url)

