"""The reading room: what an office sees when it opens the store in Datasette (the plugin,
its pages and their templates). Storage stays in db/; this package only reads it."""
