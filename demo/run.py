"""``scheduler.py demo``: the bundled demo schools, served on loopback, refreshed two nights in a
row into db/demo.db (the first crawl, then the schools a day later), with a summary each.

No network is needed: this is what the README's first command runs on a fresh machine.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from crawler.config import parse_config
from crawler.runtime.child import SCHEDULER_SCRIPT
from crawler.runtime.once import DEMO_DB, refresh_and_report
from demo.server import DemoServer

DEMO_PORT = 18601  # fixed: the demo's URLs stay stable, so a second --demo run finds its articles known
DEMO_RECHECK_DAYS = 36500  # the demo's articles are from 2022-2023: young enough to be revalidated (edits seen)


def run_demo(db_path: str | None, log_level: str) -> int:
    """Serve the bundled demo schools on loopback and refresh ``db_path`` (db/demo.db) from them."""
    db_path = db_path or DEMO_DB
    # a fixed port keeps the demo's URLs stable, so a second --demo run finds its articles known
    try:
        demo = DemoServer(port=DEMO_PORT).start()
    except OSError as exc:
        print(f"error: cannot serve the demo on port {DEMO_PORT} of 127.0.0.1-3: {exc.strerror}", file=sys.stderr)
        return 1
    with demo:
        raw = demo.config_dict()
        raw["crawl"]["recheck_days"] = DEMO_RECHECK_DAYS
        config = parse_config(raw, "<demo>")
        for site in config.sites:
            print(f"demo school {site.name}: {site.start_urls[0]}", file=sys.stderr)
        print("\n== Night 1: the first crawl (a baseline: no alert for the archive)", file=sys.stderr)
        code = refresh_and_report(config, db_path, log_level)
        if code == 0:
            code = _next_night(demo, db_path, log_level)
    print(f"\nBrowse it: .venv/bin/datasette {db_path} -m db/metadata.yml")
    return code


def _next_night(demo, db_path: str, log_level: str) -> int:
    """The demo a day later (new reports, an edit, a deleted article, a repost of another
    school's story), refreshed by a child ``--once``: Scrapy's reactor runs once per process."""
    demo.show_next_day(repost=True)
    print("\n== Night 2: the next day (2 new reports, an edit, a deletion, a repost)", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="demo-") as work:
        config = Path(work) / "sites.toml"
        config.write_text(demo.config_toml(recheck_days=DEMO_RECHECK_DAYS), encoding="utf-8")
        command = [sys.executable, str(SCHEDULER_SCRIPT), "once",
                   "--config", str(config), "--db", db_path, *(["--quiet"] if log_level != "INFO" else [])]
        return subprocess.run(command).returncode
