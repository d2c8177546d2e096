"""Scale-out benchmark: one refresh with 1, 2 and 4 cluster workers, politeness on.

    .venv/bin/python benchmarks/cluster.py [--schools 200] [--articles 8] [--latency 1.0] [--delay 1.0]
                                           [--workers 1,2,4] [--runs 3]

Serves ``--schools`` generated schools on 127.0.0.1… with ``--articles`` each, every
answer taking ``--latency`` seconds (a school's server across the Internet; on loopback
an answer takes a millisecond, which no real school gives). The config keeps the
product's politeness: robots.txt, ``download_delay`` per school (randomized 0.5–1.5×, kept
across the whole cluster), 16 connections a worker. Starts a private redis-server, then
per run: N × ``scheduler.py --worker`` and one coordinator (``scheduler.py --once``) into a
fresh SQLite file. Wall time is the coordinator's, from start to exit (it includes the
workers' start-up on the published run). Prints medians, the speedup against one worker,
and the articles stored (every run must store them all).
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.generated import generated_schools  # noqa: E402
from demo.server import DemoServer  # noqa: E402
from tests.redis_server import redis_server  # noqa: E402

PER_PAGE = 10


def one_run(demo: DemoServer, redis_url: str, workers: int, delay: float, work: Path, name: str) -> tuple[float, int]:
    """(wall seconds, articles stored) of one refresh with ``workers`` workers."""
    config = work / f"{name}.toml"
    config.write_text(demo.config_toml(download_delay=delay, obey_robots=True, max_pages=50)
                      + f'\n[cluster]\nredis_url = "{redis_url}"\nkey_prefix = "{name}"\n', encoding="utf-8")
    db_path = work / f"{name}.db"
    logs = open(work / f"{name}-workers.log", "wb")
    crew = [subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--worker", "--quiet", "--config",
                              str(config)], cwd=ROOT, stdout=logs, stderr=subprocess.STDOUT, start_new_session=True)
            for _ in range(workers)]
    try:
        time.sleep(2)  # the workers are waiting for a run, as they would be at night
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "once", "--quiet", "--config",
                                 str(config), "--db", str(db_path)], cwd=ROOT, capture_output=True, text=True)
        wall = time.monotonic() - started
    finally:
        for process in crew:
            os.killpg(process.pid, signal.SIGTERM)
        for process in crew:
            process.wait()
        logs.close()
    if result.returncode != 0:
        raise SystemExit(f"refresh failed ({result.returncode}):\n{result.stderr[-3000:]}")
    import sqlite3

    conn = sqlite3.connect(db_path)
    stored = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    conn.close()
    return wall, stored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--articles", type=int, default=8, help="articles per school")
    parser.add_argument("--latency", type=float, default=1.0, help="seconds each answer takes")
    parser.add_argument("--delay", type=float, default=1.0, help="download_delay: seconds between requests to a school")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    expected = args.schools * args.articles
    print(f"{args.schools} schools × {args.articles} articles, answers in {args.latency:g} s, "
          f"download_delay {args.delay:g} s per school, {args.runs} run(s) each; worker counts {counts}", flush=True)
    walls: dict[int, list[float]] = {n: [] for n in counts}
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as tmp, redis_server() as redis_url, \
            DemoServer(generated_schools(args.schools, args.articles, per_page=PER_PAGE, varied=True)) as demo:
        demo.slow(args.latency)
        for run in range(1, args.runs + 1):
            for n in counts:  # interleaved, so a slow moment of the machine hits every count alike
                wall, stored = one_run(demo, redis_url, n, args.delay, Path(tmp), f"bench-{run}-{n}")
                walls[n].append(wall)
                print(f"  run {run}: {n} worker(s): {wall:6.1f} s, {stored} of {expected} articles stored", flush=True)
                if stored != expected:
                    raise SystemExit("not every article was stored: the benchmark is void")
    base = statistics.median(walls[counts[0]])
    print(f"\n{'workers':>8}{'wall s (median)':>17}{'min':>8}{'max':>8}{'speedup':>9}{'articles/s':>12}")
    for n in counts:
        median = statistics.median(walls[n])
        print(f"{n:>8}{median:>17.1f}{min(walls[n]):>8.1f}{max(walls[n]):>8.1f}{base / median:>8.2f}×"
              f"{expected / median:>12.1f}")
    floor = (args.articles + args.articles // PER_PAGE + 2) * args.delay
    print(f"\nfloor set by politeness alone: about {floor:.0f} s (each school's pages one {args.delay:g} s apart)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
