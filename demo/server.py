"""Serve the demo schools over real HTTP, each school on its own loopback address.

Separate addresses (127.0.0.1, 127.0.0.2, …) make host boundaries real: a crawler that
wanders from one school into another is caught. Every request is logged per school so
tests can assert what was (and was never) fetched, and with what answer.

Like the web servers schools run, pages carry an ETag and a Last-Modified (the moment
this server first served that content) and answer conditional GETs with 304.
``show_next_day()`` switches every school to its state of the next day.
"""
from __future__ import annotations

import hashlib
import json
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from demo.site import Page, School, expected_articles, load_schools, site_pages

NOT_FOUND = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"


@dataclass(frozen=True)
class Hit:
    path: str
    status: int
    bytes: int  # body bytes sent
    conditional: bool  # the request carried If-None-Match / If-Modified-Since


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoCMS/1.0"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        path = parts.path
        # older school CMSs key pages by their query (news_show.asp?sid=101): served by path and query
        query_key = f"{path}?{parts.query}" if parts.query else None
        if self.server.delay:
            time.sleep(self.server.delay)
        if path in self.server.hanging:
            self.server.held.append(path)
            self.server.released.wait()
        if path != "/robots.txt" and self._inject_fault():
            return
        page = (query_key and self.server.pages.get(query_key)) or self.server.pages.get(path)
        if path in self.server.failures:
            page = Page(b"<html><body>Service Unavailable</body></html>", "text/html", self.server.failures[path])
        if page is None:
            page = Page(NOT_FOUND.encode(), "text/html; charset=utf-8", 404)
        etag, modified = self.server.validators(path, page)
        conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
        if page.status == 200 and self._not_modified(etag, modified):
            self.server.log.append(Hit(path, 304, 0, conditional))
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.server.log.append(Hit(path, page.status, len(page.body), conditional))
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        if page.status == 200:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(modified, usegmt=True))
        if page.location:
            self.send_header("Location", page.location)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(page.body)

    def _inject_fault(self) -> bool:
        """Under chaos(): answer 500/503, reset the connection, or hang past the client's timeout."""
        fault = self.server.next_fault()
        if fault is None:
            return False
        self.server.log.append(Hit(urlsplit(self.path).path, {"500": 500, "503": 503}.get(fault, 0), 0, False))
        if fault in ("500", "503"):
            self.send_response(int(fault))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if fault == "hang":
            self.server.released.wait(self.server.hang_s)
        # reset (and the end of a hang): RST instead of an answer
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()
        return True

    def _not_modified(self, etag: str, modified: float) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
            return etag in [tag.strip() for tag in match.split(",")] or match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(modified) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, format, *args):  # keep test and demo output quiet
        pass


class _SchoolServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, pages: dict[str, Page]):
        super().__init__(address, _Handler)
        self.pages = pages
        self.log: list[Hit] = []
        self.failures: dict[str, int] = {}  # path -> status to answer instead of the page
        self.delay = 0.0  # seconds before every answer: a slow school
        self.hanging: set[str] = set()  # paths that get no answer until heal() or stop()
        self.held: list[str] = []  # hanging paths asked for so far (their requests wait)
        self.released = threading.Event()
        self.fault_rate = 0.0  # share of requests that fail (see DemoServer.chaos)
        self.hang_s = 0.0
        self._random = random.Random(0)
        self._first_served: dict[str, tuple[str, float]] = {}  # path -> (etag, when first served)
        self._lock = threading.Lock()

    def next_fault(self) -> str | None:
        with self._lock:
            if self.fault_rate and self._random.random() < self.fault_rate:
                return self._random.choice(("500", "503", "reset", "hang"))
        return None

    def validators(self, path: str, page: Page) -> tuple[str, float]:
        etag = '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"'
        with self._lock:
            known = self._first_served.get(path)
            if known is None or known[0] != etag:
                # whole seconds, as HTTP dates carry; a change in the same second is a newer second
                moment = float(int(time.time()))
                if known is not None and moment <= known[1]:
                    moment = known[1] + 1
                known = self._first_served[path] = (etag, moment)
        return known


class DemoServer:
    """All demo schools, started and stopped together (a context manager)."""

    def __init__(self, schools: dict[str, School] | None = None, port: int = 0):
        self.schools = schools or load_schools()
        self.port = port
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []

    def start(self) -> "DemoServer":
        if self._servers:  # already serving
            return self
        for key, school in self.schools.items():
            try:
                server = _SchoolServer((school.host, self.port), site_pages(school))
            except OSError:
                self.stop()  # leave nothing half-started
                raise
            self._servers[key] = server
            thread = threading.Thread(target=server.serve_forever, name=f"demo-{key}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        # each shutdown waits up to serve_forever's 0.5 s poll: all at once, not 200 × 0.5 s in turn
        for server in self._servers.values():
            server.released.set()
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers.values()]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self._servers.values():
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def base_url(self, key: str) -> str:
        host, port = self._servers[key].server_address[:2]
        return f"http://{host}:{port}"

    def requests(self, key: str) -> list[str]:
        """Paths requested from school ``key``, in order."""
        return [hit.path for hit in self._servers[key].log]

    def hits(self, key: str | None = None) -> list[Hit]:
        """Every request answered (one school's, or all), with status and bytes."""
        keys = [key] if key else list(self._servers)
        return [hit for k in keys for hit in self._servers[k].log]

    def clear_log(self) -> None:
        for server in self._servers.values():
            server.log.clear()

    def fail(self, key: str, path: str, status: int = 503) -> None:
        """School ``key`` answers ``status`` for ``path`` until :meth:`heal`."""
        self._servers[key].failures[path] = status

    def replace(self, key: str, path: str, html: str) -> None:
        """School ``key`` answers ``path`` with ``html`` from now on (a redesigned page)."""
        self.serve(key, path, Page(html.encode("utf-8"), "text/html; charset=utf-8"))

    def serve(self, key: str, path: str, page: Page) -> None:
        """School ``key`` answers ``path`` with ``page`` from now on (any bytes, type, status)."""
        self._servers[key].pages = {**self._servers[key].pages, path: page}

    def page(self, key: str, path: str) -> Page | None:
        return self._servers[key].pages.get(path)

    def hang(self, key: str, path: str) -> None:
        """School ``key`` accepts requests for ``path`` and never answers them, until :meth:`heal`."""
        self._servers[key].hanging.add(path)

    def held(self, key: str) -> list[str]:
        """Paths of school ``key`` whose requests arrived and wait on a :meth:`hang`."""
        return list(self._servers[key].held)

    def chaos(self, rate: float, hang_s: float, seed: int = 0) -> None:
        """A share ``rate`` of requests (robots.txt aside) answer 500 or 503, get their connection
        reset, or hang ``hang_s`` seconds and are then reset; chosen by a seeded random."""
        for index, server in enumerate(self._servers.values()):
            server.fault_rate, server.hang_s = rate, hang_s
            server._random = random.Random(seed * 100 + index)

    def slow(self, seconds: float, school: str | None = None) -> None:
        """Every school (or the one keyed ``school``) waits ``seconds`` before each answer."""
        for key, server in self._servers.items():
            if school is None or key == school:
                server.delay = seconds

    def heal(self) -> None:
        for server in self._servers.values():
            server.failures.clear()
            server.hanging.clear()
            server.held.clear()
            server.delay = 0.0
            server.fault_rate = 0.0
            server.released.set()
            server.released = threading.Event()

    def show(self, schools: dict[str, School]) -> None:
        """Serve ``schools`` from now on (same keys and hosts): a later state of the same sites."""
        for key, school in schools.items():
            self._servers[key].pages = site_pages(school)
        self.schools = schools

    def show_next_day(self, repost: bool = False) -> None:
        from demo.next_day import next_day

        self.show(next_day(self.schools, repost))

    def config_dict(self, by_home: bool = False) -> dict:
        """A config (as parsed TOML) listing every demo school's news column, or (``by_home``)
        only each school's name and homepage, as a user who knows no column URL writes it."""
        sites = [{"name": school.name, "home": self.base_url(key) + "/"} if by_home else
                 {"name": school.name, "start_urls": [self.base_url(key) + school.list_path]}
                 for key, school in self.schools.items()]
        return {"sites": sites, "crawl": {"download_delay": 0.0, "autothrottle": False}}

    def config_toml(self, by_home: bool = False, **crawl) -> str:
        """The config as a sites.toml; ``crawl`` adds or replaces [crawl] keys (``recheck_days=36500``)."""
        lines = []
        for site in self.config_dict(by_home)["sites"]:
            where = f'home = "{site["home"]}"' if by_home else f'start_urls = ["{site["start_urls"][0]}"]'
            lines += ["[[sites]]", f'name = "{site["name"]}"', where, ""]
        crawl = {**self.config_dict()["crawl"], **crawl}
        lines += ["[crawl]", *(f"{key} = {json.dumps(value)}" for key, value in crawl.items())]
        return "\n".join(lines) + "\n"

    def expected(self) -> list[dict]:
        return expected_articles(self.schools, {key: self.base_url(key) for key in self.schools})


if __name__ == "__main__":  # python -m demo.server: browse the demo by hand
    with DemoServer(port=8000) as demo:
        for key in demo.schools:
            print(demo.base_url(key) + demo.schools[key].list_path)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
