"""Memory and time of one night over a column whose list page is huge (issue: a 200,000-link
page peaked at 650 MB).

    .venv/bin/python benchmarks/huge_list.py [--links 170000] [--runs 3]

Serves, on 127.0.0.1, one column whose page 1 holds ``--links`` dated links in one block
(170,000 is about 19 MB: just under DOWNLOAD_MAXSIZE, the largest page the crawl downloads),
runs ``scheduler.py --once`` on it ``--runs`` times (``extraction_processes = 0``: one process to measure)
and prints the medians of the crawl process's peak RSS and of its wall time, beside a night
over a small list as the baseline of the process itself.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.site import Page  # noqa: E402
from tests.helpers import Host  # noqa: E402


def list_page(links: int) -> Page:
    items = "".join(f'<li><a href="/2024/0101/c1234a{80000 + n}/page.htm">第{n}条新闻：学校召开工作会议</a> 2024-01-01</li>'
                    for n in range(links))
    return Page(f'<html><head><meta charset="utf-8"><title>新闻</title></head><body><ul>{items}</ul></body></html>'
                .encode("utf-8"), "text/html; charset=utf-8")


# a fresh wrapper per night: RUSAGE_CHILDREN keeps the largest child ever waited for
_WRAPPER = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True, check=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def night(base: str, path: str, work: Path) -> tuple[float, float]:
    """One ``--once`` in a child; its peak RSS (MB) and wall time (s)."""
    config = work / "sites.toml"
    config.write_text(f'[[sites]]\nname = "大校"\nstart_urls = ["{base}{path}"]\nmax_links_per_list = 50\n'
                      '[crawl]\ndownload_delay = 0\nautothrottle = false\nextraction_processes = 0\n', encoding="utf-8")
    db_path = work / "huge.db"
    db_path.unlink(missing_ok=True)
    started = time.monotonic()
    peak_kb = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, str(ROOT / "scheduler.py"), "once",
                              "--config", str(config), "--db", str(db_path), "--quiet"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return int(peak_kb) / 1024, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=170_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    page = list_page(args.links)
    pages = {"/huge/list.htm": page, "/small/list.htm": list_page(20)}
    with Host("127.0.0.1", pages) as host, tempfile.TemporaryDirectory() as tmp:
        huge = [night(host.base, "/huge/list.htm", Path(tmp)) for _ in range(args.runs)]
        small = [night(host.base, "/small/list.htm", Path(tmp)) for _ in range(args.runs)]
    peak, seconds = statistics.median(f[0] for f in huge), statistics.median(f[1] for f in huge)
    small_peak, small_seconds = statistics.median(f[0] for f in small), statistics.median(f[1] for f in small)
    print(f"list page: {args.links:,} links, {len(page.body) / 2 ** 20:.1f} MB; medians of {args.runs} run(s); "
          f"machine load {open('/proc/loadavg').read().split()[0]}")
    print(f"  crawl process peak RSS: {peak:.0f} MB (a 20-link list: {small_peak:.0f} MB) -> "
          f"{peak - small_peak:+.0f} MB for the huge page")
    print(f"  night: {seconds:.1f} s (a 20-link list: {small_seconds:.1f} s)")


if __name__ == "__main__":
    main()
