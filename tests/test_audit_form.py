"""Form and deadline: renamed and missing sections, old or absent tables, blanks, fees, dates."""

from __future__ import annotations

import datetime as dt

import pytest
from audit_fixtures import read_text, seed_text
from distinct import distinct_values, fill_seed
from test_template_2019 import report_2019_text

from govdisclosure.audit import audit, publication_status
from govdisclosure.audit.deadline import deadline_for
from govdisclosure.report import reports_frame

FORM = ["form"]


@pytest.mark.parametrize("layout", ["tab", "pipe"])
def test_seeds_follow_the_form(layout: str) -> None:
    assert audit(read_text(seed_text(layout)), checks=FORM).empty


def test_a_renamed_section_is_named_with_its_printed_title() -> None:
    text = seed_text("tab").replace("五、存在的主要问题及改进情况", "五、主要问题和改进措施")
    found = audit(read_text(text), checks=FORM)
    assert found[["check", "severity", "location", "section", "expected", "reported"]].values.tolist() == [
        ["section_renamed", "info", "第五部分 存在的主要问题及改进情况", "problems", "存在的主要问题及改进情况",
         "五、主要问题和改进措施"]]


def test_a_longer_title_that_keeps_the_prescribed_words_is_not_renamed() -> None:
    text = seed_text("tab").replace("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况")
    assert audit(read_text(text), checks=["section_renamed"]).empty


def test_a_missing_section_six_is_found_and_its_fee_report_too() -> None:
    text = seed_text("tab")
    text = text[:text.index("六、其他需要报告的事项")]
    found = audit(read_text(text), checks=["missing_section", "fee_not_reported"])
    assert found[["check", "severity", "location", "section"]].values.tolist() == [
        ["fee_not_reported", "warning", "第六部分 其他需要报告的事项", "other"],
        ["missing_section", "warning", "第六部分 其他需要报告的事项", "other"],
    ]
    assert found["message"].iloc[0] == "第六部分 其他需要报告的事项：报告没有第六部分，未见信息处理费收取情况"
    assert found["message"].iloc[1] == "未找到第六部分“其他需要报告的事项”的标题"


def test_a_fee_reported_without_the_heading_six_is_only_a_missing_section() -> None:
    # The fee sentence stays, now at the end of section five (as in the archive's one-line texts).
    text = seed_text("tab").replace("六、其他需要报告的事项\n", "")
    found = audit(read_text(text), checks=["missing_section", "fee_not_reported"])
    assert found["check"].tolist() == ["missing_section"]


def test_section_six_without_the_fee() -> None:
    text = seed_text("tab")
    start = text.index("按照《国务院办公厅")
    text = text[:start] + "本年度无其他需要报告的事项。"
    found = audit(read_text(text), checks=FORM)
    assert found[["check", "message"]].values.tolist() == [
        ["fee_not_reported", "第六部分 其他需要报告的事项：未见信息处理费收取情况"]]


def test_the_2019_tables_in_a_2021_report_are_outdated() -> None:
    text = fill_seed(report_2019_text(), distinct_values("2019"), template="2019")
    ok = read_text(text)
    assert ok.year == 2020 and audit(ok, checks=["outdated_template"]).empty
    late = read_text(text.replace("2020 年", "2022 年"))
    found = audit(late, checks=FORM)
    assert found[["check", "severity", "location", "expected", "reported"]].values.tolist() == [
        ["outdated_template", "error", "表二、表三、表四", "2021", "2019"]]
    assert found["message"].iloc[0].startswith("表二、表三、表四：2022年度报告使用 2019 年试行格式")


@pytest.mark.parametrize("layout", ["tab", "pipe"])
def test_placeholders_instead_of_numbers_are_blank_cells(layout: str) -> None:
    sep = "\t" if layout == "tab" else " | "
    text = seed_text(layout)
    text = text.replace(f"规章{sep}0{sep}0", f"规章{sep}—{sep}0", 1)
    text = text.replace(f"行政强制{sep}0", f"行政强制{sep}/", 1)
    found = audit(read_text(text), checks=["blank_cell"])
    assert found[["location", "table", "row", "col", "reported"]].values.tolist() == [
        ["表二规章·本年制发件数", "proactive", "rules", "issued", "—"],
        ["表二行政强制·本年处理决定数量", "proactive", "coercion", "decisions", "/"],
    ]
    assert found["message"].iloc[1] == "表二行政强制·本年处理决定数量：单元格为“/”，格式要求填写数字（无则填0）"


def test_a_table_of_placeholders_is_one_finding() -> None:
    text = seed_text("tab")
    start, end = text.index("行政复议\t\t"), text.index("五、存在的主要问题")
    block = text[start:end].replace("\t0", "\t—").replace("0\t", "—\t")
    found = audit(read_text(text[:start] + block + text[end:]), checks=["blank_table", "blank_cell"])
    assert found[["check", "location", "reported"]].values.tolist() == [["blank_table", "表四", "空白"]]
    assert "15 个单元格全部空白" in found["message"].iloc[0]


# -- deadline ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("level", "deadline"), [
    ("department", dt.date(2025, 1, 31)), ("township", dt.date(2025, 1, 31)),
    ("county", dt.date(2025, 3, 31)), ("province", dt.date(2025, 3, 31)), ("", dt.date(2025, 3, 31)),
])
def test_deadline_by_level(level: str, deadline: dt.date) -> None:
    assert deadline_for(level, 2024)[0] == deadline


@pytest.mark.parametrize(("signed", "status", "findings"), [
    ("2025年1月17日", "on_time", []),
    ("2025年1月31日", "on_time", []),
    ("2025年2月3日", "late", [["late_publication", "error", "发布日期", "2025-01-31", "2025-02-03"]]),
    ("2024年12月30日", "early", [["published_early", "warning", "发布日期", "2025-01-31", "2024-12-30"]]),
])
def test_township_seed_against_31_january(signed: str, status: str, findings: list) -> None:
    rep = read_text(seed_text("pipe").replace("2025年1月17日", signed))
    assert rep.meta["level"] == "township"
    assert publication_status(reports_frame([rep.meta]))["status"].tolist() == [status]
    found = audit(rep, checks=["deadline"])
    assert found[["check", "severity", "location", "expected", "reported"]].values.tolist() == findings


def test_no_date_is_an_info_finding() -> None:
    found = audit(read_text(seed_text("tab")), checks=["deadline"])
    assert found[["check", "severity", "expected", "message"]].values.tolist() == [
        ["date_unknown", "info", "2025-01-31", "发布日期：报告未印发布日期，无法与法定期限 2025-01-31 对照"]]
