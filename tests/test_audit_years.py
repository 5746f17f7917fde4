"""Across years of one agency: carry-over, 现行有效 drift, missing years, duplicate files."""

from __future__ import annotations

import pytest
from audit_fixtures import APPLICANTS, CORPUS, corpus_of, follow_on, read_text, seed_text
from distinct import distinct_values

import govdisclosure as gd
from govdisclosure.audit import audit


def series(layout: str = "tab", *, drift: bool = False) -> tuple[gd.Report, gd.Report, dict, dict]:
    """2023 and 2024 reports of one agency; 2024 continues 2023 unless ``drift``."""
    before = distinct_values("2021", seed=0)
    now = distinct_values("2021", seed=1)
    if not drift:
        now = follow_on(before, now)
    old = read_text(seed_text(layout, year=2023, values=before), "a_2023.txt")
    new = read_text(seed_text(layout, year=2024, values=now), "a_2024.txt")
    return old, new, before, now


@pytest.mark.parametrize("layout", ["tab", "pipe"])
def test_a_continuing_series_has_no_findings(layout: str) -> None:
    old, new, _, _ = series(layout)
    assert (old.agency, old.year, new.agency, new.year) == (new.agency, 2023, old.agency, 2024)
    assert audit(corpus_of(old, new), checks=["across_years"]).empty


def test_carry_over_and_in_force_that_do_not_follow() -> None:
    old, new, before, now = series(drift=True)
    found = audit(corpus_of(old, new), checks=["across_years"])
    assert set(found["report_id"]) == {new.report_id}
    carry = found[found["check"] == "carryover_mismatch"]
    assert list(carry["col"]) == [*APPLICANTS, "total"]
    first = carry.iloc[0]
    assert (first["severity"], first["location"], first["expected"], first["reported"]) == (
        "error", "表三二、上年结转·自然人",
        str(int(before[("requests", "carried_out", "natural_person")])),
        str(int(now[("requests", "carried_in", "natural_person")])))
    assert "2023年度报告结转下年度继续办理为" in first["message"]
    drift = found[found["check"] == "in_force_drift"].set_index("row")
    assert list(drift.index) == ["rules", "normative_documents"]
    expected = (before[("proactive", "rules", "in_force")] + now[("proactive", "rules", "issued")]
                - now[("proactive", "rules", "repealed")])
    assert drift.loc["rules", "expected"] == str(int(expected))
    assert drift.loc["rules", "reported"] == str(int(now[("proactive", "rules", "in_force")]))
    assert drift.loc["rules", "severity"] == "warning"
    assert drift.loc["rules", "location"] == "表二规章·现行有效件数"


def test_only_the_cell_that_breaks_is_reported() -> None:
    before = distinct_values("2021", seed=0)
    now = follow_on(before, distinct_values("2021", seed=1))
    now[("proactive", "normative_documents", "in_force")] += 5
    old = read_text(seed_text("tab", year=2023, values=before))
    new = read_text(seed_text("tab", year=2024, values=now))
    found = audit(corpus_of(old, new), checks=["across_years"])
    assert found[["check", "row", "col"]].values.tolist() == [
        ["in_force_drift", "normative_documents", "in_force"]]
    assert int(found["reported"].iloc[0]) - int(found["expected"].iloc[0]) == 5


def test_a_missing_year_is_reported_on_the_report_after_the_gap() -> None:
    first = read_text(seed_text("tab", year=2021))
    last = read_text(seed_text("tab", year=2024))
    found = audit(corpus_of(first, last), checks=["year_missing"])
    assert found[["report_id", "year", "location"]].values.tolist() == [
        [last.report_id, 2024, "年度序列"], [last.report_id, 2024, "年度序列"]]
    assert [m.split("缺少 ")[1] for m in found["message"]] == ["2022 年度报告", "2023 年度报告"]


def test_other_agencies_are_separate_series() -> None:
    tab = read_text(seed_text("tab", year=2022))
    pipe = read_text(seed_text("pipe", year=2024))
    assert audit(corpus_of(tab, pipe), checks=["across_years"]).empty


def test_two_files_of_one_report_use_the_one_with_numbers() -> None:
    old, new, _, _ = series()
    # The same 2024 report again, its tables unreadable: across years uses the readable file.
    broken = read_text(seed_text("tab", year=2024).replace("\t0", "\t?"), "a_2024_copy.txt")
    found = audit(corpus_of(old, broken, new), checks=["across_years", "duplicate_report"])
    assert found[["check", "report_id", "severity"]].values.tolist() == [
        ["duplicate_report", broken.report_id, "info"]]
    assert new.report_id in found["message"].iloc[0]


@pytest.mark.skipif(not all((CORPUS / f"pingtan_{y}.html").exists() for y in (2023, 2024, 2025)),
                    reason="the development corpus (../shared/corpus) is not on this machine")
def test_pingtan_in_force_does_not_follow_the_running_total() -> None:
    reports = [gd.read_report(CORPUS / f"pingtan_{y}.html") for y in (2023, 2024, 2025)]
    found = audit(corpus_of(*reports), checks=["across_years"])
    # tests/golden/NOTES_pingtan.md: 470 + 62 − 33 = 499 but 2024 prints 440; 440 + 58 − 45 = 453
    # but 2025 prints 546. 上年结转 follows (0 and 0).
    assert found[["year", "check", "location", "expected", "reported"]].values.tolist() == [
        [2024, "in_force_drift", "表二行政规范性文件·现行有效件数", "499", "440"],
        [2025, "in_force_drift", "表二行政规范性文件·现行有效件数", "453", "546"],
    ]
