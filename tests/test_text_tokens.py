"""The tidy tokens DataFrame (issue 4, item 3)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import govdisclosure as gd
import govdisclosure.text as gt
from govdisclosure.normalize import normalize_chars
from govdisclosure.text.segment import Segmenter

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "data" / "samples" / "000_dc9580d96d94ba76.txt"
SEED_002 = ROOT / "data" / "samples" / "002_090d11a260a4ff7f.txt"


def _frame(*texts: str) -> pd.DataFrame:
    return pd.DataFrame({"report_id": [f"r{i}" for i in range(len(texts))], "text": list(texts)})


def test_tokens_of_seed_000_sections(seg: Segmenter) -> None:
    rep = gd.read_report(SEED_000)
    toks = gt.tokens(rep.sections, segmenter=seg)
    assert toks.columns.tolist() == ["report_id", "section", "position", "token", "start", "end"]
    text = str(pd.Series(["a"]).astype("str").dtype)  # "str" from pandas 3, "object" before
    assert [str(t) for t in toks.dtypes] == [text, text, "int64", text, "int64", "int64"]
    assert (toks["token"] == "依申请公开").sum() == 4
    first = toks[toks["token"] == "依申请公开"].iloc[0]
    assert first["section"] == "overview"
    assert rep.text[first["start"] : first["end"]] == "依申请公开"
    for row in toks.itertuples():
        assert normalize_chars(rep.text[row.start : row.end]) == row.token
    assert not toks["token"].isin(["，", "。", " ", "\n"]).any()
    # Table rows are left out by default, kept on request.
    assert "勾稽关系" not in set(toks["token"])
    assert "勾稽关系" in set(gt.tokens(rep.sections, segmenter=seg, tables=True)["token"])


def test_positions_count_removed_tokens(seg: Segmenter) -> None:
    toks = gt.tokens(_frame("做好政府信息依申请公开各环节工作。"), segmenter=seg, stopwords="default")
    assert toks["token"].tolist() == ["做好", "政府信息", "依申请公开", "环节"]
    assert toks["position"].tolist() == [0, 1, 2, 4]  # 各 (3), 工作 (5) and 。 (6) removed
    assert toks["start"].tolist() == [0, 2, 6, 12]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, ["2024", "年", "收到", "959", "件", "答复", "率", "100%"]),
        ({"remove_numbers": True}, ["年", "收到", "件", "答复", "率"]),
        ({"remove_punct": False}, ["2024", "年", "，", "收到", "959", "件", "，", "答复", "率", "100%", "。"]),
        ({"stopwords": "default", "remove_numbers": True}, ["收到", "答复", "率"]),
        ({"stopwords": {"率", "收到"}}, ["2024", "年", "959", "件", "答复", "100%"]),
    ],
)
def test_filters(seg: Segmenter, options: dict[str, object], expected: list[str]) -> None:
    toks = gt.tokens(_frame("2024年，收到959件，答复率100%。"), segmenter=seg, **options)
    assert toks["token"].tolist() == expected


def test_stopwords_must_be_a_collection(seg: Segmenter) -> None:
    with pytest.raises(ValueError, match="stopwords"):
        gt.tokens(_frame("政务公开"), segmenter=seg, stopwords="zh")  # type: ignore[arg-type]


def test_wrapped_text_is_joined_and_offsets_span_the_line_break(seg: Segmenter) -> None:
    text = "加强政\n府网站和政务新\n  媒体建设。\n\n依申请\n公开"
    plain = gt.tokens(_frame(text), segmenter=seg)
    assert "政府网站" not in set(plain["token"])
    joined = gt.tokens(_frame(text), segmenter=seg, wrapped=True)
    assert joined["token"].tolist() == ["加强", "政府网站", "和", "政务新媒体", "建设", "依申请公开"]
    row = joined.iloc[1]
    assert text[row["start"] : row["end"]] == "政\n府网站"
    assert text[joined["start"].iloc[3] : joined["end"].iloc[3]] == "政务新\n  媒体"


def test_units_keep_their_ids_and_empty_texts_give_no_rows(seg: Segmenter) -> None:
    rep = gd.read_report(SEED_002)
    sentences = gt.sentences(rep.sections)
    toks = gt.tokens(sentences, segmenter=seg)
    assert toks.columns.tolist()[:3] == ["report_id", "section", "sentence_id"]
    assert set(toks["sentence_id"]) <= set(sentences["sentence_id"])
    row = toks[toks["token"] == "12345热线"].iloc[0]
    sentence = sentences.set_index("sentence_id").loc[row["sentence_id"]]
    assert sentence["text"].startswith("(三)12345热线办理情况")
    empty = gt.tokens(_frame("", "。"), segmenter=seg)
    assert empty.empty and empty.columns.tolist() == ["report_id", "position", "token", "start", "end"]


def test_part_of_speech(seg: Segmenter) -> None:
    toks = gt.tokens(_frame("严格遵循依申请公开工作流程"), segmenter=seg, pos=True)
    assert toks.columns.tolist()[-1] == "pos"
    assert dict(zip(toks["token"], toks["pos"], strict=True))["依申请公开"] == "vn"


def test_tokens_in_two_processes_equal_one() -> None:
    corpus = gd.read_corpus([SEED_000, SEED_002])
    uncached = Segmenter(cache=False)  # so that the second call segments again, in the pool
    one = gt.tokens(corpus.sections, segmenter=uncached)
    two = gt.tokens(corpus.sections, segmenter=uncached, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)
