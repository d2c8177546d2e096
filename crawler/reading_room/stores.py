"""Which served databases are stores, and the plugin's settings: read once, asked by every page."""
from __future__ import annotations

import sqlite3
import time
import weakref
from pathlib import Path

from db.fts import SEARCH_TEXT_FORMAT
from db.labels import PLUGIN, value_labels as stored_value_labels

RECHECK_S = 30  # a database that is no store (yet: an old index) is looked at again after this
_store_cache: dict[tuple[int, str], tuple[bool, float]] = {}


def is_store_connection(conn) -> bool:
    """Whether the connection's database has the search index this plugin's queries are for."""
    try:
        row = conn.execute("SELECT format FROM search_index").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == SEARCH_TEXT_FORMAT


def is_store(datasette, name: str | None) -> bool:
    """Whether a served database is a store with the current search index, read from its file
    (hooks like get_metadata are synchronous): once when it is one, every RECHECK_S while not
    (a store indexed by an older version becomes one when the next crawl opens it)."""
    if not name or name.startswith("_") or name not in datasette.databases:
        return False
    key = (id(datasette), name)
    found, when = _store_cache.get(key, (False, 0.0))
    if found or time.monotonic() - when < RECHECK_S and key in _store_cache:
        return found
    path = getattr(datasette.databases[name], "path", None)
    found = False
    if path:
        try:
            conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
            try:
                found = is_store_connection(conn)
            finally:
                conn.close()
        except sqlite3.Error:
            found = False
    _store_cache[key] = (found, time.monotonic())
    return found


_configs: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def config(datasette) -> dict:
    """The plugin's settings, read once per server: asking Datasette runs every metadata hook,
    and render_cell needs them for every cell of a page."""
    if datasette not in _configs:
        _configs[datasette] = datasette.plugin_config(PLUGIN) or {}
    return _configs[datasette]


def value_labels(datasette) -> dict:
    """Chinese labels of coded values (a run's status, a problem): the metadata's (-m), else the
    store's own table (db/labels.py), so a server started without -m still says 成功, not ok."""
    return config(datasette).get("values") or stored_value_labels()


def feed_file(datasette, database: str) -> Path | None:
    """The Atom feed the crawl writes beside the store (reports.atom for reports.db), when there
    is one (a feed written elsewhere by ``[alerts] feed`` is not known to the reading room)."""
    path = getattr(datasette.databases.get(database), "path", None)
    atom = Path(path).with_suffix(".atom") if path else None
    return atom if atom is not None and atom.is_file() else None
