"""Charset benchmark: saved pages with missing or wrong declarations, from raw bytes vs handed over decoded.

    .venv/bin/python benchmarks/charset.py [--repeat 3]

Cases: the saved article pages of ``tests/pages`` with a hand-marked body container, each turned into saved pages whose
declaration is missing or wrong, as school sites serve them:

  a  meta charset removed, re-encoded as GBK (characters outside GBK as &#NNNN;)
  b  real UTF-8 bytes, but the meta says gb2312
  c  GBK bytes, but the meta says utf-8
  d  the original bytes (20 UTF-8, 2 GBK) with the declaration removed
  e  as a, with one byte cut out of a character of the body's last sentence (a CMS
     cutting text short): the right reading shows one U+FFFD there

Each variant goes through ``python -m crawler.extract``'s path (``decode_html_bytes`` on
the bytes, then ``extract``), and again as the same page handed over as the correct str
(the bytes decoded with the encoding they really are in). Body quality is measured
against the page's ground truth: the text of the body container the manifest names
(``body_container_xpath``, hand-checked), from the original page correctly decoded,
whitespace removed. Reported, pooled over pages (sums of overlaps over sums of lengths):
character-bag F1 and character-bigram F1, from raw and pre-decoded, and their difference;
pages whose raw decoding is the correct str (runs of U+FFFD counted as one);
pages whose title or body shows mojibake (U+FFFD, private-use characters, runs of Latin-1
letters, or Chinese made of rare characters as UTF-8 read as GBK gives); and as a yardstick
the same from raw bytes through a browser-only decoder (w3lib: BOM, declaration, else UTF-8
— what ``decode_html_bytes`` did before). Decode time is the median over ``--repeat`` runs.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402
from w3lib.encoding import html_to_unicode  # noqa: E402

from crawler.extract import decode_html_bytes, extract  # noqa: E402

CORPUS = ROOT / "tests" / "pages"
META_CHARSET = re.compile(r"<meta\b[^>]*charset[^>]*>", re.I)
LABEL = re.compile(r"(charset\s*=\s*[\"']?)[\w-]+", re.I)
VARIANTS = {
    "a": "no meta, GBK bytes",
    "b": "UTF-8 bytes, meta gb2312",
    "c": "GBK bytes, meta utf-8",
    "d": "original bytes, no meta",
    "e": "no meta, GBK, 1 byte cut",
}


def true_encoding(entry: dict) -> str:
    return "gb18030" if entry["encoding"].startswith("gb") else "utf-8"


def relabel(html: str, label: str) -> str:
    return META_CHARSET.sub(lambda m: LABEL.sub(lambda n: n[1] + label, m[0]), html)


def cut_one_byte(data: bytes, entry: dict) -> bytes:
    """Drop the second byte of a Chinese character of the body's last (else first) sentence (GBK bytes)."""
    for sentence in (entry["body_last_sentence"], entry["body_first_sentence"]):
        for i in range(len(sentence) - 1):
            piece = sentence[i:i + 2]
            if all("\u4e00" <= c <= "\u9fff" for c in piece) and (found := data.rfind(piece.encode("gbk"))) >= 0:
                return data[:found + 1] + data[found + 2:]
    raise ValueError(f"no two Chinese characters of the body's sentences in {entry['file']}")


def variants(entry: dict) -> dict[str, tuple[bytes, str]]:
    """name -> (the saved page's bytes, the encoding they really are in)."""
    raw = (CORPUS / entry["file"]).read_bytes()
    encoding = true_encoding(entry)
    html = raw.decode(encoding)
    undeclared = META_CHARSET.sub("", html)
    gbk = undeclared.encode("gbk", "xmlcharrefreplace")
    return {
        "a": (gbk, "gb18030"),
        "b": (relabel(html, "gb2312").encode("utf-8"), "utf-8"),
        "c": (relabel(html, "utf-8").encode("gbk", "xmlcharrefreplace"), "gb18030"),
        "d": (META_CHARSET.sub("", raw.decode("latin-1")).encode("latin-1"), encoding),
        "e": (cut_one_byte(gbk, entry), "gb18030"),
    }


def reference_body(entry: dict) -> str:
    """The ground-truth body: the manifest's body container, from the correctly decoded page."""
    html = (CORPUS / entry["file"]).read_bytes().decode(true_encoding(entry))
    tree = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", html))
    for el in tree.xpath("//script | //style"):
        el.drop_tree()
    (container,) = tree.xpath(entry["body_container_xpath"])
    return squeeze(container.text_content())


def squeeze(text: str) -> str:
    return "".join(text.split())


def overlap(got: str, want: str, n: int) -> tuple[int, int, int]:
    """(common, len got, len want) of the multisets of character n-grams."""
    grams_got = Counter(got[i:i + n] for i in range(len(got) - n + 1))
    grams_want = Counter(want[i:i + n] for i in range(len(want) - n + 1))
    return sum((grams_got & grams_want).values()), sum(grams_got.values()), sum(grams_want.values())


def f1(counts: list[tuple[int, int, int]]) -> float:
    common = sum(c for c, _, _ in counts)
    got = sum(g for _, g, _ in counts)
    want = sum(w for _, _, w in counts)
    if not common:
        return 0.0
    precision, recall = common / got, common / want
    return 2 * precision * recall / (precision + recall)


def _gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


LATIN_RUN = re.compile(r"[\u00c0-\u024f\u00a1-\u00bf]{2,}")  # ÄÚÈÝ, Ã¤Â¸Â: legacy bytes read as Latin-1
PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
REPLACED = re.compile("\ufffd+")


def mojibake(text: str) -> bool:
    if "\ufffd" in text or PRIVATE_USE.search(text) or LATIN_RUN.search(text):
        return True
    hanzi = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    rare = sum(1 for c in hanzi if not _gb2312(c))  # UTF-8 read as GBK: 鍥犱负, half of it outside GB2312
    return len(hanzi) >= 20 and rare > 0.15 * len(hanzi)


def browser_only(data: bytes) -> str:
    return html_to_unicode(None, data)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="decode-time runs (median)")
    args = parser.parse_args()
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    # the article pages whose body container was marked by hand (the later ones carry sentences only)
    articles = [entry for entry in manifest if entry["kind"] == "article" and entry.get("body_container_xpath")]

    rows = {name: {"raw": ([], []), "pre": ([], []), "w3lib": ([], []), "moji": Counter(), "ms": [], "same": 0}
            for name in VARIANTS}
    for entry in articles:
        url = entry["url"] or "http://example.invalid/article.html"
        want = reference_body(entry)
        for name, (data, encoding) in variants(entry).items():
            row = rows[name]
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                decoded = decode_html_bytes(data)
                times.append(time.perf_counter() - started)
            row["ms"].append(statistics.median(times) * 1000)
            texts = {"raw": decoded, "pre": data.decode(encoding, "replace"), "w3lib": browser_only(data)}
            row["same"] += REPLACED.sub("\ufffd", texts["raw"]) == REPLACED.sub("\ufffd", texts["pre"])
            for how, html in texts.items():
                article = extract(html, url)
                got = squeeze(article.text)
                row[how][0].append(overlap(got, want, 1))
                row[how][1].append(overlap(got, want, 2))
                if mojibake(f"{article.title or ''}\n{article.text}"):
                    row["moji"][how] += 1

    header = (f"{'variant':<28} {'pages':>5}  {'F1 raw':>7} {'F1 pre':>7} {'ΔF1':>7}  {'bigram raw':>10} "
              f"{'bigram pre':>10} {'Δbigram':>8}  {'right str':>9}  {'mojibake raw/pre':>16}  "
              f"{'w3lib F1':>8} {'w3lib moji':>10}  {'decode ms':>9}")
    print(f"body quality vs ground truth (manifest body container), {len(articles)} saved article pages; "
          f"decode time median of {args.repeat} runs per page, then median over pages")
    print(header)
    print("-" * len(header))
    pooled = {"raw": ([], []), "pre": ([], []), "w3lib": ([], []), "moji": Counter(), "ms": [], "same": 0}
    for name, label in VARIANTS.items():
        row = rows[name]
        print(format_row(f"{name}  {label}", row))
        for how in ("raw", "pre", "w3lib"):
            for pool, counts in zip(pooled[how], row[how]):
                pool.extend(counts)
        pooled["moji"].update(row["moji"])
        pooled["ms"].extend(row["ms"])
        pooled["same"] += row["same"]
    print("-" * len(header))
    print(format_row("all variants, pooled", pooled))
    difference = f1(pooled["raw"][0]) - f1(pooled["pre"][0])
    print(f"\npooled body F1, raw bytes minus pre-decoded: {difference:+.4f} (goal: within 0.01): "
          f"{'met' if abs(difference) <= 0.01 else 'NOT met'}")


def format_row(label: str, row: dict) -> str:
    raw, pre, w3 = (f1(row[how][0]) for how in ("raw", "pre", "w3lib"))
    raw2, pre2 = f1(row["raw"][1]), f1(row["pre"][1])
    moji = row["moji"]
    return (f"{label:<28} {len(row['ms']):>5}  {raw:>7.4f} {pre:>7.4f} {raw - pre:>+7.4f}  {raw2:>10.4f} "
            f"{pre2:>10.4f} {raw2 - pre2:>+8.4f}  {row['same']:>9}  {moji['raw']:>7}/{moji['pre']:<8}  "
            f"{w3:>8.4f} {moji['w3lib']:>10}  {statistics.median(row['ms']):>9.2f}")


if __name__ == "__main__":
    main()
