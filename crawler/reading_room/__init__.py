"""The reading room: what an office sees when it opens the store in Datasette (the plugin,
its pages and their templates). Storage stays in db/; this package only reads it.

This package is the Datasette plugin (the ``datasette`` entry point in pyproject.toml):
Datasette finds its ``templates/`` as a plugin's own, and its hooks are the ones below.
"""
from crawler.reading_room.pages import register_routes  # noqa: F401  (the reading room's own pages)
from crawler.reading_room.plugin import (  # noqa: F401  (Datasette's hooks, found on this module)
    extra_template_vars,
    forbidden,
    get_metadata,
    prepare_connection,
    prepare_jinja2_environment,
    render_cell,
    startup,
)
