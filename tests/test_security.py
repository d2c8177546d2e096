"""Nothing listens: a crawl opens no port (Scrapy's telnet console and its RemoteControl
extension are off), checked on the live process through /proc.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from demo.server import DemoServer
from tests.helpers import ROOT

LISTEN = "0A"  # TCP state in /proc/net/tcp


def listening_ports(pid: int) -> set[int]:
    """TCP ports the process ``pid`` listens on (IPv4 and IPv6)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def test_a_crawl_opens_no_listening_port(tmp_path):
    with DemoServer() as demo:
        demo.slow(0.3)
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")
        crawl = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--once", "--config", str(config),
                                  "--db", str(tmp_path / "reports.db")], cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        seen, samples = set(), 0
        while crawl.poll() is None:
            try:
                seen |= listening_ports(crawl.pid)
                samples += 1
            except (FileNotFoundError, ProcessLookupError):
                break
            time.sleep(0.1)
        assert crawl.wait(timeout=120) == 0
    assert samples >= 10  # it was watched while it crawled
    assert seen == set()
