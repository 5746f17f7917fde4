"""The parse cache's stat memo: unchanged files are not read again, changed ones always are."""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import pickle
import struct
import warnings
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pytest
from distinct import write_distinct_corpus
from sqlite_locks import hold_the_write_lock, release_later

import govdisclosure as gd
from govdisclosure import cache as cache_module
from govdisclosure import engine
from govdisclosure.cache import RACY_NS, ReportCache, StatMemo, memo_stat
from govdisclosure.report import report_id_of


@pytest.fixture
def corpus_dir(tmp_path):
    """Four reports with distinct tables (two per seed layout) and one empty file."""
    return write_distinct_corpus(tmp_path / "reports", 2)


@pytest.fixture
def settled(monkeypatch):
    """Files written a moment ago count as settled (as after two seconds), so they are memoized."""
    monkeypatch.setattr(cache_module, "RACY_NS", -60 * 10**9)


class _Reads:
    """The names of the source files read, by this process or a pool's workers (forked, so that
    they inherit the patch, whatever the platform's default), logged to a file."""

    def __init__(self, log) -> None:
        self.log = log
        self.clear()

    def clear(self) -> None:
        self.log.write_text("", encoding="utf-8")

    def names(self) -> list[str]:
        return sorted(self.log.read_text(encoding="utf-8").split())


@pytest.fixture
def reads(monkeypatch, tmp_path):
    seen = _Reads(tmp_path / "reads.log")
    real = engine._read_file

    def counting(path: str) -> bytes:
        with seen.log.open("a", encoding="utf-8") as fh:  # one short append: atomic
            fh.write(os.path.basename(path) + "\n")
        return real(path)

    monkeypatch.setattr(engine, "_read_file", counting)
    monkeypatch.setattr(engine, "ProcessPoolExecutor",
                        functools.partial(ProcessPoolExecutor, mp_context=multiprocessing.get_context("fork")))
    return seen


def _read(path, **kw) -> gd.Corpus:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gd.GovDisclosureWarning)
        return gd.read_corpus(path, progress=False, **kw)


def _memo(cache) -> dict[str, tuple[str, str]]:
    return ReportCache(cache).memo().known


def _report_id(corpus: gd.Corpus, path) -> str:
    return corpus.reports.set_index("source_path").loc[str(path), "report_id"]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_warm_run_reads_no_unchanged_file(corpus_dir, tmp_path, settled, reads, n_jobs) -> None:
    cache = tmp_path / "cache"
    cold = _read(corpus_dir, cache=cache, n_jobs=n_jobs)
    # Every file with an entry is memoized, by absolute path, with its stat and key; the empty
    # file failed, so it has no entry to find and no memo.
    memo = _memo(cache)
    assert sorted(os.path.basename(p) for p in memo) == ["pipe0.md", "pipe1.md", "tab0.txt", "tab1.txt"]
    tab0 = corpus_dir / "tab0.txt"
    assert memo[str(tab0)] == (cache_module.file_stat(tab0.stat()),
                               ReportCache.key(tab0.read_bytes(), "txt"))
    reads.clear()
    warm = _read(corpus_dir, cache=cache, n_jobs=n_jobs)
    assert reads.names() == ["empty.txt"]  # read to be parsed (and fail) again; the rest are not read
    assert warm.run_info["cached"] == 4 and warm.equals(cold)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_changed_file_with_the_same_size_is_parsed_again(corpus_dir, tmp_path, settled, reads,
                                                         n_jobs) -> None:
    cache = tmp_path / "cache"
    _read(corpus_dir, cache=cache)
    tab0 = corpus_dir / "tab0.txt"
    before = tab0.stat()
    text = tab0.read_text(encoding="utf-8")
    changed = text.replace("。", "，", 1).encode("utf-8")  # both three bytes in UTF-8
    assert changed != text.encode("utf-8") and len(changed) == before.st_size
    tab0.write_bytes(changed)
    os.utime(tab0, ns=(before.st_atime_ns, before.st_mtime_ns + 5 * 10**9))  # a new mtime
    reads.clear()
    again = _read(corpus_dir, cache=cache, n_jobs=n_jobs)
    assert reads.names() == ["empty.txt", "tab0.txt"]
    assert again.run_info["cached"] == 3
    assert _report_id(again, tab0) == report_id_of(changed)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_changed_file_with_the_same_mtime_is_parsed_again(corpus_dir, tmp_path, settled, reads,
                                                          n_jobs) -> None:
    cache = tmp_path / "cache"
    _read(corpus_dir, cache=cache)
    tab0, pipe0 = corpus_dir / "tab0.txt", corpus_dir / "pipe0.md"
    # tab0 grows by a line, pipe0 keeps its size: both get their old mtime back, as `cp -p`,
    # `touch -r` or an unpacked archive would; size and status-change time tell them apart.
    for path, extra in ((tab0, b"\n"), (pipe0, b"")):
        before = path.stat()
        data = path.read_bytes()
        path.write_bytes(data.replace("。".encode(), "，".encode(), 1) + extra)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_mtime_ns == before.st_mtime_ns
    reads.clear()
    again = _read(corpus_dir, cache=cache, n_jobs=n_jobs)
    assert reads.names() == ["empty.txt", "pipe0.md", "tab0.txt"]
    assert again.run_info["cached"] == 2
    for path in (tab0, pipe0):
        assert _report_id(again, path) == report_id_of(path.read_bytes())


def test_racily_fresh_files_are_not_memoized(corpus_dir, tmp_path, reads) -> None:
    cache = tmp_path / "cache"
    cold = _read(corpus_dir, cache=cache)
    # Written just before the run: a change within the same timestamp tick could leave their
    # stat as recorded, so the memo keeps nothing and the next run reads them all again.
    assert _memo(cache) == {}
    reads.clear()
    warm = _read(corpus_dir, cache=cache)
    assert reads.names() == ["empty.txt", "pipe0.md", "pipe1.md", "tab0.txt", "tab1.txt"]
    assert warm.run_info["cached"] == 4 and warm.equals(cold)


def test_memo_stat_trusts_only_files_settled_before_the_read() -> None:
    second = 10**9
    now = 1_700_000_000 * second

    def stat(mtime: int, ctime: int) -> os.stat_result:
        return SimpleNamespace(st_size=10, st_mtime_ns=mtime, st_ctime_ns=ctime, st_ino=7,
                               st_dev=3)  # type: ignore[return-value]

    settled = now - 3 * second
    assert cache_module.RACY_NS == RACY_NS == 2 * second
    assert memo_stat(stat(settled, settled), now) == f"10:{settled}:{settled}:7:3"
    assert memo_stat(stat(now - 1 * second, now - 3 * second), now) is None  # modified just before
    assert memo_stat(stat(now - 3 * second, now - 1 * second), now) is None  # mtime restored just before
    assert memo_stat(stat(now + 5 * second, now + 5 * second), now) is None  # a clock ahead of ours


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_memo_of_a_missing_entry_parses_the_file(corpus_dir, tmp_path, settled, reads, n_jobs) -> None:
    cache = tmp_path / "cache"
    cold = _read(corpus_dir, cache=cache)
    tab1 = corpus_dir / "tab1.txt"
    key = _memo(cache)[str(tab1)][1]
    entries = [p for p in ReportCache(cache).directory.rglob("*") if p.is_file() and p.name.startswith(key)]
    assert len(entries) == 1
    entries[0].unlink()
    reads.clear()
    warm = _read(corpus_dir, cache=cache, n_jobs=n_jobs)
    assert reads.names() == ["empty.txt", "tab1.txt"]
    assert warm.run_info["cached"] == 3 and warm.equals(cold)
    assert entries[0].exists()  # parsed and stored again


def test_damaged_memo_is_dropped_and_rebuilt(corpus_dir, tmp_path, settled, reads, caplog) -> None:
    cache = tmp_path / "cache"
    cold = _read(corpus_dir, cache=cache)
    memo_file = ReportCache(cache).directory / "files.sqlite3"
    assert memo_file.exists()
    memo_file.write_bytes(b"not a database" * 100)
    reads.clear()
    with caplog.at_level(logging.WARNING, logger="govdisclosure.cache"):
        warm = _read(corpus_dir, cache=cache)
    assert "dropping unreadable cache memo" in caplog.text
    assert len(reads.names()) == 5 and warm.run_info["cached"] == 4 and warm.equals(cold)
    assert len(_memo(cache)) == 4  # rebuilt by that run
    reads.clear()
    _read(corpus_dir, cache=cache)
    assert reads.names() == ["empty.txt"]


def test_memo_written_while_another_run_creates_it_waits_and_is_kept(tmp_path, caplog) -> None:
    # Two runs starting on one new cache: the switch to WAL used to fail at once ("database
    # is locked", no busy timeout for it), and that run's memo was lost with a warning.
    path = tmp_path / "files.sqlite3"
    holder = hold_the_write_lock(path)
    release = release_later(holder)
    memo = StatMemo(path)
    memo.note("/a/甲.txt", "s1", "k1")
    try:
        with caplog.at_level(logging.WARNING, logger="govdisclosure.cache"):
            memo.save()
    finally:
        release.join()
        holder.close()
    assert caplog.text == ""
    again = StatMemo(path)
    again.load()
    assert again.key("/a/甲.txt", "s1") == "k1"


def test_memo_is_not_used_without_a_cache(corpus_dir, tmp_path, settled, reads) -> None:
    _read(corpus_dir, cache=tmp_path / "cache")
    reads.clear()
    _read(corpus_dir, cache=False)
    assert len(reads.names()) == 5


def _entries(cache) -> list:
    return sorted(ReportCache(cache).directory.rglob("*.pkl.zst"))


def test_entries_are_compressed_and_read_back_equal(corpus_dir, tmp_path) -> None:
    cache = tmp_path / "cache"
    _read(corpus_dir, cache=cache)
    store = ReportCache(cache)
    key = ReportCache.key((corpus_dir / "tab0.txt").read_bytes(), "txt")
    entry = store.get(key)
    assert entry is not None and sorted(entry) == ["issues", "meta", "sections", "tables"]
    assert entry["meta"]["source_path"] == str(corpus_dir / "tab0.txt")
    plain = pickle.dumps({name: value if name == "meta" else bytes(value) for name, value in entry.items()})
    stored = Path(store._path(key))
    assert stored.name == f"{key}.pkl.zst" and stored.read_bytes()[:4] == b"GDz1"
    assert stored.stat().st_size < len(plain) / 3
    # Written again from what was read, it is the same file.
    again = cache_module._pack(entry)
    assert again == stored.read_bytes()


def _flipped_unnoticed_by_zstd(data: bytes) -> bytes:
    """``data`` with one bit flipped in its middle where zstd decompresses it to other bytes
    without noticing (most flips: pyarrow's zstd frames carry no checksum)."""
    size = struct.unpack_from("<Q", data, 4)[0]
    original = pa.decompress(data[16:], decompressed_size=size, codec="zstd", asbytes=True)
    for pos in range(len(data) // 2, len(data)):
        flipped = data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1:]
        try:
            raw = pa.decompress(flipped[16:], decompressed_size=size, codec="zstd", asbytes=True)
        except OSError:
            continue
        if raw != original:
            return flipped
    raise AssertionError("zstd noticed every flip")  # pragma: no cover


def _forged(data: bytes, magic: bytes = b"GDz1", extra: int = 0) -> bytes:
    """``data`` with another magic or a first part length off by ``extra``, and a right CRC."""
    size = struct.unpack_from("<Q", data, 4)[0]
    raw = bytearray(pa.decompress(data[16:], decompressed_size=size, codec="zstd", asbytes=True))
    struct.pack_into("<Q", raw, 4, struct.unpack_from("<Q", raw, 4)[0] + extra)
    packed = pa.compress(bytes(raw), codec="zstd", asbytes=True)
    return struct.pack("<4sQI", magic, len(raw), zlib.crc32(packed)) + packed


DAMAGES = {
    "empty": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "flipped": lambda data: data[:-100] + bytes([data[-100] ^ 0x40]) + data[-99:],
    "flipped unnoticed by zstd": _flipped_unnoticed_by_zstd,
    "length": lambda data: data[:4] + struct.pack("<Q", struct.unpack_from("<Q", data, 4)[0] + 1) + data[12:],
    "parts": lambda data: _forged(data, extra=1),
    "other magic": lambda data: _forged(data, magic=b"GDz9"),
    "plain pickle": lambda data: pickle.dumps({"meta": {}}),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_entry_is_dropped_and_parsed_again(corpus_dir, tmp_path, caplog, damage) -> None:
    cache = tmp_path / "cache"
    cold = _read(corpus_dir, cache=cache)
    entries = _entries(cache)
    assert len(entries) == 4
    victim = entries[0]
    data = victim.read_bytes()
    assert _forged(data) == data  # the forgery itself changes nothing
    victim.write_bytes(DAMAGES[damage](data))
    with caplog.at_level(logging.WARNING, logger="govdisclosure.cache"):
        warm = _read(corpus_dir, cache=cache)
    assert f"dropping unreadable cache entry {victim}" in caplog.text
    assert warm.run_info["cached"] == 3 and warm.equals(cold)
    assert victim.read_bytes() == data  # parsed and stored again


def test_entries_of_the_old_format_are_ignored(corpus_dir, tmp_path) -> None:
    cache = tmp_path / "cache"
    cold = _read(corpus_dir, cache=cache)
    store = ReportCache(cache)
    # Plain pickles under every key, as an earlier version wrote them, all holding tab0's
    # report: were one read, the corpus would show tab0 in its place.
    tab0 = store.get(ReportCache.key((corpus_dir / "tab0.txt").read_bytes(), "txt"))
    old = pickle.dumps({name: value if name == "meta" else bytes(value) for name, value in tab0.items()})
    for entry in _entries(cache):
        entry.with_name(entry.name.removesuffix(".zst")).write_bytes(old)
        entry.unlink()
    warm = _read(corpus_dir, cache=cache)
    assert warm.run_info["cached"] == 0 and warm.equals(cold)
    assert len(list(store.directory.rglob("*.pkl"))) == 4  # left alone
