"""Datasette plugin: Chinese full-text search over the store.

``jieba_query(q)`` turns what a user types (党建, 主题教育, 校企合作 运动会) into an FTS5
expression over ``articles_fts``, the jieba-segmented shadow text the crawler keeps in
sync (db/index.py), using the same dictionary and rules (crawler/tagging.py).

``db/metadata.yml`` is written for the database ``reports``; this plugin gives every
other database with an ``articles`` table (db/demo.db, a ``--db`` of your own) the same
labels, facets, search and canned queries.
"""
from __future__ import annotations

import sys
from pathlib import Path

from datasette import hookimpl

try:
    from crawler.tagging import fts_query
except ImportError:  # a Datasette installed outside the project's environment: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from crawler.tagging import fts_query

TEMPLATE_DATABASE = "reports"


@hookimpl
def prepare_connection(conn):
    conn.create_function("jieba_query", 1, fts_query, deterministic=True)


@hookimpl
def get_metadata(datasette, key, database, table):
    template = (datasette._metadata_local or {}).get("databases", {}).get(TEMPLATE_DATABASE)
    if not template:
        return {}
    names = [name for name in datasette.databases if name != TEMPLATE_DATABASE and name != "_internal"]
    return {"databases": {name: template for name in names}}
