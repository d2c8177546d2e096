"""The reading room shared with colleagues: who may log in, read from the environment.

Each reader is an environment variable ``SNM_READER_<name>_HASH`` holding a password hash
made by ``datasette hash-password`` (datasette-auth-passwords): the secret never sits in a
committed file. When any is set, only those readers may see the reading room (Datasette's
``allow`` block); they log in at ``/-/login``. Without them the room is open to whoever
reaches the server, as on 127.0.0.1 by default.
"""
from __future__ import annotations

import os
import re

AUTH_PLUGIN = "datasette-auth-passwords"
_READER = re.compile(r"^SNM_READER_(\w+?)_HASH$")


def readers(environ=None) -> dict[str, str]:
    """Reader name -> the environment variable holding their password hash."""
    environ = os.environ if environ is None else environ
    return {m[1]: name for name in environ if (m := _READER.match(name)) and environ[name].strip()}


def sharing_metadata(environ=None) -> dict:
    """Datasette metadata that admits only the readers (none: nothing)."""
    found = readers(environ)
    if not found:
        return {}
    return {"allow": {"id": sorted(found)},
            "plugins": {AUTH_PLUGIN: {f"{name}_password_hash": {"$env": variable}
                                      for name, variable in found.items()}}}
