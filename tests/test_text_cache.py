"""The token cache: ids into a vocabulary, verified, shared by processes, robust to old or damaged files."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlite_locks import hold_the_write_lock, release_later

import govdisclosure as gd
import govdisclosure.text as gt
from govdisclosure.text import _cache
from govdisclosure.text._cache import ID, CacheError, TokenCache, text_key
from govdisclosure.text.segment import Segmenter

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [ROOT / "data" / "samples" / "000_dc9580d96d94ba76.txt", ROOT / "data" / "samples" / "002_090d11a260a4ff7f.txt"]
TEXTS = ["严格遵循规范的依申请公开工作流程", "定期发布政策解读、工作动态等信息", "", "2024年，收到959件，答复率100%。"]


@pytest.fixture(scope="module")
def sections() -> pd.DataFrame:
    return gd.read_corpus(SEEDS).sections


@pytest.fixture(scope="module")
def plain() -> Segmenter:
    return Segmenter(cache=False)


def _rows(path: Path, table: str = "segments_v2") -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_warm_results_equal_cold_token_for_token(tmp_path: Path, sections: pd.DataFrame, plain: Segmenter) -> None:
    texts = sections["text"].tolist()
    path = tmp_path / "tokens.sqlite3"
    cold = Segmenter(cache=path)
    expected_cut = plain.cut_many(texts)
    expected_tag = plain.tag_many(texts[:6])
    expected_frame = gt.tokens(sections, segmenter=plain, pos=True, stopwords="default")
    assert cold.cut_many(texts) == expected_cut
    assert cold.tag_many(texts[:6]) == expected_tag
    pd.testing.assert_frame_equal(gt.tokens(sections, segmenter=cold, pos=True, stopwords="default"), expected_frame)
    warm = Segmenter(cache=path)  # a fresh instance: nothing of the first one's memory
    assert warm.cut_many(texts) == expected_cut
    assert warm.tag_many(texts[:6]) == expected_tag  # tags too, pair for pair
    pd.testing.assert_frame_equal(gt.tokens(sections, segmenter=warm, pos=True, stopwords="default"), expected_frame)
    assert warm._engine is None  # all of it came from the cache


def test_a_batch_partly_in_the_cache_keeps_its_order(tmp_path: Path, plain: Segmenter) -> None:
    seg = Segmenter(cache=tmp_path / "t.sqlite3")
    seg.cut_many(TEXTS[1::2])
    seg.tag_many(TEXTS[:1])
    batch = [TEXTS[3], "全新的文本：平台网站", TEXTS[1], TEXTS[0], TEXTS[3], "另一个新文本"]
    assert seg.cut_many(batch) == plain.cut_many(batch)
    assert seg.tag_many(batch) == plain.tag_many(batch)
    frame = pd.DataFrame({"report_id": [f"r{i}" for i in range(len(batch))], "text": batch})
    expected = gt.tokens(frame, segmenter=plain, pos=True)
    pd.testing.assert_frame_equal(gt.tokens(frame, segmenter=seg, pos=True), expected)


def test_tokens_are_stored_as_ids_into_one_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    seg = Segmenter(cache=path)
    seg.cut_many(TEXTS[:1])
    with sqlite3.connect(path) as conn:
        vocabulary = dict(conn.execute("SELECT id, token FROM vocabulary_v2"))
        (blob,) = conn.execute("SELECT tokens FROM segments_v2").fetchone()
    assert [vocabulary[i].decode() for i in np.frombuffer(blob, dtype=ID)] == seg.cut(TEXTS[0])
    assert sorted(vocabulary) == list(range(len(vocabulary)))  # dense ids, each token once


def test_vocabulary_ids_stay_put_when_later_calls_append(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    Segmenter(cache=path).cut_many(TEXTS[:2])
    with sqlite3.connect(path) as conn:
        before = dict(conn.execute("SELECT token, id FROM vocabulary_v2"))
    Segmenter(user_words=["工作动态"], cache=path).cut_many([*TEXTS, "白庙乡新词"])
    with sqlite3.connect(path) as conn:
        after = dict(conn.execute("SELECT token, id FROM vocabulary_v2"))
    assert {t: after[t] for t in before} == before
    assert sorted(after.values()) == list(range(len(after)))
    assert min(after[t] for t in after.keys() - before.keys()) == len(before)


def test_segmenters_with_different_dictionaries_do_not_share_entries(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    base, custom = Segmenter(cache=path), Segmenter(user_words=["工作流程"], cache=path)
    assert base.cut_many(TEXTS[:1]) == [["严格", "遵循", "规范", "的", "依申请公开", "工作", "流程"]]
    assert custom.cut_many(TEXTS[:1]) == [["严格", "遵循", "规范", "的", "依申请公开", "工作流程"]]
    assert Segmenter(cache=path).cut_many(TEXTS[:1])[0][-2:] == ["工作", "流程"]
    assert Segmenter(user_words=["工作流程"], cache=path).cut_many(TEXTS[:1])[0][-1] == "工作流程"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(DISTINCT fingerprint) FROM segments_v2").fetchone()[0] == 2


def test_a_file_of_the_older_format_is_left_alone_and_not_read(tmp_path: Path, plain: Segmenter) -> None:
    path = tmp_path / "tokens.sqlite3"
    seg = Segmenter(cache=path)
    with sqlite3.connect(path) as conn:
        # The older format, with wrong tokens under this segmenter's very key: must not be served.
        conn.execute(
            "CREATE TABLE segments (fingerprint TEXT NOT NULL, key BLOB NOT NULL,"
            " tokens TEXT NOT NULL, tags TEXT, PRIMARY KEY (fingerprint, key))"
        )
        conn.execute(
            "INSERT INTO segments VALUES (?, ?, ?, NULL)", (f"{seg.fingerprint}:cut", text_key(TEXTS[0]), "错\x1f误")
        )
    assert seg.cut_many(TEXTS) == plain.cut_many(TEXTS)
    assert Segmenter(cache=path).cut_many(TEXTS) == plain.cut_many(TEXTS)
    assert _rows(path, "segments") == 1  # an older govdisclosure still using the file keeps working
    TokenCache(path).clear()  # clearing everything also drops the older format
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'segments'").fetchone() is None


def test_a_file_that_is_not_a_database_warns_and_segments(tmp_path: Path, plain: Segmenter) -> None:
    path = tmp_path / "tokens.sqlite3"
    path.write_bytes(b"this is not a database, " * 200)
    seg = Segmenter(cache=path)
    with pytest.warns(RuntimeWarning, match="segmenting without the cache") as caught:
        assert seg.cut_many(TEXTS) == plain.cut_many(TEXTS)
    assert len(caught) == 1  # one warning per call, not one for reading and one for writing
    with pytest.warns(RuntimeWarning):
        frame = pd.DataFrame({"report_id": ["a"], "text": [TEXTS[0]]})
        assert gt.tokens(frame, segmenter=seg)["token"].tolist() == plain.cut(TEXTS[0])
    assert path.read_bytes().startswith(b"this is not a database")  # never overwritten


def test_damaged_rows_are_segmented_again(tmp_path: Path, plain: Segmenter) -> None:
    path = tmp_path / "t.sqlite3"
    seg = Segmenter(cache=path)
    seg.cut_many(TEXTS)
    fingerprint = f"{seg.fingerprint}:cut"
    with sqlite3.connect(path) as conn:
        # A blob cut mid-id, ids the vocabulary does not have, a row with tags in cut mode.
        conn.execute("UPDATE segments_v2 SET tokens = X'010203' WHERE key = ?", (text_key(TEXTS[0]),))
        unknown_ids = np.array([0, 99999, 2**32 - 1], ID).tobytes()
        conn.execute("UPDATE segments_v2 SET tokens = ? WHERE key = ?", (unknown_ids, text_key(TEXTS[1])))
        conn.execute("UPDATE segments_v2 SET tags = tokens WHERE key = ?", (text_key(TEXTS[3]),))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # damaged rows are misses, not errors
        fresh = Segmenter(cache=path)
        assert fresh.cut_many(TEXTS) == plain.cut_many(TEXTS)
    assert fresh._engine is not None  # they were segmented again …
    rerun = Segmenter(cache=path)
    assert rerun.cut_many(TEXTS) == plain.cut_many(TEXTS)
    assert rerun._engine is None  # … and stored again, repaired
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM segments_v2 WHERE fingerprint = ?", (fingerprint,)).fetchone()[0] == 4


def test_missing_vocabulary_entries_are_never_served(tmp_path: Path, plain: Segmenter) -> None:
    path = tmp_path / "t.sqlite3"
    Segmenter(cache=path).cut_many(TEXTS[:1])
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM vocabulary_v2 WHERE token = ?", ("依申请公开".encode(),))
    assert Segmenter(cache=path).cut_many(TEXTS[:1]) == plain.cut_many(TEXTS[:1])


def test_clearing_everything_invalidates_what_other_processes_read(tmp_path: Path, plain: Segmenter) -> None:
    path = tmp_path / "t.sqlite3"
    reader = Segmenter(cache=path)
    reader.cut_many(TEXTS[:2])
    reader.cut_many(TEXTS[:2])  # this process now holds vocabulary entries in memory
    other = TokenCache(path)  # another process's view of the same file
    other.clear()
    # New texts take the freed ids 0, 1, 2 … for other tokens.
    Segmenter(cache=path).cut_many(["完全不同的内容：白庙乡平台", TEXTS[3]])
    Segmenter(cache=path).cut_many(TEXTS[:2])
    assert reader.cut_many(TEXTS[:2]) == plain.cut_many(TEXTS[:2])
    assert reader.cut_many(["完全不同的内容：白庙乡平台"]) == plain.cut_many(["完全不同的内容：白庙乡平台"])


def test_texts_with_the_separator_or_a_lone_surrogate_are_cached(tmp_path: Path, plain: Segmenter) -> None:
    odd = ["甲\x1f乙 依申请公开\x1f", "\ud800孤立代理", "\x1f"]
    expected = [plain.cut(t) for t in odd]
    assert plain.cut_many(odd, n_jobs=2) == expected  # workers send such texts as lists
    seg = Segmenter(cache=tmp_path / "t.sqlite3")
    assert seg.cut_many(odd) == expected
    rerun = Segmenter(cache=tmp_path / "t.sqlite3")
    assert rerun.cut_many(odd) == expected
    assert rerun._engine is None


def _write_in_another_process(path: str, texts: list[str]) -> list[list[str]]:
    return Segmenter(cache=path).cut_many(texts)


def test_processes_writing_at_once_share_one_consistent_vocabulary(tmp_path: Path, plain: Segmenter) -> None:
    path = tmp_path / "t.sqlite3"
    batches = [[f"{text}第{i}批{j}号" for j in range(20) for text in TEXTS] for i in range(4)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        results = pool.starmap(_write_in_another_process, [(str(path), batch) for batch in batches])
    assert results == [plain.cut_many(batch) for batch in batches]
    with sqlite3.connect(path) as conn:
        ids = [i for (i,) in conn.execute("SELECT id FROM vocabulary_v2 ORDER BY id")]
    assert ids == list(range(len(ids)))  # no id given out twice, none skipped
    every = [text for batch in batches for text in batch]
    rerun = Segmenter(cache=path)
    assert rerun.cut_many(every) == plain.cut_many(every)
    assert rerun._engine is None


def test_opening_waits_while_another_connection_holds_the_new_file(tmp_path: Path) -> None:
    # SQLite does not run the busy handler for the switch to WAL: the cache used to fail at
    # once with "database is locked" here (CI, two processes writing to one new file).
    path = tmp_path / "t.sqlite3"
    holder = hold_the_write_lock(path)
    release = release_later(holder)
    try:
        cache = TokenCache(path)
        assert cache.get_many("fp", [b"k"], tags=False).rows == {}
    finally:
        release.join()
        holder.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    cache.close()


def test_opening_gives_up_after_the_timeout_and_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cache, "_BUSY_TIMEOUT", 0.2)
    path = tmp_path / "t.sqlite3"
    holder = hold_the_write_lock(path)
    try:
        with pytest.raises(CacheError, match=rf"token cache {path}: database is locked"):
            TokenCache(path).get_many("fp", [b"k"], tags=False)
    finally:
        holder.close()


def test_a_rerun_in_a_new_process_reads_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    expected = Segmenter(cache=path).cut_many(TEXTS)
    code = (
        "import sys; from govdisclosure.text import Segmenter; "
        f"seg = Segmenter(cache={str(path)!r}); "
        f"assert seg.cut_many({TEXTS!r}) == {expected!r}; "
        "assert seg._engine is None"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
