"""Throughput benchmark: the full pipeline against Scrapy + trafilatura alone, on the same pages.

    .venv/bin/python benchmarks/throughput.py [--articles 5000] [--large 20000] [--runs 3] [--schools 5]

Serves generated schools on 127.0.0.1… (demo templates, keep-alive HTTP/1.1) and, per run:

1. the full pipeline: ``scheduler.py --once`` into a fresh SQLite file (extraction, dedupe,
   tagging, search index, events, feed), politeness off for the benchmark only (no delay,
   no AutoThrottle, 16 connections);
2. the yardstick: ``benchmarks/bare_crawl.py``, a stock Scrapy spider running trafilatura on
   exactly the pages the pipeline fetched, at the same concurrency, storing nothing.

``--profile`` adds one run of the pipeline with extraction in the crawl process, under
cProfile, and prints where its CPU goes per stored article, stage by stage (trafilatura, our
rules, jieba, MinHash, SQLite, Scrapy …): profiling slows Python code more than C, so the
shares point where to cut, the timed runs say how fast it is.

Each is its own process, measured from outside: wall time, CPU time (user + system, from
``wait4``), the largest process's peak RSS (its ``VmHWM`` in /proc, not ``ru_maxrss``: a child
started from this process inherits this process's own peak in it, the generated schools' pages
served from here, 500 MB at 50,000 articles) and an RSS curve sampled from /proc against pages
served. Prints medians over ``--runs``, the ratio of the two rates, and the pipeline's
memory curve at ``--articles`` and at ``--large`` articles.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from demo.generated import generated_schools  # noqa: E402
from demo.server import DemoServer  # noqa: E402

CONCURRENCY = 16  # Scrapy's default CONCURRENT_REQUESTS, for both


@dataclass
class Measured:
    pages: int  # answered 200 by the server during the run
    wall_s: float
    cpu_s: float
    peak_rss_mb: float  # the largest single process (VmHWM, read while it runs)
    curve: list[tuple[int, float, float]] = field(default_factory=list)  # (pages served, main MB, all MB)
    stored: int = 0

    @property
    def peak_main_mb(self) -> float:
        return max((main for _, main, _ in self.curve), default=float("nan"))

    @property
    def peak_total_mb(self) -> float:
        return max((total for _, _, total in self.curve), default=float("nan"))

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s


def run_measured(cmd: list[str], demo: DemoServer, log: Path) -> Measured:
    """Run ``cmd`` as a child; time it, and sample its RSS against the server's page count."""
    demo.clear_log()
    curve: list[tuple[int, float]] = []
    started = time.perf_counter()
    with open(log, "wb") as out:
        child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        done = threading.Event()
        peaks: dict[int, float] = {}
        sampler = threading.Thread(target=_sample_rss, args=(child.pid, demo, curve, done, peaks), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    if child.returncode != 0:
        sys.exit(f"{' '.join(cmd[1:3])} failed (exit {child.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
    pages = sum(hit.status == 200 for hit in demo.hits())
    return Measured(pages, wall, usage.ru_utime + usage.ru_stime, max(peaks.values(), default=float("nan")), curve)


def _sample_rss(pid: int, demo: DemoServer, curve: list, done: threading.Event, peaks: dict) -> None:
    """Every 0.25 s: pages served so far, the crawl process's RSS, and its extraction processes'
    together; and each process's peak so far (``VmHWM``) in ``peaks``."""
    while not done.wait(0.25):
        tree = [pid, *_descendants(pid)]
        for process in tree:
            peak = _status_mb(process, "VmHWM:")
            if peak is not None:
                peaks[process] = max(peaks.get(process, 0.0), peak)
        sizes = [_rss_mb(p) for p in tree]
        if sizes[0] is None:  # exited between two samples
            continue
        curve.append((sum(hit.status == 200 for hit in demo.hits()), sizes[0], sum(x or 0 for x in sizes)))


def _descendants(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            children = [int(x) for x in handle.read().split()]
    except OSError:
        return []
    return [grand for child in children for grand in (child, *_descendants(child))]


def _rss_mb(pid: int) -> float | None:
    return _status_mb(pid, "VmRSS:")


def _status_mb(pid: int, field: str) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field)) / 1024
    except (OSError, StopIteration):
        return None


def full_pipeline(demo: DemoServer, config: Path, work: Path, label: str) -> Measured:
    db_path = work / f"{label}.db"
    measured = run_measured([sys.executable, str(ROOT / "scheduler.py"), "once", "--quiet",
                             "--config", str(config), "--db", str(db_path)], demo, work / f"{label}.log")
    measured.stored = sqlite_utils.Database(db_path).execute("select count(*) from articles").fetchone()[0]
    return measured


def bare_crawl(demo: DemoServer, work: Path, label: str) -> Measured:
    """Scrapy + trafilatura alone, on the pages the last pipeline run fetched (robots.txt aside)."""
    urls = [demo.base_url(key) + hit.path for key in demo.schools
            for hit in demo.hits(key) if hit.status == 200 and hit.path != "/robots.txt"]
    urls_file = work / f"{label}.urls"
    urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    return run_measured([sys.executable, str(ROOT / "benchmarks" / "bare_crawl.py"), str(urls_file),
                         "--concurrency", str(CONCURRENCY)], demo, work / f"{label}.log")


def curve_points(curve: list[tuple[int, float, float]], pages: int, steps: int = 4) -> list[tuple[int, float, float]]:
    """The highest RSS seen up to each ``1/steps`` of the pages (crawl process, all processes)."""
    points = []
    for step in range(1, steps + 1):
        upto = pages * step // steps
        seen = [(main, total) for served, main, total in curve if served <= upto]
        points.append((upto, max(m for m, _ in seen) if seen else float("nan"),
                       max(t for _, t in seen) if seen else float("nan")))
    return points


def benchmark_size(schools: int, articles: int, runs: int, work: Path, workers: int) -> dict:
    per_school = -(-articles // schools)
    with DemoServer(generated_schools(schools, per_school, per_page=20, varied=True)) as demo:
        config = work / f"sites-{articles}.toml"
        config.write_text(demo.config_toml(max_pages=per_school // 20 + 2, concurrent_requests_per_domain=CONCURRENCY,
                                           obey_robots=True, extraction_processes=workers), encoding="utf-8")
        pipeline, yardstick = [], []
        for run in range(1, runs + 1):
            pipeline.append(full_pipeline(demo, config, work, f"pipeline-{articles}-{run}"))
            print(f"  run {run}: pipeline {pipeline[-1].pages} pages in {pipeline[-1].wall_s:.1f} s, "
                  f"{pipeline[-1].stored} stored", end="", flush=True)
            yardstick.append(bare_crawl(demo, work, f"bare-{articles}-{run}"))
            print(f"; Scrapy + trafilatura {yardstick[-1].pages} pages in {yardstick[-1].wall_s:.1f} s", flush=True)
        expected = schools * per_school
    return {"pipeline": pipeline, "bare": yardstick, "expected": expected}


# (stage, words that place a profiled function in it: in its file's path, or a C function's name)
STAGES = (
    ("trafilatura (+ htmldate, justext)", ("trafilatura", "htmldate", "justext", "courlan")),
    ("our extraction rules", ("/crawler/extract/",)),
    ("charset detection", ("charset_normalizer",)),
    ("jieba: words, keywords, topics", ("jieba", "/crawler/search/tagging", "/crawler/prepare")),
    ("MinHash and reposts", ("datasketch", "/crawler/search/dedupe", "numpy")),
    ("store and search index (SQLite)", ("sqlite", "/db/", "/pipelines/")),
    ("HTML parsing (lxml)", ("lxml", "html5", "parsel", "cssselect", "w3lib")),
    ("Scrapy and Twisted (download, schedule, parse lists)", ("scrapy", "twisted", "/spiders/", "zope")),
)


def stage_of(filename: str, function: str) -> str:
    where = f"{filename} {function}".lower()
    for stage, words in STAGES:
        if any(word in where for word in words):
            return stage
    return OTHER


OTHER = "other (Python runtime, event loop, logging, …)"


def _stage_shares(stats, func, memo: dict) -> dict[str, float]:
    """The stages a function's own time belongs to: its file's, or, for the runtime's and C
    functions (re, json, str, …), its callers' stages, shared as the callers spent its time
    (each function worked out once; a cycle of such functions stays "other")."""
    if func in memo:
        return memo[func]
    stage = stage_of(func[0], func[2])
    callers = stats[func][4]
    if stage != OTHER or not callers:
        memo[func] = {stage: 1.0}
        return memo[func]
    memo[func] = {OTHER: 1.0}  # while being worked out: a caller that leads back here
    spent = sum(timing[2] for timing in callers.values()) or 1.0
    shares: dict[str, float] = {}
    for caller, timing in callers.items():
        if caller in stats:
            for caller_stage, part in _stage_shares(stats, caller, memo).items():
                shares[caller_stage] = shares.get(caller_stage, 0.0) + part * timing[2] / spent
    memo[func] = shares or {OTHER: 1.0}
    return memo[func]


def profile_stages(schools: int, articles: int, work: Path) -> None:
    """One pipeline run in one process under cProfile; CPU by stage per stored article."""
    import pstats

    per_school = -(-articles // schools)
    with DemoServer(generated_schools(schools, per_school, per_page=20, varied=True)) as demo:
        config = work / f"sites-profile-{articles}.toml"
        config.write_text(demo.config_toml(max_pages=per_school // 20 + 2, concurrent_requests_per_domain=CONCURRENCY,
                                           obey_robots=True, extraction_processes=0), encoding="utf-8")
        db_path, stats_path = work / "profile.db", work / "profile.pstats"
        subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats_path), str(ROOT / "scheduler.py"), "once",
                        "--quiet", "--config", str(config), "--db", str(db_path)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    stored = sqlite_utils.Database(db_path).execute("select count(*) from articles").fetchone()[0]
    stats = pstats.Stats(str(stats_path)).stats
    totals: dict[str, float] = {}
    memo: dict = {}
    for func, (_, _, own, _, _) in stats.items():
        for stage, share in _stage_shares(stats, func, memo).items():
            totals[stage] = totals.get(stage, 0.0) + own * share
    whole = sum(totals.values())
    print(f"\nwhere the CPU goes, one profiled run ({stored:,} articles stored, extraction in the crawl process, "
          f"cProfile's overhead included)")
    print(f"{'stage':<55}{'ms/article':>11}{'share':>8}")
    for stage, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"{stage:<55}{seconds * 1000 / max(stored, 1):>11.2f}{seconds / whole:>8.0%}")


def median(values) -> float:
    return statistics.median(list(values))


def report(articles: int, result: dict) -> None:
    pipeline, bare = result["pipeline"], result["bare"]
    print(f"\n{articles:,} articles ({len(pipeline)} run(s), medians)")
    print(f"{'':<24}{'pages':>7}{'pages/s':>9}{'CPU ms/page':>13}{'CPU ms/article':>16}"
          f"{'RSS MB: crawl':>15}{'largest':>9}{'all':>6}")
    rows = [("full pipeline", pipeline), ("Scrapy + trafilatura", bare)]
    for name, runs in rows:
        print(f"{name:<24}{median(m.pages for m in runs):>7.0f}{median(m.pages_per_s for m in runs):>9.1f}"
              f"{median(1000 * m.cpu_s / m.pages for m in runs):>13.2f}"
              f"{median(1000 * m.cpu_s / (m.stored or m.pages) for m in runs):>16.2f}"
              f"{median(m.peak_main_mb for m in runs):>15.0f}{median(m.peak_rss_mb for m in runs):>9.0f}"
              f"{median(m.peak_total_mb for m in runs):>6.0f}")
    stored = {m.stored for m in pipeline}
    print(f"articles stored: {sorted(stored)} of {result['expected']:,} "
          f"({'all' if stored == {result['expected']} else 'MISSING SOME'})")
    ratio = median(p.pages_per_s / b.pages_per_s for p, b in zip(pipeline, bare))
    print(f"rate ratio, pipeline / Scrapy + trafilatura: {ratio:.2f}× (median of per-run ratios)")
    last = pipeline[len(pipeline) // 2]
    points = ", ".join(f"{upto:,}: {main:.0f} / {total:.0f}" for upto, main, total in curve_points(last.curve, last.pages))
    print(f"pipeline RSS MB by pages served, crawl process / all processes: {points}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles in the timed comparison")
    parser.add_argument("--large", type=int, default=20000, help="articles for the memory curve (0: skip)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the timed comparison")
    parser.add_argument("--large-runs", type=int, default=1)
    parser.add_argument("--schools", type=int, default=5)
    parser.add_argument("--profile", action="store_true",
                        help="also profile one pipeline run by stage (CPU ms per stored article)")
    parser.add_argument("--workers", type=int, default=1,
                        help="[crawl] extraction_processes of the pipeline (1: the default setting)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="throughput-"))
    print(f"{args.schools} generated schools on 127.0.0.1…, pipeline with extraction_processes = {args.workers}; "
          f"work files in {work}")
    results = {args.articles: benchmark_size(args.schools, args.articles, args.runs, work, args.workers)}
    if args.large and args.large != args.articles:
        results[args.large] = benchmark_size(args.schools, args.large, args.large_runs, work, args.workers)
    for articles, result in results.items():
        report(articles, result)
    if args.large and args.large != args.articles:
        for label, peak in (("crawl process", "peak_main_mb"), ("all processes", "peak_total_mb")):
            small, large = (median(getattr(m, peak) for m in results[n]["pipeline"]) for n in (args.articles, args.large))
            print(f"peak RSS, {label}: {small:.0f} MB at {args.articles:,} articles, "
                  f"{large:.0f} MB at {args.large:,} ({large - small:+.0f} MB)")
    if args.profile:
        profile_stages(args.schools, args.articles, work)
    complete = all({m.stored for m in r["pipeline"]} == {r["expected"]} for r in results.values())
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
