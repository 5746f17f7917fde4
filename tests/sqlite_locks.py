"""A connection holding a new SQLite file's write lock, as a process creating a cache does."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


def hold_the_write_lock(path: Path) -> sqlite3.Connection:
    """A connection about to write ``path``, a new file still in rollback mode: the state
    another process is in for a moment while it creates a cache file (before its switch to
    WAL). Usable from a timer thread, to release the lock later."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def release_later(holder: sqlite3.Connection, seconds: float = 0.3) -> threading.Timer:
    """Roll back ``holder``'s transaction after ``seconds``, from another thread."""
    timer = threading.Timer(seconds, holder.rollback)
    timer.start()
    return timer
