"""The folders are layers: every import goes the way the table ALLOWED says, no import cycle
between them, and extraction stays pure.

Read from the code with ``ast`` (imports inside functions count): each folder's own modules
are one node (``crawler``, ``crawler/extract``, ``db``, …), ``scheduler.py`` another.
Dependencies point one way: scheduler.py -> crawler/runtime -> spiders, pipelines,
crawler/notify, crawler/cluster -> crawler, crawler/search, crawler/extract; db (storage)
imports none of them, and the reading room (Datasette) only reads db.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.helpers import ROOT

PACKAGES = ("crawler", "spiders", "pipelines", "db", "demo")
# what the extraction package may never import: the crawl engine, the store, the services
NOT_IN_EXTRACTION = ("scrapy", "twisted", "sqlite3", "sqlite_utils", "redis", "scrapy_redis", "apprise", "datasette",
                     "apscheduler", "db", "spiders", "pipelines")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def node_of_module(name: str) -> str | None:
    """The folder a module of the project belongs to (``crawler.extract.text`` -> ``crawler/extract``)."""
    parts = name.split(".")
    if parts[0] not in PACKAGES:
        return "scheduler.py" if name == "scheduler" else None
    folder = ROOT.joinpath(*parts)
    while parts and not (folder.is_dir() and (folder / "__init__.py").exists()):
        parts, folder = parts[:-1], folder.parent
    return "/".join(parts)


def imports(path: Path, source: str | None = None) -> set[str]:
    """Every module ``path`` imports, at any depth (``from a import b`` counts a.b when b is a module);
    ``source``: read this text as if it were the file's."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source if source is not None else path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names
                         if ROOT.joinpath(*base.split("."), alias.name).with_suffix(".py").exists()
                         or ROOT.joinpath(*base.split("."), alias.name, "__init__.py").exists())
    return found


def project_files() -> list[Path]:
    files = [ROOT / "scheduler.py"]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def folder_graph(extra: dict[Path, str] | None = None) -> dict[str, set[str]]:
    """Folder -> the folders it imports; ``extra``: more files (path -> source) read as if they were there."""
    graph: dict[str, set[str]] = defaultdict(set)
    sources = {path: None for path in project_files()} | (extra or {})
    for path, source in sources.items():
        here = node_of_module(module_name(path)) if path.name != "scheduler.py" else "scheduler.py"
        for name in imports(path, source):
            there = node_of_module(name)
            if there and there != here:
                graph[here].add(there)
    return graph


# Which folder may import which: dependencies point one way, from the command line down to the
# pure layers (crawler/extract imports nothing of the project). A new edge is a decision: add it
# here, in the direction of the layers, or move the code.
ALLOWED = {
    "scheduler.py": {"crawler", "crawler/runtime", "demo"},
    "crawler/commands": {"crawler", "crawler/runtime"},  # scrapy crawl news
    "demo": {"crawler", "crawler/extract", "crawler/runtime"},  # scheduler.py demo runs refreshes
    "crawler/runtime": {"crawler", "crawler/cluster", "crawler/extract", "crawler/notify", "db", "pipelines",
                        "spiders"},
    "spiders": {"crawler", "crawler/cluster", "crawler/extract"},
    "pipelines": {"crawler", "crawler/cluster", "crawler/extract", "crawler/search", "db"},
    "crawler/notify": {"crawler", "crawler/extract", "db"},
    "crawler/cluster": {"crawler"},
    "crawler": {"crawler/extract", "crawler/search"},
    "crawler/search": {"crawler/extract"},
    "crawler/extract": set(),
    "crawler/reading_room": {"db"},  # the store read by Datasette: its search format (db/fts.py)
    "db": set(),  # storage only: plain values in, rows out
}


def violations(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{here} -> {there}" for here, targets in graph.items() for there in targets
                  if there not in ALLOWED.get(here, set()))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one folder (Tarjan)."""
    index, low, stack, on_stack, groups, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in list(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_reader_sees_the_imports_it_must_judge():
    graph = folder_graph()
    # a reader that saw nothing would pass the other tests: hold it to edges that exist
    assert "spiders" in graph["crawler/runtime"] and "db" in graph["pipelines"]
    assert "crawler/extract" in graph["crawler"]


def test_every_import_goes_the_way_the_layers_allow():
    assert violations(folder_graph()) == []


def test_an_import_against_the_table_is_found():
    """A deliberate bad import, read as if it were in the tree: extraction importing the store,
    and the cluster pieces importing a spider."""
    bad = {ROOT / "crawler" / "extract" / "bad.py": "from db.store import start_run\n",
           ROOT / "crawler" / "cluster" / "bad.py": "def f():\n    from spiders.news import NewsSpider\n"}
    assert violations(folder_graph(bad)) == ["crawler/cluster -> spiders", "crawler/extract -> db"]


def test_no_import_cycle_between_folders():
    assert cycles(folder_graph()) == []


def test_a_cycle_would_be_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_extraction_imports_no_engine_store_or_service():
    offending = []
    for path in sorted((ROOT / "crawler" / "extract").rglob("*.py")):
        for name in imports(path):
            if name.split(".")[0] in NOT_IN_EXTRACTION or (name.startswith("crawler.")
                                                          and not name.startswith("crawler.extract")):
                offending.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offending == []


def test_nothing_under_db_imports_the_layers_above_it():
    graph = folder_graph()
    assert graph["db"] & {"crawler/notify", "crawler/runtime", "crawler/cluster", "spiders", "pipelines"} == set()
