"""Extraction benchmark: ours vs plain trafilatura vs GNE, on saved real pages and the demo.

    .venv/bin/python benchmarks/extraction.py [--repeat 5] [--json]

Cases: the 38 saved article pages of ``tests/pages`` (ground truth in its manifest.json:
title, date, author, source, first and last body sentence) and the demo site's article
pages (ground truth in ``demo/articles.json``, with the full text). Per extractor it prints
field accuracy, body-sentence recall, body F1 (demo, where the whole text is known),
the share of texts carrying boilerplate, and the median milliseconds per page over
``--repeat`` runs, with our time as a multiple of plain trafilatura's.

The noise markers below are the benchmark's own list, independent of ``crawler.extract.text``,
so our cleanup is not judged by its own rules.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract.dates import parse_date  # noqa: E402
from crawler.extract import decode_html_bytes, extract  # noqa: E402
from demo.site import body_parts, load_schools, site_pages  # noqa: E402

CORPUS = ROOT / "tests" / "pages"  # saved real pages and their ground truth (manifest.json)
FIELDS = ("title", "date", "author", "source")

NOISE_MARKERS = [
    re.compile(r"[★☆●◆◇■□▲]"),
    re.compile(r"^\s*(?:上一篇|下一篇|上一条|下一条)", re.M),
    re.compile(r"当前位置|您的位置|首页\s*[>|»＞]"),
    re.compile(r"责任编辑|责编[:：]"),
    re.compile(r"打印本页|关闭窗口|分享到|扫一扫|友情链接|推荐访问"),
    re.compile(r"版权所有|ICP备|公网安备"),
    re.compile(r"下面是小编"),
    re.compile(r"^\s*\S+\.(?:png|jpe?g|gif)\s*$", re.M | re.I),
    # the metadata line: two labels on one line
    re.compile(r"^.*(?:来源|作者|发布时间|发布日期|时间|浏览次数|点击数)\s*[:：].*"
               r"(?:来源|作者|发布时间|发布日期|浏览次数|点击数|浏览)\s*[:：].*$", re.M),
]


@dataclass
class Case:
    name: str
    group: str  # "corpus" or "demo"
    html: str
    url: str
    truth: dict
    sidebar_items: list[str] = field(default_factory=list)


def corpus_cases() -> list[Case]:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    cases = []
    for entry in manifest:
        if entry["kind"] != "article":
            continue
        html = decode_html_bytes((CORPUS / entry["file"]).read_bytes())
        truth = {key: entry[key] for key in FIELDS}
        truth["author"] = entry.get("author_byline") or entry["author"]  # a closing （张三） byline is the author
        truth["first"], truth["last"] = entry["body_first_sentence"], entry["body_last_sentence"]
        cases.append(Case(entry["file"], "corpus", html, entry["url"] or "http://example.invalid/a.html", truth))
    return cases


def demo_cases() -> list[Case]:
    cases = []
    for school in load_schools().values():
        pages = site_pages(school)
        # a sidebar item as the page shows it: headline (cut at 14 characters) and [MM-DD]
        items = {a["id"]: f'{a["title"][:14]}[{a["date"][5:10]}]' for a in school.articles}
        for article in school.articles:
            path = school.article_path(article)
            html = decode_html_bytes(pages[path].body)
            first_page = body_parts(article)[0]  # every extractor sees page 1 only
            truth = {key: article[key] for key in FIELDS}
            truth["first"], truth["last"] = first_page[0], first_page[-1]
            truth["text"] = "\n".join(first_page)
            others = [item for key, item in items.items() if key != article["id"]]
            cases.append(Case(f"demo:{school.key}:{article['id']}", "demo", html,
                              f"http://{school.host}{path}", truth, others))
    return cases


# ------------------------------------------------------------------ extractors
def run_ours(case: Case) -> dict:
    a = extract(case.html, case.url)
    return {"title": a.title, "date": a.published_at, "author": a.author, "source": a.source, "text": a.text}


def run_trafilatura(case: Case) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(case.html, url=case.url, with_metadata=True)
    if doc is None:
        return {"text": ""}
    return {"title": doc.title, "date": doc.date, "author": doc.author, "source": None, "text": doc.text or ""}


_GNE = None


def run_gne(case: Case) -> dict:
    global _GNE
    if _GNE is None:
        from gne import GeneralNewsExtractor

        _GNE = GeneralNewsExtractor()
    try:
        r = _GNE.extract(case.html)
    except Exception as exc:  # GNE raises on some pages; that is a miss, not a crash
        print(f"  gne failed on {case.name}: {exc!r}", file=sys.stderr)
        return {"text": ""}
    return {"title": r.get("title"), "date": r.get("publish_time"), "author": r.get("author") or None,
            "source": None, "text": r.get("content") or ""}


EXTRACTORS = {"ours": run_ours, "trafilatura": run_trafilatura, "gne": run_gne}


# ------------------------------------------------------------------ scoring
def _squeeze(text: str | None) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", "", text or "")


def same_day(got: str | None, want: str | None) -> bool:
    """Dates compare on the calendar day (generous to extractors that drop the time)."""
    if want is None:
        return not got
    if not got:
        return False
    parsed = parse_date(str(got)) or str(got)
    return parsed[:10] == want[:10]


def char_f1(got: str, want: str) -> float:
    g, w = Counter(_squeeze(got)), Counter(_squeeze(want))
    overlap = sum((g & w).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(g.values()), overlap / sum(w.values())
    return 2 * precision * recall / (precision + recall)


def is_noisy(case: Case, text: str) -> bool:
    if any(marker.search(text) for marker in NOISE_MARKERS):
        return True
    squeezed = _squeeze(text)
    return any(item in squeezed for item in case.sidebar_items)


def score(case: Case, got: dict) -> dict:
    text = got.get("text") or ""
    row = {
        "title": _squeeze(got.get("title")) == _squeeze(case.truth["title"]),
        "date": same_day(got.get("date"), case.truth["date"]),
        "author": (got.get("author") or None) == case.truth["author"],
        "source": (got.get("source") or None) == case.truth["source"],
        "body": _squeeze(case.truth["first"]) in _squeeze(text) and _squeeze(case.truth["last"]) in _squeeze(text),
        "noise": is_noisy(case, text),
    }
    if "text" in case.truth:
        row["f1"] = char_f1(text, case.truth["text"])
    return row


def measure(name: str, cases: list[Case], repeat: int) -> dict:
    run = EXTRACTORS[name]
    rows, per_page = [], []
    for i in range(repeat):
        started = time.perf_counter()
        outputs = [run(case) for case in cases]
        per_page.append((time.perf_counter() - started) * 1000 / len(cases))
        if i == 0:
            rows = [(case, score(case, got)) for case, got in zip(cases, outputs)]
    summary = {"ms_per_page": statistics.median(per_page), "groups": {}}
    for group in ("corpus", "demo", "all"):
        chosen = [r for c, r in rows if group == "all" or c.group == group]
        stats = {key: sum(r[key] for r in chosen) / len(chosen) for key in (*FIELDS, "body", "noise")}
        f1s = [r["f1"] for r in chosen if "f1" in r]
        stats["f1"] = statistics.mean(f1s) if f1s else None
        stats["pages"] = len(chosen)
        summary["groups"][group] = stats
    summary["misses"] = [(c.name, [k for k in (*FIELDS, "body") if not r[k]] + (["noise"] if r["noise"] else []))
                         for c, r in rows if not all(r[k] for k in (*FIELDS, "body")) or r["noise"]]
    return summary


def available() -> list[str]:
    names = ["ours", "trafilatura"]
    try:
        import gne  # noqa: F401

        names.append("gne")
    except ImportError:
        print("GNE not installed (pip install -e '.[bench]'): its column is left out", file=sys.stderr)
    return names


def print_table(results: dict) -> None:
    names = list(results)
    for group in ("corpus", "demo", "all"):
        pages = results[names[0]]["groups"][group]["pages"]
        print(f"\n{group} ({pages} pages)".ljust(26) + "".join(n.rjust(13) for n in names))
        for key, label in [("title", "title"), ("date", "date"), ("author", "author"), ("source", "source"),
                           ("body", "first+last sentence"), ("f1", "body F1 (demo)"), ("noise", "noisy texts")]:
            cells = []
            for n in names:
                value = results[n]["groups"][group][key]
                cells.append("—".rjust(13) if value is None else f"{value:13.1%}" if key != "f1" else f"{value:13.3f}")
            print(f"  {label:<23}" + "".join(cells))
    print("\nms per page (median)".ljust(26) + "".join(f"{results[n]['ms_per_page']:13.1f}" for n in names))
    if "trafilatura" in results:
        ratio = results["ours"]["ms_per_page"] / results["trafilatura"]["ms_per_page"]
        print(f"ours / plain trafilatura time: {ratio:.2f}x")
    misses = results["ours"]["misses"]
    print(f"\nours, pages with a miss: {len(misses)}" + "".join(f"\n  {n}: {', '.join(k)}" for n, k in misses))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per extractor (median reported)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    cases = corpus_cases() + demo_cases()
    for case in cases[:3]:  # warm up imports and caches outside the timing
        for name in available():
            EXTRACTORS[name](case)
    results = {name: measure(name, cases, args.repeat) for name in available()}
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
