"""Datasette plugin: Chinese full-text search over the store, and its metadata for every store.

Why it exists: Datasette's own search cannot segment Chinese, and ``db/metadata.yml``
only names one database. Registered as a ``datasette`` entry point in pyproject.toml, it
loads wherever the project is installed, so ``datasette db/reports.db -m db/metadata.yml``
needs no ``--plugins-dir``, and even a plain ``datasette db/demo.db`` has ``jieba_query``.

``jieba_query(q)`` turns what a user types (党建, 主题教育, 校企合作 运动会) into an FTS5
expression over ``articles_fts``, the jieba-segmented shadow text the crawler keeps in
sync (db/index.py), using the same dictionary and rules (crawler/tagging.py).

``db/metadata.yml`` is written for the database ``reports``; this plugin gives every
other database the server opens (db/demo.db, a ``--db`` of your own) the same labels,
facets, search and canned queries. It uses only Datasette's public API (0.64 and 0.65):
the ``prepare_connection`` and ``get_metadata`` hooks, ``datasette.metadata()`` and
``datasette.databases``.
"""
from __future__ import annotations

import copy
import threading

from datasette import hookimpl

from crawler.search.tagging import fts_query

TEMPLATE_DATABASE = "reports"
NOT_STORES = {TEMPLATE_DATABASE, "_internal"}

# datasette.metadata() calls every get_metadata hook, this one included: while this
# thread is inside that call, the hook adds nothing (no endless recursion).
_reading = threading.local()


@hookimpl
def prepare_connection(conn):
    conn.create_function("jieba_query", 1, fts_query, deterministic=True)


@hookimpl
def get_metadata(datasette, key, database, table):
    if getattr(_reading, "active", False):
        return {}
    _reading.active = True
    try:
        # -m metadata and other plugins' (everything but this hook's, see above)
        template = (datasette.metadata("databases") or {}).get(TEMPLATE_DATABASE)
    finally:
        _reading.active = False
    if not template:
        return {}
    # a copy per database: Datasette merges later metadata into what a hook returns, in place
    return {"databases": {name: copy.deepcopy(template) for name in datasette.databases if name not in NOT_STORES}}
