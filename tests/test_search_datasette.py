"""Chinese search as users get it: a real Datasette on 127.0.0.1 over a crawl of the demo,
started with the README's command (``datasette DB -m db/metadata.yml``: the plugin comes
from the installed project's entry point, no --plugins-dir), as reports.db (what
metadata.yml names) and as demo.db (the plugin applies the same metadata to it)."""
from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from crawler.search.tagging import fts_query
from tests.helpers import ROOT

TERMS = ["党建", "运动会", "主题教育", "红船精神", "技能大赛", "校企合作", "立德树人", "安全教育", "党史学习教育"]
# the venv's own command, as the README runs it
DATASETTE = [str(Path(sys.executable).with_name("datasette"))]
if not Path(DATASETTE[0]).exists():
    DATASETTE = [sys.executable, "-m", "datasette"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db_path, *args, cwd):
    """``datasette DB_PATH ARGS`` on a free loopback port: yields the database's URL."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([*DATASETTE, str(db_path), *args, "-h", "127.0.0.1", "-p", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                    break
                except OSError:
                    if process.poll() is not None:
                        break
                    time.sleep(0.1)
            else:
                raise RuntimeError("datasette did not start in 30 s")
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace"))
            yield base + "/" + Path(db_path).stem
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module", params=["reports", "demo"])
def datasette(request, crawled, tmp_path_factory):
    _, db = crawled
    path = Path(db.conn.execute("PRAGMA database_list").fetchone()[2])
    if path.stem != request.param:
        copy = tmp_path_factory.mktemp("served") / f"{request.param}.db"
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        path = copy
    with serving(path, "-m", "db/metadata.yml", cwd=ROOT) as base:
        yield base, db


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


def test_plain_datasette_has_jieba_query(crawled, tmp_path):
    """``datasette DB`` alone, run outside the checkout: the entry point brings the plugin."""
    _, db = crawled
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    with serving(path, cwd=tmp_path) as base:
        rows = get(base + ".json", sql="select jieba_query('党建') as q", _shape="array")
        assert rows == [{"q": fts_query("党建")}]
        assert '"党建"' in rows[0]["q"]
        rows = get(base + ".json", _shape="array",
                   sql="select count(*) as n from articles_fts where articles_fts match jieba_query('党建')")
        same = db.execute("select count(*) from articles_fts where articles_fts match ?", [fts_query("党建")])
        assert rows[0]["n"] == same.fetchone()[0] > 0
        plugins = get(base.rsplit("/", 1)[0] + "/-/plugins.json")
        ours = [p for p in plugins if p["name"] == "school-news-monitor"]
        assert ours and "prepare_connection" in ours[0]["hooks"]
