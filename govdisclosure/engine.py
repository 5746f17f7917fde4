"""The corpus engine: parse many files in a process pool, with a cache, limits and progress.

Each file is read, looked up in the cache, parsed under a time limit and reduced to its frames in
a worker; only the frames travel back, never the source text, so memory stays flat in the number
of reports. Every path comes back exactly once: as frames or as a failure.

With a cache, a file is first looked up by its stat in the cache's memo
(:class:`~govdisclosure.cache.StatMemo`): an unchanged file (same size, modification and
status-change times, inode and device as when it was last read, and not modified within two
seconds of that read) is served from its entry without reading or hashing it. Any other file is
read and hashed; the keys learnt are saved to the memo by the main process at the end of the run.
``cache=False`` or clearing the cache makes every file be read again.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Generator, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from govdisclosure.cache import ReportCache, StatMemo, file_stat, memo_stat
from govdisclosure.errors import FileTooLargeError, GovDisclosureError, TimeLimitError
from govdisclosure.frames import to_ipc
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
class CachedFile:
    """A file whose entry is in the cache: its key, and its stat to memoize ("" if none)."""

    key: str
    stat: str = ""


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


def parse_path(path: str, options: Options, memo: StatMemo | None = None) -> Outcome:
    """Read, look up, parse and cache one file; never raises for a bad file.

    Args:
        path: The file.
        options: Cache, size and time limits.
        memo: The cache's loaded memo (main process only): a file it knows unchanged is served
            from its entry unread.
    """
    try:
        source_format = format_of(path)
        read_ns, st = _stat(path, options)
        cache = _cache_at(options.cache_dir) if options.cache_dir else None
        if cache is not None and memo is not None:
            known = memo.key(os.path.abspath(path), file_stat(st))
            entry = cache.get(known) if known else None
            if entry is not None:
                return Outcome(path, _with_path(entry, path), cached=True)
        data = _read_file(path)
        key = stat = ""
        if cache is not None:
            key, stat = ReportCache.key(data, source_format), memo_stat(st, read_ns) or ""
            entry = cache.get(key)
            if entry is not None:
                return Outcome(path, _with_path(entry, path), cached=True, key=key, stat=stat)
        with time_limit(options.time_limit, path):
            report = parse_source(read_source(data, source_format, name=path), report_id_of(data), path)
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


def cached_key(path: str, options: Options, memo: StatMemo | None = None) -> CachedFile | None:
    """The cache key of a file whose parse is cached, or None to parse it.

    Only whether the entry exists: the entry itself is loaded when its turn comes, so a warm
    run with a pool never holds every cached report at once. A file the ``memo`` knows
    unchanged is not read. Any problem reading the file is left to :func:`parse_path`, which
    reports it.
    """
    if not options.cache_dir:
        return None
    cache = _cache_at(options.cache_dir)
    try:
        source_format = format_of(path)
        read_ns, st = _stat(path, options)
        if memo is not None:
            known = memo.key(os.path.abspath(path), file_stat(st))
            if known and cache.has(known):
                return CachedFile(known)
        data = _read_file(path)
    except (GovDisclosureError, OSError):
        return None
    key = ReportCache.key(data, source_format)
    return CachedFile(key, memo_stat(st, read_ns) or "") if cache.has(key) else None


def _load_cached(path: str, found: CachedFile, options: Options) -> Outcome:
    """The cached outcome of ``found``; parsed here if the entry went missing meanwhile."""
    entry = _cache_at(options.cache_dir).get(found.key)  # type: ignore[arg-type]
    if entry is None:
        return parse_path(path, options)
    return Outcome(path, _with_path(entry, path), cached=True, key=found.key, stat=found.stat)


def _memo_of(options: Options) -> StatMemo | None:
    """The cache's memo, loaded for this run (None without a cache)."""
    return _cache_at(options.cache_dir).memo() if options.cache_dir else None


def _noted(outcome: Outcome, memo: StatMemo | None) -> Outcome:
    """``outcome``, its key and stat noted in ``memo`` when it has frames to be found by them."""
    if memo is not None and outcome.stat and outcome.entry is not None:
        memo.note(os.path.abspath(outcome.path), outcome.stat, outcome.key)
    return outcome


def _with_path(entry: dict[str, object], path: str) -> dict[str, object]:
    """A cached entry describes the bytes; the path is the one asked for now."""
    meta = dict(entry["meta"])  # type: ignore[call-overload]
    meta["source_path"] = path
    return {**entry, "meta": meta}


def run(paths: list[str], options: Options, *, n_jobs: int = 1, backend: str = "processes",
        client: object | None = None) -> Iterator[Outcome]:
    """Outcomes in input order.

    Args:
        paths: The files.
        options: Cache, size and time limits for every worker.
        n_jobs: Processes for the ``"processes"`` backend (1: this process).
        backend: ``"processes"`` (a local pool) or ``"dask"`` (a Dask cluster, for corpora
            beyond one machine; extra ``govdisclosure[dask]``).
        client: A ``dask.distributed.Client`` to run on; None uses Dask's current scheduler.
    """
    if backend == "dask":
        yield from _run_dask(paths, options, client)
        return
    if backend != "processes":
        raise ValueError(f"unknown backend {backend!r}; use 'processes' or 'dask'")
    memo = _memo_of(options)
    outcomes = _run_local(paths, options, n_jobs, memo)
    try:
        for outcome in outcomes:
            yield _noted(outcome, memo)
    finally:
        outcomes.close()  # the pool is shut down first
        # Also after an interrupted run: what was learnt holds.
        if memo is not None:
            memo.save()


def _run_local(paths: list[str], options: Options, n_jobs: int,
               memo: StatMemo | None) -> Generator[Outcome, None, None]:
    """:func:`run` on this machine: in this process, or cached files here and others in a pool."""
    if n_jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield parse_path(path, options, memo)
        return
    # Cached files are served in this process, without a pool or shipping frames between
    # processes; only the others go to the workers.
    known = {i: found for i, path in enumerate(paths) if (found := cached_key(path, options, memo))}
    todo = [path for i, path in enumerate(paths) if i not in known]
    parsed: Iterator[Outcome] = iter(())
    pool = None
    if todo:
        chunksize = max(1, min(32, len(todo) // (n_jobs * 8)))
        pool = ProcessPoolExecutor(max_workers=min(n_jobs, len(todo)))
        parsed = pool.map(parse_path, todo, [options] * len(todo), chunksize=chunksize)
    try:
        for i in range(len(paths)):
            yield _load_cached(paths[i], known[i], options) if i in known else next(parsed)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


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
