"""Opening the package's SQLite files in WAL while another process creates the same file."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlite_locks import hold_the_write_lock, release_later

from govdisclosure._sqlite import use_wal


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


def _seconds_to_fail(path: Path, switch: Callable[[sqlite3.Connection], object]) -> float:
    """How long ``switch`` takes to fail with "database is locked" on ``path`` while another
    connection holds its write lock."""
    holder = hold_the_write_lock(path)
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    started = time.monotonic()
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            switch(conn)
        return time.monotonic() - started
    finally:
        conn.close()
        holder.close()


def test_plain_switch_fails_at_once_while_another_connection_creates_the_file(tmp_path: Path) -> None:
    # Why use_wal exists: SQLite's busy timeout does not cover the switch.
    assert _seconds_to_fail(tmp_path / "t.sqlite3", lambda conn: conn.execute("PRAGMA journal_mode=WAL")) < 1


def test_switch_waits_until_the_other_connection_is_done(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    holder = hold_the_write_lock(path)
    release = release_later(holder, 0.3)
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    started = time.monotonic()
    try:
        use_wal(conn, timeout=5)
    finally:
        release.join()
        holder.close()
    assert 0.25 < time.monotonic() - started < 5
    conn.close()
    assert _journal_mode(path) == "wal"


def test_switch_gives_up_after_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    assert 0.2 <= _seconds_to_fail(path, lambda conn: use_wal(conn, timeout=0.2)) < 2
    assert _journal_mode(path) == "delete"


def test_a_file_already_in_wal_is_only_asked_its_mode(tmp_path: Path) -> None:
    # WAL is a property of the file: once switched, opening it again must not try the switch
    # (the statement that fails without the busy handler), only read the mode.
    path = tmp_path / "t.sqlite3"
    first = sqlite3.connect(path, isolation_level=None)
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("CREATE TABLE t (x)")
    first.close()
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    use_wal(conn, timeout=0)
    conn.close()
    assert statements == ["PRAGMA journal_mode"]
