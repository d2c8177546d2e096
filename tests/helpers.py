"""What the tests share: paths, the saved pages and their ground truth, running the command
line as a user does, and the store checks several tests make. Tests import from here,
never from each other or from conftest."""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from demo.site import Page

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "pages"  # saved real pages; manifest.json names each one's origin
SEEDS = PAGES / "seeds"
MANIFEST = json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))
DEMO_ARTICLES = 17
YOUNG = 36500  # recheck_days that makes every demo article (2022-2023) young enough to revalidate


def page_url(entry: dict) -> str:
    """A saved page's own address; where it was not recorded, a stand-in host with the page's
    path on its site (relative links resolve as they did there)."""
    return entry["url"] or f"http://school.invalid/{entry['origin_path']}"


def saved_page(name: str) -> tuple[bytes, dict]:
    """A saved page's bytes and its manifest entry, by file name (``"025.html"``)."""
    entry = next(e for e in MANIFEST if e["file"] == name)
    return (PAGES / name).read_bytes(), entry


def run_cli(*args, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python scheduler.py ARGS`` in a fresh process (Scrapy's reactor runs once per process).

    ``env`` adds environment variables (the secrets alert URLs refer to)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "scheduler.py"), *map(str, args)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )


def count_articles(db_path) -> tuple[int, int]:
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM articles").fetchone()
    except sqlite3.OperationalError:
        return (0, 0)
    finally:
        conn.close()


def check_store(db_path) -> None:
    """integrity_check ok, no article twice, none half-written, each in the search index."""
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        total, distinct = conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM articles").fetchone()
        assert total == distinct
        incomplete = conn.execute(
            "SELECT url FROM articles WHERE title IS NULL OR title = '' OR text IS NULL OR text = '' "
            "OR content_hash IS NULL OR keywords IS NULL OR id NOT IN (SELECT rowid FROM articles_fts)").fetchall()
        assert incomplete == []
    finally:
        conn.close()


COMPARED = ("url", "title", "text", "published_at", "author", "source", "editor", "views", "keywords", "topics",
            "month", "content_hash")


def rows(db_path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        found = conn.execute(f"SELECT {', '.join(COMPARED)} FROM articles ORDER BY url").fetchall()
        clusters = conn.execute("SELECT a.url, c.url FROM articles a JOIN articles c ON c.id = a.cluster_id "
                                "ORDER BY a.url").fetchall()
        # the search index keeps no text (content=''): its per-article digest of what it indexed
        search = conn.execute("SELECT a.url, s.digest FROM articles a JOIN search_rows s ON s.article_id = a.id "
                              "ORDER BY a.url").fetchall()
        return [found, clusters, search]
    finally:
        conn.close()


def alerts_toml(*urls: str, **keys) -> str:
    lines = ["", "[alerts]", "urls = [" + ", ".join(f'"{u}"' for u in urls) + "]"]
    lines += [f"{key} = {value!r}" for key, value in keys.items()]
    return "\n".join(lines) + "\n"


# the run summary's counters that do not depend on how the work was spread
ACCOUNTED = ("site", "status", "list_pages", "article_pages", "not_modified", "new_articles", "changed_articles",
             "gone_articles", "skipped_known", "broken_links", "errors")


def accounting(db_path, run_id: int) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(f"SELECT {', '.join(ACCOUNTED)} FROM crawl_run_sites WHERE run_id = ? ORDER BY site",
                            (run_id,)).fetchall()
    finally:
        conn.close()


def query(db_path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


class Host:
    """One loopback address serving ``pages`` (path -> Page), recording every path asked."""

    def __init__(self, address: str, pages: dict[str, Page] | None = None, default: Page | None = None):
        self.pages = dict(pages or {})
        self.default = default  # the answer to any other path (None: 404)
        self.hits: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                path = urlsplit(self.path).path
                host.hits.append(path)
                page = host.pages.get(path) or host.default or Page(b"not found", "text/plain", 404)
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                if page.location:
                    self.send_header("Location", page.location)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "Host":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


DATASETTE = [str(Path(sys.executable).with_name("datasette"))]
if not Path(DATASETTE[0]).exists():
    DATASETTE = [sys.executable, "-m", "datasette"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def datasette_server(db_path, *args, cwd=ROOT, env: dict | None = None):
    """A real ``datasette DB_PATH ARGS`` (as the README starts it) on a free loopback port:
    yields the server's root URL; stopped afterwards, killed if it hangs. ``env`` adds
    environment variables (a reader's password hash)."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([*DATASETTE, str(db_path), *args, "-h", "127.0.0.1", "-p", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env={**os.environ, **(env or {})})
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                    break
                except urllib.error.HTTPError:
                    break  # it answers (403: only readers who logged in may look)
                except OSError:
                    if process.poll() is not None:
                        break
                    time.sleep(0.1)
            else:
                raise RuntimeError("datasette did not start in 30 s")
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace"))
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
