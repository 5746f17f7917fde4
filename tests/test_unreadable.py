"""Flattened page text: tables whose cells run together are reported, never split."""

from __future__ import annotations

import govdisclosure as gd
from govdisclosure.unreadable import flattened_tables

# The shape of pingtan_2024.txt's body: headings and table rows on one line, cells run together.
FLAT = (
    "平潭综合实验区2024年度政府信息公开工作年度报告\n"
    "一、总体情况\n2024年，我区共收到申请218件。\n"
    "二、主动公开政府信息情况\n"
    "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件6233440\n"
    "三、收到和处理政府信息公开申请情况\n"
    "一、本年新收政府信息公开申请数量21710000218二、上年结转政府信息公开申请数量0000000\n"
    "四、政府信息公开行政复议、行政诉讼情况\n"
    "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计21317000001324019\n"
    "五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n"
)


def test_flattened_tables_found_in_order() -> None:
    assert flattened_tables(FLAT) == ["proactive", "requests", "appeals"]


def test_either_requests_row_label_marks_the_requests_table_flattened() -> None:
    carried = "二、上年结转政府信息公开申请数量0000000"
    assert flattened_tables(carried) == ["requests"]
    assert flattened_tables("一、本年新收政府信息公开申请数量 21710000218") == ["requests"]
    assert flattened_tables(carried.replace("上年结转", "本年结转")) == []


def test_narrative_numbers_are_not_flattened_tables() -> None:
    # pingtan_2022.txt's overview: "现行有效行政规范性文件698件"; spaced cells are not run together.
    text = "现行有效行政规范性文件698件，本年新收政府信息公开申请数量 2 1 7 1 0 0 0 0 218"
    assert flattened_tables(text) == []


def test_flattened_report_gives_no_numbers_and_says_why() -> None:
    rep = gd.read_report(FLAT.encode("utf-8"), format="txt", name="flat.txt")
    assert rep.template == "2021"
    assert rep.tables["value"].notna().sum() == 0
    unreadable = rep.issues[rep.issues["check"] == "tables_unreadable"]
    assert list(unreadable["table"]) == ["proactive", "requests", "appeals"]
    assert set(unreadable["severity"]) == {"error"}
    assert unreadable["message"].str.contains("首尾相连").all()
    assert "missing_table" not in set(rep.issues["check"])
    assert list(rep.sections["section"])[1:] == [
        "overview", "proactive", "requests", "appeals", "problems", "other",
    ]
