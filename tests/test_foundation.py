"""The foundation on the seed layouts: every cell in place, rules checked, metadata right."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from distinct import SEED_PIPE, SEED_TAB, distinct_values, fill_seed

import govdisclosure as gd

SEEDS = {"tab": SEED_TAB, "pipe": SEED_PIPE}
TITLES = {
    "tab": ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项"],
    "pipe": ["一、 总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
             "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
             "六、其他需要报告的事项"],
}


def read_text(text: str, name: str = "fixture.txt") -> gd.Report:
    return gd.read_report(text.encode("utf-8"), format="txt", name=name)


def cells_of(rep: gd.Report) -> dict[tuple[str, str, str], float]:
    return {(c.table, c.row, c.col): c.value for c in rep.tables.itertuples()}


@pytest.mark.parametrize("layout", ["tab", "pipe"])
def test_seed_sections_cells_and_no_errors(layout: str) -> None:
    rep = gd.read_report(SEEDS[layout])
    assert list(rep.sections["section"]) == [
        "preamble", "overview", "proactive", "requests", "appeals", "problems", "other"]
    assert list(rep.sections["title"].iloc[1:]) == TITLES[layout]
    assert len(rep.tables) == 200
    assert rep.tables.groupby("table").size().to_dict() == {
        "proactive": 10, "requests": 175, "appeals": 15}
    assert (rep.tables["value"] == 0).all()
    assert rep.issues.empty


@pytest.mark.parametrize("layout", ["tab", "pipe"])
def test_section_offsets_point_into_the_text(layout: str) -> None:
    rep = gd.read_report(SEEDS[layout])
    for row in rep.sections.itertuples():
        assert len(rep.text[row.start:row.end]) == len(row.text)
    problems = rep.section("problems")
    assert "一是" in problems and "三是" in problems
    assert rep.section("other").strip().startswith(("按照", "(一)"))


def test_seed_tab_metadata() -> None:
    rep = gd.read_report(SEED_TAB)
    # Seed 000 prints the traditional 郟; matching needs the simplified 郏.
    assert rep.agency == "郏县白庙乡人民政府"
    assert rep.year == 2024
    assert rep.published is None
    assert rep.template == "2021"
    meta = rep.meta
    assert (meta["province"], meta["city"], meta["county"]) == ("河南省", "平顶山市", "郏县")
    assert meta["adcode"] == "410425"
    assert meta["level"] == "township"


def test_seed_pipe_metadata() -> None:
    rep = gd.read_report(SEED_PIPE)
    assert rep.agency == "襄城区欧庙镇人民政府"
    assert rep.year == 2024
    assert str(rep.published) == "2025-01-17"
    meta = rep.meta
    assert (meta["province"], meta["city"], meta["county"]) == ("湖北省", "襄阳市", "襄城区")
    assert meta["adcode"] == "420602"
    assert meta["level"] == "township"


@pytest.mark.parametrize("layout", ["tab", "pipe"])
def test_every_distinct_cell_lands_in_place(layout: str) -> None:
    values = distinct_values("2021")
    rep = read_text(fill_seed(SEEDS[layout].read_text(encoding="utf-8"), values))
    got = cells_of(rep)
    assert set(got) == set(values)
    wrong = {k: (got[k], v) for k, v in values.items() if got[k] != v}
    assert wrong == {}
    assert rep.issues.empty, rep.issues["message"].tolist()
    # Spot checks a reader can verify by eye against the fixture.
    assert got[("requests", "total_processed", "total")] == sum(
        values[("requests", "total_processed", c)]
        for c in ("natural_person", "business", "research", "nonprofit", "legal_service", "other_org"))
    assert rep.table("requests").shape == (25, 7)
    assert rep.table("requests", labels="zh").loc["（一）予以公开", "自然人"] == values[
        ("requests", "granted", "natural_person")]


@pytest.mark.parametrize("layout", ["tab", "pipe"])
def test_one_wrong_cell_gives_exactly_its_issues(layout: str) -> None:
    values = distinct_values("2021")
    wrong = dict(values)
    wrong[("requests", "granted", "natural_person")] += 1
    rep = read_text(fill_seed(SEEDS[layout].read_text(encoding="utf-8"), wrong))
    issues = rep.issues.set_index("check")
    # The cell breaks the column's outcome sum and the row's applicant sum, nothing else.
    assert sorted(issues.index) == ["requests_applicants_total", "requests_outcomes_total"]
    col_rule = issues.loc["requests_outcomes_total"]
    assert (col_rule["row"], col_rule["col"]) == ("total_processed", "natural_person")
    total = values[("requests", "total_processed", "natural_person")]
    assert col_rule["reported"] == str(int(total))
    assert col_rule["expected"] == str(int(total) + 1)
    assert col_rule["message"].startswith(
        f"表三（七）总计·自然人：报告值 {int(total)}，分项合计 {int(total) + 1}")
    row_rule = issues.loc["requests_applicants_total"]
    assert (row_rule["row"], row_rule["col"]) == ("granted", "total")
    assert row_rule["severity"] == "error"


def test_balance_rule_names_both_sides() -> None:
    values = distinct_values("2021")
    wrong = dict(values)
    wrong[("requests", "carried_in", "research")] += 3
    wrong[("requests", "carried_in", "total")] += 3
    rep = read_text(fill_seed(SEED_TAB.read_text(encoding="utf-8"), wrong))
    # The research column and the total column (which sums it) both stop balancing.
    assert list(rep.issues["check"]) == ["requests_balance", "requests_balance"]
    assert list(rep.issues["col"]) == ["research", "total"]
    issue = rep.issues.iloc[0]
    assert issue["row"] == "total_processed"
    assert issue["message"].startswith("表三（七）总计+四、结转下年度·科研机构：报告值")


def test_appeals_total_rule() -> None:
    values = distinct_values("2021")
    wrong = dict(values)
    wrong[("appeals", "litigation_after_review", "total")] -= 7
    rep = read_text(fill_seed(SEED_PIPE.read_text(encoding="utf-8"), wrong))
    assert list(rep.issues["check"]) == ["appeals_block_total"]
    assert rep.issues.iloc[0]["row"] == "litigation_after_review"
    assert "表四行政诉讼·复议后起诉·总计：报告值" in rep.issues.iloc[0]["message"]


def test_value_checks_flag_negative_and_fractional_counts() -> None:
    from govdisclosure.checks import check_cells

    cells = {("proactive", r, c): v for (t, r, c), v in distinct_values("2021").items() if t == "proactive"}
    cells[("proactive", "rules", "issued")] = -4.0  # a count below zero
    cells[("proactive", "licensing", "decisions")] = 2.5  # a fractional count
    cells[("proactive", "fees", "fee_amount")] = 12.75  # an amount may have decimals
    cells[("proactive", "penalty", "decisions")] = math.nan  # a blank is no value fault
    issues = [i for i in check_cells(cells, "2021", "r1") if i.check in ("negative_value", "non_integer")]
    assert [(i.check, i.row, i.col, i.reported, i.severity) for i in issues] == [
        ("negative_value", "rules", "issued", "-4", "error"),
        ("non_integer", "licensing", "decisions", "2.5", "error"),
    ]
    cells[("proactive", "fees", "fee_amount")] = -1.5  # a negative amount is wrong too
    issues = [i for i in check_cells(cells, "2021") if i.check == "negative_value"]
    assert [(i.row, i.col, i.reported) for i in issues] == [("rules", "issued", "-4"), ("fees", "fee_amount", "-1.5")]
    # 2019's 本年增/减 column is signed: a decrease is a value, not a fault.
    signed = {("proactive", "rules", "change"): -3.0, ("proactive", "rules", "new_made"): 2.0}
    assert [i.check for i in check_cells(signed, "2019")] == []


def test_placeholders_and_annotated_numbers() -> None:
    text = SEED_TAB.read_text(encoding="utf-8")
    lines = text.split("\n")
    i = next(n for n, line in enumerate(lines) if line.startswith("规章\t"))
    lines[i] = "规章\t22（其中修订16件）\t/\t—"
    j = next(n for n, line in enumerate(lines) if line.startswith("行政规范性文件\t"))
    lines[j] = "行政规范性文件\t无\t-\t3"
    k = next(n for n, line in enumerate(lines) if line.startswith("行政事业性收费\t"))
    lines[k] = "行政事业性收费\t18651.06\t\t"
    rep = read_text("\n".join(lines))
    cells = rep.tables.set_index(["table", "row", "col"])
    assert cells.loc[("proactive", "rules", "issued"), "value"] == 22
    assert cells.loc[("proactive", "rules", "issued"), "raw"] == "22（其中修订16件）"
    for col, raw in (("repealed", "/"), ("in_force", "—")):
        assert math.isnan(cells.loc[("proactive", "rules", col), "value"])
        assert cells.loc[("proactive", "rules", col), "raw"] == raw
    assert math.isnan(cells.loc[("proactive", "normative_documents", "issued"), "value"])
    assert cells.loc[("proactive", "normative_documents", "in_force"), "value"] == 3
    assert cells.loc[("proactive", "fees", "fee_amount"), "value"] == pytest.approx(18651.06)
    assert rep.issues.empty


def test_blank_cells_are_not_silently_zero() -> None:
    text = SEED_TAB.read_text(encoding="utf-8").replace(
        "(七) 总计\t\t0\t0\t0", "(七) 总计\t\t/\t0\t0")
    rep = read_text(text)
    assert math.isnan(rep.tables.set_index(["table", "row", "col"]).loc[
        ("requests", "total_processed", "natural_person"), "value"])
    infos = rep.issues[rep.issues["severity"] == "info"]
    assert not infos.empty
    assert all("空白" in m and "按 0 计" in m for m in infos["message"])
    assert (rep.issues["severity"] != "error").all()


def test_non_numeric_and_unplaceable_cells_become_issues() -> None:
    text = SEED_PIPE.read_text(encoding="utf-8")
    text = text.replace("| 2.重复申请 | 0 | 0 | 0 |", "| 2.重复申请 | 0 | 两件 | 0 |")
    text = text.replace("| 8.属于行政查询事项 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
                        "| 8.属于行政查询事项 | 0 | 0 | 0 | 0 | 0 | 0 |")
    rep = read_text(text)
    checks = rep.issues.set_index("check")
    assert checks.loc["non_numeric_cell", "row"] == "rejected_duplicate"
    assert checks.loc["non_numeric_cell", "col"] == "business"
    assert "两件" in checks.loc["non_numeric_cell", "message"]
    assert "属于行政查询事项" in checks.loc["unplaced_values", "message"]
    inquiry = rep.tables[(rep.tables["table"] == "requests") & (rep.tables["row"] == "withheld_inquiry")]
    assert len(inquiry) == 7 and inquiry["value"].isna().all()
    assert "missing_cells" in checks.index


def test_missing_section_is_an_issue_not_an_exception() -> None:
    text = SEED_PIPE.read_text(encoding="utf-8").replace("六、其他需要报告的事项\n", "")
    rep = read_text(text)
    assert "other" not in set(rep.sections["section"])
    missing = rep.issues[rep.issues["check"] == "missing_section"]
    assert list(missing["row"]) == ["other"]
    assert missing.iloc[0]["severity"] == "warning"
    with pytest.raises(gd.SectionNotFoundError, match="this report has: preamble, overview"):
        rep.section("other")


def test_a_missing_section_of_a_report_before_2019_is_only_noted() -> None:
    # Reports before the 2019 format had no fixed outline (pingtan_2018.txt): what is missing is
    # info, the sections found are kept.
    text = ("某县人民政府2018年政府信息公开工作年度报告\n一、概述\n2018年，我县认真贯彻落实条例。\n"
            "二、主动公开政府信息情况\n全年主动公开政府信息120条。\n")
    rep = read_text(text)
    assert rep.template == "pre2019"
    assert list(rep.sections["section"]) == ["preamble", "overview", "proactive"]
    missing = rep.issues[rep.issues["check"] == "missing_section"]
    assert list(zip(missing["row"], missing["severity"], strict=True)) == [
        ("requests", "info"), ("appeals", "info"), ("problems", "info"), ("other", "info")]


def test_missing_table_is_an_issue() -> None:
    text = SEED_TAB.read_text(encoding="utf-8")
    start = text.index("行政复议\t")
    end = text.index("五、存在的主要问题")
    rep = read_text(text[:start] + text[end:])
    missing = rep.issues[rep.issues["check"] == "missing_table"]
    assert list(missing["table"]) == ["appeals"]
    assert len(rep.tables) == 185


def test_codebook_contract() -> None:
    book = gd.codebook("requests")
    assert list(book.columns[:6]) == ["template", "table", "axis", "code", "parent", "order"]
    rows = book[book["axis"] == "row"].sort_values("order")["code"].tolist()
    assert len(rows) == 25 and rows[0] == "received" and rows[-1] == "carried_out"
    assert len(gd.codebook("requests", template="2019").query("axis == 'row'")) == 23
    proactive_2019 = gd.codebook("proactive", template="2019")
    assert "procurement" in set(proactive_2019["code"])
    with pytest.raises(ValueError, match="unknown table"):
        gd.codebook("budget")  # type: ignore[arg-type]


def test_reports_frame_dtypes() -> None:
    corpus = gd.read_corpus([SEED_TAB, SEED_PIPE])
    reports = corpus.reports
    assert list(reports.columns[:14]) == [
        "report_id", "source_path", "source_format", "agency", "year", "published", "template",
        "province", "city", "county", "adcode", "level", "n_chars", "n_issues"]
    assert str(reports["year"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(reports["published"])
    assert reports["report_id"].tolist() == ["2e9bf837c070c906", "37732e6c2e5dbab0"]
