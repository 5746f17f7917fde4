"""The corpus engine: processes, cache, limits, exports."""

from __future__ import annotations

import os
import re
import shutil
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from distinct import SEED_PIPE, SEED_TAB, distinct_values, fill_seed, write_distinct_corpus

import govdisclosure as gd
from govdisclosure.cache import ReportCache
from govdisclosure.cli import main
from govdisclosure.engine import time_limit


@pytest.fixture
def corpus_dir(tmp_path):
    """Six reports with distinct tables (three per seed layout) and one empty file."""
    return write_distinct_corpus(tmp_path / "reports", 3)


def _read(path, **kw) -> gd.Corpus:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gd.GovDisclosureWarning)
        return gd.read_corpus(path, progress=False, **kw)


def test_two_processes_give_the_same_corpus(corpus_dir) -> None:
    one = _read(corpus_dir, n_jobs=1, cache=False)
    two = _read(corpus_dir, n_jobs=2, cache=False)
    assert one.equals(two)
    assert len(one.reports) == 6 and len(one.failures) == 1
    assert len(one.tables) == 1200 and one.tables["value"].nunique() > 200


def test_cache_reuses_and_invalidates(corpus_dir, tmp_path) -> None:
    cache = tmp_path / "cache"
    cold = _read(corpus_dir, cache=cache)
    assert cold.run_info["cached"] == 0
    warm = _read(corpus_dir, cache=cache)
    assert warm.run_info["cached"] == 6
    assert warm.equals(cold)
    # A changed file is parsed again; the others still come from the cache.
    changed = corpus_dir / "tab0.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("规章\t", "规章\t", 1) + "\n",
                       encoding="utf-8")
    again = _read(corpus_dir, cache=cache)
    assert again.run_info["cached"] == 5
    # The same bytes under another name: found in the cache, reported under the new path.
    shutil.copy(corpus_dir / "pipe1.md", corpus_dir / "copy.md")
    moved = _read(corpus_dir, cache=cache)
    assert str(corpus_dir / "copy.md") in set(moved.reports["source_path"])


def test_warm_run_with_a_pool_serves_the_cache_and_survives_a_vanished_entry(corpus_dir, tmp_path) -> None:
    cache = tmp_path / "cache"
    cold = _read(corpus_dir, cache=cache, n_jobs=2)
    entries = sorted((cache / "parsed").rglob("*.pkl.zst"))
    assert len(entries) == 6
    warm = _read(corpus_dir, cache=cache, n_jobs=2)
    assert warm.run_info["cached"] == 6 and warm.equals(cold)
    # Keys are looked up in the memo first and the entries loaded by a worker later: one removed
    # in between is parsed instead.
    from govdisclosure import engine

    options = engine.Options(cache_dir=str(cache))
    paths = sorted(str(p) for p in corpus_dir.iterdir() if p.name != "empty.txt")
    keys = [ReportCache.key(Path(p).read_bytes(), Path(p).suffix[1:]) for p in paths]
    assert {f"{k}.pkl.zst" for k in keys} == {e.name for e in entries}
    entries[0].unlink()
    batch = engine.serve(list(zip(paths, keys, strict=True)), options)
    assert [o.path for o in batch.outcomes] == paths
    assert [o.cached for o in batch.outcomes].count(True) == 5 and all(o.entry for o in batch.outcomes)
    assert entries[0].exists()
    from govdisclosure.frames import from_ipc

    tables = from_ipc(batch.frames["tables"]).to_pandas()
    assert len(tables) == 1200
    assert list(dict.fromkeys(tables["report_id"])) == [o.entry["meta"]["report_id"] for o in batch.outcomes]


def test_corrupt_cache_entry_is_parsed_again(corpus_dir, tmp_path) -> None:
    cache = tmp_path / "cache"
    _read(corpus_dir, cache=cache)
    entries = list(ReportCache(cache).directory.rglob("*.pkl.zst"))
    assert len(entries) == 6
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    corpus = _read(corpus_dir, cache=cache)
    assert corpus.run_info["cached"] == 0 and len(corpus.reports) == 6


def test_time_limit_stops_a_slow_parse() -> None:
    expected = re.escape("slow.txt: parsing took longer than 0.2 s")
    with pytest.raises(gd.TimeLimitError, match=expected), time_limit(0.2, "slow.txt"):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pass


def test_oversized_file_is_refused_unread(tmp_path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # 50 MB of text, as in the hostile-input list
        fh.write(SEED_TAB.read_bytes())
        fh.truncate(50 * 2**20)
    corpus = _read([big, SEED_PIPE], cache=False)
    assert corpus.failures["error"].tolist() == ["FileTooLargeError"]
    assert "big.txt: the file has 50 MB" in corpus.failures["message"].iloc[0]
    assert len(corpus.reports) == 1


def test_parquet_round_trip_and_other_exports(corpus_dir, tmp_path) -> None:
    corpus = _read(corpus_dir, cache=False)
    corpus.to_parquet(tmp_path / "pq")
    assert gd.read_parquet(tmp_path / "pq").equals(corpus)
    xlsx = corpus.to_excel(tmp_path / "corpus.xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert list(sheets) == ["reports", "sections", "tables", "issues", "failures"]
    assert list(sheets["reports"].columns[:4]) == ["报告编号", "文件路径", "文件格式", "发布机关"]
    assert sheets["tables"]["数值"].sum() == pytest.approx(corpus.tables["value"].sum())
    corpus.to_stata(tmp_path / "dta")
    tables = pd.read_stata(tmp_path / "dta" / "tables.dta")
    assert len(tables) == 1200
    sections = pd.read_stata(tmp_path / "dta" / "sections.dta")
    assert set(sections["section"]) >= {"overview", "problems"}
    assert "end_" in sections.columns
    with pytest.raises(FileNotFoundError, match="to_parquet"):
        gd.read_parquet(tmp_path / "nothing")


def test_cli_formats_jobs_and_cache(corpus_dir, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    code = main(["parse", str(corpus_dir), "--out", str(out), "--jobs", "2", "--no-progress",
                 "--no-cache", "--format", "parquet", "--format", "excel"])
    assert code == 1  # empty.txt failed
    assert (out / "tables.parquet").exists() and (out / "corpus.xlsx").exists()
    assert not (out / "tables.csv").exists()
    assert "empty.txt" in capsys.readouterr().out


def test_cli_parquet_alone_is_streamed_with_the_same_summary(corpus_dir, tmp_path, capsys) -> None:
    kept = main(["parse", str(corpus_dir), "--out", str(tmp_path / "kept"), "--no-progress",
                 "--no-cache", "--format", "parquet", "--format", "csv"])
    kept_out = capsys.readouterr().out
    streamed = main(["parse", str(corpus_dir), "--out", str(tmp_path / "streamed"), "--no-progress",
                     "--no-cache", "--format", "parquet"])
    streamed_out = capsys.readouterr().out
    assert kept == streamed == 1
    assert kept_out.split("written:")[0] == streamed_out.split("written:")[0]
    assert "table cells: 1200    with numbers: 1200" in streamed_out
    assert gd.read_parquet(tmp_path / "streamed").equals(gd.read_parquet(tmp_path / "kept"))


def test_dask_backend_on_a_local_cluster(corpus_dir) -> None:
    distributed = pytest.importorskip("distributed")
    local = _read(corpus_dir, cache=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = _read(corpus_dir, cache=False, backend="dask", client=client)
    assert remote.equals(local)
    assert len(remote.failures) == 1


def test_unknown_backend_is_refused(corpus_dir) -> None:
    with pytest.raises(ValueError, match="unknown backend"):
        _read(corpus_dir, backend="spark")


def test_cache_key_follows_the_parse_data_only(tmp_path, monkeypatch) -> None:
    from govdisclosure import cache as cache_module

    data = tmp_path / "pkg" / "data"
    (data / "text").mkdir(parents=True)
    (data / "codebook.csv").write_text("a,b\n", encoding="utf-8")
    (data / "text" / "userdict.txt").write_text("政务公开 10\n", encoding="utf-8")
    monkeypatch.setattr(cache_module.resources, "files", lambda _pkg: tmp_path / "pkg")

    def fingerprint() -> str:
        cache_module.data_fingerprint.cache_clear()
        return cache_module.data_fingerprint()

    first = fingerprint()
    (data / "text" / "userdict.txt").write_text("政务公开 20\n", encoding="utf-8")
    assert fingerprint() == first  # a later stage's data does not touch parsed reports
    (data / "codebook.csv").write_text("a,b,c\n", encoding="utf-8")
    second = fingerprint()
    assert second != first  # a codebook edit invalidates them
    readers = tmp_path / "pkg" / "readers"
    readers.mkdir()
    (readers / "html.py").write_text("x = 1\n", encoding="utf-8")
    third = fingerprint()
    assert third != second  # so does an edit of a reader's code (editable installs)
    (tmp_path / "pkg" / "corpus.py").write_text("z = 3\n", encoding="utf-8")
    assert fingerprint() == third  # nor does the code that only gathers parsed reports
    (tmp_path / "pkg" / "tables.py").write_text("z = 3\n", encoding="utf-8")
    fourth = fingerprint()
    assert fourth != third  # but a parse stage's code does
    third = fourth
    (tmp_path / "pkg" / "text").mkdir()
    (tmp_path / "pkg" / "text" / "segment.py").write_text("y = 2\n", encoding="utf-8")
    assert fingerprint() == third  # but not of a later stage's
    cache_module.data_fingerprint.cache_clear()


def test_frames_built_in_batches_equal_one_batch(corpus_dir, monkeypatch) -> None:
    from govdisclosure import corpus as corpus_module

    whole = _read(corpus_dir, cache=False)
    monkeypatch.setattr(corpus_module, "_BATCH", 2)
    batched = _read(corpus_dir, cache=False)
    assert batched.equals(whole)
    assert len(batched.tables) == 1200 and batched.tables.index.is_unique


def test_corpus_rows_equal_each_reports_frames(corpus_dir) -> None:
    """The engine ships rows, never frames; the corpus must hold exactly what Report shows."""
    broken = distinct_values("2021", seed=7)
    broken[("requests", "total_processed", "natural_person")] += 1  # breaks three rules
    (corpus_dir / "broken.txt").write_text(fill_seed(SEED_TAB.read_text(encoding="utf-8"), broken),
                                           encoding="utf-8")
    corpus = _read(corpus_dir, cache=False)
    for path in sorted(corpus_dir.glob("*[0-9n].*")):
        rep = gd.read_report(path)
        for name in ("sections", "tables", "issues"):
            mine = getattr(corpus, name)
            mine = mine[mine["report_id"] == rep.report_id].reset_index(drop=True)
            expected = getattr(rep, name).reset_index(drop=True)
            pd.testing.assert_frame_equal(mine, expected.astype(mine.dtypes.to_dict()), check_dtype=True)
    issues = corpus.issues[corpus.issues["report_id"] == gd.read_report(corpus_dir / "broken.txt").report_id]
    assert sorted(issues["check"]) == ["requests_applicants_total", "requests_balance",
                                       "requests_outcomes_total"]
    assert set(issues["row"]) == {"total_processed"}


def test_write_parquet_streams_batches_and_reads_back_equal(corpus_dir, tmp_path, monkeypatch) -> None:
    from govdisclosure import corpus as corpus_module

    whole = _read(corpus_dir, cache=False)
    monkeypatch.setattr(corpus_module, "_BATCH", 2)  # 6 reports: three row groups a file
    with pytest.warns(gd.GovDisclosureWarning, match="1 of 7 files"):
        written = gd.write_parquet(corpus_dir, tmp_path / "out", cache=False, progress=False)
    assert [p.name for p in written] == [f"{n}.parquet" for n in gd.corpus.FRAMES]
    import pyarrow.parquet as pq

    assert pq.ParquetFile(written[2]).num_row_groups == 3  # tables: never held whole
    back = gd.read_parquet(tmp_path / "out")
    assert back.equals(whole)
    assert len(back.tables) == 1200 and back.failures["source_path"].str.endswith("empty.txt").all()
    assert not list((tmp_path / "out").glob(".*.part"))


def test_write_parquet_leaves_no_finished_looking_file_when_interrupted(corpus_dir, tmp_path,
                                                                        monkeypatch) -> None:
    from govdisclosure import corpus as corpus_module

    monkeypatch.setattr(corpus_module, "_BATCH", 2)
    calls = []
    real = corpus_module._ParquetSink.write

    def fail_on_second(self, frames):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, frames)

    monkeypatch.setattr(corpus_module._ParquetSink, "write", fail_on_second)
    with pytest.raises(KeyboardInterrupt):
        gd.write_parquet(corpus_dir, tmp_path / "out", cache=False, progress=False)
    assert list((tmp_path / "out").iterdir()) == []


def test_chunks_keep_cached_and_parsed_files_apart() -> None:
    from govdisclosure import engine

    keys = ["k"] * 10 + [""] * 3 + ["k"] * 5
    # 15 cached files for 2 workers: chunks of 2 (every worker gets several); 3 files to parse:
    # one each.
    assert engine._chunks(keys, 2) == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10), (10, 11), (11, 12),
                                       (12, 13), (13, 15), (15, 17), (17, 18)]
    many = ["k"] * 3000 + [""] * 1000
    sizes = [stop - start for start, stop in engine._chunks(many, 2)]
    assert sizes == [256] * 11 + [184] + [32] * 31 + [8]


def test_pool_keeps_input_order_with_only_a_few_chunks_ahead(corpus_dir, monkeypatch) -> None:
    from concurrent.futures import Future

    from govdisclosure import engine

    submitted: list[list[str]] = []

    class Inline:
        """A pool that runs each task when it is submitted, in this process."""

        def __init__(self, max_workers: int) -> None:
            self.max_workers = max_workers

        def submit(self, fn, items, options) -> Future:
            submitted.append([path for path, _key in items])
            future: Future = Future()
            future.set_result(fn(items, options))
            return future

        def shutdown(self, cancel_futures: bool) -> None:
            pass

    monkeypatch.setattr(engine, "ProcessPoolExecutor", Inline)
    paths = sorted(str(p) for p in corpus_dir.iterdir())
    batches = engine.run(paths, engine.Options(cache_dir=None), n_jobs=2)
    first = next(batches)
    # Seven files to parse: chunks of one, four submitted ahead for two workers, one more
    # when the first is taken; not all seven.
    assert [o.path for o in first.outcomes] == paths[:1]
    assert submitted == [[p] for p in paths[:5]]
    rest = list(batches)
    assert [o.path for b in [first, *rest] for o in b.outcomes] == paths
    assert submitted == [[p] for p in paths]
    failed = [o.path for b in [first, *rest] for o in b.outcomes if o.entry is None]
    assert [p.rsplit("/", 1)[-1] for p in failed] == ["empty.txt"]


@pytest.fixture
def shared_root(tmp_path, monkeypatch):
    """Shared memory in a temporary directory, used for every frame however small; pools fork,
    so that workers see these settings whatever the platform's default."""
    import functools
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from govdisclosure import engine

    root = tmp_path / "shm"
    root.mkdir()
    monkeypatch.setattr(engine, "SHARED_ROOT", str(root))
    monkeypatch.setattr(engine, "SHARED_MIN_BYTES", 0)
    monkeypatch.setattr(engine, "ProcessPoolExecutor",
                        functools.partial(ProcessPoolExecutor, mp_context=multiprocessing.get_context("fork")))
    return root


def test_pool_frames_travel_through_shared_memory_and_leave_nothing(corpus_dir, tmp_path, shared_root,
                                                                    monkeypatch) -> None:
    from govdisclosure import engine

    mapped = []
    real = engine.SharedStream.read

    def read(self):
        mapped.append(os.path.basename(self.path))
        assert os.path.dirname(os.path.dirname(self.path)) == str(shared_root)
        return real(self)

    monkeypatch.setattr(engine.SharedStream, "read", read)
    one = _read(corpus_dir, cache=False)
    two = _read(corpus_dir, cache=False, n_jobs=2)
    assert two.equals(one) and len(two.tables) == 1200
    # Seven files to parse for two workers: seven chunks, three frames each; the empty file's
    # chunk has no frames to ship.
    assert len(mapped) == 18 and all(name.endswith(".arrows") for name in mapped)
    assert list(shared_root.iterdir()) == []  # every file unlinked, the run's directory removed


def test_full_shared_memory_sends_frames_through_the_pipe(corpus_dir, shared_root, monkeypatch) -> None:
    import pyarrow as pa

    from govdisclosure import engine

    def full(path, mode):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine.pa, "OSFile", full)
    one = _read(corpus_dir, cache=False)
    two = _read(corpus_dir, cache=False, n_jobs=2)
    assert two.equals(one)
    assert list(shared_root.iterdir()) == []
    assert engine.pa is pa


def test_stopping_a_pooled_run_early_leaves_nothing_in_shared_memory(corpus_dir, shared_root) -> None:
    from govdisclosure import engine

    paths = sorted(str(p) for p in corpus_dir.iterdir())
    batches = engine.run(paths, engine.Options(cache_dir=None), n_jobs=2)
    first, second = next(batches), next(batches)
    assert len(list(shared_root.iterdir())) == 1  # this run's directory
    assert [first.outcomes[0].path, second.outcomes[0].path] == paths[:2]
    assert first.outcomes[0].error and first.frames == {}  # empty.txt: nothing to ship
    files = [frame.path for frame in second.frames.values()]
    assert len(files) == 3 and all(os.path.exists(f) for f in files)
    assert len(second.tables()["tables"]) == 200
    assert not any(os.path.exists(f) for f in files)  # mapped, then unlinked at once
    batches.close()  # the consumer stopped: workers done, their files and directory removed
    assert list(shared_root.iterdir()) == []


def test_directories_of_killed_runs_are_removed_from_shared_memory(shared_root) -> None:
    from govdisclosure import engine

    dead = 2**22 + 12345  # above Linux's pid_max: no such process
    old = time.time() - 2 * 3600
    for name in (f"govdisclosure-{dead}-old", f"govdisclosure-{dead}-recent", f"govdisclosure-{os.getpid()}-old",
                 "govdisclosure-x-old", "other-old"):
        (shared_root / name).mkdir()
        (shared_root / name / "f.arrows").write_bytes(b"x")
        if name.endswith("-old"):
            os.utime(shared_root / name, (old, old))
    with engine._shared_dir() as mine:
        assert mine is not None and mine.startswith(str(shared_root / f"govdisclosure-{os.getpid()}-"))
        kept = sorted(p.name for p in shared_root.iterdir() if str(p) != mine)
    assert kept == sorted([f"govdisclosure-{dead}-recent", f"govdisclosure-{os.getpid()}-old",
                           "govdisclosure-x-old", "other-old"])
    assert not os.path.exists(mine)


def test_no_shared_memory_directory_sends_frames_through_the_pipe(corpus_dir, tmp_path, monkeypatch) -> None:
    from govdisclosure import engine

    monkeypatch.setattr(engine, "SHARED_ROOT", str(tmp_path / "none"))
    monkeypatch.setattr(engine, "SHARED_MIN_BYTES", 0)
    with engine._shared_dir() as shared:
        assert shared is None
    assert _read(corpus_dir, cache=False, n_jobs=2).equals(_read(corpus_dir, cache=False))


def test_prefetch_is_only_a_hint(tmp_path) -> None:
    cache = ReportCache(tmp_path / "cache")
    cache.prefetch(["", "0" * 64 + "-txt"])  # nothing stored: nothing happens, nothing raised
    cache.put("ab" + "0" * 62 + "-txt", {"meta": {}})
    cache.prefetch(["ab" + "0" * 62 + "-txt"])
    assert cache.get("ab" + "0" * 62 + "-txt") == {"meta": {}}


def test_chunks_joined_by_workers_are_batches_of_their_own(corpus_dir, tmp_path, shared_root,
                                                           monkeypatch) -> None:
    import pyarrow.parquet as pq

    from govdisclosure import corpus as corpus_module
    from govdisclosure import engine

    whole = _read(corpus_dir, cache=False)
    # empty.txt, pipe0, pipe1 | pipe2, tab0, tab1, tab2: two and four reports, each at least a
    # quarter of a batch of four, so neither is joined again.
    monkeypatch.setattr(engine, "_chunks", lambda keys, n_jobs: [(0, 3), (3, 7)])
    monkeypatch.setattr(corpus_module, "_BATCH", 4)
    pooled = _read(corpus_dir, cache=False, n_jobs=2)
    assert pooled.equals(whole)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gd.GovDisclosureWarning)
        written = gd.write_parquet(corpus_dir, tmp_path / "out", cache=False, progress=False, n_jobs=2)
    assert [pq.ParquetFile(p).num_row_groups for p in written] == [2, 2, 2, 2, 1]
    assert gd.read_parquet(tmp_path / "out").equals(whole)
    assert list(shared_root.iterdir()) == []
