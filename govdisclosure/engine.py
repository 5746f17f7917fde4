"""The corpus engine: parse many files in a process pool, with a cache, limits and progress.

Each file is read, looked up in the cache, parsed under a time limit and reduced to its frames in
a worker; only the frames travel back, never the source text, so memory stays flat in the number
of reports. Every path comes back exactly once: as frames or as a failure, in a :class:`Batch`
of consecutive paths whose reports' rows a worker has joined.

With a cache, a file is first looked up by its stat in the cache's memo
(:class:`~govdisclosure.cache.StatMemo`): an unchanged file (same size, modification and
status-change times, inode and device as when it was last read, and not modified within two
seconds of that read) is served from its entry without reading or hashing it. Any other file is
read and hashed; the keys learnt are saved to the memo by the main process at the end of the run.
``cache=False`` or clearing the cache makes every file be read again.

With a pool, workers also serve the cached entries, a few hundred at a time: each loads and
decompresses its entries and joins their rows, so the main process only receives one Arrow IPC
stream per frame and batch (a warm run of 10,000 reports is mostly that work, which one
process did alone before). A large stream is left in a file in shared memory (``/dev/shm``),
which the main process maps and unlinks: the frames' memory is then the worker's pages, not a
copy made through a pipe (see :class:`SharedStream`).
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

from govdisclosure.cache import ReportCache, StatMemo, file_stat, memo_stat
from govdisclosure.errors import FileTooLargeError, FolderError, GovDisclosureError, TimeLimitError
from govdisclosure.frames import FRAME_SCHEMAS, from_ipc, join, table_ipc, to_ipc
from govdisclosure.readers import format_of, read_source
from govdisclosure.report import parse_source, report_id_of

logger = logging.getLogger(__name__)

# The largest real report we have seen is under 1 MB of text and 5 MB as a PDF; 50 MB is
# refused before reading so that one stray file cannot take a corpus run's memory.
DEFAULT_MAX_BYTES = 40 * 1024 * 1024
DEFAULT_TIME_LIMIT = 120.0


@dataclass(frozen=True)
class Options:
    """What every worker needs to know (picklable)."""

    cache_dir: str | None
    max_bytes: int = DEFAULT_MAX_BYTES
    time_limit: float | None = DEFAULT_TIME_LIMIT
    # Set by run() for its workers: where they leave large frames (None: in the pipe).
    shared_dir: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The result for one path: ``entry`` (frames) or ``error``/``message``.

    ``key`` and ``stat`` are set when the file was read and hashed and its stat may be memoized
    (:func:`~govdisclosure.cache.memo_stat`): the worker learns them, the main process records
    them in the cache's memo, so that the next run need not read the file.
    """

    path: str
    entry: dict[str, object] | None = None
    error: str = ""
    message: str = ""
    cached: bool = False
    key: str = ""
    stat: str = ""


@dataclass(frozen=True)
class Batch:
    """The outcomes of consecutive input paths, and their reports' rows.

    ``frames`` maps each frame name (sections, tables, issues) to one Arrow IPC stream with the
    rows of every outcome that has an ``entry``, in order; such an entry holds the report's
    ``meta`` only. Empty when no outcome has one.
    """

    outcomes: tuple[Outcome, ...]
    frames: dict[str, object]  # bytes, pyarrow.Buffer or SharedStream

    def tables(self) -> dict[str, pa.Table]:
        """The frames as Arrow tables, read in place; call it once (shared files are unlinked)."""
        return {name: frame.read() if isinstance(frame, SharedStream) else from_ipc(frame)  # type: ignore[arg-type]
                for name, frame in self.frames.items()}

    @classmethod
    def of(cls, outcome: Outcome) -> Batch:
        """One outcome as a batch: its entry's IPC streams become the batch's frames."""
        entry = outcome.entry
        if entry is None:
            return cls((outcome,), {})
        return cls((replace(outcome, entry={"meta": entry["meta"]}),),
                   {name: entry[name] for name in FRAME_SCHEMAS})


@contextmanager
def time_limit(seconds: float | None, name: str) -> Iterator[None]:
    """Raise :class:`TimeLimitError` in this thread after ``seconds``.

    Uses SIGALRM, so it works in the main thread of a process (every pool worker; a notebook's
    kernel) on POSIX systems; elsewhere the limit is not enforced. The previous handler and timer
    are restored afterwards. A hang inside a C extension is interrupted only when control returns
    to Python.
    """
    usable = (seconds and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def _expire(signum: int, frame: object) -> None:
        raise TimeLimitError(f"{name}: parsing took longer than {seconds:g} s and was stopped; "
                             "the file may be damaged or far larger than a report")

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_path(path: str, options: Options) -> Outcome:
    """Read, look up, parse and cache one file; never raises for a bad file."""
    try:
        if os.path.isdir(path):
            _refuse_folder(path)
        source_format = format_of(path)
        read_ns, st = _stat(path, options)
        cache = _cache_at(options.cache_dir) if options.cache_dir else None
        data = _read_file(path)
        key = stat = ""
        if cache is not None:
            key, stat = ReportCache.key(data, source_format), memo_stat(st, read_ns) or ""
            entry = cache.get(key)
            if entry is not None:
                return Outcome(path, _with_path(entry, path), cached=True, key=key, stat=stat)
        # The cache key starts with the bytes' SHA-256, whose first 16 digits are the report id:
        # hashing a 300 KB PDF once more would cost a quarter of parsing it.
        report_id = key[:16] if key else report_id_of(data)
        with time_limit(options.time_limit, path):
            report = parse_source(read_source(data, source_format, name=path), report_id, path)
        # Arrow IPC bytes, built here in the worker: the main process only joins them.
        entry = {"meta": report.meta,
                 **{name: to_ipc(name, cols) for name, cols in report.column_lists().items()}}
        if cache is not None:
            cache.put(key, entry)
        return Outcome(path, entry, key=key, stat=stat)
    except (GovDisclosureError, OSError) as exc:  # recorded as a failure, never dropped
        return Outcome(path, error=type(exc).__name__, message=str(exc))
    except Exception as exc:
        # A bug of ours met on one file must not end a run over thousands: the file is listed
        # as a failure with the exception, and logged with its traceback for a bug report.
        logger.exception("unexpected error while parsing %s", path)
        return Outcome(path, error=type(exc).__name__,
                       message=f"{path}: unexpected error while parsing (please report it): {exc}")


def _refuse_folder(path: str) -> None:
    """Raise :class:`FolderError` for a folder among the files: one that could not be listed
    (corpus.expand_paths returns it so that it is not silently missing), or one a pattern matched."""
    try:
        os.listdir(path)
    except OSError as exc:
        raise FolderError(f"{path}: the folder's files cannot be listed ({exc.strerror or exc}); "
                          "none of its reports were read") from exc
    raise FolderError(f"{path}: a folder, not a report file; pass the folder itself to read the files in it")


def _stat(path: str, options: Options) -> tuple[int, os.stat_result]:
    """The time before the stat (for :func:`memo_stat`) and the stat of a file not too large."""
    # Taken before the stat and the read: a change after it gets a later modification time.
    read_ns = time.time_ns()
    st = os.stat(path)
    if st.st_size > options.max_bytes:
        raise FileTooLargeError(
            f"{path}: the file has {st.st_size / 2**20:.0f} MB; annual reports are far smaller, so it "
            f"was not read (limit {options.max_bytes / 2**20:.0f} MB: max_bytes=)")
    return read_ns, st


def _read_file(path: str) -> bytes:
    """The file's bytes (the one place a source file is read: tests count the reads)."""
    return Path(path).read_bytes()


@lru_cache(maxsize=8)
def _cache_at(directory: str) -> ReportCache:
    """One cache object per directory and process (a warm run looks up thousands of files)."""
    return ReportCache(directory)


def known_key(path: str, options: Options, memo: StatMemo | None) -> str:
    """The key ``memo`` holds for ``path`` if the file's stat is unchanged, else "" (read it).

    Only a stat, in the main process: whether the entry is still there is found out when it is
    loaded. A file that cannot be looked up is left to :func:`parse_path`, which reports it.
    """
    if memo is None:
        return ""
    try:
        st = os.stat(path)
    except OSError:
        return ""
    if st.st_size > options.max_bytes:  # refused by parse_path, whatever the cache holds
        return ""
    return memo.key(os.path.abspath(path), file_stat(st)) or ""


def _load_cached(path: str, key: str, options: Options) -> Outcome:
    """The cached outcome under ``key``; parsed if the entry is gone or unreadable."""
    entry = _cache_at(options.cache_dir).get(key)  # type: ignore[arg-type]
    if entry is None:
        return parse_path(path, options)
    return Outcome(path, _with_path(entry, path), cached=True)


def _outcome(path: str, key: str, options: Options) -> Outcome:
    """From the cache when ``key`` (memoized) is given and its entry readable, else parsed."""
    return _load_cached(path, key, options) if key else parse_path(path, options)


def serve(items: list[tuple[str, str]], options: Options) -> Batch:
    """A worker's task: the outcomes of consecutive ``(path, memoized key or "")`` items, their
    reports' rows joined into one IPC stream per frame (in shared memory when large)."""
    outcomes: list[Outcome] = []
    tables: dict[str, list[pa.Table]] = {name: [] for name in FRAME_SCHEMAS}
    for path, key in items:
        single = Batch.of(_outcome(path, key, options))
        outcomes += single.outcomes
        for name, stream in single.frames.items():
            tables[name].append(from_ipc(stream))  # type: ignore[arg-type]
    if all(outcome.entry is None for outcome in outcomes):
        return Batch(tuple(outcomes), {})
    return Batch(tuple(outcomes), {name: _ship(join(name, parts), options.shared_dir)
                                   for name, parts in tables.items()})


# Frames from this size on are left in shared memory rather than pickled through the pool's
# pipe: for 10,000 warm reports (~400 MB of frames) pickling, piping and unpickling cost ~1.3 s
# of CPU and as many fresh pages in the main process, which mapping the worker's file avoids.
SHARED_MIN_BYTES = 1 << 20
SHARED_ROOT = "/dev/shm"
_SHARED_PREFIX = "govdisclosure-"
# The run's directory is removed when it ends; one left by a killed run is removed by a later
# run once its process is gone and it has not changed for this long (a run's files come and go
# within seconds; and a process in another PID namespace may look gone).
_STALE_SECONDS = 3600


@dataclass(frozen=True)
class SharedStream:
    """An Arrow IPC stream a worker wrote to a file in the run's directory in shared memory.

    The main process maps the file and unlinks it at once: the table's memory is the file's
    pages, freed with the table, and counts towards ``/dev/shm``'s size meanwhile (a worker
    that finds it full sends its frames through the pipe instead).
    """

    path: str

    def read(self) -> pa.Table:
        """The table, mapped in place; the file's name is removed."""
        try:
            return pa.ipc.open_stream(pa.memory_map(self.path)).read_all()
        finally:
            os.unlink(self.path)


def _ship(table: pa.Table, shared_dir: str | None) -> object:
    """A joined frame for the main process: in a shared file when large, else IPC bytes."""
    if shared_dir is None or table.nbytes < SHARED_MIN_BYTES:
        return table_ipc(table)
    path = ""
    try:
        fd, path = tempfile.mkstemp(dir=shared_dir, suffix=".arrows")
        os.close(fd)
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
    except OSError as exc:
        # Full (a container's /dev/shm has 64 MB by default): the pipe is slower, not wrong.
        if path:
            os.unlink(path)
        if shared_dir not in _warned:  # once per worker and run, not for every frame
            _warned.add(shared_dir)
            logger.warning("shared memory (%s) is full or unusable, frames are sent through a pipe "
                           "(slower): %s", shared_dir, exc)
        return table_ipc(table)
    return SharedStream(path)


_warned: set[str] = set()


@contextmanager
def _shared_dir() -> Iterator[str | None]:
    """A private directory in shared memory for one run's frames, removed afterwards; None
    where there is none (macOS, Windows) or it cannot be made."""
    if not os.path.isdir(SHARED_ROOT):
        yield None
        return
    _remove_stale(SHARED_ROOT)
    try:
        path = tempfile.mkdtemp(prefix=f"{_SHARED_PREFIX}{os.getpid()}-", dir=SHARED_ROOT)  # mode 0700
    except OSError as exc:
        logger.info("frames sent through pipes, no directory in %s: %s", SHARED_ROOT, exc)
        yield None
        return
    try:
        yield path
    finally:
        # What the main process mapped is unlinked already; this removes what it never took
        # (a run stopped early).
        _remove(path)


def _remove_stale(root: str) -> None:
    """Remove this user's run directories under ``root`` whose process is gone (killed)."""
    now = time.time()
    try:
        entries = [e for e in os.scandir(root) if e.name.startswith(_SHARED_PREFIX)]
    except OSError as exc:
        logger.warning("could not look for leftovers of killed runs in %s: %s", root, exc)
        return
    for entry in entries:
        pid = entry.name[len(_SHARED_PREFIX):].split("-", 1)[0]
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:  # removed meanwhile by its run
            continue
        if (not pid.isdigit() or not entry.is_dir(follow_symlinks=False) or st.st_uid != os.getuid()
                or now - st.st_mtime < _STALE_SECONDS or _alive(int(pid))):
            continue
        _remove(entry.path)


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (this user's or another's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


def _remove(directory: str) -> None:
    """Remove a run directory; a failure is logged (a leftover takes memory, nothing else)."""
    try:
        shutil.rmtree(directory)
    except OSError as exc:  # the run's frames are read; a leftover only takes memory
        logger.warning("could not remove %s: %s", directory, exc)


def _memo_of(options: Options) -> StatMemo | None:
    """The cache's memo, loaded for this run (None without a cache)."""
    return _cache_at(options.cache_dir).memo() if options.cache_dir else None


def _note(batch: Batch, memo: StatMemo | None) -> None:
    """Record in ``memo`` the keys and stats of the batch's files read and hashed, with frames."""
    if memo is None:
        return
    for outcome in batch.outcomes:
        if outcome.stat and outcome.entry is not None:
            memo.note(os.path.abspath(outcome.path), outcome.stat, outcome.key)


def _with_path(entry: dict[str, object], path: str) -> dict[str, object]:
    """A cached entry describes the bytes; the path is the one asked for now."""
    meta = dict(entry["meta"])  # type: ignore[call-overload]
    meta["source_path"] = path
    return {**entry, "meta": meta}


def run(paths: list[str], options: Options, *, n_jobs: int = 1, backend: str = "processes",
        client: object | None = None) -> Iterator[Batch]:
    """Batches of outcomes in input order: every path once.

    Args:
        paths: The files.
        options: Cache, size and time limits for every worker.
        n_jobs: Processes for the ``"processes"`` backend (1: this process).
        backend: ``"processes"`` (a local pool) or ``"dask"`` (a Dask cluster, for corpora
            beyond one machine; extra ``govdisclosure[dask]``).
        client: A ``dask.distributed.Client`` to run on; None uses Dask's current scheduler.
    """
    if backend == "dask":
        for outcome in _run_dask(paths, options, client):
            yield Batch.of(outcome)
        return
    if backend != "processes":
        raise ValueError(f"unknown backend {backend!r}; use 'processes' or 'dask'")
    memo = _memo_of(options)
    batches = _run_local(paths, options, n_jobs, memo)
    try:
        for batch in batches:
            _note(batch, memo)
            yield batch
    finally:
        batches.close()  # the pool is shut down first
        # Also after an interrupted run: what was learnt holds.
        if memo is not None:
            memo.save()


# Paths a worker gets at once: cached entries take ~0.15 ms each to serve, so a few hundred
# keep the per-task cost small; a parse takes ~20 ms, so fewer balance the workers' loads.
_CACHED_CHUNK = 256
_PARSE_CHUNK = 32


def _run_local(paths: list[str], options: Options, n_jobs: int,
               memo: StatMemo | None) -> Generator[Batch, None, None]:
    """:func:`run` on this machine: in this process, or in chunks in a pool."""
    keys = [known_key(path, options, memo) for path in paths]
    cache = _cache_at(options.cache_dir) if options.cache_dir else None
    # A pool costs ~0.1 s to start: not worth it for a few cached reports.
    if n_jobs <= 1 or len(paths) <= 1 or (all(keys) and len(paths) <= _CACHED_CHUNK):
        ahead = _CACHED_CHUNK
        for i, (path, key) in enumerate(zip(paths, keys, strict=True)):
            if cache is not None and i % ahead == 0:  # the entries of this stretch and the next
                cache.prefetch(keys[i if i == 0 else i + ahead:i + 2 * ahead])
            yield Batch.of(_outcome(path, key, options))
        return
    chunks = _chunks(keys, n_jobs)
    # A few chunks ahead of the one awaited, not all: the main process holds only what it
    # has not consumed yet, so memory stays flat when the frames are streamed to disk.
    waiting: deque[Future[Batch]] = deque()
    todo = iter(chunks)
    with _shared_dir() as shared_dir:
        pool = ProcessPoolExecutor(max_workers=min(n_jobs, len(chunks)))
        shared = replace(options, shared_dir=shared_dir)

        def submit() -> None:
            chunk = next(todo, None)
            if chunk is not None:
                if cache is not None:
                    cache.prefetch(keys[chunk[0]:chunk[1]])
                items = list(zip(paths[chunk[0]:chunk[1]], keys[chunk[0]:chunk[1]], strict=True))
                waiting.append(pool.submit(serve, items, shared))

        try:
            for _ in range(2 * n_jobs):
                submit()
            while waiting:
                batch = waiting.popleft().result()
                submit()
                yield batch
        finally:
            pool.shutdown(cancel_futures=True)


def _chunks(keys: list[str], n_jobs: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of consecutive paths all known to the memo or all not, each short enough
    that every worker gets several."""
    known = sum(map(bool, keys))
    size = {True: max(1, min(_CACHED_CHUNK, math.ceil(known / (4 * n_jobs)))),
            False: max(1, min(_PARSE_CHUNK, (len(keys) - known) // (8 * n_jobs)))}
    chunks: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(keys) + 1):
        kind = bool(keys[start])
        if i == len(keys) or bool(keys[i]) != kind or i - start == size[kind]:
            chunks.append((start, i))
            start = i
    return chunks


def _run_dask(paths: list[str], options: Options, client: object | None) -> Iterator[Outcome]:
    """Map :func:`parse_path` over a Dask bag; results come back in input order."""
    try:
        import dask.bag as db
    except ImportError as exc:
        raise ImportError("backend='dask' needs Dask: pip install 'govdisclosure[dask]'") from exc
    if not paths:
        return
    # Partitions of ~50 files: large enough to amortise task overhead, small enough to balance.
    bag = db.from_sequence(paths, npartitions=max(1, len(paths) // 50)).map(parse_path, options)
    if client is not None:
        yield from client.compute(bag).result()  # type: ignore[attr-defined]
    else:
        yield from bag.compute()
