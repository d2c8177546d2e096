"""Chinese search as users get it: a real Datasette on 127.0.0.1 over a crawl of the demo,
started with the README's command (metadata.yml and the plugins directory)."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from tests.helpers import ROOT

TERMS = ["党建", "运动会", "主题教育", "红船精神", "技能大赛", "校企合作", "立德树人", "安全教育", "党史学习教育"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def datasette(crawled):
    _, db = crawled
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", path, "-m", str(ROOT / "db" / "metadata.yml"),
         "--plugins-dir", str(ROOT / "db" / "plugins"), "-h", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode())
            time.sleep(0.1)
    name = path.rsplit("/", 1)[1].rsplit(".", 1)[0]
    yield base + "/" + name, db
    process.terminate()
    process.wait(timeout=10)


def get(url: str, **params):
    with urllib.request.urlopen(url + "?" + urllib.parse.urlencode(params), timeout=30) as response:
        return json.loads(response.read())


def containing(db, *terms) -> set[int]:
    rows = db.execute("select id, title || char(10) || text from articles").fetchall()
    return {i for i, text in rows if all(t in text for t in terms)}


@pytest.mark.parametrize("term", TERMS)
def test_search_finds_every_article_with_the_word(datasette, term):
    base, db = datasette
    found = {row["id"] for row in get(base + "/search.json", q=term, _shape="array")}
    truth = containing(db, term)
    assert truth, f"the demo has no article with {term}"
    assert len(found & truth) >= 0.9 * len(truth)  # recall
    assert len(found & truth) >= 0.9 * len(found)  # precision


def test_search_with_two_words_needs_both(datasette):
    base, db = datasette
    found = {row["id"] for row in get(base + "/search.json", q="党建 立德树人", _shape="array")}
    truth = containing(db, "党建", "立德树人")
    assert truth and found == truth
    assert containing(db, "党建") - truth  # a real narrowing


def test_search_rows_carry_what_users_read(datasette):
    base, _ = datasette
    rows = get(base + "/search.json", q="党建", _shape="array")
    assert {"url", "title", "site", "published_at"} <= set(rows[0])


def test_table_search_box_finds_a_single_word(datasette):
    base, db = datasette
    found = {row["id"] for row in get(base + "/articles.json", _search="党建", _shape="array", _size="max")}
    truth = containing(db, "党建")
    assert len(found & truth) >= 0.9 * len(truth)


def test_facets_and_canned_queries(datasette):
    base, _ = datasette
    facets = get(base + "/articles.json", _size="0")["facet_results"]
    assert {"site", "source", "month", "topics"} <= set(facets)
    assert len(facets["site"]["results"]) == 3
    for query in ("latest", "new_in_last_run", "reposts", "announced"):
        assert "rows" in get(base + f"/{query}.json")
    assert len(get(base + "/latest.json", _shape="array")) == 17
    # a first crawl is three school baselines, not 17 new reports
    events = get(base + "/events.json", _shape="array")
    assert sorted(e["kind"] for e in events) == ["baseline"] * 3
    assert get(base + "/announced.json", _shape="array") == []
