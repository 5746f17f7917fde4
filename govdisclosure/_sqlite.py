"""What the package's SQLite files (the parse memo, the token cache) share: opening them in WAL."""

from __future__ import annotations

import sqlite3
import time

__all__ = ["use_wal"]


def use_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch the connection's file to write-ahead logging, waiting up to ``timeout`` seconds
    for another process creating the same file.

    While another connection holds the write lock of a file still in rollback mode (as a
    process creating a new cache does for a moment), the switch fails at once with "database
    is locked": SQLite does not run the busy handler for it. Four processes opening one new
    token cache hit this about 1 time in 8, and CI's test of two writers caught it. WAL is a
    property of the file, so once any process has switched it there is nothing to do.

    Raises:
        sqlite3.OperationalError: Still locked after ``timeout``, or any other SQLite error.
    """
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        # Reading the mode takes a shared lock, for which the busy handler does run.
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        try:
            # Where WAL is refused without an error (no shared memory), the file keeps its
            # rollback journal: readers then wait for writers, and results stay the same.
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
