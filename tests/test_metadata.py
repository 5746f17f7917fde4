"""Metadata rules: dates, titles, agencies, regions and levels."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govdisclosure import metadata as md


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2025年1月17日", dt.date(2025, 1, 17)),
        ("（2026年1月23日）", dt.date(2026, 1, 23)),
        ("二〇二五年一月十七日", dt.date(2025, 1, 17)),
        ("二○二四年十二月三十一日", dt.date(2024, 12, 31)),
        ("2025-01-17", dt.date(2025, 1, 17)),
        ("2025年1月17日，我镇召开会议", None),
        ("2025年2月30日", None),
    ],
)
def test_parse_date_line(line: str, expected: dt.date | None) -> None:
    assert md.parse_date_line(line) == expected


def _date_line_first_definition(line: str) -> dt.date | None:
    text = md.strip_markup(line).replace(" ", "")
    match = md._DATE_LINE.match(text) or md._ISO_DATE_LINE.match(text)
    if not match:
        return None
    try:
        return dt.date(md._cn_number(match["y"]), md._cn_number(match["m"]), md._cn_number(match["d"]))
    except (ValueError, KeyError):
        return None


_DATE_PIECES = ["2025", "二〇二五", "年", "1", "十二", "月", "17", "日", "（", "）", "(", ")", " ", "\t",
                "\u3000", "#", "**", "-", ".", "٢٠٢٥", "０", "签", "镇人民政府", "。"]


# Mostly well-formed date lines, with the marks, brackets and blanks around them varied.
_DATE_LIKE = st.tuples(
    st.sampled_from(["", "## ", "**", " ", "\t", "\u3000"]), st.sampled_from(["", "（", "(", " ("]),
    st.sampled_from(["2025", "二〇二五", "٢٠٢٥", "1999"]), st.sampled_from(["年", " 年 "]),
    st.sampled_from(["1", "十二", "01"]), st.just("月"), st.sampled_from(["17", "三十一", "3"]),
    st.just("日"), st.sampled_from(["", "）", ")"]), st.sampled_from(["", "**", "。"]),
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(_DATE_PIECES), max_size=10).map("".join), _DATE_LIKE))
def test_parse_date_line_turns_lines_away_as_its_patterns_do(line: str) -> None:
    # parse_date_line turns a line away by its first letter before matching: the result must be
    # that of matching every line.
    assert md.parse_date_line(line) == _date_line_first_definition(line)


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        ("郏县白庙乡人民政府 2024 年政府信息公开工作年度 报告", "郏县白庙乡人民政府"),
        ("襄城区欧庙镇2024年政府信息公开年度工作报告", "襄城区欧庙镇"),
        ("2023年淮安市洪泽区人民政府政府信息公开工作年度报告", "淮安市洪泽区人民政府"),
        ("上海市科学技术委员会2024年度政府信息公开工作年度报告", "上海市科学技术委员会"),
    ],
)
def test_agency_from_title(title: str, agency: str) -> None:
    assert md.agency_from_title(title) == agency


@pytest.mark.parametrize(
    ("agency", "province", "city", "county", "level"),
    [
        ("郏县白庙乡人民政府", "河南省", "平顶山市", "郏县", "township"),
        ("襄城区欧庙镇人民政府", "湖北省", "襄阳市", "襄城区", "township"),
        ("淮安市洪泽区人民政府", "江苏省", "淮安市", "洪泽区", "county"),
        ("淮安市人民政府", "江苏省", "淮安市", "", "prefecture"),
        ("沭阳县人民政府", "江苏省", "宿迁市", "沭阳县", "county"),
        ("上海市科学技术委员会", "上海市", "", "", "department"),
        ("上海市人民政府", "上海市", "", "", "province"),
        ("河南省人民政府", "河南省", "", "", "province"),
    ],
)
def test_region_and_level(agency: str, province: str, city: str, county: str, level: str) -> None:
    region = md.resolve_region(agency)
    assert (region["province"], region["city"], region["county"]) == (province, city, county)
    assert md.agency_level(agency, region) == level


def test_ambiguous_district_needs_context() -> None:
    # 朝阳区 exists in Beijing and in Changchun: alone it stays unresolved, with its city it resolves.
    assert md.resolve_region("朝阳区人民政府")["county"] == ""
    assert md.resolve_region("长春市朝阳区人民政府")["adcode"] == "220104"


def test_short_names_only_at_the_start_and_slips_corrected() -> None:
    # 平潭 (平潭县 without its suffix) opens the name of 平潭综合实验区's committee.
    assert md.resolve_region("平潭综合实验区管理委员会")["adcode"] == "350128"
    # Full names (the two 朝阳区) are tried before short ones (北京), and stay ambiguous alone.
    assert md.resolve_region("北京朝阳区")["adcode"] == ""
    assert md.resolve_region("市教育局")["adcode"] == ""
    assert md.correct_place_slip("沐阳县人民政府") == "沭阳县人民政府"


def test_template_markers() -> None:
    assert md.detect_template("", "信息内容\t本年新制作数量", 2020) == "2019"
    assert md.detect_template("", "信息内容\t本年制发件数", 2024) == "2021"
    assert md.detect_template("一、概述", "", 2018) == "pre2019"
    assert md.detect_template("一、概述", "", 2024) == "unknown"
