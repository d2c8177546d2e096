"""Bad pages a school's site really serves, linked from a demo list page like any article."""
from __future__ import annotations

import os

from demo.server import DemoServer
from demo.site import Page

BIG_BYTES = 50 * 1024 * 1024


def article_like(n: int) -> str:
    return f"/2023/1101/c1234a{60000 + n}/page.htm"


def bad_pages(demo: DemoServer) -> dict[str, tuple[str, Page]]:
    """name -> (path, page): each one a way a page can be broken."""
    school = demo.schools["jiahe"]
    good = demo.page("jiahe", school.article_path(school.articles[0])).body.decode("utf-8")
    return {
        "gbk declared utf-8": (article_like(1), Page(
            good.replace(school.articles[0]["title"], "声明为UTF-8实为GBK的报道").encode("gbk", "replace"),
            "text/html; charset=utf-8")),
        "binary as html": (article_like(2), Page(os.urandom(64 * 1024), "text/html")),
        "50 MB page": (article_like(3), Page(b"<html><body>" + b"x" * BIG_BYTES + b"</body></html>")),
        "redirect loop": (article_like(4), Page(b"", status=302, location=article_like(5))),
        "redirect loop back": (article_like(5), Page(b"", status=302, location=article_like(4))),
        "empty 200": (article_like(6), Page(b"")),
        "nul bytes in text": (article_like(8), Page(
            good.replace(school.articles[0]["title"], "夹带空字节的报道").replace("<head>", "<head>\x00\x00", 1)
            .replace("</p>", "\x00</p>", 1).encode("utf-8"))),
        "malformed html": (article_like(7), Page(
            good.replace(school.articles[0]["title"], "标签残缺的报道").replace("</div>", "").replace("</p>", "<p")
            .encode("utf-8")[: len(good.encode("utf-8")) * 3 // 4])),
    }


def serve_bad_pages(demo: DemoServer) -> dict[str, str]:
    """Serve the bad pages and list them on top of 嘉禾's first list page; returns name -> path."""
    school = demo.schools["jiahe"]
    pages = bad_pages(demo)
    for path, page in pages.values():
        demo.serve("jiahe", path, page)
    listing = demo.page("jiahe", school.list_path).body.decode("utf-8")
    items = "".join(f'<li><a href="{path}" title="{name}">{name}</a><span>2023-11-01</span></li>'
                    for name, (path, _) in pages.items() if name != "redirect loop back")
    first_item = listing.index("<li")
    demo.replace("jiahe", school.list_path, listing[:first_item] + items + listing[first_item:])
    return {name: path for name, (path, _) in pages.items()}
