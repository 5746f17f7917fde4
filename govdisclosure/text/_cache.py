"""Where the text layer keeps its caches, and the on-disk token cache.

Two caches live under the per-user cache directory (never the shared temp dir, where jieba puts
its own by default and where other users can plant files):

- ``jieba-<version>/jieba.cache``: jieba's prefix dictionary, so a new process loads in ~0.5 s
  instead of building it from ``dict.txt`` in ~1 s;
- ``tokens.sqlite3``: segmentations keyed by the hash of the text and the segmenter's
  fingerprint (backend, its version, the dictionary, HMM, our own pre-processing), so re-running
  a notebook does not segment the same sections again.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["SEPARATOR", "TokenCache", "cache_root", "text_key"]

# Tokens are stored joined by the ASCII unit separator, so reading them back is one C-level
# str.split; a text that itself contains this character is simply not cached.
SEPARATOR = "\x1f"
# SQLite limits the number of host parameters per statement (999 in older builds).
_BATCH = 500


def cache_root() -> Path:
    """The per-user cache directory of govdisclosure (shared with the parse cache).

    ``$GOVDISCLOSURE_CACHE`` if set, else ``$XDG_CACHE_HOME/govdisclosure``, else
    ``~/.cache/govdisclosure``: :func:`govdisclosure.cache.default_cache_dir`, so that one
    setting moves every cache.
    """
    from govdisclosure.cache import default_cache_dir

    return default_cache_dir()


def ensure_dir(path: Path) -> Path:
    """Create a cache directory (and missing parents) readable by its owner only."""
    for directory in reversed((path, *path.parents)):
        if not directory.exists():
            directory.mkdir(mode=0o700, exist_ok=True)
    return path


def text_key(text: str) -> bytes:
    """The first 128 bits of the text's SHA-256 (hardware-accelerated on current CPUs)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:16]


class TokenCache:
    """Segmentations in one SQLite file, shared safely by several processes.

    SQLite rather than one file per text: a corpus has tens of thousands of sections, and a
    single file with WAL journaling handles concurrent notebooks and atomic writes for free.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        # A connection must not cross fork(): reopen in a child process.
        if self._conn is None or self._pid != os.getpid():
            ensure_dir(self.path.parent)
            # One connection per process, used under a lock, so threads may share the cache.
            conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
            # Rows are whole token lists (kilobytes): large pages keep them off overflow
            # chains, and memory-mapped reads make a warm re-run mostly a memcpy. The page
            # size only takes effect when the file is created, before WAL is switched on.
            conn.execute("PRAGMA page_size=65536")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA mmap_size=1073741824")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS segments ("
                " fingerprint TEXT NOT NULL, key BLOB NOT NULL,"
                " tokens TEXT NOT NULL, tags TEXT,"
                " PRIMARY KEY (fingerprint, key))"
            )
            conn.commit()
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def get_many(self, fingerprint: str, keys: Sequence[bytes]) -> dict[bytes, tuple[str, str | None]]:
        """The stored ``(tokens, tags)`` strings of the keys that are present."""
        found: dict[bytes, tuple[str, str | None]] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            conn = self._connection()
            for i in range(0, len(unique), _BATCH):
                batch = unique[i : i + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = conn.execute(
                    f"SELECT key, tokens, tags FROM segments WHERE fingerprint = ? AND key IN ({marks})",
                    (fingerprint, *batch),
                )
                for key, tokens, tags in rows:
                    found[key] = (tokens, tags)
        return found

    def put_many(self, fingerprint: str, entries: Iterable[tuple[bytes, str, str | None]]) -> None:
        """Store ``(key, tokens, tags)`` entries in one transaction."""
        with self._lock:
            conn = self._connection()
            with conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO segments (fingerprint, key, tokens, tags) VALUES (?, ?, ?, ?)",
                    ((fingerprint, key, tokens, tags) for key, tokens, tags in entries),
                )
            # Move the new rows from the write-ahead log into the database file now, so that
            # the next run reads them through the memory map.
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def clear(self, fingerprint: str | None = None) -> None:
        """Delete the entries of one fingerprint, or all entries."""
        with self._lock:
            conn = self._connection()
            with conn:
                if fingerprint is None:
                    conn.execute("DELETE FROM segments")
                else:
                    conn.execute("DELETE FROM segments WHERE fingerprint = ?", (fingerprint,))

    def close(self) -> None:
        """Close the connection (it reopens on next use)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __getstate__(self) -> dict[str, object]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["path"])  # type: ignore[misc, arg-type]
