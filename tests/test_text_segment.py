"""Segmenter: private tokenizer, domain dictionary, caches, backends, process pool (issue 4)."""

from __future__ import annotations

import logging
import pickle
import sqlite3
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import jieba
import pytest

import govdisclosure as gd
import govdisclosure.text as gt
from govdisclosure.text import parallel
from govdisclosure.text.segment import Segmenter

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "data" / "samples" / "000_dc9580d96d94ba76.txt"
SEED_002 = ROOT / "data" / "samples" / "002_090d11a260a4ff7f.txt"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def custom() -> Segmenter:
    return Segmenter(user_words=["白庙乡", ("欧庙镇", 800), ("平顶山微报", 1000, "nz")], cache=False)


@pytest.fixture(scope="module")
def fast() -> Segmenter:
    pytest.importorskip("rjieba")
    return Segmenter(backend="rjieba", cache=False)


def _seed_sections():
    return gd.read_corpus([SEED_000, SEED_002]).sections


def test_domain_terms_stay_whole_in_seed_000(seg: Segmenter) -> None:
    rep = gd.read_report(SEED_000)
    tokens = [t for text in rep.sections["text"] for t in seg.cut(text)]
    assert tokens.count("依申请公开") == 4
    assert tokens.count("政府信息公开") == 10  # the 11th occurrence is in 政府信息公开平台
    for term in ("主动公开", "政策解读", "视频号", "学习强国", "微信公众号", "信息处理费", "勾稽关系"):
        assert term in tokens, term
    assert "申请" not in tokens[tokens.index("依申请公开") - 1 : tokens.index("依申请公开") + 2]


def test_every_dictionary_word_in_the_seeds_comes_out_whole(seg: Segmenter) -> None:
    """Each occurrence is one token, or inside a longer dictionary token (政府信息公开平台), or
    overlapped by another dictionary word that claims some of its characters (政府|信息处理费):
    never split into plain jieba words."""
    words = set(gt.dictionary()["word"])
    checked = 0
    for text in _seed_sections()["text"]:
        spans, pos = [], 0
        for token in seg.cut(text):
            if token in words:
                spans.append((pos, pos + len(token)))
            pos += len(token)
        for word in words:
            start = text.find(word)
            while start != -1:
                end = start + len(word)
                inside = any(s <= start and end <= e for s, e in spans)
                competing = any(s < end and start < e for s, e in spans)
                assert inside or competing, (word, text[max(0, start - 5) : end + 5])
                checked += 1
                start = text.find(word, start + 1)
    assert checked > 150


def test_jiebas_global_dictionary_and_logger_are_untouched(
    seg: Segmenter, custom: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    logger = logging.getLogger("jieba")
    level = logger.level
    assert custom.cut("白庙乡依申请公开") == ["白庙乡", "依申请公开"]
    seg.cut_many(["严格遵循规范的依申请公开工作流程"])
    assert logger.level == level
    assert "依申请公开" not in jieba.dt.FREQ
    # jieba's own default reads and writes its cache in the shared temp dir; point it at the
    # test's cache for this test only (monkeypatch undoes it).
    monkeypatch.setattr(jieba.dt, "tmp_dir", str(gt.segment.cache_root() / f"jieba-{jieba.__version__}"))
    assert jieba.lcut("依申请公开") == ["依", "申请", "公开"]
    assert jieba.lcut("白庙乡依申请公开") != ["白庙乡", "依申请公开"]


def test_startup_log_is_silenced_and_jieba_cache_is_per_user(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="jieba"):
        fresh = Segmenter(cache=False).load()
    # jieba logs "Building prefix dict …" and "Loading model cost …" at DEBUG on every load.
    assert not [r for r in caplog.records if r.name == "jieba"]
    cache_file = gt.segment.cache_root() / f"jieba-{jieba.__version__}" / "jieba.cache"
    assert cache_file.is_file()
    assert fresh._engine._tokenizer.tmp_dir == str(cache_file.parent)  # type: ignore[union-attr]
    assert not str(cache_file).startswith(str(Path(tempfile.gettempdir()) / "jieba"))
    assert fresh.cut("政务新媒体") == ["政务新媒体"]


def test_user_words_are_added_and_validated(custom: Segmenter) -> None:
    assert custom.cut("白庙乡投稿平顶山微报") == ["白庙乡", "投稿", "平顶山微报"]
    assert ("平顶山微报", 1000, "nz") in custom.words
    assert ("白庙乡", 1000, None) in custom.words  # the packaged dictionary's frequency
    with pytest.raises(ValueError, match="at least 1"):
        Segmenter(user_words=[("依申请公开", 0)])
    with pytest.raises(ValueError, match="whitespace"):
        Segmenter(user_words=["政务 公开"])
    with pytest.raises(TypeError):
        Segmenter(user_words=[("依申请公开",)])  # type: ignore[list-item]


def test_dictionary_false_gives_jiebas_own_split() -> None:
    assert Segmenter(dictionary=False, cache=False).cut("依申请公开") == ["依", "申请", "公开"]


def test_custom_dictionary_file(tmp_path: Path) -> None:
    path = tmp_path / "dict.txt"
    path.write_text("# my words\n白庙乡 1000 ns\n", encoding="utf-8")
    seg = Segmenter(dictionary=path, cache=False)
    assert seg.cut("白庙乡依申请公开") == ["白庙乡", "依", "申请", "公开"]


def test_ascii_compounds_are_one_token(seg: Segmenter) -> None:
    text = "网址www.pingtan.gov.cn，电话0591-23165385，增长3.5%，于2024-01-10发布"
    tokens = seg.cut(text)
    assert "".join(tokens) == text
    for whole in ("www.pingtan.gov.cn", "0591-23165385", "3.5%", "2024-01-10"):
        assert whole in tokens


def test_fingerprint_follows_the_configuration() -> None:
    base = Segmenter(cache=False)
    assert base.fingerprint == Segmenter(cache=False).fingerprint
    assert base.fingerprint != Segmenter(user_words=["白庙乡"], cache=False).fingerprint
    assert base.fingerprint != Segmenter(hmm=False, cache=False).fingerprint


def test_token_cache_serves_a_rerun_without_loading_jieba(tmp_path: Path) -> None:
    texts = ["严格遵循规范的依申请公开工作流程", "定期发布政策解读、工作动态等信息", ""]
    first = Segmenter(cache=tmp_path / "tokens.sqlite3")
    expected = first.cut_many(texts)
    rerun = Segmenter(cache=tmp_path / "tokens.sqlite3")
    assert rerun.cut_many(texts) == expected
    assert rerun._engine is None  # every text came from the cache
    assert expected[0] == ["严格", "遵循", "规范", "的", "依申请公开", "工作", "流程"]
    assert expected[2] == []
    with sqlite3.connect(tmp_path / "tokens.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM segments_v2").fetchone()[0] == 3
    other = Segmenter(user_words=["工作流程"], cache=tmp_path / "tokens.sqlite3")
    assert other.cut_many(texts[:1]) == [["严格", "遵循", "规范", "的", "依申请公开", "工作流程"]]
    rerun.clear_cache()
    with sqlite3.connect(tmp_path / "tokens.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM segments_v2").fetchone()[0] == 1


def test_tags_are_cached_separately(tmp_path: Path) -> None:
    seg = Segmenter(cache=tmp_path / "t.sqlite3")
    tagged = seg.tag_many(["依申请公开工作流程"])
    assert tagged == Segmenter(cache=tmp_path / "t.sqlite3").tag_many(["依申请公开工作流程"])
    assert tagged[0][0] == ("依申请公开", "vn")
    assert seg.cut_many(["依申请公开工作流程"]) == [["依申请公开", "工作", "流程"]]


def test_segmenter_pickles_without_its_dictionary(seg: Segmenter) -> None:
    seg.load()
    payload = pickle.dumps(seg)
    assert len(payload) < 20_000  # the configuration, not 350,000 dictionary entries
    clone = pickle.loads(payload)
    assert clone._engine is None
    assert clone.fingerprint == seg.fingerprint
    assert clone.cache_path == seg.cache_path


def test_process_pool_gives_the_same_tokens(custom: Segmenter) -> None:
    texts = _seed_sections()["text"].tolist()
    assert custom.cut_many(texts, n_jobs=2) == [custom.cut(t) for t in texts]
    assert parallel._WORKER is None  # the parent's reference is released after the pool
    with pytest.raises(ValueError, match="n_jobs"):
        custom.cut_many(texts, n_jobs=0)


def test_process_pool_with_spawned_workers_builds_the_tokenizer_in_the_initializer() -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    seg = Segmenter(user_words=["白庙乡"], cache=False)  # not loaded: the worker builds it
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=parallel._init_worker, initargs=(seg,)) as pool:
        joined = pool.submit(parallel._segment_batch, "cut", ["白庙乡依申请公开"]).result()
    assert joined == [("白庙乡\x1f依申请公开", None)]


def test_import_loads_no_dictionary() -> None:
    code = (
        "import sys, govdisclosure.text as gt; "
        "assert 'jieba' not in sys.modules and 'rjieba' not in sys.modules, 'loaded'; "
        "assert gt.segment._DEFAULT is None"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_rjieba_backend_gives_jiebas_tokens_on_the_seeds(seg: Segmenter, fast: Segmenter) -> None:
    for path in (SEED_000, SEED_002):
        text = gd.read_report(path).text
        assert fast.cut(text) == seg.cut(text)
    assert fast.cut("依申请公开") == ["依申请公开"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared development corpus (../shared/corpus) is absent")
def test_rjieba_backend_gives_jiebas_tokens_on_the_corpus_narrative(seg: Segmenter, fast: Segmenter) -> None:
    paths = [
        p
        for p in sorted(CORPUS.iterdir())
        if p.suffix in (".txt", ".md", ".html", ".pdf", ".docx") and p.name != "README.md"
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # files read_corpus cannot read are not the point here
        corpus = gd.read_corpus(paths)
    texts = corpus.sections["text"].tolist()
    assert sum(map(len, texts)) > 30_000
    mismatches = [t[:40] for t in texts if fast.cut(t) != seg.cut(t)]
    assert mismatches == []
