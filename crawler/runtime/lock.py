"""One refresh of a database at a time, across processes: an advisory lock file.

``flock`` is released by the kernel when its holder dies, so a killed crawl never leaves
a stale lock behind. The holder's pid is written into the file for the message the
second process prints.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path


class Busy(RuntimeError):
    """Someone else holds the lock."""

    def __init__(self, path: Path, holder: str):
        super().__init__(f"{path} is held by process {holder or '?'}")
        self.path = path
        self.holder = holder


@contextmanager
def exclusive(path: str | Path, *, on: str | Path | None = None):
    """Hold a lock for the ``with`` block; raise Busy at once if another process has it.

    ``on``: lock that file itself (a database: its identity, device and inode, is what is
    locked, so a hard link, a symlink, a bind mount or a relative path to it cannot run a
    second refresh; SQLite's own locks are fcntl locks, which flock does not touch). ``path``
    is the lock file beside it, which holds the holder's pid for the message."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = open(on, "a+b") if on is not None else None  # "a": never truncates or writes a database
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(target or handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise Busy(path, handle.read().strip()) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(target or handle, fcntl.LOCK_UN)
    finally:
        handle.close()
        if target is not None:
            target.close()


def lock_path(db_path: str | Path, holder: str = "") -> Path:
    """``reports.db.lock`` for a refresh, ``reports.db.scheduler.lock`` for the scheduler.

    Beside the file the path leads to, symlinks followed: ``--db reports.db`` and
    ``--db link.db`` (a symlink to it), or a relative and an absolute path, share one lock.
    """
    db_path = Path(db_path).resolve()
    return db_path.with_name(".".join(filter(None, (db_path.name, holder, "lock"))))
