"""On-disk cache of parsed reports, keyed by the file's bytes, the library version and its data.

A re-run over a corpus only parses files that are new or changed: the key is the SHA-256 of the
file's bytes, its format, govdisclosure's version and a fingerprint of the package data (the
codebook, the rules …), so editing a rule in a CSV invalidates the cache as a new release would.

A warm run need not even read the files: :class:`StatMemo` remembers which key each file had
when its size, times, inode and device were what they are now (see there for when it trusts that).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import shutil
import sqlite3
import struct
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import cache
from importlib import resources
from pathlib import Path

import pyarrow as pa

from govdisclosure._sqlite import use_wal

__all__ = ["ReportCache", "StatMemo", "default_cache_dir", "file_stat", "memo_stat"]
logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """The per-user cache directory: ``$GOVDISCLOSURE_CACHE``, else ``$XDG_CACHE_HOME/govdisclosure``
    or ``~/.cache/govdisclosure`` (never the shared temp dir, which other users can write)."""
    explicit = os.environ.get("GOVDISCLOSURE_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govdisclosure"


# The parse stages: the package's top-level modules and its readers. Sub-packages of later
# stages (text, analysis, audit, plot) and their data do not change a parse, nor do the
# top-level modules that only consume parsed reports (a new module counts until listed here).
_PARSE_FOLDERS = ("data", ".", "readers")
_NOT_PARSE = frozenset({"corpus.py", "cli.py", "workflow.py", "__main__.py", "_sqlite.py"})


@cache
def data_fingerprint() -> str:
    """A hash of what a parse depends on besides the version: parse data and parse code.

    The files directly in ``data/`` (codebook, rules …) and the modules of the parse stages, so
    that an edit in an editable install invalidates parsed reports as a release would (a stale
    entry once kept the corpus README parsed as a report after the rule that refuses it landed).
    """
    digest = hashlib.sha256()
    package = resources.files("govdisclosure")
    for folder in _PARSE_FOLDERS:
        root = package if folder == "." else package.joinpath(folder)
        if not root.is_dir():
            continue
        files = (p for p in root.iterdir()
                 if p.is_file() and (folder == "data" or p.name.endswith(".py"))
                 and not (folder == "." and p.name in _NOT_PARSE))
        for path in sorted(files, key=lambda p: p.name):
            digest.update(f"{folder}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# An entry's file: this header, then, compressed with zstd, the lengths of the parts and the
# parts: the entry's pickle and its byte strings (the frames' Arrow IPC streams) out of band.
# Text columns repeat within a report, so a 43 KB entry becomes ~10 KB: a warm run reads 4.5x
# fewer bytes, for ~35 us of decompression each; and the streams are read where they were
# decompressed, not copied out of a pickle. The CRC tells a damaged file from an entry.
_MAGIC = b"GDz1"
_HEADER = struct.Struct("<4sQI")  # magic, length once decompressed, CRC-32 of the compressed bytes
_COUNT = struct.Struct("<I")
# A suffix of its own, so that the plain pickles of earlier versions are never read as entries.
_SUFFIX = ".pkl.zst"


class ReportCache:
    """Parsed-report frames stored as one compressed pickle per file under
    ``directory/parsed/<version>/``.

    The files are written by this library for this user only; a corrupt or unreadable entry is
    treated as missing and parsed again (the parse is the source of truth, the cache a copy).

    Next to the entries, a :class:`StatMemo` (``files.sqlite3``, see :meth:`memo`) maps each
    source file's path and stat to its key, so that a warm run finds the entries of unchanged
    files without reading them. A file whose size, modification or status-change time, inode or
    device differs from the memo is read and hashed again, as is one that had been modified less
    than two seconds before it was last read. To make a run read every file regardless, pass
    ``cache=False`` or :meth:`clear` the cache.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        from govdisclosure import __version__

        self.root = Path(directory) if directory is not None else default_cache_dir()
        self.directory = self.root / "parsed" / f"{__version__}-{data_fingerprint()}"

    @staticmethod
    def key(data: bytes, source_format: str) -> str:
        """The entry's key: the SHA-256 of the file's bytes and the format they are read as."""
        return f"{hashlib.sha256(data).hexdigest()}-{source_format}"

    def memo(self) -> StatMemo:
        """The memo of source files' keys by their stat, loaded (for one run)."""
        memo = StatMemo(self.directory / "files.sqlite3")
        memo.load()
        return memo

    def _path(self, key: str) -> str:
        # A string, not a Path: a warm run looks up thousands of entries, and building Path
        # objects took longer than reading them.
        return os.path.join(self.directory, key[:2], key + _SUFFIX)

    def has(self, key: str) -> bool:
        """Whether an entry is stored under ``key`` (not whether it is readable)."""
        return os.path.exists(self._path(key))

    def prefetch(self, keys: list[str]) -> None:
        """Ask the system to start reading these entries (the empty keys skipped), where it can.

        A warm run from disk reads thousands of small entries one after the other; asked for
        a few hundred ahead, the disk serves many at once (~4x faster here). Only a hint:
        an entry that cannot be opened is left to :meth:`get` to find out.
        """
        if not hasattr(os, "posix_fadvise"):  # macOS, Windows
            return
        for key in keys:
            if not key:
                continue
            try:
                fd = os.open(self._path(key), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            finally:
                os.close(fd)

    def get(self, key: str) -> dict[str, object] | None:
        """The entry stored under ``key``; None when there is none or it cannot be read."""
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                entry = _unpack(fh.read())  # our own files, in this user's cache directory
        except FileNotFoundError:
            return None
        except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            # Corrupt (a full disk, a damaged medium): drop it and parse again; the parse is
            # the source of truth.
            logger.warning("dropping unreadable cache entry %s: %s", path, exc)
            Path(path).unlink(missing_ok=True)
            return None
        return entry

    def put(self, key: str, entry: dict[str, object]) -> None:
        """Store ``entry`` under ``key``, replacing any entry there."""
        path = Path(self._path(key))
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash or a parallel writer never leaves half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_pack(entry))
        os.replace(tmp, path)

    def clear(self) -> None:
        """Remove every cached entry of every version."""
        parsed = self.root / "parsed"
        if parsed.exists():
            shutil.rmtree(parsed)


def _pack(entry: dict[str, object]) -> bytes:
    """An entry as stored (see ``_HEADER``)."""
    buffers: list[pickle.PickleBuffer] = []
    # Also the Buffers an entry read back holds: packed again, it is the same file.
    wrapped = {name: pickle.PickleBuffer(value) if isinstance(value, (bytes, pa.Buffer)) else value
               for name, value in entry.items()}
    parts = [pickle.dumps(wrapped, protocol=5, buffer_callback=buffers.append),
             *(buffer.raw() for buffer in buffers)]
    raw = b"".join([_COUNT.pack(len(parts)), struct.pack(f"<{len(parts)}Q", *map(len, parts)), *parts])
    packed = pa.compress(raw, codec="zstd", asbytes=True)
    return _HEADER.pack(_MAGIC, len(raw), zlib.crc32(packed)) + packed


def _unpack(data: bytes) -> dict[str, object]:
    """The entry stored as ``data``; raises ValueError (or OSError) for anything else.

    Its byte strings come back as :class:`pyarrow.Buffer` slices of the decompressed data.
    """
    if len(data) < _HEADER.size:
        raise ValueError("shorter than the header")
    magic, size, crc = _HEADER.unpack_from(data)
    packed = memoryview(data)[_HEADER.size:]
    if magic != _MAGIC or zlib.crc32(packed) != crc:
        raise ValueError("not an entry of this version, or damaged")
    raw = pa.decompress(packed, decompressed_size=size, codec="zstd")
    (count,) = _COUNT.unpack_from(raw)
    offset = _COUNT.size + 8 * count
    lengths = struct.unpack_from(f"<{count}Q", raw, _COUNT.size)
    if count < 1 or offset + sum(lengths) != size:
        raise ValueError("parts do not add up")
    parts = []
    for length in lengths:
        parts.append(raw.slice(offset, length))
        offset += length
    entry = pickle.loads(parts[0], buffers=parts[1:])
    if not isinstance(entry, dict):
        raise ValueError(f"holds a {type(entry).__name__}, not an entry")
    return entry


# A file modified this close to the moment it was read may be modified again within the same
# timestamp tick (1 s or 2 s on some file systems) without its stat changing: its memo is not
# trusted, as git treats "racily clean" index entries.
RACY_NS = 2_000_000_000


def file_stat(st: os.stat_result) -> str:
    """What identifies one version of a file without reading it, as stored in the memo.

    Size, modification and status-change times in nanoseconds, inode and device, as text: an
    inode number may not fit SQLite's signed 64-bit integers. The status-change time catches a
    rewrite that kept the size and restored the modification time (``cp -p``, ``touch -r``).
    """
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def memo_stat(st: os.stat_result, read_ns: int) -> str | None:
    """:func:`file_stat` if it may be memoized for the bytes read after ``read_ns`` (ns since
    the epoch, taken before the stat), None when the file changed too recently to be sure that
    a later change would show in its stat."""
    if max(st.st_mtime_ns, st.st_ctime_ns) + RACY_NS < read_ns:
        return file_stat(st)
    return None


# How long a run waits for another one holding the memo (seconds).
_MEMO_TIMEOUT = 30.0


class StatMemo:
    """The cache key of each source file by its absolute path and :func:`file_stat`.

    One SQLite file (WAL, so that concurrent runs over the same cache wait rather than fail),
    read whole by :meth:`load` at the start of a run and written once by :meth:`save` at its end,
    from the main process only. It is only a shortcut: when it is missing, damaged or locked for
    too long, files are read and hashed as without it (and a warning is logged).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, tuple[str, str]] = {}  # path → (stat, key)
        self.fresh: dict[str, tuple[str, str]] = {}  # learnt during this run, not saved yet

    def load(self) -> None:
        """Read every record (one query: a run looks up thousands of files)."""
        self.known = {}
        if not self.path.exists():  # a lookup never creates the cache directory
            return
        try:
            with self._connect() as conn:
                rows = conn.execute("SELECT path, stat, key FROM files_v1").fetchall()
        except sqlite3.DatabaseError as exc:
            # Not a database any more (a crash mid-write on a file system without atomic
            # writes): start afresh, files are hashed again.
            logger.warning("dropping unreadable cache memo %s: %s", self.path, exc)
            self._remove()
            return
        except (sqlite3.Error, OSError) as exc:
            logger.warning("cache memo %s not read, every file is hashed: %s", self.path, exc)
            return
        self.known = {os.fsdecode(path): (stat, key) for path, stat, key in rows}

    def key(self, path: str, stat: str) -> str | None:
        """The memoized key of ``path`` (absolute) if its stat is still ``stat``."""
        found = self.known.get(path)
        return found[1] if found is not None and found[0] == stat else None

    def note(self, path: str, stat: str, key: str) -> None:
        """Remember that ``path`` (absolute) with ``stat`` has ``key``; kept until :meth:`save`."""
        if self.known.get(path) != (stat, key):
            self.fresh[path] = (stat, key)

    def save(self) -> None:
        """Write what :meth:`note` learnt, in one transaction; a failure is logged, not raised
        (the next run hashes those files again)."""
        if not self.fresh:
            return
        rows = [(os.fsencode(path), stat, key) for path, (stat, key) in self.fresh.items()]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR REPLACE INTO files_v1 (path, stat, key) VALUES (?, ?, ?)", rows)
                conn.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            logger.warning("cache memo %s not updated (%d files will be hashed again): %s",
                           self.path, len(rows), exc)
            return
        self.known.update(self.fresh)
        self.fresh = {}

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Autocommit mode (transactions begun explicitly); the timeout waits out another run's
        # write. Paths are BLOBs: a file name undecodable in UTF-8 is a str with surrogates.
        with closing(sqlite3.connect(self.path, timeout=_MEMO_TIMEOUT, isolation_level=None)) as conn:
            use_wal(conn, _MEMO_TIMEOUT)
            conn.execute("CREATE TABLE IF NOT EXISTS files_v1 (path BLOB PRIMARY KEY, stat TEXT NOT NULL,"
                         " key TEXT NOT NULL) WITHOUT ROWID")
            yield conn

    def _remove(self) -> None:
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        except OSError as exc:
            logger.warning("cache memo %s not removed: %s", self.path, exc)
