"""``python -m crawler.extract FILE [FILE...] [--url URL] [--pretty | --json]``: extract saved pages.

The command line of the extraction package, apart from the logic (as trafilatura keeps its
``cli.py``): readable on a terminal, one JSON object per file into a pipe.
"""
from __future__ import annotations

import argparse
import json
import sys

from crawler.extract.article import extract
from crawler.extract.charset import decode_html


def pretty(record: dict) -> str:
    """An article as a person reads it: the heading, its fields, the paragraphs, the links."""
    def shown(value) -> str:
        return "—" if value is None or value == "" else str(value)

    date = record.get("published_at")
    lines = [f"== {record['file']}", record.get("title") or "（无标题）",
             f"日期：{shown(date and date.replace('T', ' '))}"]
    lines += [f"{label}：{shown(record.get(key))}" for label, key in
              (("来源", "source"), ("作者", "author"), ("编辑", "editor"), ("浏览", "views"))]
    paragraphs = [line.strip() for line in (record.get("text") or "").splitlines() if line.strip()]
    lines += ["", *("\n\n".join(paragraphs) or "（正文为空）").splitlines()]
    for label, key in (("图片", "images"), ("附件", "attachments")):
        if record.get(key):
            lines += ["", f"{label}（{len(record[key])}）："] + [f"  {link}" for link in record[key]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.extract", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--url", default=None, help="the page's URL (for relative links and URL dates)")
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--pretty", dest="pretty", action="store_true", default=None,
                       help="print each article for reading (the default on a terminal)")
    shape.add_argument("--json", dest="pretty", action="store_false",
                       help="print one JSON object per file (the default into a pipe or file)")
    args = parser.parse_args(argv)
    readable = sys.stdout.isatty() if args.pretty is None else args.pretty
    status, separator = 0, ""
    for path in args.files:
        try:
            with open(path, "rb") as fh:
                decoded = decode_html(fh.read())
        except OSError as exc:
            print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
            status = 1
            continue
        if decoded.note:
            print(f"{path}: {decoded.note}", file=sys.stderr)
        article = extract(decoded.text, args.url or "file://" + path)
        record = {"file": path, **article.to_dict()}
        if readable:
            print(separator + pretty(record), end="", flush=True)
            separator = "\n"
        else:
            print(json.dumps(record, ensure_ascii=False), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
