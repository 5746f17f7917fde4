"""Sentences and enumerated items with offsets into the report text (issue 4, item 2)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import govdisclosure as gd
import govdisclosure.text as gt
from govdisclosure.normalize import normalize_chars

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "data" / "samples" / "000_dc9580d96d94ba76.txt"
SEED_002 = ROOT / "data" / "samples" / "002_090d11a260a4ff7f.txt"


@pytest.fixture(scope="module")
def rep000() -> gd.Report:
    return gd.read_report(SEED_000)


@pytest.fixture(scope="module")
def rep002() -> gd.Report:
    return gd.read_report(SEED_002)


def _frame(text: str, section: str = "problems") -> pd.DataFrame:
    return pd.DataFrame({"report_id": ["r"], "section": [section], "text": [text], "start": [100]})


# -- items: the seeds' section five ---------------------------------------------------------------


def test_seed_000_problems_are_the_three_enumerated_under_existing_problems(rep000: gd.Report) -> None:
    found = gt.items(rep000.sections[rep000.sections["section"] == "problems"])
    problems = found[found["family"] == "shi"]
    assert problems["text"].tolist() == [
        "政务公开理念较为滞后，在主动公开信息方面的意识尚显薄弱，有待进一步强化",
        "政务公开专业人员短缺，从事此项工作的人员缺乏系统性的专业培训",
        "公众对政务公开相关内容的知晓程度较低",
    ]
    assert problems["marker"].tolist() == ["一是", "二是", "三是"]
    assert problems["ordinal"].tolist() == [1, 2, 3]
    assert problems["level"].tolist() == [2, 2, 2]
    assert problems["list_id"].nunique() == 1
    parent = found.set_index("item_id").loc[problems["parent_id"].iloc[0]]
    assert parent["marker"] == "(一)"
    assert parent["text"].startswith("存在问题")
    headings = found[found["family"] == "paren_cjk"]
    assert [t.split("\n")[0] for t in headings["text"]] == ["存在问题", "改进情况"]


def test_seed_002_problems_are_the_first_list_and_improvements_the_second(rep002: gd.Report) -> None:
    found = gt.items(rep002.sections[rep002.sections["section"] == "problems"])
    lists = [group["text"].tolist() for _, group in found.groupby("list_id", sort=True)]
    assert lists[0] == [
        "政府信息管理机制落实不到位",
        "政策解读质量有待提升",
        "基层政务公开标准化规范化工作有待进一步深化细化",
    ]
    assert len(lists) == 2 and len(lists[1]) == 3
    assert lists[1][0].startswith("严格落实政府信息管理机制。")
    assert lists[1][2].endswith("进一步推进基层政务公开标准化规范化工作")
    assert found["parent_id"].isna().all()


@pytest.mark.parametrize("path", [SEED_000, SEED_002])
def test_item_and_sentence_offsets_point_into_the_report_text(path: Path) -> None:
    rep = gd.read_report(path)
    for frame in (gt.items(rep.sections), gt.sentences(rep.sections)):
        assert len(frame) >= 10
        for row in frame.itertuples():
            assert normalize_chars(rep.text[row.start : row.end]) == row.text


def test_items_keep_ids_per_report() -> None:
    corpus = gd.read_corpus([SEED_000, SEED_002])
    found = gt.items(corpus.sections)
    for _, group in found.groupby("report_id"):
        assert group["item_id"].tolist() == list(range(len(group)))
    assert found.columns.tolist() == [
        "report_id", "section", "item_id", "list_id", "parent_id", "level", "family", "ordinal",
        "marker", "text", "start", "end",
    ]  # fmt: skip
    assert str(found["parent_id"].dtype) == "Int64"


# -- items: the marker families, as data ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("主要问题：1.宣传不够；2.人员不足。", ["宣传不够", "人员不足"]),
        ("主要问题：1、宣传不够；2、人员不足。", ["宣传不够", "人员不足"]),
        ("（1）宣传不够；（2）人员不足。", ["宣传不够", "人员不足"]),
        ("首先，加强培训；其次，完善制度；最后，强化监督。", ["加强培训", "完善制度", "强化监督"]),
        ("第一，加强培训。第二，完善制度。", ["加强培训", "完善制度"]),
        ("一、总体情况\n良好\n二、其他\n无", ["总体情况\n良好", "其他\n无"]),
        ("唯一是理念问题，统一是目标。", []),  # 一是 after a character is no marker
        ("第二十条第（一）项 第二十条第（五）项", []),  # （一） after 第 is a reference
        ("一是宣传不够。", []),  # a lone item is no enumeration
        ("二是宣传不够；三是人员不足。", []),  # no list starts at 二
        ("增长3.5%，共1.2万条", []),  # decimals are no markers
        ("涉及一、二级目录", []),  # 一、 only opens a line
    ],
)
def test_item_markers(text: str, expected: list[str]) -> None:
    assert gt.items(_frame(text))["text"].tolist() == expected


def test_a_lone_item_counts_with_min_items_one() -> None:
    found = gt.items(_frame("一是宣传不够。"), min_items=1)
    assert found["text"].tolist() == ["宣传不够"]
    assert (found["start"].iloc[0], found["end"].iloc[0]) == (102, 106)


def test_nested_lists_and_a_restarted_list() -> None:
    text = "（一）存在问题\n一是甲不够；二是乙不足。\n（二）改进情况\n一是加强丙；二是完善丁。"
    found = gt.items(_frame(text))
    assert found["text"].tolist() == [
        "存在问题\n一是甲不够；二是乙不足",
        "甲不够",
        "乙不足",
        "改进情况\n一是加强丙；二是完善丁",
        "加强丙",
        "完善丁",
    ]
    assert found["level"].tolist() == [1, 2, 2, 1, 2, 2]
    assert found["parent_id"].tolist() == [pd.NA, 0, 0, pd.NA, 3, 3]
    assert found["list_id"].tolist() == [0, 1, 1, 0, 2, 2]


def test_a_multi_paragraph_list_runs_to_the_next_outer_marker() -> None:
    text = "（一）推进\n一是拓宽渠道。\n全年发布信息。\n二是提升质量。\n推进公开。\n（二）办理\n规范。"
    found = gt.items(_frame(text))
    shi = found[found["family"] == "shi"]["text"].tolist()
    assert shi == ["拓宽渠道。\n全年发布信息", "提升质量。\n推进公开"]


def test_table_rows_are_no_items_unless_asked() -> None:
    text = "1.属于国家秘密\t0\t0\n2.其他法律行政法规禁止公开\t0\t0"
    assert gt.items(_frame(text)).empty
    assert gt.items(_frame(text), tables=True)["text"].tolist() == [
        "属于国家秘密\t0\t0",
        "其他法律行政法规禁止公开\t0\t0",
    ]


def test_items_needs_a_text_column() -> None:
    with pytest.raises(ValueError, match="text"):
        gt.items(pd.DataFrame({"report_id": ["r"]}))


# -- sentences -------------------------------------------------------------------------------------


def test_sentences_of_seed_000(rep000: gd.Report) -> None:
    found = gt.sentences(rep000.sections)
    assert found.columns.tolist() == ["report_id", "section", "sentence_id", "text", "start", "end"]
    assert found["sentence_id"].tolist() == list(range(len(found)))
    overview = found[found["section"] == "overview"]["text"].tolist()
    assert overview[:3] == [
        "（一）主动公开情况",
        "2024 年，将乡村振兴、应急管理、重大项目以及民生事业等关键领域作为信息公开的重点方向，"
        "不断健全政策解读机制，积极拓展全方位的信息公开渠道。",
        "全年通过微信视频号、传统网络媒体、云上郏县 app 等平台，累计主动公开信息超 184 条。",
    ]
    # The tables of sections two to four are rows, not sentences.
    assert not found["text"].str.contains("\t").any()
    assert (found["section"] == "requests").sum() == 0


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("坚持“以公开为常态。”的原则！是吗？好", {}, ["坚持“以公开为常态。”", "的原则！", "是吗？", "好"]),
        ("一是甲；二是乙。", {}, ["一是甲；二是乙。"]),
        ("一是甲；二是乙。", {"semicolons": True}, ["一是甲；", "二是乙。"]),
        ("政务\n公开。", {}, ["政务", "公开。"]),
        ("政务\n公开。\n\n新段落", {"wrapped": True}, ["政务\n公开。", "新段落"]),
        ("## （一）标题\n正文。", {}, ["（一）标题", "正文。"]),
        ("规章\t0\t0\n说明。", {}, ["说明。"]),
        ("规章\t0\t0\n说明。", {"tables": True}, ["规章\t0\t0", "说明。"]),
        ("。。\n——", {}, []),
    ],
)
def test_sentence_boundaries(text: str, options: dict[str, bool], expected: list[str]) -> None:
    found = gt.sentences(_frame(text, section="overview"), **options)
    assert found["text"].tolist() == expected
    for row in found.itertuples():
        assert text[row.start - 100 : row.end - 100] == row.text
