"""Where the text layer keeps its caches, and the on-disk token cache.

Two caches live under the per-user cache directory (never the shared temp dir, where jieba puts
its own by default and where other users can plant files):

- ``jieba-<version>/jieba.cache``: jieba's prefix dictionary, so a new process loads in ~0.5 s
  instead of building it from ``dict.txt`` in ~1 s;
- ``tokens.sqlite3``: segmentations keyed by the hash of the text and the segmenter's
  fingerprint (backend, its version, the dictionary, HMM, our own pre-processing), so re-running
  a notebook does not segment the same sections again.

The token cache stores each text's tokens as 32-bit ids into a vocabulary table (each distinct
token once), not as strings: a warm run reads ~4 bytes per token and rebuilds the lists with
one NumPy take over the vocabulary, which shares one string object per distinct token instead
of creating 700,000 strings per 3 MB of text (issue 4: warm ≥ 50× cold).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from govdisclosure._sqlite import use_wal

__all__ = ["CacheError", "CachedRows", "TokenCache", "cache_root", "text_key", "text_keys"]

# SQLite limits the number of host parameters per statement (999 in older builds).
_BATCH = 500
# Ids are stored little-endian whatever the machine, so a cache file can be copied.
ID = np.dtype("<u4")
# More distinct tokens than any corpus has (a 10,000-report corpus has a few hundred thousand):
# a larger id can only come from a damaged file, and is never looked up or given out.
MAX_ID = 2**24
# The tables of this format. Versioned names rather than ALTERs: a file written by an older
# govdisclosure keeps its table ("segments", tokens as joined strings), which is ignored here
# and dropped by clear(); an older version still running on the same file keeps working.
_TABLES = (
    "CREATE TABLE IF NOT EXISTS info_v2 (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # Tokens as UTF-8 with surrogates passed through (BLOB, not TEXT): a lone surrogate from a
    # damaged text is a valid Python str that TEXT could not hold.
    "CREATE TABLE IF NOT EXISTS vocabulary_v2 (id INTEGER PRIMARY KEY, token BLOB NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS segments_v2 ("
    " fingerprint TEXT NOT NULL, key BLOB NOT NULL, tokens BLOB NOT NULL, tags BLOB,"
    " PRIMARY KEY (fingerprint, key))",
)
_LEGACY_TABLES = ("segments",)
# How long a process waits for another one holding the file (seconds).
_BUSY_TIMEOUT = 60.0


class CacheError(Exception):
    """The token cache cannot be used: not a database, locked too long, disk full, damaged."""


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


def text_keys(texts: Iterable[str]) -> list[bytes]:
    """:func:`text_key` of every text (without a Python call per text: thousands per corpus)."""
    sha256 = hashlib.sha256
    return [sha256(text.encode("utf-8", "surrogatepass")).digest()[:16] for text in texts]


def _to_bytes(token: str) -> bytes:
    return token.encode("utf-8", "surrogatepass")


def _from_bytes(token: bytes) -> str:
    return token.decode("utf-8", "surrogatepass")


class _Vocabulary:
    """The vocabulary entries this process has read, for one generation of the file.

    Ids are dense (0, 1, 2 …) and never change while the generation stays: entries are only
    appended, under SQLite's write lock. :meth:`TokenCache.clear` of everything starts a new
    generation, so an id read before it can never be taken for another token after it.
    """

    def __init__(self, generation: str) -> None:
        self.generation = generation
        self.tokens = np.empty(0, dtype=object)  # id → token; None where not read yet
        self.known = np.zeros(0, dtype=bool)
        self.ids: dict[str, int] = {}
        self.complete_below = 0  # every id under this one has been read

    def add(self, pairs: Sequence[tuple[int, str]]) -> None:
        if not pairs:
            return
        top = max(i for i, _ in pairs) + 1
        if top > len(self.tokens):
            # A new array rather than a resize in place: arrays handed out earlier stay valid.
            size = max(top, 2 * len(self.tokens))
            tokens, known = np.empty(size, dtype=object), np.zeros(size, dtype=bool)
            tokens[: len(self.tokens)], known[: len(self.known)] = self.tokens, self.known
            self.tokens, self.known = tokens, known
        for i, token in pairs:
            self.tokens[i] = token
            self.known[i] = True
            self.ids[token] = i
        missing = np.flatnonzero(~self.known)
        self.complete_below = int(missing[0]) if len(missing) else len(self.known)

    def unknown(self, ids: np.ndarray) -> np.ndarray:
        """The distinct ids among ``ids`` that have not been read."""
        if not len(ids) or int(ids.max()) < self.complete_below:
            return np.zeros(0, dtype=np.int64)  # the usual warm case: one max(), no counting
        if int(ids.max()) < 4 * max(len(self.known), len(ids)):
            used = np.flatnonzero(np.bincount(ids))
        else:
            used = np.unique(ids)  # ids far apart (a damaged blob): no array as long as the largest
        inside = used[used < len(self.known)]
        return np.concatenate((inside[~self.known[inside]], used[used >= len(self.known)]))


class CachedRows:
    """What :meth:`TokenCache.get_many` found: id blobs per key, and the tokens of the ids.

    Attributes:
        rows: Key → ``(token ids, tag ids or None)``, each a little-endian uint32 blob.
        types: Object array, id → token, covering every id in ``rows``.
        in_order: When every key asked for was found: the token ids (and tag ids) of all keys
            concatenated in the order asked, so the caller need not join the blobs again.
    """

    def __init__(
        self,
        rows: dict[bytes, tuple[bytes, bytes | None]],
        types: np.ndarray,
        in_order: tuple[np.ndarray, ...] | None = None,
    ) -> None:
        self.rows = rows
        self.types = types
        self.in_order = in_order


class TokenCache:
    """Segmentations in one SQLite file, shared safely by several processes.

    SQLite rather than one file per text: a corpus has tens of thousands of sections, and a
    single file with WAL journaling handles concurrent notebooks and atomic writes for free.
    Every method raises :class:`CacheError` when the file cannot be used; the caller decides to
    go on without the cache.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self._vocabulary: _Vocabulary | None = None

    # -- connection and transactions ----------------------------------------------------------

    @contextlib.contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock, with SQLite and file-system errors as CacheError."""
        with self._lock:
            try:
                yield self._connection()
            except (sqlite3.Error, OSError) as exc:
                raise CacheError(f"token cache {self.path}: {exc}") from exc

    def _connection(self) -> sqlite3.Connection:
        # A connection must not cross fork(): reopen in a child process.
        if self._conn is None or self._pid != os.getpid():
            ensure_dir(self.path.parent)
            # One connection per process, used under a lock, so threads may share the cache.
            # Autocommit mode: transactions are begun explicitly (_transaction).
            conn = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT, check_same_thread=False, isolation_level=None
            )
            try:
                self._prepare(conn)
            except BaseException:
                conn.close()
                raise
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    @staticmethod
    def _prepare(conn: sqlite3.Connection) -> None:
        # Large pages keep the id blobs (kilobytes) off overflow chains, and memory-mapped
        # reads make a warm re-run mostly a memcpy. The page size only takes effect when the
        # file is created, before WAL is switched on.
        conn.execute("PRAGMA page_size=65536")
        use_wal(conn, _BUSY_TIMEOUT)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA mmap_size=1073741824")
        with _transaction(conn, "IMMEDIATE"):
            for statement in _TABLES:
                conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO info_v2 (name, value) VALUES ('generation', ?)", (secrets.token_hex(8),)
            )

    def _current_vocabulary(self, conn: sqlite3.Connection) -> _Vocabulary:
        """This process's vocabulary, started afresh if the file's generation changed."""
        row = conn.execute("SELECT value FROM info_v2 WHERE name = 'generation'").fetchone()
        if row is None:
            raise sqlite3.DatabaseError("the generation entry is missing")
        if self._vocabulary is None or self._vocabulary.generation != row[0]:
            self._vocabulary = _Vocabulary(row[0])
        return self._vocabulary

    # -- reading ------------------------------------------------------------------------------

    def get_many(self, fingerprint: str, keys: Sequence[bytes], *, tags: bool) -> CachedRows:
        """The stored ids of the keys that are present, and the tokens of those ids.

        Rows that do not look like this format wrote them (blob length, tags present or not,
        ids missing from the vocabulary) are left out, so their texts are segmented again.
        """
        unique = list(dict.fromkeys(keys))
        with self._session() as conn, _transaction(conn):
            # One read transaction: rows and vocabulary come from the same snapshot.
            vocabulary = self._current_vocabulary(conn)
            rows = self._select_rows(conn, fingerprint, unique, tags)
            in_order = None
            if len(rows) == len(unique):
                # The warm case: the ids in the order asked serve both the check below and
                # the caller.
                in_order = tuple(
                    np.frombuffer(b"".join([rows[key][column] or b"" for key in keys]), dtype=ID)
                    for column in ((0, 1) if tags else (0,))
                )
                ids = list(in_order)
            else:
                ids = [np.frombuffer(b"".join([blob for pair in rows.values() for blob in pair if blob]), dtype=ID)]
            resolved = self._resolve(conn, vocabulary, rows, ids)
            return CachedRows(resolved, vocabulary.tokens, in_order if len(resolved) == len(rows) else None)

    @staticmethod
    def _select_rows(
        conn: sqlite3.Connection, fingerprint: str, keys: list[bytes], tags: bool
    ) -> dict[bytes, tuple[bytes, bytes | None]]:
        found: dict[bytes, tuple[bytes, bytes | None]] = {}
        for i in range(0, len(keys), _BATCH):
            batch = keys[i : i + _BATCH]
            marks = ",".join("?" * len(batch))
            cursor = conn.execute(
                f"SELECT key, tokens, tags FROM segments_v2 WHERE fingerprint = ? AND key IN ({marks})",
                (fingerprint, *batch),
            )
            # Rows must look as this format writes them: whole ids, and tags exactly when tagging.
            # (Inline: a function call per row would cost as much as the rest of the loop.)
            for key, token_ids, tag_ids in cursor:
                if (
                    type(token_ids) is bytes
                    and not len(token_ids) % ID.itemsize
                    and (
                        tag_ids is None
                        if not tags
                        else type(tag_ids) is bytes and len(tag_ids) == len(token_ids)
                    )
                ):
                    found[key] = (token_ids, tag_ids)
        return found

    def _resolve(
        self,
        conn: sqlite3.Connection,
        vocabulary: _Vocabulary,
        rows: dict[bytes, tuple[bytes, bytes | None]],
        ids: list[np.ndarray],
    ) -> dict[bytes, tuple[bytes, bytes | None]]:
        """Read the vocabulary entries of ``ids`` (all ids in ``rows``); leave out rows with
        ids it lacks."""
        unknown = np.unique(np.concatenate([vocabulary.unknown(part) for part in ids]))
        if not len(unknown):
            return rows
        vocabulary.add(_select_vocabulary(conn, unknown))
        absent = vocabulary.unknown(unknown)
        if not len(absent):
            return rows
        # A damaged file: ids without an entry. Rare, so checked row by row only here.
        return {
            key: pair
            for key, pair in rows.items()
            if not any(np.isin(np.frombuffer(blob, dtype=ID), absent).any() for blob in pair if blob is not None)
        }

    # -- writing ------------------------------------------------------------------------------

    def put_many(
        self,
        fingerprint: str,
        types: np.ndarray,
        entries: Iterable[tuple[bytes, np.ndarray, np.ndarray | None]],
    ) -> None:
        """Store ``(key, token codes, tag codes or None)`` entries in one transaction.

        Args:
            fingerprint: The segmenter's fingerprint and mode.
            types: The tokens the codes index; they get vocabulary ids here.
            entries: Codes are indices into ``types``.
        """
        with self._session() as conn:
            with _transaction(conn, "IMMEDIATE"):
                # The write lock is held from here: ids cannot be given out twice.
                vocabulary = self._current_vocabulary(conn)
                ids, added = _intern(conn, vocabulary, types)
                conn.executemany(
                    "INSERT OR REPLACE INTO segments_v2 (fingerprint, key, tokens, tags) VALUES (?, ?, ?, ?)",
                    (
                        (fingerprint, key, ids[codes].astype(ID).tobytes(),
                         None if tag_codes is None else ids[tag_codes].astype(ID).tobytes())
                        for key, codes, tag_codes in entries
                    ),
                )
            # Only committed entries join this process's vocabulary.
            vocabulary.add(added)
            # Move the new rows from the write-ahead log into the database file now, so that
            # the next run reads them through the memory map.
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def clear(self, fingerprint: str | None = None) -> None:
        """Delete the entries of one fingerprint, or everything (vocabulary and older formats)."""
        with self._session() as conn, _transaction(conn, "IMMEDIATE"):
            if fingerprint is not None:
                # The vocabulary stays: other fingerprints share it, and unused entries cost
                # a few bytes each.
                conn.execute("DELETE FROM segments_v2 WHERE fingerprint = ?", (fingerprint,))
                return
            conn.execute("DELETE FROM segments_v2")
            conn.execute("DELETE FROM vocabulary_v2")
            # Ids will be given out again from 0: a new generation tells every process to
            # forget the entries it has read.
            conn.execute("UPDATE info_v2 SET value = ? WHERE name = 'generation'", (secrets.token_hex(8),))
            for table in _LEGACY_TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {table}")

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


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection, kind: str = "DEFERRED") -> Iterator[None]:
    conn.execute(f"BEGIN {kind}")
    try:
        yield
    except BaseException:
        # SQLite may already have rolled back (disk full, corruption).
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _select_vocabulary(conn: sqlite3.Connection, ids: np.ndarray) -> list[tuple[int, str]]:
    wanted = ids[ids < MAX_ID].tolist()
    pairs: list[tuple[int, str]] = []
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH]
        marks = ",".join("?" * len(batch))
        cursor = conn.execute(f"SELECT id, token FROM vocabulary_v2 WHERE id IN ({marks})", batch)
        # Decoded inline (as _from_bytes does): a new process reads thousands of entries here.
        pairs += [(i, token.decode("utf-8", "surrogatepass")) for i, token in cursor]
    return pairs


def _intern(
    conn: sqlite3.Connection, vocabulary: _Vocabulary, types: np.ndarray
) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Vocabulary ids of ``types`` (adding the new ones), and the entries read or added.

    Must run inside a write transaction.
    """
    ids = np.fromiter((vocabulary.ids.get(t, -1) for t in types), dtype=np.int64, count=len(types))
    unseen = ids < 0
    if not unseen.any():
        return ids, []
    new = list(dict.fromkeys(types[unseen].tolist()))
    # Entries other processes added since this one last read the vocabulary.
    pairs: list[tuple[int, str]] = []
    for start in range(0, len(new), _BATCH):
        batch = [_to_bytes(t) for t in new[start : start + _BATCH]]
        marks = ",".join("?" * len(batch))
        cursor = conn.execute(f"SELECT id, token FROM vocabulary_v2 WHERE token IN ({marks})", batch)
        pairs += [(int(i), _from_bytes(token)) for i, token in cursor]
    if any(i >= MAX_ID for i, _ in pairs):
        raise sqlite3.DatabaseError("the vocabulary is damaged: clear the cache")
    found = {token: i for i, token in pairs}
    (top,) = conn.execute("SELECT COALESCE(MAX(id), -1) + 1 FROM vocabulary_v2").fetchone()
    if top + len(new) > MAX_ID:
        raise sqlite3.DatabaseError("the vocabulary is damaged or full: clear the cache")
    added = [(top + n, t) for n, t in enumerate(t for t in new if t not in found)]
    conn.executemany("INSERT INTO vocabulary_v2 (id, token) VALUES (?, ?)", ((i, _to_bytes(t)) for i, t in added))
    found.update((t, i) for i, t in added)
    ids[unseen] = [found[t] for t in types[unseen].tolist()]
    return ids, pairs + added
