"""Per-site XPath overrides (``body_xpath``, ``title_xpath``, ``date_xpath``, ``noise_xpaths``),
each on a saved real page from tests/pages, and their checks when the config is loaded."""
from __future__ import annotations

import pytest

from crawler.config import ConfigError, parse_config
from crawler.extract import decode_html_bytes, extract
from crawler.extract.overrides import ExtractOverrides
from tests.helpers import saved_page


def saved(name: str):
    body, entry = saved_page(f"{name}.html")
    return decode_html_bytes(body), entry


def test_body_xpath_reads_only_that_container():
    html, entry = saved("025")  # a 2004 ASP page: the body is a <font class="news"> inside layout tables
    article = extract(html, entry["url"], overrides=ExtractOverrides(body_xpath=entry["body_container_xpath"]))
    assert article.text.startswith(entry["body_first_sentence"][:20])
    assert article.text.rstrip().endswith(entry["body_last_sentence"][-15:])


def test_noise_xpaths_remove_elements_before_reading():
    html, entry = saved("002")  # the credit line "…供稿 摄影/张艳 编辑/苏芳" closes the body
    plain = extract(html, entry["url"])
    assert entry["body_last_sentence"] in plain.text
    pruned = extract(html, entry["url"], overrides=ExtractOverrides(
        noise_xpaths=('//div[@id="z"]/p[contains(., "供稿")]',)))
    assert "供稿" not in pruned.text
    assert entry["body_last_prose_sentence"] in pruned.text


def test_title_xpath_wins_over_the_generic_title():
    html, entry = saved("002")  # the heading carries a 【…】 column prefix some users do not want
    heading = '//div[starts-with(@id, "ArticleContentBlockTitle")]/div[@class="title"]'
    article = extract(html, entry["url"], overrides=ExtractOverrides(title_xpath=heading))
    assert article.title == entry["title"]
    # the XPath can pick any part of the heading: here what follows the 【…】 prefix
    article = extract(html, entry["url"], overrides=ExtractOverrides(title_xpath=f'substring-after({heading}, "】")'))
    assert article.title == entry["title"].split("】", 1)[1]


def test_date_xpath_wins_over_the_info_line():
    html, entry = saved("017")  # a speech: published 2025-02-28, delivered on the 2025.02.17 shown in the body
    assert extract(html, entry["url"]).published_at == "2025-02-28"
    delivered = extract(html, entry["url"], overrides=ExtractOverrides(
        date_xpath='//div[@class="conTxt"]//p[contains(., "2025.02.17")]'))
    assert delivered.published_at == "2025-02-17"


@pytest.mark.parametrize("key, value, message", [
    ("body_xpath", "//div[@class='x'", "不是有效的 XPath"),
    ("title_xpath", "", "非空的 XPath"),
    ("noise_xpaths", ["//div[", "//p"], "不是有效的 XPath"),
    ("noise_xpaths", 3, "XPath 字符串的列表"),
])
def test_bad_override_is_a_config_error_naming_site_and_key(key, value, message):
    config = {"sites": [{"name": "嘉禾职院", "start_urls": ["https://www.example.edu.cn/xwdt/list.htm"], key: value}]}
    with pytest.raises(ConfigError) as caught:
        parse_config(config, "sites.toml")
    assert "嘉禾职院" in str(caught.value) and key in str(caught.value) and message in str(caught.value)


def test_overrides_reach_the_site():
    config = {"sites": [{"name": "嘉禾职院", "start_urls": ["https://www.example.edu.cn/xwdt/list.htm"],
                         "body_xpath": '//div[@id="z"]', "noise_xpaths": ['//p[@class="share"]']}]}
    site = parse_config(config).sites[0]
    assert site.overrides == ExtractOverrides(body_xpath='//div[@id="z"]', noise_xpaths=('//p[@class="share"]',))
