"""The reading room shared with colleagues, as the README sets it up: a reader's password hash
in the environment (SNM_READER_<name>_HASH, made by ``datasette hash-password``), a real
Datasette serving the store. Who has not logged in sees nothing (our pages, exports, the
feed and Datasette's own); a reader logs in on a Chinese page and reads; nobody can write."""
from __future__ import annotations

import http.cookiejar
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import DATASETTE, datasette_server

PASSWORD = "校园新闻2024"


def hashed(password: str) -> str:
    """The hash as the README makes it: ``datasette hash-password --no-confirm`` reading stdin."""
    result = subprocess.run([*DATASETTE, "hash-password", "--no-confirm"], input=password, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def shared(crawled):
    _, db = crawled
    path = Path(db.conn.execute("PRAGMA database_list").fetchone()[2])
    with datasette_server(path, "-m", "db/metadata.yml", env={"SNM_READER_zhangsan_HASH": hashed(PASSWORD)}) as root:
        yield root, path.stem, db


def browser_session():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


def ask(opener, url: str, data: dict | None = None) -> tuple[int, str, dict]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace"), _lower(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), _lower(error.headers)


def _lower(headers) -> dict:
    return {key.lower(): value for key, value in headers.items()}


def log_in(root: str, username: str, password: str):
    opener = browser_session()
    status, page, _ = ask(opener, root + "/-/login")
    assert status == 200 and "登录" in page and "Username" not in page
    token = re.search(r'name="csrftoken" value="([^"]+)"', page)[1]
    status, page, headers = ask(opener, root + "/-/login",
                                {"username": username, "password": password, "csrftoken": token})
    return opener, status, page, headers


def test_who_has_not_logged_in_sees_nothing(shared):
    root, name, _ = shared
    anonymous = browser_session()
    for path in ("/", f"/{name}", f"/{name}/articles", f"/{name}/articles/1", "/-/articles", "/-/articles.csv",
                 "/-/articles.xlsx", "/-/school?site=x", "/-/runs", "/-/feed.atom"):
        status, page, headers = ask(anonymous, root + path)
        assert status == 302 and headers["location"].endswith("/-/login"), (path, status)  # Datasette's pages too
        assert "党" not in page, path  # no article text leaks


def test_a_wrong_password_is_told_in_chinese(shared):
    root, _, _ = shared
    _, status, page, _ = log_in(root, "zhangsan", "wrong")
    assert status == 200 and "用户名或密码不对" in page


def test_a_reader_logs_in_and_reads_everything_but_can_write_nothing(shared):
    root, name, db = shared
    opener, status, _, headers = log_in(root, "zhangsan", PASSWORD)
    assert status == 302 and "ds_actor" in headers.get("set-cookie", "")
    status, page, _ = ask(opener, root + "/")
    assert status == 200 and "各学校状态" in page and "zhangsan" in page
    status, page, _ = ask(opener, root + "/-/articles?q=" + urllib.parse.quote("党建"))
    assert status == 200 and "共 " in page
    status, body, headers = ask(opener, root + "/-/articles.csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    before = db.execute("select count(*) from articles").fetchone()[0]
    status, page, _ = ask(opener, f"{root}/{name}?" + urllib.parse.urlencode({"sql": "delete from articles"}))
    assert status == 400 or "SELECT" in page or "select" in page
    assert db.execute("select count(*) from articles").fetchone()[0] == before


def test_the_first_page_links_the_feed_of_new_reports(shared):
    root, name, db = shared
    opener, _, _, _ = log_in(root, "zhangsan", PASSWORD)
    status, page, _ = ask(opener, root + "/")
    feed = re.search(r'<a class="snm-feed" href="([^"]+)"', page)
    assert feed and 'type="application/atom+xml"' in page
    status, atom, headers = ask(opener, root + feed[1])
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    assert "<feed" in atom
