"""Problem items of section five: how each report layout is cut, classified, and grouped."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import govdisclosure as gd
from govdisclosure.analysis import problems, recurring_problems
from govdisclosure.analysis._classify import classify
from govdisclosure.analysis._data import read_analysis_csv, taxonomy
from govdisclosure.analysis._parts import split_parts
from govdisclosure.text import Segmenter

SEEDS = {"000": "data/samples/000_dc9580d96d94ba76.txt", "002": "data/samples/002_090d11a260a4ff7f.txt"}


def five(*texts: str) -> pd.DataFrame:
    """Sections frames with one section five per text (reports r0, r1, …), starting at 100."""
    return pd.DataFrame({"report_id": [f"r{k}" for k in range(len(texts))], "section": "problems",
                         "text": list(texts), "start": 100})


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # jieba 0.42.1's regexes on Python 3.12+
        return Segmenter(cache=False).load()


def test_seed_000_three_enumerated_problems() -> None:
    rep = gd.read_report(SEEDS["000"])
    found = problems(rep.sections)
    assert found[["item", "category", "cues", "method", "marker"]].values.tolist() == [
        [1, "awareness", "理念|意识", "enumeration", "一是"],
        [2, "staffing", "专业人员|人员|培训", "enumeration", "二是"],
        [3, "public_engagement", "公众|知晓", "enumeration", "三是"],
    ]
    assert found["text"].iloc[2] == "公众对政务公开相关内容的知晓程度较低"
    for row in found.itertuples():
        assert rep.text[row.start:row.end] == row.text


def test_seed_002_three_problems_in_one_paragraph() -> None:
    rep = gd.read_report(SEEDS["002"])
    found = problems(rep.sections)
    assert found["text"].tolist() == ["政府信息管理机制落实不到位", "政策解读质量有待提升",
                                      "基层政务公开标准化规范化工作有待进一步深化细化"]
    assert found["category"].tolist() == ["mechanisms", "interpretation", "standardisation"]
    assert (found["report_id"] == rep.report_id).all()


@pytest.mark.parametrize(
    ("text", "expected", "method"),
    [
        # hongze_2023: an inline list 如A、B、C等, each piece saying what is lacking
        ("2023年取得一定的成效，但仍存在一定差距。如依申请公开工作规范性还有待提高、政务公开队伍建设有待加强等。"
         "针对存在问题，下一步，将切实抓好以下工作：一是扎实推进依申请公开工作。二是加强业务培训。",
         ["依申请公开工作规范性还有待提高", "政务公开队伍建设有待加强"], "inline_list"),
        # pingtan_2018: 存在A、B、C等问题, then 下一步
        ("虽然取得了一定成效，但还存在个别公开单位责任意识不强、便民服务仍有差距等问题。下一步，我区将加强队伍建设。",
         ["个别公开单位责任意识不强", "便民服务仍有差距"], "inline_list"),
        # pingtan_2024: 如…；…；…等 — a 、 inside one problem does not split it
        ("但在工作中仍在不足，如新时代工作机制有待进一步调整和完善；智能化、数字化手段运用还不够充分等。2025年，将重点改进：一是优化目录。二是加快转型。",
         ["新时代工作机制有待进一步调整和完善", "智能化、数字化手段运用还不够充分"], "inline_list"),
        # pingtan_2023: 一是…三是…三是 is three items although the text layer sees no enumeration
        ("存在的问题主要有以下几个方面：一是栏目存在信息噪音；三是开拓创新不够有力；三是政策解读的质量有待提高。\n"
         "2024年，我区将采取以下措施加以改进：\n一是加大检查力度。二是提升内容质量。",
         ["栏目存在信息噪音", "开拓创新不够有力", "政策解读的质量有待提高"], "markers"),
        # pingtan_2021.txt: sub-headings run into the text, problems as plain sentences
        ("（一）存在的主要问题:政策解读形式不够丰富，未能充分运用图表图解。政务公开渠道有限。"
         "（二）改进措施：一是丰富解读形式。二是拓宽渠道。",
         ["政策解读形式不够丰富，未能充分运用图表图解", "政务公开渠道有限"], "sentences"),
    ],
)
def test_section_five_layouts(text: str, expected: list[str], method: str) -> None:
    found = problems(five(text))
    assert found["text"].tolist() == expected
    assert set(found["method"]) == {method}
    for row in found.itertuples():
        assert text[row.start - 100:row.end - 100] == row.text


def test_a_pre2019_statistics_table_after_section_five_is_not_a_problem() -> None:
    # pingtan_2018: 六、政府信息公开情况统计表 is read into section five, on its own line or run in.
    for sep in ("\n", ""):
        text = (f"但还存在队伍建设有待加强、便民服务仍有差距等问题。下一步，我区将加强队伍建设。{sep}"
                f"六、政府信息公开情况统计表{sep}指标名称计量单位")
        assert problems(five(text))["text"].tolist() == ["队伍建设有待加强", "便民服务仍有差距"]


def test_section_five_found_inline_when_no_heading_line_opened_it() -> None:
    # The archive's flattened page text: one line, no heading found, all in the preamble.
    text = ("一、总体情况本年度……四、行政复议情况0000"
            "五、存在的主要问题及改进情况一是解读形式单一。二是队伍建设有待加强。"
            "2023年，我区将采取以下措施：一是丰富解读形式。二是加强培训。六、其他需要报告的事项无。")
    sections = pd.DataFrame({"report_id": ["x"], "section": ["preamble"], "text": [text], "start": [0]})
    found = problems(sections)
    assert found["text"].tolist() == ["解读形式单一", "队伍建设有待加强"]
    assert text[found["start"].iloc[0]:found["end"].iloc[0]] == "解读形式单一"


def test_parts_of_section_five() -> None:
    text = "(一) 存在问题\n\n一是甲。二是乙。\n\n(二) 改进情况\n\n针对去年存在问题，我们进行如下改进：丙。"
    parts = split_parts(text)
    assert text[slice(*parts.problems)].strip() == "一是甲。二是乙。"
    assert text[slice(*parts.improvements)].strip().startswith("针对去年存在问题")
    assert split_parts("只有问题，没有改进。").improvements is None


def test_no_section_five_no_rows() -> None:
    sections = pd.DataFrame({"report_id": ["x"], "section": ["overview"], "text": ["总体情况。"], "start": [0]})
    found = problems(sections)
    assert found.empty and list(found.columns)[:3] == ["report_id", "item", "text"]


@pytest.mark.parametrize(
    ("text", "category", "cues"),
    [
        ("政府信息管理机制落实不到位", "mechanisms", ["机制", "落实"]),
        # 责任意识 is one cue (awareness), not 责任 (mechanisms) as well
        ("个别公开单位责任意识不强", "awareness", ["责任意识"]),
        # the first clause weighs double: the topic comes first
        ("政策解读质量仍需提升，个别单位人员不足", "interpretation", ["政策解读"]),
        # a tie goes to the category listed first (platforms before timeliness)
        ("政务公开质量水平有待提高，政务公开渠道有限，利用政务新媒体宣传难以满足需要", "platforms", ["渠道", "新媒体"]),
        ("便民服务仍有差距", "other", []),
    ],
)
def test_classify(text: str, category: str, cues: list[str]) -> None:
    assert classify(text) == (category, cues)


def test_taxonomy_data() -> None:
    table = read_analysis_csv("taxonomy.csv")
    assert table["code"].tolist()[-1] == "other" and table["code"].is_unique
    assert [c.code for c in taxonomy()][:3] == ["interpretation", "requests", "staffing"]
    cues = [cue for c in taxonomy() for cue in c.cues]
    assert len(cues) == len(set(cues)), "a cue word must belong to one category"


PROBLEMS = pd.DataFrame({
    "report_id": ["a", "b", "c", "d", "a", "e"],
    "item": [1, 1, 1, 1, 2, 1],
    "text": ["政务公开队伍建设有待加强", "政务公开队伍建设还需进一步加强", "政务公开工作队伍建设有待加强",
             "政策解读形式单一", "政策解读形式仍需创新", "便民服务仍有差距"],
    "category": ["staffing", "staffing", "staffing", "interpretation", "interpretation", "other"],
})


def test_recurring_problems_groups_near_identical_statements(segmenter: Segmenter) -> None:
    groups = recurring_problems(PROBLEMS, segmenter=segmenter)
    assert groups[["group", "n_items", "n_reports", "category"]].values.tolist() == [
        [0, 3, 3, "staffing"], [1, 2, 2, "interpretation"]]
    assert groups["members"].iloc[1] == [("d", 1), ("a", 2)]
    assert groups["terms"].iloc[0].split("|")[:2] == ["队伍", "建设"]
    assert groups["example"].iloc[0] in PROBLEMS["text"].tolist()[:3]
    # One report stating a problem is no recurrence: 便民服务 stays out; with min_reports=1 it is in.
    assert "便民服务仍有差距" in recurring_problems(PROBLEMS, min_reports=1, segmenter=segmenter)["example"].tolist()
    # A higher bar splits what a lower one joins: the 队伍建设 statements are the same words once
    # 有待/还需/加强/政务公开 are dropped, the 政策解读 ones differ in 单一/创新.
    strict = recurring_problems(PROBLEMS, threshold=0.95, segmenter=segmenter)
    assert strict["category"].tolist() == ["staffing"]


def test_recurring_problems_edge_cases(segmenter: Segmenter) -> None:
    assert recurring_problems(PROBLEMS.head(1), segmenter=segmenter).empty
    with pytest.raises(ValueError, match="threshold"):
        recurring_problems(PROBLEMS, threshold=0, segmenter=segmenter)
