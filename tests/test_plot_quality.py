"""Data-quality figures: bars carry the input counts, labels are the Chinese names, no glyph is missing."""

from __future__ import annotations

import matplotlib as mpl
import pandas as pd
import pytest
from plot_helpers import hbars, new_ax, render, reports_frame, texts, vbars

from govdisclosure.plot import quality
from govdisclosure.plot._common import report_labels, wrap

REPORTS = reports_frame([("r1", "郏县白庙乡人民政府", 2024, "township"),
                         ("r2", "襄城区欧庙镇人民政府", 2024, "township"),
                         ("r3", "平潭综合实验区", 2023, "province")])
ISSUES = pd.DataFrame({
    "report_id": ["r1", "r1", "r1", "r2", "r3", "r3"],
    "check": ["requests_balance", "requests_balance", "missing_section", "missing_section",
              "missing_section", "some_new_check"],
    "severity": ["error", "error", "warning", "warning", "info", "info"],
})


def test_issues_by_check_bars_are_the_counts_most_frequent_on_top() -> None:
    ax = quality.issues_by_check(ISSUES, ax=new_ax())
    render(ax)
    bars = hbars(ax)
    totals = bars.groupby("label")["width"].sum()
    assert totals.to_dict() == {"缺少部分标题": 3, "表三勾稽关系不平": 2, "some_new_check": 1}
    # Stacked by severity: 缺少部分标题 is two warnings and one info.
    parts = bars[bars["label"] == "缺少部分标题"].sort_values("left")
    assert parts["width"].tolist() == [2, 1]
    assert parts["color"].tolist() == ["#e69f00", "#56b4e9"]
    # barh draws upwards: the last tick label is the top bar.
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "缺少部分标题"
    assert "问题数（条）" in texts(ax) and "错误" in texts(ax)
    assert ax.get_title() == "检查发现的问题：按检查项和严重程度（共 6 条）"


def test_issues_by_check_top_says_what_was_left_out() -> None:
    ax = quality.issues_by_check(ISSUES, top=1, ax=new_ax())
    assert len(hbars(ax)["label"].unique()) == 1
    assert "前 1 项，共 3 项" in ax.get_title()


def test_issues_by_report_labels_are_agency_and_year() -> None:
    ax = quality.issues_by_report(ISSUES, REPORTS, ax=new_ax())
    render(ax)
    totals = hbars(ax).groupby("label")["width"].sum().to_dict()
    assert totals == {"郏县白庙乡人民政府 2024": 3, "襄城区欧庙镇人民政府 2024": 1, "平潭综合实验区 2023": 2}
    # Most errors on top.
    assert ax.get_yticklabels()[-1].get_text() == "郏县白庙乡人民政府 2024"


def test_section_coverage_counts_reports_without_a_section() -> None:
    sections = pd.DataFrame({"report_id": ["r1"] * 6 + ["r2"] * 5,
                             "section": ["overview", "proactive", "requests", "appeals", "problems", "other",
                                         "overview", "proactive", "requests", "appeals", "problems"]})
    ax = quality.section_coverage(sections, REPORTS, ax=new_ax())
    render(ax)
    bars = hbars(ax)
    found = bars[bars["color"] == "#009e73"].set_index("label")["width"]
    missing = bars[bars["color"] == "#d55e00"].set_index("label")["width"]
    assert found["一、总体情况"] == 2 and found["六、其他事项"] == 1
    assert missing["六、其他事项"] == 2 and missing["一、总体情况"] == 1  # r3 has no sections at all
    assert "缺 2" in texts(ax)
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "一、总体情况"  # format order, top down


def test_templates_by_year() -> None:
    reports = REPORTS.assign(template=["2021", "2019", "2021"])
    ax = quality.templates(reports, ax=new_ax())
    render(ax)
    bars = vbars(ax)
    assert bars.groupby("label")["height"].sum().to_dict() == {"2023": 1, "2024": 2}
    assert {"2021年格式", "2019年格式", "报告数（份）"} <= set(texts(ax))


def test_failures_name_the_files_and_say_when_there_are_none() -> None:
    failures = pd.DataFrame({"source_path": ["/x/a.csv", "/x/b.doc", "/x/scan.pdf"],
                             "error": ["UnsupportedFormatError", "UnsupportedFormatError", "ExtractionError"],
                             "message": ["", "", ""]})
    ax = quality.failures(failures, ax=new_ax())
    render(ax)
    assert hbars(ax).set_index("label")["width"].to_dict() == {"不支持的文件格式": 2,
                                                               "无法提取文字（如扫描件、加密）": 1}
    assert "2 个：a.csv、b.doc" in texts(ax)
    empty = quality.failures(failures.iloc[:0], ax=new_ax())
    render(empty)
    assert "所有文件均已读入" in texts(empty)


@pytest.mark.parametrize("fn", [
    lambda ax: quality.issues_by_check(ISSUES.iloc[:0], ax=ax),
    lambda ax: quality.issues_by_report(ISSUES.iloc[:0], REPORTS, ax=ax),
    lambda ax: quality.section_coverage(pd.DataFrame(columns=["report_id", "section"]), REPORTS.iloc[:0], ax=ax),
    lambda ax: quality.templates(REPORTS.iloc[:0], ax=ax),
])
def test_empty_input_draws_a_titled_note(fn) -> None:
    ax = fn(new_ax())
    render(ax)
    assert ax.get_title() and len(ax.texts) == 1


def test_pyplot_figure_when_no_ax_and_rcparams_untouched() -> None:
    import matplotlib.pyplot as plt

    before = dict(mpl.rcParams)
    ax = quality.issues_by_check(ISSUES)
    try:
        render(ax)
        assert dict(mpl.rcParams) == before
    finally:
        plt.close(ax.figure)


def test_report_labels_unique_for_missing_agency_and_duplicates() -> None:
    reports = pd.DataFrame({
        "report_id": ["a", "b", "c", "d"],
        "agency": ["平潭综合实验区", "平潭综合实验区", None, "洪泽区人民政府"],
        "year": pd.array([2023, 2023, None, 2023], dtype="Int64"),
        "source_path": ["/c/pingtan_2023.html", "/c/pingtan_2023.txt", "/c/blank.docx", "/c/hongze.pdf"],
    })
    labels = report_labels(reports)
    assert labels.to_dict() == {
        "a": "平潭综合实验区 2023（pingtan_2023.html）",
        "b": "平潭综合实验区 2023（pingtan_2023.txt）",
        "c": "blank.docx",
        "d": "洪泽区人民政府 2023",
    }


@pytest.mark.parametrize(("label", "width", "expected"), [
    ("短标签", 14, "短标签"),
    ("襄城区欧庙镇人民政府 2024", 12, "襄城区欧庙镇人民政府\n2024"),
    ("一二三四五六七八九十", 4, "一二三四\n五六七八\n九十"),
])
def test_wrap_breaks_at_spaces_first(label: str, width: int, expected: str) -> None:
    assert wrap(label, width) == expected
