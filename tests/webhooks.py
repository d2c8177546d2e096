"""A webhook receiver on 127.0.0.1 for Apprise's json:// channel: what users' bots would get.

``Receiver(failing=True)`` answers 500 until ``recover()``: a channel that is down;
``Receiver(accept_only=1)`` takes one message and then fails: a channel that breaks mid-digest;
``Receiver(answer_after=3)`` takes each message, then answers only after 3 s: a slow bot that
got the message while the sender gave up waiting.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        receiver = self.server.receiver
        with receiver.lock:
            receiver.attempts += 1
            room = receiver.accept_only is None or len(receiver.messages) < receiver.accept_only
            accepted = room and not receiver.failing
            if accepted:
                receiver.messages.append(json.loads(body))
        time.sleep(receiver.answer_after)
        try:
            self.send_response(200 if accepted else 500)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:  # the sender stopped waiting and closed the connection
            pass

    def log_message(self, format, *args):
        pass


class Receiver:
    def __init__(self, failing: bool = False, accept_only: int | None = None, answer_after: float = 0.0):
        self.failing = failing
        self.accept_only = accept_only  # accept this many messages, then fail the rest
        self.answer_after = answer_after  # seconds between taking a message and answering
        self.messages: list[dict] = []  # Apprise's JSON: {"title", "message", "type", "version"}
        self.attempts = 0
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.receiver = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def recover(self) -> None:
        self.failing = False
        self.accept_only = None

    def take(self) -> list[dict]:
        """Messages received since the last take()."""
        with self.lock:
            messages, self.messages = self.messages, []
            self.attempts = 0
        return messages

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def text_of(messages: list[dict]) -> str:
    return "\n".join(f"{m.get('title', '')}\n{m.get('message', '')}" for m in messages)
