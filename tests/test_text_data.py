"""The text layer's package data: dictionary, stop words, item markers (issue 4, item 1)."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

import govdisclosure.text as gt
from govdisclosure.text import build_dictionary
from govdisclosure.text._data import item_markers, parse_dictionary
from govdisclosure.text.segment import Segmenter

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data" / "samples").glob("*.txt"))
CORPUS = ROOT.parent / "shared" / "corpus"
DATA = resources.files("govdisclosure").joinpath("data/text")


def test_dictionary_has_the_issues_vocabulary_with_tags() -> None:
    table = gt.dictionary()
    assert table.columns.tolist() == ["word", "freq", "tag"]
    words = set(table["word"])
    for word in ("政府信息公开", "依申请公开", "主动公开", "政策解读", "政务新媒体", "微信公众号",
                 "视频号", "学习强国", "12345热线", "信息处理费", "勾稽关系"):  # fmt: skip
        assert word in words, word
    assert table["word"].is_unique
    assert (table["freq"] == 1000).all()
    assert table["tag"].notna().all()


def test_dictionary_header_says_how_it_was_built() -> None:
    header = DATA.joinpath("user_dict.txt").read_text(encoding="utf-8").split("\n\n")[0]
    assert "How it was built" in header and "build_dictionary" in header and "Frequency" in header


def test_evidence_file_covers_every_dictionary_word() -> None:
    with DATA.joinpath("user_dict_evidence.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["word"] for r in rows] == gt.dictionary()["word"].tolist()
    assert all(int(r["occurrences"]) > 0 and int(r["tokens"]) > 0 for r in rows)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared development corpus (../shared/corpus) is absent")
def test_every_dictionary_word_occurs_in_the_development_reports() -> None:
    paths = [str(p) for p in SEEDS + sorted(CORPUS.iterdir())]
    assert build_dictionary.main(paths) == 0  # exits with an error naming any absent word


def test_evidence_of_the_seeds() -> None:
    documents = {p.name: build_dictionary.read_document(p) for p in SEEDS}
    table = build_dictionary.evidence(documents, Segmenter(cache=False)).set_index("word")
    assert table.loc["依申请公开"].tolist() == [4, 1, 4]
    assert table.loc["12345热线"].tolist() == [1, 1, 1]


def test_stopwords_are_single_tokens_and_exclude_commitment_verbs() -> None:
    seg = gt.default_segmenter()
    words = gt.stopwords()
    assert {"的", "和", "工作", "情况", "一是", "进一步"} <= words
    assert not words & {"加强", "推进", "完善", "提升", "及时", "问题", "公开"}
    assert not words & set(gt.dictionary()["word"])
    assert [w for w in sorted(words) if seg.cut(w) != [w]] == []


@pytest.mark.parametrize(
    ("text", "message"),
    [("依申请公开 0 vn", "at least 1"), ("依申请公开 1000 vn extra", "cannot parse")],
)
def test_parse_dictionary_rejects_bad_lines(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_dictionary(text, source="test")


def test_parse_dictionary_defaults() -> None:
    assert parse_dictionary("# comment\n\n白庙乡\n欧庙镇 500\n郏县 ns\n") == [
        ("白庙乡", 1000, None),
        ("欧庙镇", 500, None),
        ("郏县", 1000, "ns"),
    ]


def test_item_markers_are_data() -> None:
    markers = item_markers()
    families = {m.family for m in markers}
    assert {"shi", "paren_cjk", "arabic", "cjk_comma", "di", "sequence_word"} <= families
    for marker in markers:
        assert (marker.numeral == "fixed") == ("num" not in marker.pattern.groupindex)
    last = [m for m in markers if m.family == "sequence_word" and m.ordinal is None]
    assert [m.pattern.pattern[:2] for m in last] == ["最后"]
