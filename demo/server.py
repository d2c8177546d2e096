"""Serve the demo schools over real HTTP, each school on its own loopback address.

Separate addresses (127.0.0.1, 127.0.0.2, …) make host boundaries real: a crawler that
wanders from one school into another is caught. Every request is logged per school so
tests can assert what was (and was never) fetched.
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from demo.site import Page, School, expected_articles, load_schools, site_pages

NOT_FOUND = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoCMS/1.0"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        self.server.requests.append(path)
        page = self.server.pages.get(path)
        if page is None:
            page = Page(NOT_FOUND.encode(), "text/html; charset=utf-8", 404)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        if page.location:
            self.send_header("Location", page.location)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, format, *args):  # keep test and demo output quiet
        pass


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
                server = ThreadingHTTPServer((school.host, self.port), _Handler)
            except OSError:
                self.stop()  # leave nothing half-started
                raise
            server.daemon_threads = True
            server.pages = site_pages(school)
            server.requests = []
            self._servers[key] = server
            thread = threading.Thread(target=server.serve_forever, name=f"demo-{key}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
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
        return list(self._servers[key].requests)

    def config_dict(self) -> dict:
        """A config (as parsed TOML) listing every demo school's news column."""
        sites = [{"name": school.name, "start_urls": [self.base_url(key) + school.list_path]}
                 for key, school in self.schools.items()]
        return {"sites": sites, "crawl": {"download_delay": 0.0, "autothrottle": False}}

    def config_toml(self) -> str:
        lines = []
        for site in self.config_dict()["sites"]:
            lines += ["[[sites]]", f'name = "{site["name"]}"', f'start_urls = ["{site["start_urls"][0]}"]', ""]
        lines += ["[crawl]", "download_delay = 0.0", "autothrottle = false", ""]
        return "\n".join(lines)

    def expected(self) -> list[dict]:
        return expected_articles(self.schools, {key: self.base_url(key) for key in self.schools})


if __name__ == "__main__":  # python -m demo.server: browse the demo by hand
    import time

    with DemoServer(port=8000) as demo:
        for key in demo.schools:
            print(demo.base_url(key) + demo.schools[key].list_path)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
